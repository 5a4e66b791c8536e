package io.dumpsink.agent.upload;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.config.PipelineSettings;
import io.dumpsink.agent.config.UploadSettings;
import io.dumpsink.agent.config.WatchSettings;
import io.dumpsink.agent.fs.FileChangedException;
import io.dumpsink.agent.fs.FileIdentity;
import io.dumpsink.agent.fs.WatchRoot;
import io.dumpsink.agent.metrics.AgentMetrics;
import io.dumpsink.agent.settle.SettledDump;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.lifecycle.Closer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Streams a dump into a multipart upload with bounded memory: one reader (the calling thread) reads fixed-size
 * chunks and feeds the SHA-256; a pool compresses each chunk into an independent zstd frame, in parallel; frames are
 * appended in order to a part buffer, and full parts (at least {@code part-size}) upload while the next ones fill.
 *
 * <p>Buffers are direct (off-heap) and pooled across uploads. Memory is bounded by pools, not by the file: {@code compression-threads + 2} chunk slots (input and output)
 * and {@code parts-in-flight + 1} part buffers. When S3 is slower than the disk, the reader waits for a free part
 * buffer; when compression is slower, it waits for a free slot. Concatenated frames are one valid zstd stream, and
 * every part ends on a frame boundary, which a later resume can rely on.
 */
@Singleton
public final class MultipartUploader implements DumpUploader {
    private static final Logger log = LoggerFactory.getLogger(MultipartUploader.class);
    /** Stay clear of S3's 10,000-part limit even if the data does not compress at all. */
    private static final int MAX_PARTS = 9_000;
    private static final long PROGRESS_LOG_MIN_BYTES = 100L * 1024 * 1024;
    private static final long MIB = 1024 * 1024;

    private final S3Client s3;
    private final String bucket;
    private final UploadSettings settings;
    private final WatchRoot root;
    private final AgentMetrics metrics;
    private final Clock clock;
    private final ExecutorService compressors;
    private final ExecutorService partSenders;
    private final ThreadLocal<ZstdCompressCtx> zstd;
    private final BufferPool buffers;

    @Inject
    MultipartUploader(S3Client s3, S3Settings s3Settings, UploadSettings settings, WatchSettings watch,
            PipelineSettings pipeline, AgentMetrics metrics, Clock clock, Closer closer) {
        this.s3 = s3;
        this.bucket = s3Settings.bucket();
        this.settings = settings;
        this.root = new WatchRoot(watch.watchDir());
        this.metrics = metrics;
        this.clock = clock;
        this.compressors = closer.register(new OwnedExecutor(Executors.newFixedThreadPool(
                settings.compressionThreads(), named("dumpsink-zstd")))).executor();
        this.partSenders = closer.register(new OwnedExecutor(Executors.newFixedThreadPool(
                settings.partsInFlight() * pipeline.maxConcurrentDumps(), named("dumpsink-part")))).executor();
        // Enough to keep every buffer of the allowed concurrent uploads at the configured sizes.
        long perUpload = (settings.compressionThreads() + 2L) * 2 * Zstd.compressBound(settings.chunkSize())
                + (settings.partsInFlight() + 1L) * (settings.partSize() + Zstd.compressBound(settings.chunkSize()));
        this.buffers = new BufferPool(perUpload * pipeline.maxConcurrentDumps());
        this.zstd = ThreadLocal.withInitial(() -> new ZstdCompressCtx()
                .setLevel(settings.compressionLevel())
                .setContentSize(true)
                .setChecksum(false)); // the manifest's SHA-256 covers the whole dump
    }

