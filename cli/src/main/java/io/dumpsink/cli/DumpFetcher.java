package io.dumpsink.cli;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import com.github.luben.zstd.ZstdIOException;
import com.github.luben.zstd.ZstdInputStream;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.seekable.SeekTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads a stored dump back, decompressed, in order, into one or more {@link Sink}s.
 *
 * <p>With a seek table (zstd seekable format, which the agent appends) the frames are fetched as ranged GETs of
 * several frames each, {@code parallel} at a time, and each range is decompressed by the thread that fetched it;
 * each sink runs on a thread of its own and sees the ranges strictly in order (so the SHA-256 and the file write
 * overlap each other and the decompression). At most {@code parallel + 2} ranges of at most {@value #RANGE_BYTES}
 * bytes of content (or one frame, if frames are larger) are held at once, so memory is bounded by the settings,
 * never by the dump. Without a table (objects stored before tables existed) one sequential GET streams through a zstd
 * decoder; an object stored as it is ({@code compression: none}) is streamed as it is.
 *
 * <p>A frame that does not decompress, a table that does not fit the object, or a size other than the manifest's
 * is a {@link CliException} of exit code 1, naming the key. The SHA-256 is the caller's: it sees every byte.
 */
final class DumpFetcher {
    /**
     * Content bytes per ranged GET: big enough for S3 throughput and few requests (each costs the SDK ~5 ms of CPU
     * in a fresh JVM: 8 MiB ranges, 156 GETs for a 1.3 GB dump, cost 0.3-0.7 CPU-s more than 16 MiB ones on 2 cores),
     * small enough to bound memory ({@code parallel + 2} ranges, ~330 MiB peak RSS with the default 4).
     */
    static final int RANGE_BYTES = 16 << 20;

    /** The object's end read with the manifest: a seek table of up to ~10,000 frames (10 GiB of dump) fits. */
    static final int TAIL_BYTES = 128 << 10;

    /** Where the dump's bytes go, in order. */
    interface Sink {
        void write(byte[] bytes, int offset, int length) throws IOException;
    }

    /** What is about to be fetched: the dump's manifest, its object's size and ETag, and its table if any. */
    record Plan(String key, Manifest manifest, Store.ObjectInfo object, Optional<SeekTable> table) {
        /** Where an interrupted download of {@code partialBytes} can continue: the last frame boundary before. */
        long resumeOffset(long partialBytes) {
            if (table.isEmpty()) {
                return 0;
            }
            SeekTable t = table.get();
            long offset = 0;
            for (int i = 0; i <= t.frames() && t.decompressedOffset(i) <= partialBytes; i++) {
                offset = t.decompressedOffset(i);
            }
            return offset;
        }
    }

    private final Store store;
    private final int parallel;
    /** Where the phases and threads are reported with DUMPSINK_TIMINGS=1; silent otherwise. */
    private final Timeline timeline;

    DumpFetcher(Store store, int parallel) {
        this(store, parallel, Timeline.of(Map.of(), null));
    }

    DumpFetcher(Store store, int parallel, Timeline timeline) {
        this.store = store;
        this.parallel = parallel;
        this.timeline = timeline;
    }

    /**
     * Reads the manifest and, at the same time, the object's last {@value #TAIL_BYTES} bytes with its size and ETag
     * (one suffix-range GET in place of a HEAD and two reads of the end, one after the other: measured 40-50 ms less
     * before the first range on a 1.3 GB dump); the seek table is in them unless the dump has more than ~10,000
     * frames, when it is read on its own.
     */
    Plan plan(String key) throws IOException, InterruptedException {
        ExecutorService tailReader = threads("dumpsink-tail-", 1);
        try {
            Future<Optional<Store.Tail>> tail = tailReader.submit(() -> store.tail(key, TAIL_BYTES));
            Manifest manifest = store.manifest(key).manifest();
            timeline.mark("manifest-read");
            Optional<Store.Tail> end = await(tail);
            Store.ObjectInfo object = end.isPresent() ? end.get().object() : store.head(key);
            Optional<SeekTable> table = Optional.empty();
            if (manifest.hasSeekTable() && "zstd".equals(manifest.compression())) {
                table = Optional.of(readTable(key, object, manifest, end.map(Store.Tail::bytes)
                        .orElse(new byte[0])));
            }
            return new Plan(key, manifest, object, table);
        } finally {
            tailReader.shutdownNow();
        }
    }

    /** The seek table, from {@code tail} (the object's last bytes) or, when it does not hold it all, read anew. */
    private SeekTable readTable(String key, Store.ObjectInfo object, Manifest manifest, byte[] tail) {
        if (object.size() < SeekTable.FOOTER_SIZE) {
            throw corrupt(key, manifest, "the object is " + object.size() + " bytes, too short for its seek table");
        }
        byte[] footer = tail.length >= SeekTable.FOOTER_SIZE ? tail
                : store.range(key, object, object.size() - SeekTable.FOOTER_SIZE, object.size());
        int tableSize = SeekTable.tableSizeFromFooter(ByteBuffer.wrap(footer)).orElseThrow(() ->
                corrupt(key, manifest, "the manifest says it ends with a seek table, but its last bytes are none"));
        if (tableSize > object.size()) {
            throw corrupt(key, manifest, "its seek table claims " + tableSize + " bytes of a " + object.size()
                    + "-byte object");
        }
        SeekTable table;
        try {
            table = SeekTable.parse(tableSize <= tail.length
                    ? ByteBuffer.wrap(tail, tail.length - tableSize, tableSize).slice()
                    : ByteBuffer.wrap(store.range(key, object, object.size() - tableSize, object.size())));
        } catch (IllegalArgumentException e) {
            throw corrupt(key, manifest, e.getMessage());
        }
        if (table.compressedOffset(table.frames()) != object.size() - tableSize
                || table.decompressedOffset(table.frames()) != manifest.originalSize()) {
            throw corrupt(key, manifest, "its seek table lists " + table.frames() + " frames of "
                    + table.compressedOffset(table.frames()) + " bytes holding "
                    + table.decompressedOffset(table.frames()) + " bytes; the object has "
                    + (object.size() - tableSize) + " bytes of frames and the manifest " + manifest.originalSize()
                    + " bytes of dump");
        }
        return table;
    }

    /**
     * Writes the dump's bytes from {@code from} (0, or a frame boundary with a table) to the end into each sink, in
     * order. With a seek table every sink runs on a thread of its own (the SHA-256 beside the file write, both beside
     * the decompression), each seeing every range in order; the last sink's thread advances {@code progress}.
     */
    void fetch(Plan plan, long from, List<Sink> sinks, Progress progress) throws IOException, InterruptedException {
        if (plan.table().isPresent()) {
            fetchParallel(plan, plan.table().get(), from, sinks, progress);
        } else if (from != 0) {
            throw new IllegalArgumentException("only an object with a seek table resumes");
        } else {
            fetchSequential(plan, sinks, progress);
        }
    }

    private void fetchSequential(Plan plan, List<Sink> sinks, Progress progress) throws IOException {
        boolean zstd = "zstd".equals(plan.manifest().compression());
        byte[] buffer = new byte[1 << 20];
        try (InputStream object = store.stream(plan.key(), plan.object());
                InputStream in = zstd ? new ZstdInputStream(object) : object) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                if (Thread.interrupted()) {
                    throw new InterruptedIOException("interrupted");
                }
                for (Sink sink : sinks) {
                    sink.write(buffer, 0, read);
                }
                progress.advance(read);
            }
        } catch (ZstdException | ZstdIOException e) {
            throw corrupt(plan.key(), plan.manifest(), "it does not decompress: " + e.getMessage());
        }
    }

    /** One range's content, in a pooled buffer that goes back once every sink has written it. */
    private record Content(byte[] buffer, int length, AtomicInteger sinksToGo) {
    }

    private void fetchParallel(Plan plan, SeekTable table, long from, List<Sink> sinks, Progress progress)
            throws IOException, InterruptedException {
        List<int[]> ranges = ranges(table, from);
        int inFlightMax = parallel + 2;
        int contentSize = 0;
        int compressedSize = 0;
        for (int[] range : ranges) {
            contentSize = (int) Math.max(contentSize,
                    table.decompressedOffset(range[1]) - table.decompressedOffset(range[0]));
            compressedSize = (int) Math.max(compressedSize,
                    table.compressedOffset(range[1]) - table.compressedOffset(range[0]));
        }
        // At most inFlightMax ranges are fetched, decompressed or waiting for a sink at once (a slot is taken before
        // a fetch starts and given back when the last sink has written the range). Content buffers are reused:
        // one per slot, allocated as needed, so neither the garbage nor the heap grows with the dump.
        Semaphore slots = new Semaphore(inFlightMax);
        BlockingQueue<byte[]> pool = new ArrayBlockingQueue<>(inFlightMax);
        List<CompletableFuture<Content>> results = new ArrayList<>(ranges.size());
        for (int i = 0; i < ranges.size(); i++) {
            results.add(new CompletableFuture<>());
        }
        ExecutorService fetchers = threads("dumpsink-fetch-", parallel);
        ExecutorService writers = threads("dumpsink-sink-", sinks.size());
        ThreadLocal<ZstdDecompressCtx> zstd = ThreadLocal.withInitial(ZstdDecompressCtx::new);
        // One compressed buffer per fetch thread, of the largest range's size from the start: buffers grown range
        // by range left garbage whose amount depended on the order of the ranges, not on the settings.
        int compressedMax = compressedSize;
        ThreadLocal<byte[]> compressed = ThreadLocal.withInitial(() -> new byte[compressedMax]);
        List<Future<Void>> sinkRuns = new ArrayList<>();
        try {
            for (int s = 0; s < sinks.size(); s++) {
                Sink sink = sinks.get(s);
                Progress reported = s == sinks.size() - 1 ? progress : null;
                sinkRuns.add(writers.submit(() -> drain(results, sink, reported, pool, slots)));
            }
            for (int i = 0; i < ranges.size(); i++) {
                while (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    for (Future<Void> run : sinkRuns) {
                        if (run.isDone()) {
                            await(run); // a sink ends early only by failing: its failure is thrown here
                        }
                    }
                }
                byte[] buffer = pool.poll();
                byte[] target = buffer != null ? buffer : new byte[contentSize];
                int[] range = ranges.get(i);
                CompletableFuture<Content> result = results.get(i);
                fetchers.execute(() -> {
                    try {
                        result.complete(fetchRange(plan, table, range[0], range[1], target, compressed.get(),
                                zstd.get(), sinks.size()));
                    } catch (Throwable e) {
                        result.completeExceptionally(e);
                    }
                });
                if (i == 0) {
                    timeline.mark("first-range-requested");
                }
            }
            for (Future<Void> run : sinkRuns) {
                await(run);
            }
            timeline.threads("fetched");
        } finally {
            // After a failure: sinks waiting for a range that will not come are released, fetches still running are
            // cancelled; one blocked in a socket read is a daemon thread and ends with the process at the latest.
            results.forEach(result -> result.cancel(false));
            fetchers.shutdownNow();
            writers.shutdownNow();
            fetchers.awaitTermination(10, TimeUnit.SECONDS);
            writers.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** One sink's thread: every range in order into the sink; the range's buffer and slot go back after the last. */
    private static Void drain(List<CompletableFuture<Content>> results, Sink sink, Progress progress,
            BlockingQueue<byte[]> pool, Semaphore slots) throws IOException, InterruptedException {
        for (CompletableFuture<Content> result : results) {
            Content content = await(result);
            sink.write(content.buffer(), 0, content.length());
            if (progress != null) {
                progress.advance(content.length());
            }
            if (content.sinksToGo().decrementAndGet() == 0) {
                pool.offer(content.buffer());
                slots.release();
            }
        }
        return null;
    }

    private static ExecutorService threads(String prefix, int count) {
        AtomicInteger threads = new AtomicInteger();
        return Executors.newFixedThreadPool(count, runnable -> {
            Thread thread = new Thread(runnable, prefix + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Frames from the one starting at {@code from}, grouped into ranges [first, end) of about RANGE_BYTES. */
    private static List<int[]> ranges(SeekTable table, long from) {
        int first = 0;
        while (first < table.frames() && table.decompressedOffset(first) < from) {
            first++;
        }
        if (table.decompressedOffset(first) != from) {
            throw new IllegalArgumentException(from + " is not a frame boundary");
        }
        List<int[]> ranges = new ArrayList<>();
        int start = first;
        while (start < table.frames()) {
            int end = start + 1;
            while (end < table.frames()
                    && table.decompressedOffset(end + 1) - table.decompressedOffset(start) <= RANGE_BYTES) {
                end++;
            }
            ranges.add(new int[] {start, end});
            start = end;
        }
        return ranges;
    }

    /**
     * Fetches frames [first, end) with one ranged GET into this thread's compressed buffer (as large as the largest
     * range) and decompresses them, frame by frame, into {@code content}.
     */
    private Content fetchRange(Plan plan, SeekTable table, int first, int end, byte[] content, byte[] compressed,
            ZstdDecompressCtx zstd, int sinks) throws IOException {
        long objectFrom = table.compressedOffset(first);
        int compressedSize = Math.toIntExact(table.compressedOffset(end) - objectFrom);
        store.range(plan.key(), plan.object(), objectFrom, objectFrom + compressedSize, compressed);
        int at = 0;
        for (int frame = first; frame < end; frame++) {
            int src = (int) (table.compressedOffset(frame) - objectFrom);
            int size = (int) table.decompressedSize(frame);
            int produced;
            try {
                zstd.reset();
                produced = zstd.decompressByteArray(content, at, size, compressed, src,
                        (int) table.compressedSize(frame));
            } catch (ZstdException e) {
                throw corrupt(plan.key(), plan.manifest(), "frame " + frame + " (object bytes "
                        + table.compressedOffset(frame) + "-" + (table.compressedOffset(frame + 1) - 1)
                        + ") does not decompress: " + e.getMessage());
            }
            if (produced != size) {
                throw corrupt(plan.key(), plan.manifest(), "frame " + frame + " holds " + produced
                        + " bytes, its seek table says " + size);
            }
            at += size;
        }
        return new Content(content, at, new AtomicInteger(sinks));
    }

    private static <T> T await(Future<T> future) throws IOException, InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(cause);
        }
    }

    static CliException corrupt(String key, Manifest manifest, String what) {
        return CliException.verification("verification failed for " + key + ": " + what + " (manifest sha256 "
                + manifest.sha256() + ", actual sha256 unknown: the object is damaged)");
    }
}
