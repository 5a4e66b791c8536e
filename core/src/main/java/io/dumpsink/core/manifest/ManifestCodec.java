package io.dumpsink.core.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Manifest JSON: ISO-8601 times, pretty-printed so {@code aws s3 cp ... -} is readable. Thread-safe. */
public final class ManifestCodec {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private ManifestCodec() {
    }

    public static byte[] toJson(Manifest manifest) {
        try {
            return MAPPER.writeValueAsBytes(manifest);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Manifest fromJson(byte[] json) {
        try {
            return MAPPER.readValue(json, Manifest.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a dumpsink manifest: " + e.getMessage(), e);
        }
    }

    /** The histogram object beside a heap dump ({@code <dump key>.histogram.json}). */
    public static byte[] histogramToJson(HeapHistogram histogram) {
        try {
            return MAPPER.writeValueAsBytes(histogram);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static HeapHistogram histogramFromJson(byte[] json) {
        try {
            return MAPPER.readValue(json, HeapHistogram.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a dumpsink heap histogram: " + e.getMessage(), e);
        }
    }

    public static String toString(Manifest manifest) {
        return new String(toJson(manifest), StandardCharsets.UTF_8);
    }
}
