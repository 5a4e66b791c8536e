package io.dumpsink.agent.upload;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.journal.UploadJournal;
import io.dumpsink.core.config.S3Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Gives up a multipart upload that can never be completed, so the next attempt starts over: aborts it in the store
 * and deletes its journal. The abort is best effort: when the store refuses it or cannot be reached, a warning says
 * so and the upload stays until the orphan sweep or the bucket's abort-incomplete rule removes it; the journal is
 * deleted either way.
 */
@Singleton
final class UploadAborter {
    /** The upload's lines keep the logger name people and their log queries know them by. */
    private static final Logger log = LoggerFactory.getLogger(MultipartUploader.class);

    private final S3Client s3;
    private final String bucket;
    private final UploadJournal journal;

    @Inject
    UploadAborter(S3Client s3, S3Settings s3Settings, UploadJournal journal) {
        this.s3 = s3;
        this.bucket = s3Settings.bucket();
        this.journal = journal;
    }

    /** Aborts the upload {@code uploadId} to {@code key} because of {@code cause}, and deletes its journal. */
    void abort(String key, String uploadId, String relativePath, Throwable cause) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
            log.info("Upload aborted key={} uploadId={} cause={}", key, uploadId, cause.toString());
        } catch (RuntimeException e) {
            log.warn("Abort failed key={} uploadId={} error={} (the bucket's abort-incomplete rule removes it)",
                    key, uploadId, e.toString());
        }
        journal.delete(relativePath);
    }
}
