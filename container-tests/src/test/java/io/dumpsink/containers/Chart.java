package io.dumpsink.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** charts/dumpsink rendered by real Helm (helm-java), as {@code helm template} would for an install. */
final class Chart {
    static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
    static final Path CHART = REPOSITORY.resolve("charts/dumpsink");
    static final YAMLMapper YAML = new YAMLMapper();

    private Chart() {
    }

    /** Every manifest of release {@code release} in {@code namespace}, with {@code --set} values. */
    static List<JsonNode> render(String release, String namespace, Map<String, Object> values) throws IOException {
        TemplateCommand template = new Helm(CHART).template().withName(release).withNamespace(namespace);
        values.forEach(template::set);
        return parse(template.call());
    }

    static List<JsonNode> parse(String yaml) throws IOException {
        List<JsonNode> manifests = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc != null && !doc.isEmpty()) {
                    manifests.add(doc);
                }
            }
        }
        return manifests;
    }
}
