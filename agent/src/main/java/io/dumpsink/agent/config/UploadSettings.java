package io.dumpsink.agent.config;

import io.dumpsink.core.config.ConfigReader;

/** How a dump is compressed and cut into multipart parts; together these bound the memory an upload uses. */
public record UploadSettings(Compression compression, int compressionLevel, int compressionThreads, int chunkSize,
        int partSize, int partsInFlight) {

    /** S3's minimum size for every part but the last. */
    public static final int MIN_PART_SIZE = 5 * 1024 * 1024;
    private static final int MAX_BUFFER = 1 << 30;

    public enum Compression {
        ZSTD, NONE
    }

    public static UploadSettings from(ConfigReader r) {
        int threads = r.intInRange("dumpsink.agent.compression-threads", 0, 256);
        return new UploadSettings(
                r.enumValue("dumpsink.agent.compression", Compression.class),
                r.intInRange("dumpsink.agent.compression-level", 1, 19),
                threads == 0 ? Runtime.getRuntime().availableProcessors() : threads,
                (int) Math.min(MAX_BUFFER, r.bytesAtLeast("dumpsink.agent.chunk-size", 64 * 1024)),
                (int) Math.min(MAX_BUFFER, r.bytesAtLeast("dumpsink.agent.part-size", MIN_PART_SIZE)),
                r.intInRange("dumpsink.agent.parts-in-flight", 1, 64));
    }

    public boolean compressed() {
        return compression == Compression.ZSTD;
    }
}