    @Override
    public UploadResult upload(SettledDump dump, String key) throws IOException, InterruptedException {
        FileIdentity identity = dump.identity();
        try (SeekableByteChannel channel = root.openForRead(dump.file().relative(), identity)) {
            String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)
                    .contentType(settings.compressed() ? "application/zstd" : "application/octet-stream"))
                    .uploadId();
            log.info("Upload started path={} key={} size={} uploadId={}", dump.file().relative(), key,
                    identity.size(), uploadId);
            Run run = new Run(dump, key, uploadId, channel);
            boolean finished = false;
            try {
                run.streamAll();
                // The bytes read must be the bytes that settled: same size, and the file untouched meanwhile.
                FileIdentity after = FileIdentity.of(root.stat(dump.file().relative()));
                if (!after.equals(identity) || run.bytesRead != identity.size()) {
                    throw new FileChangedException(dump.file().relative() + " changed during upload: was "
                            + identity.describe() + ", read " + run.bytesRead + " bytes, now " + after.describe());
                }
                s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                        .multipartUpload(m -> m.parts(run.completedParts)));
                finished = true;
                return new UploadResult(key, run.bytesRead, HexFormat.of().formatHex(run.sha256.digest()),
                        run.bytesStored, settings.compressed() ? "zstd" : "none", settings.chunkSize(),
                        run.completedParts.size(), clock.instant());
            } catch (InterruptedException e) {
                run.cancel();
                Thread.interrupted(); // the SDK refuses to send the abort from an interrupted thread
                abort(key, uploadId, e);
                Thread.currentThread().interrupt();
                throw e;
            } catch (IOException | RuntimeException | Error e) {
                run.cancel();
                abort(key, uploadId, e);
                throw e;
            } finally {
                if (finished) {
                    // Only on success is it certain that no cancelled task still writes into a buffer.
                    run.releaseBuffers();
                }
            }
        }
    }

    private void abort(String key, String uploadId, Throwable cause) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
            log.info("Upload aborted key={} uploadId={} cause={}", key, uploadId, cause.toString());
        } catch (RuntimeException e) {
            log.warn("Abort failed key={} uploadId={} error={} (the bucket's abort-incomplete rule removes it)",
                    key, uploadId, e.toString());
        }
    }

    /** Part size for a file: the configured size, raised so that even incompressible data fits in MAX_PARTS. */
    int partSizeFor(long fileSize) {
        long needed = (long) Math.ceil(fileSize * 1.01 / MAX_PARTS);
        long roundedUp = (needed + MIB - 1) / MIB * MIB;
        return (int) Math.max(settings.partSize(), Math.min(roundedUp, Integer.MAX_VALUE - 2 * MIB));
    }

    /** One chunk's buffers, reused: the input as read and its compressed frame (the input itself if none). */
    private static final class Slot {
        final ByteBuffer input;
        final ByteBuffer output;
        int inputLength;
        int outputLength;

        Slot(ByteBuffer input, ByteBuffer output) {
            this.input = input;
            this.output = output;
        }
    }

    /** The state of one upload; used by the calling thread only, except where noted. */
    private final class Run {
        final SettledDump dump;
        final String key;
        final String uploadId;
        final SeekableByteChannel channel;
        final MessageDigest sha256 = sha256();
        final int partSize;
        final int frameBound;
        final BlockingQueue<Slot> freeSlots;
        final ArrayDeque<Future<Slot>> compressing = new ArrayDeque<>();
        final BlockingQueue<ByteBuffer> freeParts;
        final List<Future<CompletedPart>> sending = new ArrayList<>();
        final List<CompletedPart> completedParts = new ArrayList<>();
        ByteBuffer part;
        int partNumber;
        long bytesRead;
        long bytesStored;
        int nextProgressDecile = 1;
        int allocatedParts;
        final long startNanos = System.nanoTime();

        Run(SettledDump dump, String key, String uploadId, SeekableByteChannel channel) {
            this.dump = dump;
            this.key = key;
            this.uploadId = uploadId;
            this.channel = channel;
            this.partSize = partSizeFor(dump.identity().size());
            this.frameBound = settings.compressed()
                    ? (int) Zstd.compressBound(settings.chunkSize()) : settings.chunkSize();
            int slots = settings.compressed() ? settings.compressionThreads() + 2 : 2;
            this.freeSlots = new ArrayBlockingQueue<>(slots);
            for (int i = 0; i < slots; i++) {
                ByteBuffer input = buffers.take(settings.chunkSize());
                freeSlots.add(new Slot(input, settings.compressed() ? buffers.take(frameBound) : input));
            }
            // Buffers are created lazily, so a small dump allocates only what it fills.
            this.freeParts = new ArrayBlockingQueue<>(settings.partsInFlight() + 1);
        }

        void streamAll() throws IOException, InterruptedException {
            boolean endOfFile = false;
            while (!endOfFile) {
                Slot slot = freeSlots.poll();
                if (slot == null) {
                    appendToPart(awaitOldestFrame());
                    slot = freeSlots.take();
                }
                slot.inputLength = readChunk(slot.input);
                endOfFile = slot.inputLength < slot.input.capacity();
                sha256.update(slot.input.duplicate().flip());
                bytesRead += slot.inputLength;
                metrics.bytesRead.inc(slot.inputLength);
                if (slot.inputLength == 0 && bytesRead > 0) {
                    freeSlots.add(slot); // nothing left; an empty file still gets its one (empty) frame
                    break;
                }
                if (settings.compressed()) {
                    final Slot submitted = slot;
                    compressing.add(compressors.submit(() -> compress(submitted)));
                } else {
                    slot.outputLength = slot.inputLength;
                    appendToPart(slot);
                }
                logProgress();
            }
            while (!compressing.isEmpty()) {
                appendToPart(awaitOldestFrame());
            }
            if ((part != null && part.position() > 0) || partNumber == 0) {
                sendPart();
            }
            for (Future<CompletedPart> sent : sending) {
                completedParts.add(await(sent));
            }
            log.info("Upload streamed key={} read={} stored={} parts={} seconds={}", key, bytesRead, bytesStored,
                    completedParts.size(), String.format("%.1f", (System.nanoTime() - startNanos) / 1e9));
        }

        private int readChunk(ByteBuffer target) throws IOException {
            target.clear();
            while (target.hasRemaining()) {
                if (channel.read(target) < 0) {
                    break;
                }
            }
            return target.position();
        }

        /** Runs on a compressor thread. */
        private Slot compress(Slot slot) {
            slot.outputLength = zstd.get().compressDirectByteBuffer(slot.output, 0, slot.output.capacity(),
                    slot.input, 0, slot.inputLength);
            return slot;
        }

        private Slot awaitOldestFrame() throws IOException, InterruptedException {
            return await(compressing.removeFirst());
        }

        private void appendToPart(Slot slot) throws IOException, InterruptedException {
            if (part == null) {
                part = takePartBuffer();
            }
            part.put(slot.output.duplicate().position(0).limit(slot.outputLength));
            freeSlots.add(slot);
            if (part.position() >= partSize) {
                sendPart();
            }
        }

        /** A free part buffer; allocates up to parts-in-flight + 1 of them, then waits for a sent part's. */
        private ByteBuffer takePartBuffer() throws IOException, InterruptedException {
            ByteBuffer buffer = freeParts.poll();
            if (buffer != null) {
                return buffer.clear();
            }
            if (allocatedParts < settings.partsInFlight() + 1) {
                allocatedParts++;
                return buffers.take(partSize + frameBound);
            }
            while (true) {
                buffer = freeParts.poll(1, TimeUnit.SECONDS);
                if (buffer != null) {
                    return buffer.clear();
                }
                failFast();
            }
        }

        /** Surfaces a part that already failed, instead of waiting for buffers that will never come back. */
        private void failFast() throws IOException, InterruptedException {
            for (Future<CompletedPart> sent : sending) {
                if (sent.isDone()) {
                    await(sent);
                }
            }
        }

        private void sendPart() {
            final ByteBuffer buffer = part != null ? part : ByteBuffer.allocate(0);
            final ByteBuffer content = buffer.duplicate().flip().asReadOnlyBuffer();
            final int length = content.remaining();
            final int number = ++partNumber;
            part = null;
            bytesStored += length;
            sending.add(partSenders.submit(() -> {
                try {
                    UploadPartResponse response = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                                    .partNumber(number).contentLength((long) length),
                            RequestBody.fromContentProvider(() -> new ByteBufferInputStream(content.duplicate()),
                                    length, "application/octet-stream"));
                    return CompletedPart.builder().partNumber(number).eTag(response.eTag()).build();
                } finally {
                    if (buffer.isDirect()) {
                        freeParts.offer(buffer);
                    }
                }
            }));
        }

        private void logProgress() {
            long size = dump.identity().size();
            if (size < PROGRESS_LOG_MIN_BYTES) {
                return;
            }
            while (nextProgressDecile < 10 && bytesRead * 10 >= size * nextProgressDecile) {
                double seconds = (System.nanoTime() - startNanos) / 1e9;
                log.info("Upload progress key={} percent={} read={} stored={} readMiBPerSecond={}", key,
                        nextProgressDecile * 10, bytesRead, bytesStored,
                        String.format("%.0f", bytesRead / (1024.0 * 1024.0) / Math.max(seconds, 1e-3)));
                nextProgressDecile++;
            }
        }

        /** Returns every buffer to the pool; only once no compression or part upload can still touch them. */
        void releaseBuffers() {
            for (Slot slot : freeSlots) {
                buffers.give(slot.input);
                if (slot.output != slot.input) {
                    buffers.give(slot.output);
                }
            }
            freeSlots.clear();
            ByteBuffer buffer;
            while ((buffer = freeParts.poll()) != null) {
                buffers.give(buffer);
            }
            if (part != null) {
                buffers.give(part);
                part = null;
            }
        }

        void cancel() {
            compressing.forEach(f -> f.cancel(true));
            sending.forEach(f -> f.cancel(true));
        }

        private <T> T await(Future<T> future) throws IOException, InterruptedException {
            try {
                return future.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof IOException io) {
                    throw io;
                }
                if (cause instanceof RuntimeException runtime) {
                    throw runtime;
                }
                if (cause instanceof Error error) {
                    throw error;
                }
                throw new IOException(cause);
            } catch (java.util.concurrent.CancellationException e) {
                throw new InterruptedIOException("cancelled");
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
