package io.dumpsink.agent.upload;

import java.time.Instant;

/** What {@link DumpUploader} stored: sizes before and after compression, the original's SHA-256, the parts. */
public record UploadResult(String key, long originalSize, String sha256, long storedSize, String compression,
        long chunkSize, int parts, Instant completedAt) {
}
