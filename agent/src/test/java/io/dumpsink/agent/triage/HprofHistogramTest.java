package io.dumpsink.agent.triage;

import static org.assertj.core.api.Assertions.assertThat;

import io.dumpsink.core.manifest.HeapSummary;
import io.dumpsink.core.manifest.HeapSummary.ClassCount;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Single records and hostile shapes; the real dumps are in {@link HistogramAgainstJvmTest}. */
class HprofHistogramTest {

    @Test
    void countsInstancesAndArraysWithSizesFromTheLayout() {
        HeapSummary s = read(HprofWriter.sample(), 1 << 20).summary();
        assertThat(s.status()).isEqualTo("ok");
        assertThat(s.hprofVersion()).isEqualTo("JAVA PROFILE 1.0.2");
        assertThat(s.identifierSize()).isEqualTo(8);
        assertThat(s.dumpedAt()).isEqualTo(Instant.ofEpochMilli(1_764_000_000_000L));
        assertThat(s.topClasses()).containsExactlyInAnyOrder(
                new ClassCount("com.shop.Order", 2, 2 * 32), // 12 header + 4 ref + 4 int + 8 long = 28 → 32
                new ClassCount("java.lang.Object", 1, 16),
                new ClassCount("com.shop.Order[]", 1, 32), // 16 + 3 × 4 = 28 → 32
                new ClassCount("int[]", 1, 40), // 16 + 20 = 36 → 40
                new ClassCount("byte[]", 1, 40), // 16 + 17 = 33 → 40
                new ClassCount("java.lang.Class", 2, 32));
        assertThat(s.objects()).isEqualTo(8);
        assertThat(s.largestObjects().get(0)).isEqualTo(new HeapSummary.LargeObject("com.shop.Order", 32));
    }

    @Test
    void everyChunkingGivesTheSameHistogram() {
        byte[] dump = HprofWriter.sample();
        HprofHistogram.Result whole = read(dump, dump.length);
        for (int chunk = 1; chunk < 64; chunk++) {
            assertThat(read(dump, chunk)).as("chunks of %d bytes", chunk).isEqualTo(whole);
        }
    }

    @Test
    void aTruncatedDumpHasItsSummaryMissingAsTruncated() {
        byte[] dump = HprofWriter.sample();
        for (int length = 32; length < dump.length; length += 7) {
            assertThat(read(Arrays.copyOf(dump, length), 16).summary())
                    .as("cut at %d", length).isEqualTo(HeapSummary.missing("truncated"));
        }
    }

    @Test
    void aFileThatIsNotHprofHasItsSummaryMissingAsNotHprof() {
        assertThat(read("hello, this is a core file".getBytes(StandardCharsets.UTF_8), 5).summary().reason())
                .isEqualTo("not-hprof");
        assertThat(read(new byte[0], 5).summary().reason()).isEqualTo("empty");
    }

    @Test
    void anUnknownHeapRecordStopsTheReaderWithTheReason() {
        byte[] dump = HprofWriter.sample();
        int segmentBody = indexOfFirstSegment(dump) + 9;
        dump[segmentBody] = 0x42;
        assertThat(read(dump, 100).summary().reason()).startsWith("malformed: heap record 0x42");
    }

    @Test
    void aRecordLargerThanTheCarryBoundIsMalformedNotBuffered() {
        // A CLASS DUMP claiming 65535 instance fields that never arrive: the reader stops at its bound.
        HprofWriter w = new HprofWriter(1);
        byte[] head = w.bytes();
        ByteBuffer b = ByteBuffer.allocate(head.length + 9 + 1 + 7 * 8 + 8 + 6 + 4 * 1024 * 1024);
        b.put(head).put((byte) 0x1C).putInt(0).putInt(-1).put((byte) 0x20);
        b.position(b.position() + 7 * 8 + 8);
        b.putShort((short) 0).putShort((short) 0).putShort((short) 0xFFFF);
        HprofHistogram reader = new HprofHistogram();
        byte[] all = b.array();
        for (int i = 0; i < all.length; i += 4096) {
            reader.feed(ByteBuffer.wrap(all, i, Math.min(4096, all.length - i)));
        }
        assertThat(reader.carryCapacity()).isLessThanOrEqualTo(HprofHistogram.MAX_CARRY);
        assertThat(reader.result(20).summary().status()).isEqualTo("missing");
    }

    @Test
    void shrunkRealDumpsFromJdk17And25AreReadCompletely() throws Exception {
        // A real dump's records with every class but only its first few hundred objects (and what the fuzz test
        // starts from: the same with 40 classes and 120 objects).
        for (String name : new String[] {"dumps/jdk17-shrunk", "dumps/jdk25-shrunk",
                "HprofHistogramFuzzTestInputs/readerNeverThrowsAndIgnoresChunking/jdk17-tiny",
                "HprofHistogramFuzzTestInputs/readerNeverThrowsAndIgnoresChunking/jdk25-tiny"}) {
            byte[] dump;
            try (var in = getClass().getResourceAsStream(name)) {
                dump = in.readAllBytes();
            }
            HeapSummary s = read(dump, 4093).summary();
            assertThat(s.status()).as(name + ": " + s.reason()).isEqualTo("ok");
            assertThat(s.topClasses()).extracting(ClassCount::name).contains("java.lang.Class");
        }
    }

    @Test
    void classesInTheUnnamedPackageKeepTheirNamesAmongTensOfThousandsOfFieldAndMethodNames() {
        // HotSpot writes every symbol; method and field names look like classes in the unnamed package.
        HprofWriter w = new HprofWriter(1);
        for (int i = 0; i < 40_000; i++) {
            w.utf8(10_000 + i, "method" + i);
        }
        byte[] dump = w.utf8(1, "Order").utf8(2, "com/shop/Cart").loadClass(1, 100, 1).loadClass(2, 200, 2)
                .classDump(100, 0, 10).classDump(200, 0).instance(1000, 100, 4).instance(1001, 200, 0)
                .segment().end().bytes();
        assertThat(read(dump, 8192).classes()).extracting(ClassCount::name)
                .contains("Order", "com.shop.Cart").doesNotContain(HprofHistogram.UNKNOWN_CLASS);
    }

    @Test
    void namesAreWrittenAsPeopleWriteThem() {
        assertThat(HprofHistogram.javaName("java/lang/String")).isEqualTo("java.lang.String");
        assertThat(HprofHistogram.javaName("[B")).isEqualTo("byte[]");
        assertThat(HprofHistogram.javaName("[[Lcom/shop/Order;")).isEqualTo("com.shop.Order[][]");
        assertThat(HprofHistogram.javaName("Foo$$Lambda+0x0000000801001200"))
                .isEqualTo("Foo$$Lambda/0x0000000801001200");
    }

    static HprofHistogram.Result read(byte[] dump, int chunk) {
        HprofHistogram reader = new HprofHistogram();
        for (int i = 0; i < dump.length; i += chunk) {
            reader.feed(ByteBuffer.wrap(dump, i, Math.min(chunk, dump.length - i)));
        }
        return reader.result(HeapSummary.TOP_CLASSES);
    }

    private static int indexOfFirstSegment(byte[] dump) {
        int p = "JAVA PROFILE 1.0.2".length() + 1 + 12;
        while ((dump[p] & 0xff) != 0x1C) {
            p += 9 + ByteBuffer.wrap(dump, p + 5, 4).getInt();
        }
        return p;
    }
}
