package io.dumpsink.agent.upload;

import io.dumpsink.agent.triage.HprofHistogram;
import java.time.Instant;

/**
 * What {@link DumpUploader} stored: sizes before and after compression, the original's SHA-256, the parts, and what
 * the file was ({@code format}: hprof, hprof.gz, hprof-segment, other) and whether its structure was complete
 * ({@code complete}: null when not checked), and whether the object ends with a zstd seek table, as the manifest
 * records them; {@code heap}: the heap summary and histogram read on the way (null when the file gets none).
 */
public record UploadResult(String key, long originalSize, String sha256, long storedSize, String compression,
        long chunkSize, int parts, Instant completedAt, String format, Boolean complete, boolean seekTable,
        HprofHistogram.Result heap) {
}
