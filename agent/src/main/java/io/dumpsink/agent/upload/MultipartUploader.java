package io.dumpsink.agent.upload;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.config.UploadSettings;
import io.dumpsink.agent.fs.FileChangedException;
import io.dumpsink.agent.fs.FileIdentity;
import io.dumpsink.agent.fs.WatchRoot;
import io.dumpsink.agent.journal.JournalEntry;
import io.dumpsink.agent.journal.UploadJournal;
import io.dumpsink.agent.health.Watchdog;
import io.dumpsink.agent.metrics.AgentMetrics;
import io.dumpsink.agent.settle.DumpNames;
import io.dumpsink.agent.settle.SettledDump;
import io.dumpsink.agent.triage.HeapTriage;
import io.dumpsink.core.config.S3Settings;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Ships a dump as one multipart upload, streamed with bounded memory, and decides after a failure whether the
 * upload is kept for the next attempt or aborted.
 *
 * <p>The stages: the {@link Resumer} picks the upload to continue or starts one; a {@link DumpReader} on the calling
 * thread reads fixed-size chunks and hands each to the SHA-256 and the heap summary, each in a {@link SerialLane};
 * {@link ChunkSlots} have each chunk compressed into an independent zstd frame ({@link FrameCompressor}), in parallel;
 * the {@link PartAssembler} appends frames in order to a part buffer, and full parts (at least {@code part-size})
 * upload ({@link PartSender}) while the next ones fill; the last part ends with the object's seek table (zstd seekable
 * format), so readers can fetch and decompress frames in parallel. Buffers are direct (off-heap), from the
 * {@link BufferPool} and within its budget: {@code compression-threads + 2} chunk slots and at most
 * {@code parts-in-flight + 1} part buffers, bounded by the settings, not by the file. Buffers that cannot be had fail the upload as a transient
 * {@link BufferAllocationException}. When S3 is slower than the disk, the reader waits for a free part buffer; when
 * compression is slower, for a free slot. Concatenated frames are one valid zstd stream, and every part ends on a frame
 * boundary: each part encodes a known input range on its own.
 *
 * <p>That is what makes uploads resumable. Each stored part is journaled with its input range; an upload that
 * failed on a transient error, was interrupted by shutdown or by SIGKILL keeps its multipart upload, and the next
 * attempt continues after the longest run of parts the store has. A file whose identity changed, or an upload the
 * store can no longer complete, starts over ({@link UploadAborter}): an object is never completed from mixed
 * content. Every attempt ends with its tasks awaited ({@link UploadAttempt}) before the next one starts.
 */
@Singleton
public final class MultipartUploader implements DumpUploader {
    private static final Logger log = LoggerFactory.getLogger(MultipartUploader.class);
    /** How long a failed attempt waits for its part uploads to return (the SDK's socket timeout is 60 s). */
    private static final Duration ATTEMPT_DRAIN = Duration.ofSeconds(90);
    /** On shutdown the journal already holds every stored part; waiting longer only risks Kubernetes' SIGKILL. */
    private static final Duration SHUTDOWN_DRAIN = Duration.ofSeconds(2);
    private static final Set<String> UNUSABLE_UPLOAD_CODES = Set.of("NoSuchUpload", "InvalidPart",
            "InvalidPartOrder", "EntityTooSmall");

    private final S3Client s3;
    private final String bucket;
    private final UploadSettings settings;
    private final WatchRoot root;
    private final UploadJournal journal;
    private final BufferPool buffers;
    private final UploadExecutors executors;
    private final FrameCompressor compressor;
    private final Resumer resumer;
    private final UploadAborter aborter;
    private final AgentMetrics metrics;
    private final Clock clock;
    private final Watchdog watchdog;
    private final HeapTriage triage;

