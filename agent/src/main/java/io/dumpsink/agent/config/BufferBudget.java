package io.dumpsink.agent.config;

import java.util.Locale;

/**
 * The direct memory the upload buffers may hold: a fixed share of the JVM's max direct memory, split evenly between
 * the dumps shipped at once. Derived from memory, never from the number of cores: a 64-core node with the chart's
 * 64 MiB gets the same budget as a 2-core one, and the compression threads are what gives.
 *
 * <p>The rest of max direct memory is headroom for what else allocates direct buffers: the JDK's temporary buffers
 * behind socket and file I/O from heap arrays (the S3 client's connections, the HTTP server, the journal), at most a
 * few MiB. zstd-jni's compression contexts are native memory outside this limit (they count in the container's
 * memory, which the compression-thread count bounds).
 *
 * @param maxDirectMemory the JVM's limit for direct buffers ({@link JvmResources#maxDirectMemory()})
 * @param processors the processors the JVM sees, the default for the compression-thread count
 * @param maxConcurrentDumps uploads that may hold buffers at once ({@code dumpsink.agent.max-concurrent-dumps})
 */
public record BufferBudget(long maxDirectMemory, int processors, int maxConcurrentDumps) {
    /** The share of max direct memory that upload buffers may take; the rest is headroom. */
    public static final int PERCENT_OF_DIRECT_MEMORY = 75;

    /** Bytes all uploads together may hold in buffers. */
    public long total() {
        return maxDirectMemory / 100 * PERCENT_OF_DIRECT_MEMORY;
    }

    /** Bytes one upload may hold: its even share of {@link #total()}. */
    public long perUpload() {
        return total() / maxConcurrentDumps;
    }

    /** Where {@link #perUpload()} comes from, for messages. */
    public String explain() {
        return PERCENT_OF_DIRECT_MEMORY + "% of max direct memory " + bytes(maxDirectMemory)
                + (maxConcurrentDumps > 1 ? ", divided by max-concurrent-dumps " + maxConcurrentDumps : "");
    }

    /** A byte count in MiB with one decimal (KiB below 1 MiB), the units the JVM options and settings use. */
    public static String bytes(long bytes) {
        return bytes < 1024 * 1024 ? bytes / 1024 + "KiB"
                : String.format(Locale.ROOT, "%.1fMiB", bytes / (1024.0 * 1024.0));
    }
}
