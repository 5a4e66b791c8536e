package io.dumpsink.containers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One Kubernetes node, played by a folder and podman: hostPath volumes are folders below {@code root}, and pods
 * run as podman containers with the options {@link PodTranslator} derived from their specs. It does what the
 * kubelet does before a container starts (hostPath DirectoryOrCreate, emptyDir, ConfigMap and Secret files,
 * subPath folders) and nothing else: no restarts by itself, so a test decides when a killed container comes back.
 */
final class PlayedNode implements AutoCloseable {
    private final String name;
    private final Path root;
    private final Podman podman;
    private final String runId;
    private final List<String> serviceNames;
    private final List<PodContainer> created = Collections.synchronizedList(new ArrayList<>());

    /**
     * @param runId prefix of the names and value of the label of every container this node creates
     * @param serviceNames DNS names the pods resolve to the host's loopback, where {@link ServiceProxy}s play the
     *     Services (what the cluster DNS and kube-proxy do together)
     */
    PlayedNode(String name, Path root, Podman podman, String runId, List<String> serviceNames) {
        this.name = name;
        this.root = root;
        this.podman = podman;
        this.runId = runId;
        this.serviceNames = List.copyOf(serviceNames);
    }

    String name() {
        return name;
    }

    Path root() {
        return root;
    }

    PodTranslator translator(ClusterObjects objects) {
        return new PodTranslator(name, root, objects, this::imageUser);
    }

    /** The host folder of a hostPath path on this node. */
    Path hostPath(String path) {
        return root.resolve(path.substring(1));
    }

    private String imageUser(String image) {
        try {
            return podman.output("image", "inspect", "--format", "{{.Config.User}}", image);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Sets the pod's volumes up and creates its containers, without starting them. */
    Pod create(PodPlan plan) throws IOException {
        for (PodPlan.Volume volume : plan.volumes()) {
            setUp(volume);
        }
        Map<String, PodContainer> containers = new LinkedHashMap<>();
        for (PodPlan.Container container : plan.containers()) {
            for (PodPlan.SubPathDir subPath : container.subPathDirs()) {
                makeSubPath(subPath);
            }
            String containerName = runId + "-" + plan.name() + "-" + container.name();
            List<String> args = new ArrayList<>(List.of("create", "--name", containerName,
                    "--label", "io.dumpsink.container-tier=" + runId,
                    "--network", "host",
                    "--stop-timeout", String.valueOf(plan.terminationGracePeriodSeconds())));
            for (String service : serviceNames) {
                args.addAll(List.of("--add-host", service + ":127.0.0.1"));
            }
            args.addAll(container.options());
            args.add(container.image());
            args.addAll(container.arguments());
            PodContainer handle = new PodContainer(podman, containerName, container);
            created.add(handle);
            podman.run(args, container.environment(), Podman.DEFAULT_TIMEOUT).orThrow();
            containers.put(container.name(), handle);
        }
        return new Pod(plan, containers);
    }

    /** Creates and starts the pod's containers. */
    Pod run(PodPlan plan) throws IOException {
        Pod pod = create(plan);
        for (PodContainer container : pod.containers().values()) {
            container.start();
        }
        return pod;
    }

    private void setUp(PodPlan.Volume volume) throws IOException {
        Path dir = volume.hostPath();
        switch (volume.kind()) {
            case HOST_DIRECTORY_OR_CREATE -> makeDirectories(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            case HOST_DIRECTORY -> {
                if (!Files.isDirectory(dir)) {
                    throw new IllegalStateException("hostPath type check failed: " + dir + " is not a directory");
                }
            }
            case EMPTY_DIR -> {
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            }
            case FILES -> {
                Files.createDirectories(dir);
                Set<PosixFilePermission> mode = permissions(volume.fileMode());
                for (Map.Entry<String, byte[]> file : volume.files().entrySet()) {
                    Path path = dir.resolve(file.getKey());
                    Files.write(path, file.getValue());
                    Files.setPosixFilePermissions(path, mode);
                }
            }
            default -> throw new IllegalStateException(volume.kind().toString());
        }
    }

    /** What the kubelet does for subPath: missing folders made with the mode of the volume's folder, as root. */
    private static void makeSubPath(PodPlan.SubPathDir subPath) throws IOException {
        makeDirectories(subPath.dir(), Files.getPosixFilePermissions(subPath.volumeRoot()));
    }

    private static void makeDirectories(Path dir, Set<PosixFilePermission> mode) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        makeDirectories(dir.getParent(), mode);
        Files.createDirectory(dir);
        Files.setPosixFilePermissions(dir, mode); // not subject to the test JVM's umask
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        StringBuilder text = new StringBuilder();
        for (int shift = 6; shift >= 0; shift -= 3) {
            int bits = (mode >> shift) & 7;
            text.append((bits & 4) != 0 ? 'r' : '-').append((bits & 2) != 0 ? 'w' : '-').append((bits & 1) != 0 ? 'x' : '-');
        }
        return PosixFilePermissions.fromString(text.toString());
    }

    /** Removes every container this node created (their logs are gone with them). */
    @Override
    public void close() throws IOException {
        List<String> names = new ArrayList<>();
        created.forEach(container -> names.add(container.name()));
        if (!names.isEmpty()) {
            List<String> args = new ArrayList<>(List.of("rm", "--force", "--time", "0"));
            args.addAll(names);
            podman.run(args);
        }
    }

    /** A pod's containers on this node. */
    record Pod(PodPlan plan, Map<String, PodContainer> containers) {
        PodContainer container(String containerName) {
            PodContainer container = containers.get(containerName);
            if (container == null) {
                throw new AssertionError("pod " + plan.name() + " has no container " + containerName);
            }
            return container;
        }
    }
}
