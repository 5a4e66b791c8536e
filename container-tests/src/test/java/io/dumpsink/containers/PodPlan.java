package io.dumpsink.containers;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What one node must do to run a pod, as {@link PodTranslator} derived it from a rendered pod spec: the volumes to
 * set up on the node, and for each container the podman options that enforce its spec.
 */
record PodPlan(String namespace, String name, List<Volume> volumes, List<Container> containers,
        long terminationGracePeriodSeconds) {

    /** A pod volume as a folder on the node. */
    record Volume(String name, Kind kind, Path hostPath, Map<String, byte[]> files, int fileMode) {
        enum Kind {
            /** hostPath, type DirectoryOrCreate: made (root, 0755) when missing, as the kubelet does. */
            HOST_DIRECTORY_OR_CREATE,
            /** hostPath, type Directory: must exist. */
            HOST_DIRECTORY,
            /** emptyDir: a fresh folder of this pod, mode 0777 like the kubelet's. */
            EMPTY_DIR,
            /** configMap or secret: one file per key, written before the containers start. */
            FILES
        }
    }

    /**
     * A subPath/subPathExpr folder inside a volume, made (root-owned, with the mode of the volume's own folder)
     * when the container starts if it does not exist: what the kubelet does.
     */
    record SubPathDir(Path volumeRoot, Path dir) {
    }

    /** An HTTP probe on a port of the container, resolved to a number. */
    record Probe(String kind, String path, int port, long initialDelaySeconds, long periodSeconds,
            int failureThreshold) {
    }

    /**
     * One container: {@code options} for {@code podman create} (everything but the container's name and the
     * node's network settings), then {@code image} and {@code arguments}. Values of {@code environment} are passed
     * through podman's own environment ({@code --env NAME}), never on its command line.
     */
    record Container(String name, String image, List<String> options, List<String> arguments,
            Map<String, String> environment, List<SubPathDir> subPathDirs, Map<String, Integer> ports,
            List<Probe> probes, int uid) {

        Probe probe(String kind) {
            return probes.stream().filter(p -> p.kind().equals(kind)).findFirst()
                    .orElseThrow(() -> new AssertionError("container " + name + " has no " + kind));
        }
    }

    Container container(String containerName) {
        return containers.stream().filter(c -> c.name().equals(containerName)).findFirst()
                .orElseThrow(() -> new AssertionError("pod " + name + " has no container " + containerName));
    }
}
