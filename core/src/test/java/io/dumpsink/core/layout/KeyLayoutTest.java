package io.dumpsink.core.layout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyLayoutTest {
    private static final Instant T = Instant.parse("2026-11-28T23:59:58.123Z");

    @Test
    void histogramObjectsSitBesideTheDumpAndAreNotManifests() {
        String key = "prod/node-a/shop/api-1/2026-11-28/081530Z-java_pid1.hprof.zst";
        assertThat(KeyLayout.histogramKey(key)).isEqualTo(key + ".histogram.json");
        assertThat(KeyLayout.isManifestKey(KeyLayout.manifestKey(key))).isTrue();
        assertThat(KeyLayout.isManifestKey(KeyLayout.histogramKey(key))).isFalse();
        assertThat(KeyLayout.isManifestKey(key)).isFalse();
    }

    @Test
    void keyFollowsTheLayoutInUtc() {
        assertThat(KeyLayout.dumpKey("prod", "node-a", "payments", "api-1", T, "java_pid1.hprof", true, 1))
                .isEqualTo("prod/node-a/payments/api-1/2026-11-28/235958Z-java_pid1.hprof.zst");
        assertThat(KeyLayout.dumpKey("prod", "node-a", "payments", "api-1", T, "core", false, 3))
                .isEqualTo("prod/node-a/payments/api-1/2026-11-28/235958Z-3-core");
    }

    @Test
    void longNamesLoseTheirBeginningButKeepTimeAttemptAndExtension() {
        String name = "heap-" + "x".repeat(300 - "heap-".length() - ".hprof".length()) + ".hprof";
        List<String> keys = new ArrayList<>();
        for (int attempt = 1; attempt <= 5; attempt++) {
            String key = KeyLayout.dumpKey("prod", "node-a", "payments", "api-1", T, name, true, attempt);
            keys.add(key);
            String segment = KeyLayout.fileName(key);
            assertThat(KeyLayout.validDumpKey(key)).contains(key);
            assertThat(segment).hasSize(150)
                    .startsWith(attempt == 1 ? "235958Z-x" : "235958Z-" + attempt + "-x")
                    .endsWith("x.hprof.zst");
        }
        assertThat(keys).doesNotHaveDuplicates();
    }

    @Test
    void longUnsafeNamesWithoutCompressionStayValid() {
        String name = "dir/" + "\u00e4 ".repeat(200) + "core.1";
        String key = KeyLayout.dumpKey("prod", "node-a", "payments", "api-1", T, name, false, 1000);
        assertThat(KeyLayout.validDumpKey(key)).contains(key);
        assertThat(KeyLayout.fileName(key)).hasSize(150).startsWith("235958Z-1000-__").endsWith("__core.1");
    }

    @Test
    void hostileSegmentsBecomeSafe() {
        assertThat(KeyLayout.sanitizeSegment("..")).isEqualTo("_.");
        assertThat(KeyLayout.sanitizeSegment("../../etc/passwd")).isEqualTo("_._.._etc_passwd");
        assertThat(KeyLayout.sanitizeSegment("")).isEqualTo("_");
        assertThat(KeyLayout.sanitizeSegment("a\u0000b\nc d")).isEqualTo("a_b_c_d");
        assertThat(KeyLayout.sanitizeSegment("/abs")).isEqualTo("_abs");
        assertThat(KeyLayout.sanitizeSegment("x".repeat(500) + ".hprof")).hasSize(150).endsWith("x.hprof")
                .startsWith("_");
        assertThat(KeyLayout.sanitizeSegment("\uD83D\uDE00.hprof")).isEqualTo("_.hprof");
    }

    @Test
    void onlyKeysInTheLayoutAreValid() {
        assertThat(KeyLayout.validDumpKey("prod/node/ns/pod/2026-11-28/081530Z-java.hprof.zst")).isPresent();
        assertThat(KeyLayout.validDumpKey("prod/node/ns/pod/2026-11-28/../x")).isEmpty();
        assertThat(KeyLayout.validDumpKey("/prod/node/ns/pod/2026-11-28/x")).isEmpty();
        assertThat(KeyLayout.validDumpKey("prod/node/ns/pod/today/x")).isEmpty();
        assertThat(KeyLayout.validDumpKey("prod/node/ns/pod/2026-11-28/a b")).isEmpty();
        assertThat(KeyLayout.validDumpKey("prod/node/ns/pod/2026-11-28/.hidden")).isEmpty();
        assertThat(KeyLayout.validDumpKey(null)).isEmpty();
    }
}
