package io.dumpsink.core.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ManifestCodecTest {
    @Test
    void roundTripsWithIsoTimes() {
        Manifest manifest = new Manifest(1, "c/n/ns/p/2026-11-28/081530Z-x.hprof.zst", "dumps", "c", "n", "ns", "p",
                "x.hprof", "/var/dumps/ns/p/x.hprof", "(dev=1,ino=2):10:2026-11-28T08:15:30Z", 10, "ab", 9, "zstd",
                1048576, 1, Instant.parse("2026-11-28T08:15:30Z"), Instant.parse("2026-11-28T08:15:31Z"),
                Instant.parse("2026-11-28T08:15:40Z"), "0.1.0", "hprof", false);
        byte[] json = ManifestCodec.toJson(manifest);
        assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"uploadedAt\" : \"2026-11-28T08:15:40Z\"")
                .contains("\"sha256\" : \"ab\"");
        assertThat(ManifestCodec.fromJson(json)).isEqualTo(manifest);
    }

    @Test
    void theHeapSummaryRoundTripsAndIsLeftOutWhenThereIsNone() {
        Instant t = Instant.parse("2026-11-28T08:15:30Z");
        HeapSummary summary = new HeapSummary("ok", null, "JAVA PROFILE 1.0.2", 8, t, 4, 100L, 4000L, 2,
                java.util.List.of(new HeapSummary.ClassCount("int[]", 10, 3000)),
                java.util.List.of(new HeapSummary.LargeObject("int[]", 1000)));
        Manifest manifest = new Manifest(1, "c/n/ns/p/2026-11-28/081530Z-x.hprof.zst", "dumps", "c", "n", "ns", "p",
                "x.hprof", "/x", "id", 10, "ab", 9, "zstd", 1048576, 1, t, t, t, "0.1.0", "hprof", true, null, summary);
        byte[] json = ManifestCodec.toJson(manifest);
        assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"name\" : \"int[]\"")
                .doesNotContain("\"reason\"");
        assertThat(ManifestCodec.fromJson(json)).isEqualTo(manifest);

        Manifest without = new Manifest(1, "k", "dumps", "c", "n", "ns", "p", "core", "/x", "id", 10, "ab", 9, "zstd",
                1048576, 1, t, t, t, "0.1.0", "other", null);
        assertThat(new String(ManifestCodec.toJson(without), StandardCharsets.UTF_8)).doesNotContain("summary");
        assertThat(ManifestCodec.fromJson(ManifestCodec.toJson(without)).summary()).isNull();

        HeapHistogram histogram = new HeapHistogram(1, "k", summary, summary.topClasses());
        assertThat(ManifestCodec.histogramFromJson(ManifestCodec.histogramToJson(histogram))).isEqualTo(histogram);
    }

    @Test
    void unknownFieldsFromNewerAgentsAreIgnoredAndGarbageIsRejected() {
        assertThat(ManifestCodec.fromJson("{\"key\":\"k\",\"future\":1}".getBytes(StandardCharsets.UTF_8)).key())
                .isEqualTo("k");
        assertThatThrownBy(() -> ManifestCodec.fromJson("not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
