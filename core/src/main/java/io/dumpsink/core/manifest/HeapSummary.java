package io.dumpsink.core.manifest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * What filled the heap, read from a heap dump while it was uploaded: the manifest's {@code summary}. Either
 * {@code status = ok} with the totals, the dump's header facts and the classes with the most bytes, or
 * {@code status = missing} with the {@code reason} (the dump is stored all the same). Byte figures are shallow sizes
 * computed from the dump's records (see the README, "Heap summary"); instance counts are exact.
 *
 * @param status           {@code ok} or {@code missing}
 * @param reason           why it is missing ({@code gzip}, {@code segment}, {@code not-hprof}, {@code truncated},
 *                         {@code malformed: ...}, {@code disabled}); null when ok
 * @param hprofVersion     the header's format string, e.g. {@code JAVA PROFILE 1.0.2}
 * @param identifierSize   bytes per object identifier in the dump (8 on 64-bit JVMs)
 * @param dumpedAt         the header's timestamp: when the JVM started writing the dump
 * @param referenceSize    bytes per reference assumed for byte figures (4: compressed oops; 8 above 32 GiB)
 * @param objects          objects in the dump (instances, arrays, and one {@code java.lang.Class} per class)
 * @param bytes            their shallow bytes in all
 * @param classes          classes (with array and primitive-array types) that have at least one object
 * @param topClasses       the classes with the most bytes, most first (at most 20 in the manifest)
 * @param largestObjects   the largest single objects, largest first
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HeapSummary(
        String status,
        String reason,
        String hprofVersion,
        Integer identifierSize,
        Instant dumpedAt,
        Integer referenceSize,
        Long objects,
        Long bytes,
        Integer classes,
        List<ClassCount> topClasses,
        List<LargeObject> largestObjects) {

    public static final String OK = "ok";
    public static final String MISSING = "missing";
    /** Classes the manifest lists; the full histogram is in {@code <dump key>.histogram.json}. */
    public static final int TOP_CLASSES = 20;

    /** A summary that could not be made, and why. */
    public static HeapSummary missing(String reason) {
        return new HeapSummary(MISSING, reason, null, null, null, null, null, null, null, null, null);
    }

    public boolean ok() {
        return OK.equals(status);
    }

    /** One line of the histogram: a class as people write it ({@code java.lang.String}, {@code byte[]}). */
    public record ClassCount(String name, long instances, long bytes) {
    }

    /** One large object: its class and shallow size. */
    public record LargeObject(String className, long bytes) {
    }
}
