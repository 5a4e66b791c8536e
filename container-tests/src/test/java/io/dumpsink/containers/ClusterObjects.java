package io.dumpsink.containers;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The API objects pods of one namespace can refer to: what Helm rendered for the release, plus anything the test
 * adds the way {@code kubectl apply} would. Manifests without a namespace belong to the release's.
 */
final class ClusterObjects {
    private final String namespace;
    private final List<JsonNode> manifests;

    ClusterObjects(String namespace, List<JsonNode> manifests) {
        this.namespace = namespace;
        this.manifests = new ArrayList<>(manifests);
    }

    String namespace() {
        return namespace;
    }

    List<JsonNode> manifests() {
        return List.copyOf(manifests);
    }

    Optional<JsonNode> find(String kind, String name) {
        return manifests.stream()
                .filter(m -> kind.equals(m.path("kind").asText()) && name.equals(m.path("metadata").path("name").asText()))
                .findFirst();
    }

    JsonNode get(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError("the chart rendered no " + kind + " " + name));
    }

    /** The pod template of a Deployment or DaemonSet: what one node runs for it. */
    JsonNode podTemplate(String kind, String name) {
        return get(kind, name).path("spec").path("template");
    }

    /** A ConfigMap's or Secret's entries (Secrets decoded), or empty when no such object exists in {@code ns}. */
    Optional<Map<String, byte[]>> data(String kind, String ns, String name) {
        if (!namespace.equals(ns)) {
            return Optional.empty();
        }
        return find(kind, name).map(object -> {
            Map<String, byte[]> entries = new LinkedHashMap<>();
            boolean secret = "Secret".equals(kind);
            object.path("data").fields().forEachRemaining(e -> entries.put(e.getKey(), secret
                    ? Base64.getDecoder().decode(e.getValue().asText())
                    : e.getValue().asText().getBytes(StandardCharsets.UTF_8)));
            object.path(secret ? "stringData" : "binaryData").fields().forEachRemaining(e -> entries.put(e.getKey(),
                    secret ? e.getValue().asText().getBytes(StandardCharsets.UTF_8)
                            : Base64.getDecoder().decode(e.getValue().asText())));
            return entries;
        });
    }
}
