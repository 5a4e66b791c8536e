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
        Files.createDirectories(dumpDir);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx" + heap, "-XX:+HeapDumpOnOutOfMemoryError",
                "-XX:HeapDumpPath=" + dumpDir + "/", "-cp", System.getProperty("java.class.path"),
                OomProgram.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the OOM program did not finish");
        }
        try (var files = Files.list(dumpDir)) {
            List<Path> dumps = files.filter(p -> p.getFileName().toString().endsWith(".hprof")).toList();
            if (dumps.size() != 1) {
                throw new IllegalStateException("expected one heap dump in " + dumpDir + ", found " + dumps);
            }
            return dumps.get(0);
        }
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
