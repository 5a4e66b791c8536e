package io.dumpsink.agent.settle;

import java.util.Locale;
import java.util.Objects;

/**
 * What kind of file a dump is, judged by its name alone: it decides whether {@link DumpCompleteness} can check the
 * file's structure and whether the uploader compresses it.
 */
public enum DumpFormat {
    /** An HPROF heap dump as HotSpot writes it ({@code java_pid123.hprof}). */
    HPROF,
    /** An HPROF heap dump written with {@code -XX:HeapDumpGzipLevel=N} ({@code java_pid123.hprof.gz}). */
    HPROF_GZIP,
    /**
     * Anything else: core files, {@code *.dmp}, {@code hs_err_pid*.log}, and the {@code X.hprof.p0..pN} segments a
     * JDK 22+ writes before merging them into {@code X.hprof}.
     */
    OTHER;

    public static DumpFormat ofFileName(String fileName) {
        // HotSpot writes lower case; an application may choose its own HeapDumpPath file name, so case is ignored.
        String name = Objects.requireNonNull(fileName, "fileName").toLowerCase(Locale.ROOT);
        if (name.endsWith(".hprof")) {
            return HPROF;
        }
        if (name.endsWith(".hprof.gz")) {
            return HPROF_GZIP;
        }
        return OTHER;
    }

    /** True when the file is compressed already, so the uploader stores it as it is instead of compressing it. */
    public boolean alreadyCompressed() {
        return this == HPROF_GZIP;
    }
}
