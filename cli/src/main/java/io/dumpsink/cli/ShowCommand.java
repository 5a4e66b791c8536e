package io.dumpsink.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
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
                print(manifest, "");
            }
            return ExitCodes.OK;
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
