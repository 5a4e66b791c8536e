package io.dumpsink.agent.upload;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.config.PipelineSettings;
import io.dumpsink.agent.config.UploadSettings;
import io.dumpsink.agent.fs.FileChangedException;
import io.dumpsink.agent.fs.FileIdentity;
import io.dumpsink.agent.fs.WatchRoot;
import io.dumpsink.agent.journal.JournalEntry;
import io.dumpsink.agent.journal.UploadJournal;
import io.dumpsink.agent.metrics.AgentMetrics;
import io.dumpsink.agent.settle.DumpCompleteness;
import io.dumpsink.agent.settle.DumpFormat;
import io.dumpsink.agent.settle.DumpNames;
import io.dumpsink.agent.settle.SettledDump;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.lifecycle.Closer;
import io.dumpsink.core.lifecycle.Threads;
import java.time.Duration;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Streams a dump into a multipart upload with bounded memory: one reader (the calling thread) reads fixed-size
 * chunks and feeds the SHA-256; a pool compresses each chunk into an independent zstd frame, in parallel; frames are
 * appended in order to a part buffer, and full parts (at least {@code part-size}) upload while the next ones fill.
 *
 * <p>Buffers are direct (off-heap), from the {@link BufferPool} and within its budget. Memory is bounded by the
 * settings, not by the file: {@code compression-threads + 2} chunk slots (input and output) and
 * {@code parts-in-flight + 1} part buffers (fewer when parts raised for a huge file would not fit this upload's share
 * of the budget). Buffers that cannot be had fail the upload as a transient {@link BufferAllocationException}. When
 * S3 is slower than the disk, the reader waits for a free part buffer; when compression is slower, it waits for a
 * free slot. Concatenated frames are one valid zstd stream, and every part ends on a frame boundary: each part
 * encodes a known input range on its own.
 *
 * <p>That is what makes uploads resumable. Each stored part is written to the {@link UploadJournal} with its
 * input range; an upload that failed on a transient error, was interrupted by shutdown or by SIGKILL keeps its
 * multipart upload, and the next attempt lists the stored parts (ListParts is the truth), keeps the longest run
 * that matches the journal, re-reads that prefix only to rebuild the SHA-256, and continues from there. A file
 * whose identity changed, or an upload the store no longer has, starts over: an object is never completed from
 * mixed content.
 */
@Singleton
public final class MultipartUploader implements DumpUploader {
    private static final Logger log = LoggerFactory.getLogger(MultipartUploader.class);
    /** Stay clear of S3's 10,000-part limit even if the data does not compress at all. */
    private static final int MAX_PARTS = 9_000;
    private static final long PROGRESS_LOG_MIN_BYTES = 100L * 1024 * 1024;
    private static final long MIB = 1024 * 1024;
    /** How long a failed attempt waits for its part uploads to return (the SDK's socket timeout is 60 s). */
    private static final Duration ATTEMPT_DRAIN = Duration.ofSeconds(90);
    /** On shutdown the journal already holds every stored part; waiting longer only risks Kubernetes' SIGKILL. */
    private static final Duration SHUTDOWN_DRAIN = Duration.ofSeconds(2);
    private static final java.util.Set<String> UNUSABLE_UPLOAD_CODES = java.util.Set.of("NoSuchUpload",
            "InvalidPart", "InvalidPartOrder", "EntityTooSmall");

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
    private final UploadJournal journal;
    /**
     * Content-MD5 on each part, so the store refuses a part corrupted on the way: needed when the SDK sends no
     * checksum of its own (request-checksums resolved to when-required) over HTTPS, where SigV4 leaves the payload
     * unsigned. Over plain HTTP the SDK signs each part's SHA-256, which the store verifies already.
     */
    private final boolean partMd5;

    @Inject
    MultipartUploader(S3Client s3, S3Settings s3Settings, UploadSettings settings, WatchRoot root,
            PipelineSettings pipeline, UploadJournal journal, BufferPool buffers, AgentMetrics metrics, Clock clock,
            Closer closer) {
        this.s3 = s3;
        this.bucket = s3Settings.bucket();
        this.settings = settings;
        this.root = root;
        this.metrics = metrics;
        this.clock = clock;
        this.journal = journal;
        this.partMd5 = s3Settings.checksumsWhenRequired()
                && s3Settings.endpoint().map(uri -> "https".equals(uri.getScheme())).orElse(true);
        this.compressors = Executors.newFixedThreadPool(settings.compressionThreads(), Threads.named("dumpsink-zstd"));
        this.partSenders = Executors.newFixedThreadPool(settings.partsInFlight() * pipeline.maxConcurrentDumps(),
                Threads.named("dumpsink-part"));
        closer.register(() -> Threads.shutdown(compressors, Duration.ofSeconds(5)));
        closer.register(() -> Threads.shutdown(partSenders, Duration.ofSeconds(5)));
        this.buffers = buffers;
        this.zstd = ThreadLocal.withInitial(() -> new ZstdCompressCtx()
                .setLevel(settings.compressionLevel())
                .setContentSize(true)
                .setChecksum(false)); // the manifest's SHA-256 covers the whole dump
    }

