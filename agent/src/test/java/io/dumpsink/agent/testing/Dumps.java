package io.dumpsink.agent.testing;

import com.github.luben.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Test helpers for dumps: a real JVM heap dump, hashing, decompression and waiting. */
public final class Dumps {
    private Dumps() {
    }

    /**
     * Runs {@link OomProgram} in a child JVM with {@code -XX:+HeapDumpOnOutOfMemoryError} so it writes a real heap
     * dump into {@code dumpDir}; returns the dump's path once the JVM has exited.
     */
    public static Path realHeapDump(Path dumpDir, String heap) throws IOException, InterruptedException {
        return realHeapDump(Path.of(System.getProperty("java.home")), dumpDir, heap, List.of());
    }

    /**
     * Like {@link #realHeapDump(Path, String)}, with the JDK at {@code javaHome} (see {@link Jdks}) and extra JVM
     * arguments, e.g. {@code -XX:HeapDumpGzipLevel=1} for a {@code .hprof.gz}. {@code dumpDir} must hold no other
     * dump; the one found ({@code *.hprof} or {@code *.hprof.gz}) is returned. If there is none, the exception
     * carries the child JVM's output.
     */
    public static Path realHeapDump(Path javaHome, Path dumpDir, String heap, List<String> extraJvmArgs)
            throws IOException, InterruptedException {
        Files.createDirectories(dumpDir);
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin").resolve("java").toString());
        command.add("-Xmx" + heap);
        command.add("-XX:+HeapDumpOnOutOfMemoryError");
        command.add("-XX:HeapDumpPath=" + dumpDir + "/");
        command.addAll(extraJvmArgs);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), OomProgram.class.getName()));
        // The output goes to a file outside dumpDir (a pipe nobody reads could fill up and block the child).
        Path output = Files.createTempFile("oom-program", ".log");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("the OOM program did not finish: " + command);
            }
            try (var files = Files.list(dumpDir)) {
                List<Path> dumps = files.filter(p -> {
                    String name = p.getFileName().toString();
                    return name.endsWith(".hprof") || name.endsWith(".hprof.gz");
                }).toList();
                if (dumps.size() != 1) {
                    throw new IllegalStateException("expected one heap dump in " + dumpDir + ", found " + dumps
                            + "; command " + command + " printed:\n" + Files.readString(output));
                }
                return dumps.get(0);
            }
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /**
     * Where the agent's claim folder holds the dump it took from {@code <watch>/<relative>} (null when it holds no
     * such file): claimed files keep their path below the watch dir under {@code .dumpsink-claimed/<id>/}.
     */
    public static Path claimed(Path watch, String relative) throws IOException {
        Path claims = watch.resolve(io.dumpsink.agent.claim.DumpClaims.FOLDER);
        if (!Files.isDirectory(claims)) {
            return null;
        }
        try (var files = Files.walk(claims)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> claims.relativize(p).subpath(1, claims.relativize(p).getNameCount())
                            .equals(Path.of(relative)))
                    .findFirst().orElse(null);
        }
    }

    /** Waits until the agent claimed {@code <watch>/<relative>} and returns where it is now. */
    public static Path awaitClaimed(Path watch, String relative, Duration timeout) throws InterruptedException {
        Path[] found = new Path[1];
        await("the agent to claim " + relative, timeout, () -> {
            try {
                found[0] = claimed(watch, relative);
            } catch (IOException e) {
                found[0] = null;
            }
            return found[0] != null;
        });
        return found[0];
    }

    /** Regular files the node still holds below the watch dir, in pod folders and the claim folder. */
    public static List<Path> nodeCopies(Path watch) {
        // A walk is no snapshot: a file the agent claims while the walk runs can be seen in the pod's folder and
        // again in the claim folder (or in neither). Two walks in a row that agree are a consistent view.
        List<Path> previous = walk(watch);
        for (int attempt = 1; attempt <= 50; attempt++) {
            List<Path> current = walk(watch);
            if (current.equals(previous)) {
                return current;
            }
            previous = current;
        }
        throw new IllegalStateException("the files under " + watch + " kept changing: " + previous);
    }

    private static List<Path> walk(Path watch) {
        for (int attempt = 1; ; attempt++) {
            try (var files = Files.walk(watch)) {
                return files.filter(Files::isRegularFile).sorted().toList();
            } catch (IOException | java.io.UncheckedIOException e) {
                // The agent removed a claim folder while the walk was in it: walk again.
                if (attempt == 10) {
                    throw new IllegalStateException("cannot walk " + watch, e);
                }
            }
        }
    }

    /** Waits for one more full rescan of the watch dir than has happened so far (the agent's own signal). */
    public static void awaitRescan(io.dumpsink.agent.metrics.AgentMetrics metrics, Duration timeout)
            throws InterruptedException {
        double seen = metrics.rescans.get();
        await("another rescan of the watch dir", timeout, () -> metrics.rescans.get() >= seen + 1);
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] unzstd(byte[] compressed) throws IOException {
        try (InputStream in = new ZstdInputStream(new ByteArrayInputStream(compressed))) {
            return in.readAllBytes();
        }
    }

    public static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
