package io.dumpsink.agent.triage;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.dumpsink.core.manifest.HeapSummary;
import java.nio.ByteBuffer;

/**
 * Coverage-guided fuzzing of the HPROF reader with Jazzer. The reader's entry points catch everything, so the fuzz
 * target calls the unguarded ones: any exception is a bug the safety net would only have hidden. For every input:
 * no exception, the carry buffer within its bound, and the same result whether the bytes come in one chunk or in
 * small ones (chunk edges must not change what is read). Termination is checked by Jazzer's per-input timeout.
 *
 * <p>Plain {@code mvn verify} runs it for {@code maxDuration} (the agent's surefire sets {@code JAZZER_FUZZ=1});
 * without that variable it runs the inputs in {@code HprofHistogramFuzzTestInputs/} only: real JDK 17 and JDK 25
 * dumps shrunk to 12 KiB (their header, 40 classes with names and layouts, 120 objects, HEAP DUMP END), a real
 * dump's first 16 KiB, and every crashing input found so far, kept there as a regression test. Small seeds keep
 * the fuzzer fast (a 130 KiB seed ran at 40 inputs a second).
 */
class HprofHistogramFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void readerNeverThrowsAndIgnoresChunking(byte[] data) {
        HprofHistogram.Result whole = readUnguarded(data, Math.max(1, data.length));
        int chunk = 1 + (data.length == 0 ? 0 : (data[data.length - 1] & 0xff) % 61);
        HprofHistogram.Result chunked = readUnguarded(data, chunk);
        assertThat(chunked).isEqualTo(whole);
    }

    private static HprofHistogram.Result readUnguarded(byte[] data, int chunk) {
        HprofHistogram reader = new HprofHistogram();
        for (int i = 0; i < data.length; i += chunk) {
            reader.feedUnguarded(ByteBuffer.wrap(data, i, Math.min(chunk, data.length - i)));
            assertThat(reader.carryCapacity()).isLessThanOrEqualTo(HprofHistogram.MAX_CARRY);
        }
        return reader.resultUnguarded(HeapSummary.TOP_CLASSES);
    }
}
