package io.dumpsink.containers;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a rendered pod spec into {@code podman create} options that enforce it, the way a kubelet with a CRI
 * runtime would: security context (user, non-root check, capabilities, read-only root, no privilege escalation,
 * seccomp), env (values, field refs, Secret and ConfigMap keys, {@code $(VAR)} expansion), volumes (hostPath below
 * the folder that plays the node, ConfigMap/Secret files mounted read-only, emptyDir), volume mounts (readOnly,
 * subPath, subPathExpr), resources (memory and CPU limits as cgroup limits) and HTTP probes.
 *
 * <p>It is strict: a field it does not know stops the translation with its path, so a chart change is either
 * enforced here or fails the tier, never silently ignored. Fields that only matter to the API server or the
 * scheduler are listed in {@link #SCHEDULING_ONLY} with that reason.
 *
 * <p>Networking is the one deliberate difference: every pod shares the host's network namespace (the tests may
 * use loopback addresses only), so the rendered ports must be free on the host, and Services are played by
 * {@link ServiceProxy}. {@code hostNetwork: false} is therefore not enforced.
 */
final class PodTranslator {
    /** Pod fields that only the API server or the scheduler act on: nothing to run on one node. */
    static final Set<String> SCHEDULING_ONLY = Set.of("serviceAccountName", "imagePullSecrets", "tolerations",
            "nodeSelector", "affinity", "priorityClassName");
    private static final Set<String> POD_FIELDS = union(SCHEDULING_ONLY, Set.of("containers", "volumes",
            "securityContext", "terminationGracePeriodSeconds", "hostNetwork", "hostPID", "restartPolicy"));
    private static final Set<String> POD_SECURITY = Set.of("runAsUser", "runAsGroup", "runAsNonRoot",
            "seccompProfile");
    private static final Set<String> CONTAINER_FIELDS = Set.of("name", "image", "imagePullPolicy", "command", "args",
            "env", "ports", "livenessProbe", "readinessProbe", "startupProbe", "resources", "securityContext",
            "volumeMounts", "workingDir");
    private static final Set<String> CONTAINER_SECURITY = Set.of("runAsUser", "runAsGroup", "runAsNonRoot",
            "privileged", "allowPrivilegeEscalation", "readOnlyRootFilesystem", "capabilities", "seccompProfile");
    private static final Set<String> PROBE_FIELDS = Set.of("httpGet", "initialDelaySeconds", "periodSeconds",
            "failureThreshold", "timeoutSeconds", "successThreshold");
    private static final Set<String> MOUNT_FIELDS = Set.of("name", "mountPath", "readOnly", "subPath",
            "subPathExpr");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\$|\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)");

    private final String nodeName;
    private final Path nodeRoot;
    private final ClusterObjects objects;
    private final Function<String, String> imageUser;

    /**
     * @param nodeRoot the folder that plays the node's root: hostPath {@code /var/dumps} is
     *     {@code nodeRoot/var/dumps}; pod folders (emptyDir, ConfigMap and Secret files) go below
     *     {@code nodeRoot/var/lib/kubelet/pods}
     * @param imageUser the image's configured user ({@code USER}), for runAsNonRoot when the spec sets no user
     */
    PodTranslator(String nodeName, Path nodeRoot, ClusterObjects objects, Function<String, String> imageUser) {
        this.nodeName = nodeName;
        this.nodeRoot = nodeRoot;
        this.objects = objects;
        this.imageUser = imageUser;
    }

    /** The node's folder for a hostPath path. */
    Path hostPath(String path) {
        if (!path.startsWith("/") || path.contains("..")) {
            throw new IllegalArgumentException("hostPath must be absolute, without ..: " + path);
        }
        return nodeRoot.resolve(path.substring(1));
    }

    PodPlan translate(String namespace, String podName, JsonNode podTemplate) {
        JsonNode spec = podTemplate.has("spec") ? podTemplate.path("spec") : podTemplate;
        String where = "pod " + namespace + "/" + podName + " spec";
        requireKnown(spec, where, POD_FIELDS);
        if (spec.path("hostPID").asBoolean(false)) {
            throw new IllegalArgumentException(where + ".hostPID: true is not supported by the container tier");
        }
        JsonNode podSecurity = spec.path("securityContext");
        requireKnown(podSecurity, where + ".securityContext", POD_SECURITY);
        Path podDir = nodeRoot.resolve("var/lib/kubelet/pods").resolve(namespace + "_" + podName);

        Map<String, PodPlan.Volume> volumes = new LinkedHashMap<>();
        for (JsonNode volume : spec.path("volumes")) {
            PodPlan.Volume translated = volume(volume, namespace, podDir, where + ".volumes[" + volume.path("name").asText() + "]");
            volumes.put(translated.name(), translated);
        }
        List<PodPlan.Container> containers = new ArrayList<>();
        for (JsonNode container : spec.path("containers")) {
            containers.add(container(container, namespace, podName, podSecurity, volumes,
                    where + ".containers[" + container.path("name").asText() + "]"));
        }
        if (containers.isEmpty()) {
            throw new IllegalArgumentException(where + " has no containers");
        }
        return new PodPlan(namespace, podName, List.copyOf(volumes.values()), containers,
                spec.path("terminationGracePeriodSeconds").asLong(30));
    }

    private PodPlan.Volume volume(JsonNode volume, String namespace, Path podDir, String where) {
        String name = volume.path("name").asText();
        requireKnown(volume, where, Set.of("name", "hostPath", "emptyDir", "configMap", "secret"));
        if (volume.has("hostPath")) {
            JsonNode hostPath = volume.path("hostPath");
            requireKnown(hostPath, where + ".hostPath", Set.of("path", "type"));
            String type = hostPath.path("type").asText("");
            PodPlan.Volume.Kind kind = switch (type) {
                case "DirectoryOrCreate" -> PodPlan.Volume.Kind.HOST_DIRECTORY_OR_CREATE;
                case "Directory" -> PodPlan.Volume.Kind.HOST_DIRECTORY;
                default -> throw new IllegalArgumentException(where + ".hostPath.type " + type
                        + " is not supported by the container tier (DirectoryOrCreate, Directory)");
            };
            return new PodPlan.Volume(name, kind, hostPath(hostPath.path("path").asText()), Map.of(), 0);
        }
        if (volume.has("emptyDir")) {
            JsonNode emptyDir = volume.path("emptyDir");
            // sizeLimit: the kubelet evicts a pod whose emptyDir outgrows it, later; writes never fail because of
            // it, so there is nothing to enforce at run time.
            requireKnown(emptyDir, where + ".emptyDir", Set.of("sizeLimit"));
            return new PodPlan.Volume(name, PodPlan.Volume.Kind.EMPTY_DIR, podDir.resolve("volumes/empty-dir/" + name),
                    Map.of(), 0);
        }
        boolean secret = volume.has("secret");
        JsonNode source = secret ? volume.path("secret") : volume.path("configMap");
        String kind = secret ? "Secret" : "ConfigMap";
        requireKnown(source, where + "." + (secret ? "secret" : "configMap"),
                Set.of(secret ? "secretName" : "name", "defaultMode", "optional"));
        String objectName = source.path(secret ? "secretName" : "name").asText();
        Map<String, byte[]> files = objects.data(kind, namespace, objectName).orElseGet(() -> {
            if (source.path("optional").asBoolean(false)) {
                return Map.of();
            }
            throw new IllegalArgumentException(where + ": " + kind + " " + namespace + "/" + objectName
                    + " does not exist (the kubelet would keep the pod in ContainerCreating)");
        });
        return new PodPlan.Volume(name, PodPlan.Volume.Kind.FILES, podDir.resolve("volumes/" + kind + "/" + name),
                files, source.path("defaultMode").asInt(0644));
    }

    private PodPlan.Container container(JsonNode container, String namespace, String podName, JsonNode podSecurity,
            Map<String, PodPlan.Volume> volumes, String where) {
        requireKnown(container, where, CONTAINER_FIELDS);
        String name = container.path("name").asText();
        String image = container.path("image").asText();
        List<String> options = new ArrayList<>();
        // No registry is reachable: every image must already be in the local store (built by build.sh).
        options.add("--pull=never");

        Map<String, String> environment = environment(container.path("env"), namespace, podName, where + ".env");
        environment.keySet().forEach(variable -> options.addAll(List.of("--env", variable)));

        int uid = security(container.path("securityContext"), podSecurity, image, options, where);

        Map<String, Integer> ports = new LinkedHashMap<>();
        for (JsonNode port : container.path("ports")) {
            requireKnown(port, where + ".ports", Set.of("name", "containerPort", "protocol"));
            ports.put(port.path("name").asText(String.valueOf(port.path("containerPort").asInt())),
                    port.path("containerPort").asInt());
        }
        List<PodPlan.Probe> probes = new ArrayList<>();
        for (String kind : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            if (container.has(kind)) {
                probes.add(probe(kind, container.path(kind), ports, where + "." + kind));
            }
        }

        List<PodPlan.SubPathDir> subPathDirs = new ArrayList<>();
        for (JsonNode mount : container.path("volumeMounts")) {
            String mountWhere = where + ".volumeMounts[" + mount.path("mountPath").asText() + "]";
            requireKnown(mount, mountWhere, MOUNT_FIELDS);
            PodPlan.Volume volume = volumes.get(mount.path("name").asText());
            if (volume == null) {
                throw new IllegalArgumentException(mountWhere + ": no volume named " + mount.path("name").asText());
            }
            Path source = volume.hostPath();
            String subPath = mount.has("subPathExpr") ? expand(mount.path("subPathExpr").asText(), environment)
                    : mount.path("subPath").asText("");
            if (!subPath.isEmpty()) {
                if (subPath.startsWith("/") || Path.of(subPath).normalize().startsWith("..") || subPath.contains("$(")) {
                    throw new IllegalArgumentException(mountWhere + ": invalid subPath " + subPath);
                }
                source = source.resolve(subPath);
                if (volume.kind() != PodPlan.Volume.Kind.FILES) {
                    subPathDirs.add(new PodPlan.SubPathDir(volume.hostPath(), source));
                }
            }
            // The kubelet mounts ConfigMap and Secret volumes read-only whatever the mount says.
            boolean readOnly = mount.path("readOnly").asBoolean(false) || volume.kind() == PodPlan.Volume.Kind.FILES;
            options.addAll(List.of("--volume", source + ":" + mount.path("mountPath").asText() + (readOnly ? ":ro" : "")));
        }

        resources(container.path("resources"), options, where + ".resources");
        if (container.has("workingDir")) {
            options.addAll(List.of("--workdir", container.path("workingDir").asText()));
        }
        List<String> arguments = new ArrayList<>();
        if (container.has("command")) {
            List<String> command = strings(container.path("command"), environment);
            options.add("--entrypoint=" + toJsonArray(command));
        }
        arguments.addAll(strings(container.path("args"), environment));
        return new PodPlan.Container(name, image, options, arguments, environment, subPathDirs, ports, probes, uid);
    }

    /** Adds the security options; returns the uid the container's processes run as. */
    private int security(JsonNode security, JsonNode podSecurity, String image, List<String> options, String where) {
        requireKnown(security, where + ".securityContext", CONTAINER_SECURITY);
        JsonNode runAsUser = first(security, podSecurity, "runAsUser");
        JsonNode runAsGroup = first(security, podSecurity, "runAsGroup");
        JsonNode runAsNonRoot = first(security, podSecurity, "runAsNonRoot");
        String user;
        if (runAsUser.isMissingNode()) {
            user = imageUser.apply(image);
        } else {
            user = runAsUser.asText() + (runAsGroup.isMissingNode() ? "" : ":" + runAsGroup.asText());
            options.addAll(List.of("--user", user));
        }
        String uidText = user.isEmpty() ? "0" : user.split(":", 2)[0];
        if (!uidText.matches("\\d+")) {
            if (runAsNonRoot.asBoolean(false)) {
                // The kubelet's own rule: a non-numeric user cannot be verified to be non-root.
                throw new IllegalArgumentException(where + ": runAsNonRoot and image " + image
                        + " has non-numeric user " + uidText + ", cannot verify user is non-root");
            }
            uidText = "-1";
        }
        int uid = Integer.parseInt(uidText);
        if (runAsNonRoot.asBoolean(false) && uid == 0) {
            throw new IllegalArgumentException(where + ": container has runAsNonRoot and image will run as root "
                    + "(CreateContainerConfigError)");
        }
        if (security.path("privileged").asBoolean(false)) {
            options.add("--privileged");
        }
        if (!security.path("allowPrivilegeEscalation").asBoolean(true)) {
            options.addAll(List.of("--security-opt", "no-new-privileges"));
        }
        if (security.path("readOnlyRootFilesystem").asBoolean(false)) {
            // podman would otherwise put writable tmpfs on /tmp, /var/tmp and /run; Kubernetes does not.
            options.addAll(List.of("--read-only", "--read-only-tmpfs=false"));
        }
        JsonNode capabilities = security.path("capabilities");
        requireKnown(capabilities, where + ".securityContext.capabilities", Set.of("add", "drop"));
        for (JsonNode drop : capabilities.path("drop")) {
            options.addAll(List.of("--cap-drop", drop.asText()));
        }
        for (JsonNode add : capabilities.path("add")) {
            options.addAll(List.of("--cap-add", add.asText()));
        }
        JsonNode seccomp = first(security, podSecurity, "seccompProfile");
        requireKnown(seccomp, where + ".seccompProfile", Set.of("type"));
        switch (seccomp.path("type").asText("RuntimeDefault")) {
            case "RuntimeDefault" -> { } // podman's default profile is the runtime's default
            case "Unconfined" -> options.addAll(List.of("--security-opt", "seccomp=unconfined"));
            default -> throw new IllegalArgumentException(where + ": seccompProfile "
                    + seccomp.path("type").asText() + " is not supported by the container tier");
        }
        return uid;
    }

    private Map<String, String> environment(JsonNode env, String namespace, String podName, String where) {
        Map<String, String> values = new LinkedHashMap<>();
        for (JsonNode variable : env) {
            String name = variable.path("name").asText();
            String at = where + "[" + name + "]";
            requireKnown(variable, at, Set.of("name", "value", "valueFrom"));
            if (!variable.has("valueFrom")) {
                values.put(name, expand(variable.path("value").asText(""), values));
                continue;
            }
            JsonNode from = variable.path("valueFrom");
            requireKnown(from, at + ".valueFrom", Set.of("fieldRef", "secretKeyRef", "configMapKeyRef"));
            if (from.has("fieldRef")) {
                String field = from.path("fieldRef").path("fieldPath").asText();
                values.put(name, switch (field) {
                    case "metadata.name" -> podName;
                    case "metadata.namespace" -> namespace;
                    case "spec.nodeName" -> nodeName;
                    case "status.podIP", "status.hostIP" -> "127.0.0.1";
                    default -> throw new IllegalArgumentException(at + ": fieldRef " + field
                            + " is not supported by the container tier");
                });
                continue;
            }
            boolean secret = from.has("secretKeyRef");
            JsonNode ref = secret ? from.path("secretKeyRef") : from.path("configMapKeyRef");
            requireKnown(ref, at + ".valueFrom", Set.of("name", "key", "optional"));
            String kind = secret ? "Secret" : "ConfigMap";
            byte[] value = objects.data(kind, namespace, ref.path("name").asText())
                    .map(data -> data.get(ref.path("key").asText())).orElse(null);
            if (value != null) {
                values.put(name, new String(value, StandardCharsets.UTF_8));
            } else if (!ref.path("optional").asBoolean(false)) {
                throw new IllegalArgumentException(at + ": " + kind + " " + namespace + "/" + ref.path("name").asText()
                        + " has no key " + ref.path("key").asText() + " (CreateContainerConfigError)");
            }
        }
        return values;
    }

    private static PodPlan.Probe probe(String kind, JsonNode probe, Map<String, Integer> ports, String where) {
        requireKnown(probe, where, PROBE_FIELDS);
        if (!probe.has("httpGet")) {
            throw new IllegalArgumentException(where + ": only httpGet probes are supported by the container tier");
        }
        JsonNode httpGet = probe.path("httpGet");
        requireKnown(httpGet, where + ".httpGet", Set.of("path", "port", "scheme"));
        if (!"HTTP".equals(httpGet.path("scheme").asText("HTTP"))) {
            throw new IllegalArgumentException(where + ": only HTTP probes are supported by the container tier");
        }
        JsonNode port = httpGet.path("port");
        Integer number = port.isInt() ? Integer.valueOf(port.asInt()) : ports.get(port.asText());
        if (number == null) {
            throw new IllegalArgumentException(where + ": the container has no port named " + port.asText());
        }
        return new PodPlan.Probe(kind, httpGet.path("path").asText("/"), number,
                probe.path("initialDelaySeconds").asLong(0), probe.path("periodSeconds").asLong(10),
                probe.path("failureThreshold").asInt(3));
    }

    private static void resources(JsonNode resources, List<String> options, String where) {
        requireKnown(resources, where, Set.of("requests", "limits"));
        requireKnown(resources.path("requests"), where + ".requests", Set.of("cpu", "memory"));
        requireKnown(resources.path("limits"), where + ".limits", Set.of("cpu", "memory"));
        JsonNode limits = resources.path("limits");
        if (limits.has("memory")) {
            options.addAll(List.of("--memory", bytes(limits.path("memory").asText()) + "b"));
        }
        if (limits.has("cpu")) {
            options.addAll(List.of("--cpus", String.valueOf(millicores(limits.path("cpu").asText()) / 1000.0)));
        }
        JsonNode requests = resources.path("requests");
        if (requests.has("cpu")) {
            // The kubelet's conversion of a CPU request into cgroup shares.
            options.addAll(List.of("--cpu-shares",
                    String.valueOf(Math.max(2, millicores(requests.path("cpu").asText()) * 1024 / 1000))));
        }
        if (requests.has("memory")) {
            options.addAll(List.of("--memory-reservation", bytes(requests.path("memory").asText()) + "b"));
        }
    }

    static long bytes(String quantity) {
        Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?").matcher(quantity);
        if (!m.matches()) {
            throw new IllegalArgumentException("unsupported memory quantity " + quantity);
        }
        long unit = switch (m.group(2) == null ? "" : m.group(2)) {
            case "Ki" -> 1L << 10;
            case "Mi" -> 1L << 20;
            case "Gi" -> 1L << 30;
            case "Ti" -> 1L << 40;
            case "k" -> 1_000L;
            case "M" -> 1_000_000L;
            case "G" -> 1_000_000_000L;
            case "T" -> 1_000_000_000_000L;
            default -> 1L;
        };
        return Long.parseLong(m.group(1)) * unit;
    }

    static long millicores(String quantity) {
        if (quantity.endsWith("m")) {
            return Long.parseLong(quantity.substring(0, quantity.length() - 1));
        }
        return Math.round(Double.parseDouble(quantity) * 1000);
    }

    /** Kubernetes' {@code $(VAR)} expansion: defined variables are replaced, others kept, {@code $$} is a {@code $}. */
    static String expand(String text, Map<String, String> variables) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = m.group(1) == null ? "\\$"
                    : Matcher.quoteReplacement(variables.getOrDefault(m.group(1), m.group()));
            m.appendReplacement(out, replacement);
        }
        return m.appendTail(out).toString();
    }

    private static List<String> strings(JsonNode array, Map<String, String> environment) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(expand(value.asText(), environment)));
        return values;
    }

    private static String toJsonArray(List<String> values) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(values);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode first(JsonNode container, JsonNode pod, String field) {
        return container.has(field) ? container.path(field) : pod.path(field);
    }

    /** Fails with the field's path when {@code node} has a field this translator does not know. */
    static void requireKnown(JsonNode node, String where, Set<String> known) {
        Set<String> unknown = new TreeSet<>();
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(where + ": " + unknown + " not known to the container tier: "
                    + "translate it in PodTranslator (or list why it does not matter on one node), so that no "
                    + "rendered setting is silently ignored");
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }
}
