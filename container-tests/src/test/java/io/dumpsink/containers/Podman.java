package io.dumpsink.containers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The podman command line, run as child processes. It honours {@code CONTAINERS_CONF} from the environment
 * ({@code eval "$(tools/podman/setup.sh)"} sets it to the two settings these machines need).
 */
final class Podman {
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(2);

    /** The outcome of one podman command. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }

        /** Throws with the command and its output unless it succeeded. */
        Result orThrow() {
            if (!ok()) {
                throw new IllegalStateException("`" + String.join(" ", command) + "` exited with " + exitCode
                        + "\nstdout: " + stdout + "\nstderr: " + stderr);
            }
            return this;
        }
    }

    /** Why podman is unusable here (not installed, or its store cannot be opened), or empty when it is usable. */
    static Optional<String> unavailableReason() {
        Podman podman = new Podman();
        try {
            Result info = podman.run(List.of("info", "--format", "{{.Host.OCIRuntime.Name}}"), Map.of(),
                    Duration.ofSeconds(60));
            if (!info.ok()) {
                return Optional.of("`podman info` failed: " + firstLine(info.stderr()));
            }
        } catch (IOException e) {
            return Optional.of("podman is not installed (" + e.getMessage() + "); eval \"$(tools/podman/setup.sh)\" "
                    + "installs it");
        }
        return Optional.empty();
    }

    /** Why podman cannot run a container from {@code image} (a local image), or empty when it can. */
    Optional<String> cannotRunReason(String image) throws IOException {
        Result trial = run(List.of("run", "--rm", "--pull=never", "--network", "host", image, "true"), Map.of(),
                Duration.ofSeconds(60));
        if (trial.ok()) {
            return Optional.empty();
        }
        return Optional.of("podman cannot run a container: " + firstLine(trial.stderr()) + " (CONTAINERS_CONF="
                + System.getenv("CONTAINERS_CONF") + "; eval \"$(tools/podman/setup.sh)\" writes the settings these "
                + "machines need)");
    }

    private static String firstLine(String text) {
        return text.strip().lines().findFirst().orElse("(no output)");
    }

    Result run(List<String> args) throws IOException {
        return run(args, Map.of(), DEFAULT_TIMEOUT);
    }

    /**
     * Runs {@code podman args}; {@code environment} is added to podman's own environment (a container's
     * {@code --env NAME} without a value takes the value from there, so secrets never appear on a command line).
     */
    Result run(List<String> args, Map<String, String> environment, Duration timeout) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("podman");
        command.addAll(args);
        Path out = Files.createTempFile("podman", ".out");
        Path err = Files.createTempFile("podman", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().putAll(environment);
            Process process = builder.start();
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor();
                    throw new IllegalStateException("`" + String.join(" ", command) + "` still running after "
                            + timeout);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + command, e);
            }
            return new Result(command, process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Runs {@code podman args} and returns its standard output, stripped; throws unless it succeeded. */
    String output(String... args) throws IOException {
        return run(List.of(args)).orThrow().stdout().strip();
    }
}
