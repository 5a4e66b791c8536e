package io.dumpsink.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A real dumpsink jar (agent or presigner) as a child process, its output in a file the test can read. */
final class ServiceProcess implements AutoCloseable {
    static final Path AGENT_JAR = jar("agent", "dumpsink-agent.jar");
    static final Path PRESIGNER_JAR = jar("presigner", "dumpsink-presigner.jar");
    private static final Pattern HTTP_PORT = Pattern.compile("HTTP listening port=(\\d+)");

    final Process process;
    final Path log;
    private final String startedMarker;

    private ServiceProcess(Process process, Path log, String startedMarker) {
        this.process = process;
        this.log = log;
        this.startedMarker = startedMarker;
    }

    /** The agent with {@code config} as its config file, sized like a 256 MiB container. */
    static ServiceProcess agent(Path config, Path log) throws IOException {
        return start(List.of(), AGENT_JAR, config, log, "Agent started", List.of("-XX:MaxRAM=256m"), Map.of());
    }

    /**
     * The agent started the way the Helm chart's DaemonSet starts it, {@code javaToolOptions} (the chart's
     * {@code agent.javaOpts}) in {@code JAVA_TOOL_OPTIONS}, plus {@code jvmOptions} that stand in for the node and
     * the container ({@code -XX:ActiveProcessorCount}, {@code -XX:MaxRAM}).
     */
    static ServiceProcess agentLikeChart(Path config, Path log, String javaToolOptions, List<String> jvmOptions)
            throws IOException {
        return start(List.of(), AGENT_JAR, config, log, "Agent started", jvmOptions,
                Map.of("JAVA_TOOL_OPTIONS", javaToolOptions));
    }

    /** The agent as another user (through setpriv), to see what it cannot read. */
    static ServiceProcess agentAsUser(int uid, Path config, Path log) throws IOException {
        return start(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups"), AGENT_JAR, config,
                log, "Agent started", List.of("-XX:MaxRAM=256m"), Map.of());
    }

    static ServiceProcess presigner(Path config, Path log) throws IOException {
        return start(List.of(), PRESIGNER_JAR, config, log, "Presigner started", List.of("-XX:MaxRAM=512m"),
                Map.of());
    }

    private static ServiceProcess start(List<String> prefix, Path jar, Path config, Path log, String marker,
            List<String> jvmOptions, Map<String, String> environment) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing; run the tests through `mvn verify` from the root");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(prefix);
        command.add(java);
        command.addAll(jvmOptions);
        command.addAll(List.of("-XX:-UsePerfData", "-Dconfig.file=" + config, "-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        return new ServiceProcess(process, log, marker);
    }

    private static Path jar(String module, String name) {
        return Path.of("..", module, "target", name).toAbsolutePath().normalize();
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    /** Waits for the process to say it started; returns its HTTP port. */
    int awaitStarted(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String output = output();
            if (output.contains(startedMarker)) {
                Matcher matcher = HTTP_PORT.matcher(output);
                if (matcher.find()) {
                    return Integer.parseInt(matcher.group(1));
                }
            }
            if (!process.isAlive()) {
                throw new AssertionError("process exited with " + process.exitValue() + ":\n" + output);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("process did not start within " + timeout + ":\n" + output());
    }

    int awaitExit(Duration timeout) throws InterruptedException, IOException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("process still running after " + timeout + ":\n" + output());
        }
        return process.exitValue();
    }

    /**
     * The process's peak resident set size so far (VmHWM in /proc/&lt;pid&gt;/status): what a container's memory
     * limit compares against. The process must be a JVM started directly (no {@code setpriv} prefix).
     */
    long peakRssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024; // reported in kB
            }
        }
        throw new IllegalStateException("no VmHWM in /proc/" + process.pid() + "/status");
    }

    /** SIGKILL: no shutdown hook, no cleanup, as when the node or the OOM killer takes the agent. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
