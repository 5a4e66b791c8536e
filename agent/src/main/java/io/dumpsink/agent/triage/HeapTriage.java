package io.dumpsink.agent.triage;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.config.HeapSummarySettings;
import io.dumpsink.agent.settle.DumpFormat;
import io.dumpsink.agent.settle.DumpNames;
import io.dumpsink.core.manifest.HeapSummary;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides per dump whether it gets a heap summary and hands out the {@link Reading} that the upload feeds with the
 * chunks it reads anyway, in file order, one at a time (in a lane of the upload's own, off its reading thread): an
 * HPROF file gets an {@link HprofHistogram}; a gzip heap dump ({@code -XX:HeapDumpGzipLevel}) and a JDK 22+ segment
 * a summary marked missing (reasons {@code gzip}, {@code segment}); other files, or all files when
 * {@code agent.heap-summary} is off, none.
 *
 * <p>Gzip dumps are not inflated: inflating runs at a few hundred MB/s per core, slower than the upload's own
 * reading, and people who chose gzip chose to spend less, not more.
 */
@Singleton
public final class HeapTriage {
    private static final Logger log = LoggerFactory.getLogger(HeapTriage.class);
    private final boolean enabled;

    @Inject
    public HeapTriage(HeapSummarySettings settings) {
        this.enabled = settings.enabled();
    }

    /** The reading for a file named {@code fileName}, as found in the pod's folder. */
    public Reading begin(String fileName) {
        if (!enabled) {
            return Reading.NONE;
        }
        if (DumpNames.isSegment(fileName)) {
            return Reading.missing("segment");
        }
        DumpFormat format = DumpFormat.ofFileName(fileName);
        return switch (format) {
            case HPROF -> new Reading(new HprofHistogram(), null);
            case HPROF_GZIP -> Reading.missing("gzip");
            default -> Reading.NONE;
        };
    }

    /**
     * One dump's reading: {@link #feed} every chunk in order, then {@link #finish}. Never throws; a reading for a
     * file without a summary ignores what it is fed.
     */
    public static final class Reading {
        static final Reading NONE = new Reading(null, null);
        private final HprofHistogram histogram;
        private final HeapSummary fixed;
        private long nanos;
        private long bytes;

        Reading(HprofHistogram histogram, HeapSummary fixed) {
            this.histogram = histogram;
            this.fixed = fixed;
        }

        static Reading missing(String reason) {
            return new Reading(null, HeapSummary.missing(reason));
        }

        /** Whether {@link #feed} reads what it is fed: false for a file without a summary, or one marked missing. */
        public boolean reads() {
            return histogram != null;
        }

        /** Reads the chunk from its position to its limit, without changing it. */
        public void feed(ByteBuffer chunk) {
            if (histogram != null) {
                long start = System.nanoTime();
                histogram.feed(chunk);
                nanos += System.nanoTime() - start;
                bytes += chunk.remaining();
            }
        }

        /** The summary for the manifest and the full histogram (null when there is none), logged once. */
        public HprofHistogram.Result finish(String key) {
            if (histogram == null) {
                return fixed == null ? null : new HprofHistogram.Result(fixed, null);
            }
            HprofHistogram.Result result = histogram.result(HeapSummary.TOP_CLASSES);
            HeapSummary s = result.summary();
            double seconds = nanos / 1e9;
            if (s.ok()) {
                log.info("Heap summary key={} objects={} bytes={} classes={} top={} readSeconds={} readMiBps={}",
                        key, s.objects(), s.bytes(), s.classes(),
                        s.topClasses().isEmpty() ? "-" : s.topClasses().get(0).name(),
                        String.format(java.util.Locale.ROOT, "%.3f", seconds),
                        seconds > 0 ? Math.round(bytes / seconds / (1 << 20)) : 0);
            } else {
                log.info("Heap summary missing key={} reason=\"{}\" readSeconds={}", key, s.reason(),
                        String.format(java.util.Locale.ROOT, "%.3f", seconds));
            }
            return result;
        }
    }
}
