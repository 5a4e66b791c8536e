package io.dumpsink.agent.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real JVM that runs {@link OomProgram} until it runs out of memory and writes a heap dump as HotSpot does in a
 * pod: started in the background, so a test can watch the dump being written, kill the JVM mid-dump, or start the
 * next one of a crash loop while the agent still ships the previous dump.
 */
public final class CrashingJvm implements AutoCloseable {
    private static final Pattern CREATED = Pattern.compile("Heap dump file created \\[(\\d+) bytes");

    private final Process process;
    private final Path output;
    private final List<String> command;

    private CrashingJvm(Process process, Path output, List<String> command) {
        this.process = process;
        this.output = output;
        this.command = command;
    }

    /**
     * Starts the JDK at {@code javaHome} with {@code -Xmx<heap> -XX:+HeapDumpOnOutOfMemoryError
     * -XX:HeapDumpPath=<heapDumpPath>} and {@code extraJvmArgs}. A path ending in '/' is a folder (the JVM names the
     * file java_pid<pid>.hprof); otherwise it is the file itself, which HotSpot refuses to overwrite, the way every
     * dump of a container's pid 1 is java_pid1.hprof.
     */
    public static CrashingJvm start(Path javaHome, String heapDumpPath, String heap, String... extraJvmArgs)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin").resolve("java").toString());
        command.add("-Xmx" + heap);
        command.add("-XX:+HeapDumpOnOutOfMemoryError");
        command.add("-XX:HeapDumpPath=" + heapDumpPath);
        command.addAll(List.of(extraJvmArgs));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), OomProgram.class.getName()));
        Path output = Files.createTempFile("crashing-jvm", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .start();
        return new CrashingJvm(process, output, command);
    }

    public static Path currentJavaHome() {
        return Path.of(System.getProperty("java.home"));
    }

    /** Waits for the JVM to exit (it does once the dump is written and the OutOfMemoryError ends main). */
    public CrashingJvm awaitExit(Duration timeout) throws InterruptedException, IOException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the JVM did not exit within " + timeout + ": " + command + "\n"
                    + output());
        }
        return this;
    }

    /** SIGKILL, as the kernel's OOM killer does, mid-dump or not. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The size HotSpot reported for the dump it wrote ("Heap dump file created [N bytes in ...]"). */
    public long reportedDumpBytes() throws IOException {
        String text = output();
        Matcher matcher = CREATED.matcher(text);
        if (!matcher.find()) {
            throw new IllegalStateException("the JVM wrote no heap dump: " + command + " printed:\n" + text);
        }
        return Long.parseLong(matcher.group(1));
    }

    public String output() throws IOException {
        return Files.readString(output);
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        Files.deleteIfExists(output);
    }
}