    @Override
    public UploadResult upload(SettledDump dump, String key) throws IOException, InterruptedException {
        FileIdentity identity = dump.identity();
        Path relative = dump.location();
        String fileName = dump.file().fileName();
        // A gzip heap dump (-XX:HeapDumpGzipLevel) is stored as it is: zstd over gzip costs CPU and saves nothing.
        boolean compress = settings.compressed() && !DumpNames.formatOf(fileName).alreadyCompressed();
        String compression = compress ? "zstd" : "none";
        try (SeekableByteChannel channel = openOrDiscardJournal(relative, identity)) {
            JournalEntry entry = resumable(relative, identity, key, compression).orElse(null);
            if (entry == null) {
                String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)
                        .contentType(compress ? "application/zstd" : "application/octet-stream"))
                        .uploadId();
                entry = new JournalEntry(JournalEntry.CURRENT_VERSION, relative.toString(), identity.describe(), key,
                        uploadId, compression, clock.millis(), List.of());
                journal.save(entry);
                log.info("Upload started path={} key={} size={} uploadId={}", relative, key, identity.size(),
                        uploadId);
            } else {
                JournalEntry.Part last = entry.parts().isEmpty() ? null : entry.parts().get(entry.parts().size() - 1);
                log.info("Upload resumed path={} key={} uploadId={} storedParts={} fromByte={}", relative, key,
                        entry.uploadId(), entry.parts().size(), last == null ? 0 : last.inputEnd());
            }
            String uploadId = entry.uploadId();
            Boolean complete = completeness(fileName, channel);
            channel.position(0); // the check read the file's two ends; streaming starts at its first byte
            Run run = new Run(dump, key, entry, channel, compress);
            boolean finished = false;
            try {
                run.rehashStoredPrefix();
                run.streamAll();
                // The bytes read must be the bytes that settled: same size, and the file untouched meanwhile.
                FileIdentity after;
                try {
                    after = FileIdentity.of(root.stat(relative));
                } catch (java.nio.file.NoSuchFileException e) {
                    throw new FileChangedException(relative + " was deleted during upload");
                }
                if (!after.equals(identity) || run.bytesRead != identity.size()) {
                    throw new FileChangedException(relative + " changed during upload: was "
                            + identity.describe() + ", read " + run.bytesRead + " bytes, now " + after.describe());
                }
                s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                        .multipartUpload(m -> m.parts(run.completedParts)));
                finished = true;
                journal.delete(relative.toString());
                return new UploadResult(key, run.bytesRead, HexFormat.of().formatHex(run.sha256.digest()),
                        run.bytesStored, compression, settings.chunkSize(), run.completedParts.size(),
                        clock.instant(), DumpNames.describe(fileName), complete);
            } catch (InterruptedException e) {
                run.end(SHUTDOWN_DRAIN);
                log.info("Upload paused by shutdown key={} uploadId={}; it resumes after restart", key, uploadId);
                throw e;
            } catch (IOException | RuntimeException | Error e) {
                run.end(ATTEMPT_DRAIN);
                if (e instanceof FileChangedException || uploadUnusable(e)) {
                    abort(key, uploadId, e);
                    journal.delete(relative.toString());
                } else {
                    // Outage, refusal, JVM error: keep the stored parts, the retry continues from the first missing
                    // one. Even a refusal (revoked credentials) is kept: the upload is good again once it is fixed.
                    log.debug("Upload paused key={} uploadId={} error={}", key, uploadId, e.toString());
                }
                throw e;
            } finally {
                if (finished) {
                    run.lease.release(); // every task was awaited on the way to success
                } else {
                    run.lease.abandon(); // a no-op when end() already gave the buffers back
                }
            }
        }
    }

    /**
     * For the manifest: whether a heap dump's structure is complete (header and tail reads only); a segment never
     * is; null for other files. The settle stage already waited for completeness, or for incomplete-wait.
     */
    private static Boolean completeness(String fileName, SeekableByteChannel channel) throws IOException {
        if (DumpNames.isSegment(fileName)) {
            return false;
        }
        DumpCompleteness.Result result = DumpCompleteness.check(DumpFormat.ofFileName(fileName), channel);
        return switch (result.state()) {
            case COMPLETE -> true;
            case INCOMPLETE -> false;
            case NOT_CHECKED -> null;
        };
    }

    /** S3 says this multipart upload cannot be completed as journaled: only starting over helps. */
    private static boolean uploadUnusable(Throwable failure) {
        return failure instanceof AwsServiceException aws && aws.awsErrorDetails() != null
                && UNUSABLE_UPLOAD_CODES.contains(aws.awsErrorDetails().errorCode());
    }

    /** Opens the file; when it changed or vanished, the upload of an earlier attempt is of no use any more. */
    private SeekableByteChannel openOrDiscardJournal(Path relative, FileIdentity identity) throws IOException {
        try {
            return root.openForRead(relative, identity);
        } catch (FileChangedException e) {
            journal.find(relative).ifPresent(stale -> {
                abort(stale.key(), stale.uploadId(), e);
                journal.delete(stale.relativePath());
            });
            throw e;
        }
    }

    /**
     * The journal of an upload of this very file to this key, cut to the parts the store really has (the longest
     * run from part 1 whose number, ETag and size match); empty when there is nothing to resume, in which case a
     * stale journal's multipart upload is aborted.
     */
    private Optional<JournalEntry> resumable(Path relative, FileIdentity identity, String key, String compression) {
        Optional<JournalEntry> found = journal.find(relative);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        JournalEntry entry = found.get();
        if (!entry.identity().equals(identity.describe()) || !entry.key().equals(key)
                || !entry.compression().equals(compression)) {
            log.info("Discarding journal path={} reason=file-or-settings-changed uploadId={}", relative,
                    entry.uploadId());
            abort(entry.key(), entry.uploadId(), new FileChangedException("journal does not match"));
            journal.delete(entry.relativePath());
            return Optional.empty();
        }
        Map<Integer, Part> stored = new java.util.HashMap<>();
        try {
            s3.listPartsPaginator(b -> b.bucket(bucket).key(key).uploadId(entry.uploadId())).parts()
                    .forEach(part -> stored.put(part.partNumber(), part));
        } catch (NoSuchUploadException e) {
            log.info("Discarding journal path={} reason=upload-gone uploadId={}", relative, entry.uploadId());
            journal.delete(entry.relativePath());
            return Optional.empty();
        }
        List<JournalEntry.Part> prefix = new ArrayList<>();
        for (JournalEntry.Part part : entry.parts()) {
            Part inStore = stored.get(part.number());
            long expectedStart = prefix.isEmpty() ? 0 : prefix.get(prefix.size() - 1).inputEnd();
            if (part.number() != prefix.size() + 1 || part.inputStart() != expectedStart || inStore == null
                    || !part.etag().equals(inStore.eTag()) || part.size() != inStore.size()) {
                break;
            }
            prefix.add(part);
        }
        return Optional.of(new JournalEntry(entry.version(), entry.relativePath(), entry.identity(), key,
                entry.uploadId(), compression, entry.startedAtEpochMilli(), List.copyOf(prefix)));
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
        long inputEnd;

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
        final boolean compress;
        JournalEntry entry;
        long partInputStart;
        long partInputEnd;
        final MessageDigest sha256 = sha256();
        final AttemptTasks tasks = new AttemptTasks();
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
        final int maxPartBuffers;
        final BufferPool.Lease lease = buffers.lease();
        final long startNanos = System.nanoTime();

        Run(SettledDump dump, String key, JournalEntry entry, SeekableByteChannel channel, boolean compress)
                throws BufferAllocationException {
            this.dump = dump;
            this.compress = compress;
            this.key = key;
            this.uploadId = entry.uploadId();
            this.entry = entry;
            this.channel = channel;
            this.partSize = partSizeFor(dump.identity().size());
            this.frameBound = compress
                    ? (int) Zstd.compressBound(settings.chunkSize()) : settings.chunkSize();
            int slots = compress ? settings.compressionThreads() + 2 : 2;
            this.freeSlots = new ArrayBlockingQueue<>(slots);
            try {
                for (int i = 0; i < slots; i++) {
                    ByteBuffer input = lease.take(settings.chunkSize());
                    freeSlots.add(new Slot(input, compress ? lease.take(frameBound) : input));
                }
            } catch (BufferAllocationException e) {
                lease.release(); // no task has seen them yet
                throw e;
            }
            // Buffers are created lazily, so a small dump allocates only what it fills. Parts raised for a huge
            // file get fewer buffers when parts-in-flight + 1 would not fit this upload's share of the budget.
            long slotBytes = (long) slots * (settings.chunkSize() + (compress ? frameBound : 0));
            long partRoom = settings.buffers().perUpload() - slotBytes;
            this.maxPartBuffers = (int) Math.max(1,
                    Math.min(settings.partsInFlight() + 1, partRoom / (partSize + frameBound)));
            this.freeParts = new ArrayBlockingQueue<>(settings.partsInFlight() + 1);
        }

        /**
         * For a resumed upload: re-reads the input the stored parts cover, only to rebuild the SHA-256, and
         * continues after it with the next part number.
         */
        void rehashStoredPrefix() throws IOException {
            if (entry.parts().isEmpty()) {
                return;
            }
            JournalEntry.Part last = entry.parts().get(entry.parts().size() - 1);
            Slot slot = freeSlots.peek();
            channel.position(0);
            long remaining = last.inputEnd();
            while (remaining > 0) {
                ByteBuffer target = slot.input.clear();
                target.limit((int) Math.min(target.capacity(), remaining));
                int read = channel.read(target);
                if (read < 0) {
                    throw new FileChangedException(dump.location() + " is shorter than its stored parts");
                }
                sha256.update(target.flip());
                remaining -= read;
            }
            for (JournalEntry.Part part : entry.parts()) {
                completedParts.add(CompletedPart.builder().partNumber(part.number()).eTag(part.etag()).build());
                bytesStored += part.size();
            }
            bytesRead = last.inputEnd();
            partNumber = last.number();
            nextProgressDecile = (int) Math.min(10, bytesRead * 10 / Math.max(1, dump.identity().size()) + 1);
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
                slot.inputEnd = bytesRead;
                metrics.bytesRead.inc(slot.inputLength);
                if (slot.inputLength == 0 && bytesRead > 0) {
                    freeSlots.add(slot); // nothing left; an empty file still gets its one (empty) frame
                    break;
                }
                if (compress) {
                    final Slot submitted = slot;
                    compressing.add(tasks.submit(compressors, () -> compress(submitted)));
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
                partInputStart = slot.inputEnd - slot.inputLength;
            }
            part.put(slot.output.duplicate().position(0).limit(slot.outputLength));
            partInputEnd = slot.inputEnd;
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
            if (allocatedParts < maxPartBuffers) {
                ByteBuffer taken = lease.take(partSize + frameBound);
                allocatedParts++;
                return taken;
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
            final long inputStart = partInputStart;
            final long inputEnd = partInputEnd;
            part = null;
            bytesStored += length;
            sending.add(tasks.submit(partSenders, () -> {
                try {
                    String md5 = partMd5 ? md5Base64(content.duplicate()) : null;
                    UploadPartResponse response = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                                    .partNumber(number).contentLength((long) length).contentMD5(md5),
                            RequestBody.fromContentProvider(() -> new ByteBufferInputStream(content.duplicate()),
                                    length, "application/octet-stream"));
                    recordPart(new JournalEntry.Part(number, response.eTag(), inputStart, inputEnd, length));
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

        /** Runs on part-sender threads: one journal write per stored part, in any order. */
        private synchronized void recordPart(JournalEntry.Part stored) throws IOException {
            entry = entry.withPart(stored);
            journal.save(entry);
        }

        /**
         * Ends a failed or interrupted attempt for good: its tasks are cancelled and awaited, so none still writes
         * a buffer or the journal when the next attempt starts; then the buffers go back to the pool. Buffers of a
         * task that does not return in time are abandoned to the GC instead of being reused.
         */
        void end(Duration drain) {
            boolean interrupted = Thread.interrupted();
            try {
                if (tasks.closeAndAwait(drain)) {
                    lease.release();
                } else {
                    lease.abandon();
                    log.warn("Upload tasks still running after {} key={}; their buffers are not reused", drain,
                            key);
                }
            } catch (InterruptedException e) {
                lease.abandon();
                interrupted = true;
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
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

    private static String md5Base64(ByteBuffer content) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update(content);
            return java.util.Base64.getEncoder().encodeToString(md5.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has MD5", e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

}
