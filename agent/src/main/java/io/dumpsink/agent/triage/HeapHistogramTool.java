package io.dumpsink.agent.triage;

import io.dumpsink.core.manifest.HeapSummary;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Prints the class histogram of an HPROF file, read as the agent reads it (8 MiB chunks), and how fast the reader
 * alone went: the time spent in {@link HprofHistogram#feed}, file reads excluded. {@code bench/run.sh} uses it for
 * the reader's throughput; people can use it on a dump they have locally:
 * {@code java -cp dumpsink-agent.jar io.dumpsink.agent.triage.HeapHistogramTool java_pid1.hprof [rounds]}.
 * With several rounds, the first includes the JIT's warm-up (as an agent's first dump does); each round's figure is
 * printed.
 */
public final class HeapHistogramTool {
    private static final int CHUNK = 8 << 20;

    private HeapHistogramTool() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: HeapHistogramTool FILE.hprof [rounds]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        HprofHistogram.Result result = null;
        for (int round = 1; round <= rounds; round++) {
            HprofHistogram reader = new HprofHistogram();
            ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
            long nanos = 0;
            long bytes = 0;
            try (FileChannel channel = FileChannel.open(file)) {
                long size = channel.size();
                long nextReport = 1L << 30;
                while (true) {
                    chunk.clear();
                    int read = channel.read(chunk);
                    if (read < 0) {
                        break;
                    }
                    chunk.flip();
                    long start = System.nanoTime();
                    reader.feed(chunk);
                    nanos += System.nanoTime() - start;
                    bytes += read;
                    if (bytes >= nextReport) {
                        System.err.printf(Locale.ROOT, "round %d: %d of %d MiB read%n", round, bytes >> 20,
                                size >> 20);
                        nextReport += 1L << 30;
                    }
                }
            }
            long start = System.nanoTime();
            result = reader.result(HeapSummary.TOP_CLASSES);
            nanos += System.nanoTime() - start;
            System.out.printf(Locale.ROOT, "round=%d bytes=%d readerSeconds=%.3f readerMBps=%.0f status=%s%n", round,
                    bytes, nanos / 1e9, bytes / (nanos / 1e9) / 1e6, result.summary().status());
        }
        HeapSummary s = result.summary();
        if (!s.ok()) {
            System.out.println("summary missing: " + s.reason());
            return;
        }
        System.out.printf(Locale.ROOT, "%s, identifiers of %d bytes, dumped at %s: %,d objects, %,d bytes, %d classes%n",
                s.hprofVersion(), s.identifierSize(), s.dumpedAt(), s.objects(), s.bytes(), s.classes());
        for (HeapSummary.ClassCount c : s.topClasses()) {
            System.out.printf(Locale.ROOT, "%14d %16d  %5.1f%%  %s%n", c.instances(), c.bytes(),
                    100.0 * c.bytes() / s.bytes(), c.name());
        }
    }
}
