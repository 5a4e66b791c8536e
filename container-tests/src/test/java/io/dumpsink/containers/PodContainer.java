package io.dumpsink.containers;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One container of a pod on a {@link PlayedNode}, driven through podman, probed like the kubelet probes it. */
final class PodContainer {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final Podman podman;
    private final String name;
    private final PodPlan.Container spec;

    PodContainer(Podman podman, String name, PodPlan.Container spec) {
        this.podman = podman;
        this.name = name;
        this.spec = spec;
    }

    /** podman's name of the container. */
    String name() {
        return name;
    }

    PodPlan.Container spec() {
        return spec;
    }

    void start() throws IOException {
        podman.run(List.of("start", name)).orThrow();
    }

    /** {@code podman kill -s SIGNAL}: with KILL, no shutdown hook runs, as when the OOM killer or a node crash hits. */
    void kill(String signal) throws IOException {
        podman.run(List.of("kill", "--signal", signal, name)).orThrow();
    }

    /** Waits for the container to exit; returns its exit code. */
    int awaitExit(Duration timeout) throws IOException {
        return Integer.parseInt(podman.run(List.of("wait", name), Map.of(), timeout).orThrow().stdout().strip());
    }

    boolean running() throws IOException {
        return "true".equals(podman.output("inspect", "--format", "{{.State.Running}}", name));
    }

    int exitCode() throws IOException {
        return Integer.parseInt(podman.output("inspect", "--format", "{{.State.ExitCode}}", name));
    }

    /** Everything the container printed, over all its starts. */
    String logs() throws IOException {
        Podman.Result result = podman.run(List.of("logs", name)).orThrow();
        return result.stdout() + result.stderr();
    }

    /** Runs a command in the running container, with the container's user, capabilities and restrictions. */
    Podman.Result exec(String... command) throws IOException {
        List<String> args = new ArrayList<>(List.of("exec", name));
        args.addAll(List.of(command));
        return podman.run(args);
    }

    /** The container's main process as the kernel sees it: {@code /proc/1/status} (Uid, Gid, CapEff, NoNewPrivs...). */
    Map<String, String> processStatus() throws IOException {
        Map<String, String> status = new LinkedHashMap<>();
        exec("cat", "/proc/1/status").orThrow().stdout().lines().forEach(line -> {
            int colon = line.indexOf(':');
            if (colon > 0) {
                status.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        });
        return status;
    }

    /** Paths that changed in the container's own file system (not in its volumes), as {@code podman diff} lists them. */
    List<String> changedPaths() throws IOException {
        // {"changed": [...], "added": [...], "deleted": [...]}
        List<String> paths = new ArrayList<>();
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(podman.output("diff", "--format", "json", name))
                .forEach(kind -> kind.forEach(path -> paths.add(path.asText())));
        return paths;
    }

    /** One probe, as the kubelet runs an httpGet probe: success is a status from 200 to 399. */
    boolean probe(String kind) {
        PodPlan.Probe probe = spec.probe(kind);
        try {
            HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + probe.port() + probe.path())).timeout(Duration.ofSeconds(1))
                    .build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() >= 200 && response.statusCode() < 400;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Probes until {@code kind} succeeds; fails with the container's logs if it exits or the time runs out. */
    void awaitProbe(String kind, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!probe(kind)) {
            if (!running()) {
                throw new AssertionError(name + " exited with " + exitCode() + " before its " + kind
                        + " succeeded:\n" + logs());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + ": " + kind + " on port " + spec.probe(kind).port()
                        + " did not succeed within " + timeout + ":\n" + logs());
            }
            Thread.sleep(200);
        }
    }
}
