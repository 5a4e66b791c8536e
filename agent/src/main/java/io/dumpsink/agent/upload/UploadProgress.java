package io.dumpsink.agent.upload;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells people watching an upload how far it got: an "Upload progress" line at each tenth of a dump of 100 MiB or
 * more (the deciles a resumed upload had passed before are not said again), and one "Upload streamed" line when
 * every part is stored. Used by the reader's thread only.
 */
final class UploadProgress {
    /** The upload's lines keep the logger name people and their log queries know them by. */
    private static final Logger log = LoggerFactory.getLogger(MultipartUploader.class);
    private static final long MIN_BYTES = 100L * 1024 * 1024;

    private final String key;
    private final long size;
    private final long startNanos = System.nanoTime();
    private int nextDecile = 1;

    UploadProgress(String key, long size) {
        this.key = key;
        this.size = size;
    }

    /** A resumed upload starts at {@code bytesRead}: the deciles before it are not logged. */
    void resumedAt(long bytesRead) {
        nextDecile = (int) Math.min(10, bytesRead * 10 / Math.max(1, size) + 1);
    }

    /** Logs each decile {@code bytesRead} has reached since the last call. */
    void read(long bytesRead, long bytesStored) {
        if (size < MIN_BYTES) {
            return;
        }
        while (nextDecile < 10 && bytesRead * 10 >= size * nextDecile) {
            log.info("Upload progress key={} percent={} read={} stored={} readMiBPerSecond={}", key,
                    nextDecile * 10, bytesRead, bytesStored,
                    String.format("%.0f", bytesRead / (1024.0 * 1024.0) / Math.max(seconds(), 1e-3)));
            nextDecile++;
        }
    }

    void streamed(long bytesRead, long bytesStored, int parts) {
        log.info("Upload streamed key={} read={} stored={} parts={} seconds={}", key, bytesRead, bytesStored,
                parts, String.format("%.1f", seconds()));
    }

    private double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
