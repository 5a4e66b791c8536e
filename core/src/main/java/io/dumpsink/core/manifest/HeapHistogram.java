package io.dumpsink.core.manifest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * The full class histogram of a heap dump, stored beside it as {@code <dump key>.histogram.json}: the summary the
 * manifest carries, plus every class, most bytes first.
 *
 * @param version  format version of this object
 * @param key      the dump object's key
 * @param summary  as in the manifest, with {@code topClasses} cut to {@link HeapSummary#TOP_CLASSES}
 * @param classes  every class with at least one object, most bytes first
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record HeapHistogram(int version, String key, HeapSummary summary, List<HeapSummary.ClassCount> classes) {
    public static final int CURRENT_VERSION = 1;
}
