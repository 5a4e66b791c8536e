package io.dumpsink.presigner.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.dumpsink.core.manifest.Manifest;
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
