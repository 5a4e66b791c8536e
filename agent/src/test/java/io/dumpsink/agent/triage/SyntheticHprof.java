package io.dumpsink.agent.triage;

/** Test helper: a multi-chunk HPROF built with the package-private HprofWriter, and its histogram read at once. */
public final class SyntheticHprof {
    private SyntheticHprof() {
    }

    /** An HPROF of {@code instances} instances of two classes, with 8 KiB primitive arrays in between. */
    public static byte[] big(int instances) {
        HprofWriter w = new HprofWriter(1_764_000_000_000L)
                .utf8(1, "java/lang/Object").utf8(2, "com/shop/Order").utf8(3, "com/shop/Line")
                .loadClass(1, 100, 1).loadClass(2, 200, 2).loadClass(3, 300, 3)
                .classDump(100, 0).classDump(200, 100, 2, 10, 11).classDump(300, 100, 11);
        long id = 10_000;
        for (int i = 0; i < instances; i++) {
            w.instance(id++, i % 3 == 0 ? 300 : 200, i % 3 == 0 ? 8 : 20);
            if (i % 50 == 0) {
                w.primitiveArray(id++, 8, 8192 + i % 7, 1);
            }
            if (i % 5000 == 4999) {
                w.segment();
            }
        }
        return w.segment().end().bytes();
    }

    /** The histogram of the whole file fed at once, as JSON-able text. */
    public static String histogramOf(byte[] hprof) {
        HprofHistogram h = new HprofHistogram();
        h.feed(java.nio.ByteBuffer.wrap(hprof));
        return h.result(20).summary().toString();
    }
}
