package io.dumpsink.agent.pipeline;

import io.dumpsink.core.lifecycle.Threads;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.config.PipelineSettings;
import io.dumpsink.agent.config.WatchSettings;
import io.dumpsink.agent.journal.JournalEntry;
import io.dumpsink.agent.journal.UploadJournal;
import io.dumpsink.core.config.ClusterSettings;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.layout.KeyLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * Aborts multipart uploads that nothing will ever complete, so their parts do not pile up in the bucket: uploads
 * under this node's prefix ({@code cluster/node/}) that no journal knows and that are older than
 * {@code orphan-upload-age}, and the uploads of journals whose file is gone. Runs at startup and then periodically;
 * other nodes' uploads are never touched.
 */
@Singleton
public final class OrphanSweeper {
    private static final Logger log = LoggerFactory.getLogger(OrphanSweeper.class);
    private static final Duration MAX_INTERVAL = Duration.ofMinutes(15);
    private final S3Client s3;
    private final String bucket;
    private final String nodePrefix;
    private final UploadJournal journal;
    private final Path watchDir;
    private final Duration orphanAge;
    private final Clock clock;
    private final ScheduledExecutorService executor =
            Executors.newSingleThreadScheduledExecutor(Threads.named("dumpsink-orphans"));

    @Inject
    OrphanSweeper(S3Client s3, S3Settings s3Settings, ClusterSettings cluster, UploadJournal journal,
            WatchSettings watch, PipelineSettings pipeline, Clock clock) {
        this.s3 = s3;
        this.bucket = s3Settings.bucket();
        this.nodePrefix = KeyLayout.sanitizeSegment(cluster.cluster()) + "/" + KeyLayout.sanitizeSegment(cluster.node())
                + "/";
        this.journal = journal;
        this.watchDir = watch.watchDir();
        this.orphanAge = pipeline.orphanUploadAge();
        this.clock = clock;
    }

    public void start() {
        long interval = Math.min(orphanAge.toMillis(), MAX_INTERVAL.toMillis());
        executor.scheduleWithFixedDelay(this::sweepQuietly, 0, interval, TimeUnit.MILLISECONDS);
    }

    public void stop() {
        executor.shutdownNow();
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (IOException | SdkException e) {
            log.warn("Orphan sweep failed error={} (retried at the next sweep)", e.toString());
        } catch (RuntimeException e) {
            log.error("Orphan sweep failed", e);
        }
    }

    void sweep() throws IOException {
        Set<String> journaled = new HashSet<>();
        for (JournalEntry entry : journal.all()) {
            if (Files.exists(watchDir.resolve(entry.relativePath()), LinkOption.NOFOLLOW_LINKS)) {
                journaled.add(entry.uploadId());
            } else {
                abort(entry.key(), entry.uploadId(), "file-gone");
                journal.delete(entry.relativePath());
            }
        }
        Instant cutoff = clock.instant().minus(orphanAge);
        for (MultipartUpload upload : s3.listMultipartUploadsPaginator(b -> b.bucket(bucket).prefix(nodePrefix))
                .uploads()) {
            if (!journaled.contains(upload.uploadId()) && upload.initiated() != null
                    && upload.initiated().isBefore(cutoff)) {
                abort(upload.key(), upload.uploadId(), "no-journal");
            }
        }
    }

    private void abort(String key, String uploadId, String reason) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
            log.info("Aborted orphaned upload key={} uploadId={} reason={}", key, uploadId, reason);
        } catch (software.amazon.awssdk.services.s3.model.NoSuchUploadException e) {
            // already gone
        }
    }
}
