package io.dumpsink.presigner.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.dumpsink.core.manifest.HeapSummary;
import io.dumpsink.core.manifest.HeapSummary.ClassCount;
import io.dumpsink.core.manifest.Manifest;
import java.util.List;
import io.dumpsink.presigner.config.PresignerSettings.ChatFormat;
import io.dumpsink.presigner.links.LinkPresigner.PresignedLink;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChatMessagesTest {
    private static Manifest manifest(Boolean complete) {
        Instant t = Instant.parse("2026-11-29T08:15:30Z");
        return new Manifest(1, "prod/node-a/shop/api-1/2026-11-29/081530Z-java_pid1.hprof.zst", "dumps", "prod",
                "node-a", "shop", "api-1", "java_pid1.hprof", "/var/dumps/shop/api-1/java_pid1.hprof", "id",
                1L << 30, "ab".repeat(32), 150L << 20, "zstd", 1 << 20, 18, t, t, t, "test", "hprof", complete);
    }

    private static String text(Boolean complete) {
        return new String(ChatMessages.body(ChatFormat.SLACK, manifest(complete), Optional.empty(),
                new PresignedLink(URI.create("http://s3/x"), Instant.parse("2026-11-29T09:00:00Z"))),
                StandardCharsets.UTF_8);
    }

    private static String textWith(HeapSummary summary) {
        Manifest m = manifest(true);
        Manifest withSummary = new Manifest(m.version(), m.key(), m.bucket(), m.cluster(), m.node(), m.namespace(),
                m.pod(), m.fileName(), m.sourcePath(), m.sourceIdentity(), m.originalSize(), m.sha256(),
                m.storedSize(), m.compression(), m.chunkSize(), m.parts(), m.modifiedAt(), m.detectedAt(),
                m.uploadedAt(), m.agentVersion(), m.format(), m.complete(), m.seekTable(), summary);
        return new String(ChatMessages.body(ChatFormat.SLACK, withSummary, Optional.empty(),
                new PresignedLink(URI.create("http://s3/x"), Instant.parse("2026-11-29T09:00:00Z"))),
                StandardCharsets.UTF_8);
    }

    @Test
    void theTopFiveClassesAreShownWithBytesAndShareOfTheHeap() {
        List<ClassCount> top = List.of(new ClassCount("int[]", 10, 700L << 20), new ClassCount("byte[]", 5, 200L << 20),
                new ClassCount("java.lang.String", 3000, 50L << 20), new ClassCount("com.shop.Order[]", 2, 40L << 20),
                new ClassCount("com.shop.<b>Order</b>", 1000, 20L << 20), new ClassCount("sixth.Class", 1, 1L << 20));
        HeapSummary summary = new HeapSummary("ok", null, "JAVA PROFILE 1.0.2", 8, null, 4, 4018L, 1000L << 20, 6,
                top, List.of());
        String text = textWith(summary);
        assertThat(text).contains("What filled the heap (1000.0 MiB in 4,018 objects)")
                .contains("• `int[]` 700.0 MiB (70.0 %, 10 objects)")
                .contains("• `byte[]` 200.0 MiB (20.0 %, 5 objects)")
                .contains("• `com.shop.Order[]` 40.0 MiB (4.0 %, 2 objects)")
                .contains("`com.shop.&lt;b&gt;Order&lt;/b&gt;`")
                .doesNotContain("sixth.Class");
        assertThat(text.indexOf("int[]")).isLessThan(text.indexOf("byte[]"));
    }

    @Test
    void aMissingSummarySaysWhy() {
        assertThat(textWith(HeapSummary.missing("truncated"))).contains("No heap summary (truncated)");
        assertThat(textWith(null)).doesNotContain("heap summary").doesNotContain("filled the heap");
    }

    @Test
    void aTruncatedDumpIsMarkedIncompleteInTheMessage() {
        assertThat(text(false)).contains(":warning: Incomplete: the JVM stopped while writing it");
    }

    @Test
    void completeDumpsAndFilesThatAreNotCheckedCarryNoWarning() {
        assertThat(text(true)).contains("Heap dump from *shop/api-1*").doesNotContain("Incomplete");
        assertThat(text(null)).doesNotContain("Incomplete");
    }
}