    @Inject
    MultipartUploader(S3Client s3, S3Settings s3Settings, UploadSettings settings, WatchRoot root,
            UploadJournal journal, BufferPool buffers, UploadExecutors executors, FrameCompressor compressor,
            Resumer resumer, UploadAborter aborter, AgentMetrics metrics, Watchdog watchdog, Clock clock,
            HeapTriage triage) {
        this.watchdog = watchdog;
        this.triage = triage;
        this.s3 = s3;
        this.bucket = s3Settings.bucket();
        this.settings = settings;
        this.root = root;
        this.journal = journal;
        this.buffers = buffers;
        this.executors = executors;
        this.compressor = compressor;
        this.resumer = resumer;
        this.aborter = aborter;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public UploadResult upload(SettledDump dump, String key) throws IOException, InterruptedException {
        FileIdentity identity = dump.identity();
        Path relative = dump.location();
        String fileName = dump.file().fileName();
        // A gzip heap dump (-XX:HeapDumpGzipLevel) is stored as it is: zstd over gzip costs CPU and saves nothing.
        boolean compress = settings.compressed() && !DumpNames.formatOf(fileName).alreadyCompressed();
        String compression = compress ? "zstd" : "none";
        try (SeekableByteChannel channel = openOrAbortJournaled(relative, identity)) {
            JournalEntry entry = resumer.begin(relative, identity, key, compression,
                    compress ? "application/zstd" : "application/octet-stream");
            String uploadId = entry.uploadId();
            DumpFacts facts = DumpFacts.read(fileName, channel);
            channel.position(0); // the check read the file's two ends; streaming starts at its first byte
            UploadAttempt attempt = new UploadAttempt(buffers, key);
            HeapTriage.Reading heap = triage.begin(fileName);
            DumpReader reader = readerFor(dump, key, entry, channel, compress, attempt, heap);
            boolean finished = false;
            try {
                reader.rehashStoredPrefix(entry.parts());
                DumpReader.Streamed streamed = reader.streamAll();
                requireUnchanged(relative, identity, streamed.bytesRead());
                s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                        .multipartUpload(m -> m.parts(streamed.parts())));
                finished = true;
                journal.delete(relative.toString());
                return new UploadResult(key, streamed.bytesRead(), streamed.sha256(), streamed.bytesStored(),
                        compression, settings.chunkSize(), streamed.parts().size(), clock.instant(), facts.format(),
                        facts.complete(), PartAssembler.writesSeekTable(compress, entry.parts()), heap.finish(key));
            } catch (InterruptedException e) {
                attempt.end(SHUTDOWN_DRAIN);
                log.info("Upload paused by shutdown key={} uploadId={}; it resumes after restart", key, uploadId);
                throw e;
            } catch (IOException | RuntimeException | Error e) {
                attempt.end(ATTEMPT_DRAIN);
                if (e instanceof FileChangedException) {
                    aborter.abort(key, uploadId, relative.toString(), e);
                } else if (uploadUnusable(e)) {
                    // This upload is broken (swept, expired, parts gone), not the store: start over, soon.
                    aborter.abort(key, uploadId, relative.toString(), e);
                    throw new UploadDiscardedException(key + ": the store cannot complete upload " + uploadId
                            + "; it starts over", e);
                } else {
                    // Outage, refusal, JVM error: keep the stored parts, the retry continues from the first missing
                    // one. Even a refusal (revoked credentials) is kept: the upload is good again once it is fixed.
                    log.debug("Upload paused key={} uploadId={} error={}", key, uploadId, e.toString());
                }
                throw e;
            } finally {
                if (finished) {
                    attempt.succeeded();
                } else {
                    attempt.abandon();
                }
            }
        }
    }

    /**
     * The stages of one attempt, wired. Takes the chunk slots' buffers, so it fails with a
     * {@link BufferAllocationException} (the lease given back, the upload kept) when they do not fit.
     */
    private DumpReader readerFor(SettledDump dump, String key, JournalEntry entry, SeekableByteChannel channel,
            boolean compress, UploadAttempt attempt, HeapTriage.Reading heap) throws BufferAllocationException {
        long size = dump.identity().size();
        UploadProgress progress = new UploadProgress(key, size);
        ChunkSlots slots = new ChunkSlots(attempt.lease(), settings, compress, compressor, attempt.tasks());
        PartSender sender = new PartSender(s3, bucket, journal, entry, executors.partSenders(),
                attempt.tasks());
        PartAssembler parts = new PartAssembler(attempt.lease(), settings, size, slots, sender, entry.parts());
        return new DumpReader(channel, dump.location(), size, slots, parts, sender, progress, metrics, watchdog,
                heap.reads() ? heap::feed : null, executors.digesters(), attempt.tasks());
    }

    /** The bytes read must be the bytes that settled: same size, and the file untouched meanwhile. */
    private void requireUnchanged(Path relative, FileIdentity identity, long bytesRead) throws IOException {
        FileIdentity after;
        try {
            after = FileIdentity.of(root.stat(relative));
        } catch (NoSuchFileException e) {
            throw new FileChangedException(relative + " was deleted during upload");
        }
        if (!after.equals(identity) || bytesRead != identity.size()) {
            throw new FileChangedException(relative + " changed during upload: was " + identity.describe()
                    + ", read " + bytesRead + " bytes, now " + after.describe());
        }
    }

    /** S3 says this multipart upload cannot be completed as journaled: only starting over helps. */
    private static boolean uploadUnusable(Throwable failure) {
        return failure instanceof AwsServiceException aws && aws.awsErrorDetails() != null
                && UNUSABLE_UPLOAD_CODES.contains(aws.awsErrorDetails().errorCode());
    }

    /** Opens the file; when it changed or vanished, the upload of an earlier attempt is of no use any more. */
    private SeekableByteChannel openOrAbortJournaled(Path relative, FileIdentity identity) throws IOException {
        try {
            return root.openForRead(relative, identity);
        } catch (FileChangedException e) {
            journal.find(relative).ifPresent(stale ->
                    aborter.abort(stale.key(), stale.uploadId(), stale.relativePath(), e));
            throw e;
        }
    }
}
