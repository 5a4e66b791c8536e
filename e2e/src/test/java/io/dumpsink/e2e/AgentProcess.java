package io.dumpsink.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The real {@code dumpsink-agent.jar} as a child process, its output in a file the test can read. */
final class AgentProcess implements AutoCloseable {
    static final Path JAR = Path.of("..", "agent", "target", "dumpsink-agent.jar").toAbsolutePath().normalize();
    private static final Pattern HTTP_PORT = Pattern.compile("HTTP listening port=(\\d+)");

    final Process process;
    final Path log;

    private AgentProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts the agent with {@code config} as its config file, sized like a 256 MiB container. */
    static AgentProcess start(Path config, Path log) throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing; run the tests through `mvn verify` from the root");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-XX:MaxRAM=256m", "-Dconfig.file=" + config,
                "-jar", JAR.toString()));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new AgentProcess(process, log);
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    /** Waits for the agent to say it started; returns its HTTP port. */
    int awaitStarted(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String output = output();
            if (output.contains("Agent started")) {
                Matcher matcher = HTTP_PORT.matcher(output);
                if (matcher.find()) {
                    return Integer.parseInt(matcher.group(1));
                }
            }
            if (!process.isAlive()) {
                throw new AssertionError("agent exited with " + process.exitValue() + ":\n" + output);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("agent did not start within " + timeout + ":\n" + output());
    }

    int awaitExit(Duration timeout) throws InterruptedException, IOException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("agent still running after " + timeout + ":\n" + output());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
