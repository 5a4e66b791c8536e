package io.dumpsink.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code dumpsink show}: one dump's manifest, every field, readable or as JSON. */
@Command(name = "show", description = "Print a dump's manifest: every field it holds (those newer agents add too).")
final class ShowCommand implements Callable<Integer> {
    @ParentCommand
    DumpsinkCommand root;

    @Mixin
    DumpSelection selection;

    @Option(names = "--json", description = "The manifest as stored (JSON).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        try (Store store = root.openStore(4)) {
            String key = selection.resolve(store);
            JsonNode manifest = store.manifest(key).json();
            if (json) {
                root.out.println(LsCommand.JSON.writeValueAsString(manifest));
            } else {
                JsonNode summary = manifest.path("summary");
                print(manifest.isObject() ? ((com.fasterxml.jackson.databind.node.ObjectNode) manifest.deepCopy())
                        .without("summary") : manifest, "");
                if (summary.isObject()) {
                    printSummary(summary);
                }
            }
            return ExitCodes.OK;
        }
    }

    /**
     * The heap summary the agent read from a heap dump: what filled the heap, class by class, or why there is no
     * summary. Shares are of the dump's shallow bytes.
     */
    private void printSummary(JsonNode summary) {
        if (!"ok".equals(summary.path("status").asText())) {
            root.out.println("heap summary: missing (" + summary.path("reason").asText("unknown") + ")");
            return;
        }
        long total = summary.path("bytes").asLong();
        root.out.printf(Locale.ROOT, "%nWhat filled the heap: %s in %,d objects of %d classes (%s, %d-byte ids)%n",
                Sizes.human(total), summary.path("objects").asLong(), summary.path("classes").asInt(),
                summary.path("hprofVersion").asText("?"), summary.path("identifierSize").asInt());
        root.out.printf(Locale.ROOT, "  %12s %7s %14s  %s%n", "bytes", "share", "objects", "class");
        for (JsonNode c : summary.path("topClasses")) {
            long bytes = c.path("bytes").asLong();
            root.out.printf(Locale.ROOT, "  %12s %6.1f%% %,14d  %s%n", Sizes.human(bytes),
                    total > 0 ? 100.0 * bytes / total : 0.0, c.path("instances").asLong(), c.path("name").asText());
        }
        JsonNode largest = summary.path("largestObjects");
        if (largest.size() > 0) {
            root.out.println("Largest objects:");
            for (JsonNode o : largest) {
                root.out.printf(Locale.ROOT, "  %12s  %s%n", Sizes.human(o.path("bytes").asLong()),
                        o.path("className").asText());
            }
        }
    }

    /** Field by field, nested objects indented, so fields this version does not know are shown too. */
    private void print(JsonNode node, String indent) {
        int width = 0;
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            width = Math.max(width, names.next().length());
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = field.getValue();
            if (value.isObject()) {
                root.out.println(indent + field.getKey() + ":");
                print(value, indent + "  ");
            } else {
                String text = value.isValueNode() ? value.asText() : value.toString();
                if (value.isNumber() && field.getKey().toLowerCase().endsWith("size") && value.asLong() >= 1024) {
                    text = text + " (" + Sizes.human(value.asLong()) + ")";
                }
                root.out.printf("%s%-" + (width + 1) + "s %s%n", indent, field.getKey() + ":", text);
            }
        }
    }
}
