package io.dumpsink.presigner.chat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.dumpsink.core.manifest.HeapSummary;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.presigner.config.PresignerSettings.ChatFormat;
import io.dumpsink.presigner.links.LinkPresigner.PresignedLink;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/** The body posted to the webhook for one dump: a Slack/Mattermost message, or the manifest plus links. */
public final class ChatMessages {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private ChatMessages() {
    }

    public static byte[] body(ChatFormat format, Manifest m, Optional<URI> stable, PresignedLink presigned) {
        try {
            if (format == ChatFormat.GENERIC) {
                ObjectNode root = JSON.createObjectNode();
                root.set("manifest", JSON.valueToTree(m));
                ObjectNode links = root.putObject("links");
                stable.ifPresent(uri -> links.put("stable", uri.toString()));
                links.put("presigned", presigned.url().toString());
                links.put("presignedExpiresAt", presigned.expiresAt().toString());
                return JSON.writeValueAsBytes(root);
            }
            StringBuilder text = new StringBuilder();
            text.append(":floppy_disk: Heap dump from *").append(escape(m.namespace())).append('/')
                    .append(escape(m.pod())).append("* on `").append(escape(m.node())).append("` (cluster `")
                    .append(escape(m.cluster())).append("`)\n");
            text.append('`').append(escape(m.fileName())).append("` — ").append(humanBytes(m.originalSize()))
                    .append(", stored ").append(humanBytes(m.storedSize())).append(" (").append(m.compression())
                    .append(")\n");
            if (Boolean.FALSE.equals(m.complete())) {
                text.append(":warning: Incomplete: the JVM stopped while writing it (killed mid-dump?); tools may"
                        + " read only part of it\n");
            }
            appendTopClasses(text, m.summary());
            stable.ifPresent(uri -> text.append("<").append(uri).append("|Download> (stable link)\n"));
            text.append("<").append(presigned.url()).append("|Direct link> (expires ")
                    .append(presigned.expiresAt()).append(")");
            ObjectNode root = JSON.createObjectNode();
            root.put("text", text.toString());
            return JSON.writeValueAsBytes(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Classes in the message: the question is "what filled the heap?", and five answer it. */
    static final int TOP_CLASSES = 5;

    /**
     * The heap summary's top classes with their bytes and share of the heap, or one line saying why there is none.
     * Class names come from the dump (a pod's bytes): escaped, in code spans, like every other name.
     */
    private static void appendTopClasses(StringBuilder text, HeapSummary summary) {
        if (summary == null) {
            return;
        }
        if (!summary.ok() || summary.topClasses() == null || summary.bytes() == null) {
            text.append("No heap summary (").append(escape(summary.reason())).append(")\n");
            return;
        }
        text.append("What filled the heap (").append(humanBytes(summary.bytes())).append(" in ")
                .append(String.format(Locale.ROOT, "%,d", summary.objects())).append(" objects):\n");
        long total = Math.max(1, summary.bytes());
        for (HeapSummary.ClassCount c : summary.topClasses().subList(0,
                Math.min(TOP_CLASSES, summary.topClasses().size()))) {
            text.append("• `").append(escape(c.name()).replace("`", "'")).append("` ")
                    .append(humanBytes(c.bytes())).append(" (")
                    .append(String.format(Locale.ROOT, "%.1f %%", 100.0 * c.bytes() / total)).append(", ")
                    .append(String.format(Locale.ROOT, "%,d", c.instances())).append(" objects)\n");
        }
    }

    /** Slack's three control characters; names come from pods and must not become markup or links. */
    static String escape(String value) {
        return value == null ? "" : value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** Sizes for people: {@code 1.5 GiB}. */
    public static String humanBytes(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
