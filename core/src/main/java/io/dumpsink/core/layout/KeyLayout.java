package io.dumpsink.core.layout;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The object key layout, a contract with everyone who runs {@code aws s3 ls}:
 * {@code {cluster}/{node}/{namespace}/{pod}/{yyyy-MM-dd}/{HHmmss}Z-{name}[.zst]}, date and time in UTC, taken
 * from the dump file's modification time (when the JVM finished writing it). The manifest sits beside the dump at
 * {@code <dump key>.json}, a heap dump's class histogram at {@code <dump key>.histogram.json}.
 *
 * <p>Every segment is shell-safe: only {@code [A-Za-z0-9._-]}, never starting with a dot (so never {@code ..}),
 * never empty, at most {@value #MAX_SEGMENT_LENGTH} characters. Anything else, spaces, unicode, control characters,
 * slashes, becomes {@code _}; a name too long is cut at its beginning; the original name is kept in the manifest.
 */
public final class KeyLayout {
    public static final String MANIFEST_SUFFIX = ".json";
    public static final String HISTOGRAM_SUFFIX = ".histogram.json";
    public static final String ZSTD_SUFFIX = ".zst";
    /** Segments stay well under S3's 1024-byte key limit even with six of them. */
    static final int MAX_SEGMENT_LENGTH = 150;
    private static final Pattern SAFE_SEGMENT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,149}");
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HHmmss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private KeyLayout() {
    }

    /** Maps anything to a safe, non-empty key segment. */
    public static String sanitizeSegment(String raw) {
        StringBuilder out = new StringBuilder(replaceUnsafe(raw));
        if (out.length() == 0) {
            return "_";
        }
        if (out.charAt(0) == '.') {
            out.setCharAt(0, '_');
        }
        if (out.length() > MAX_SEGMENT_LENGTH) {
            // Keep the end: it carries the extension (.hprof, .core) people look for.
            out.delete(0, out.length() - MAX_SEGMENT_LENGTH);
            out.setCharAt(0, '_');
        }
        return out.toString();
    }

    public static boolean isSafeSegment(String segment) {
        return SAFE_SEGMENT.matcher(segment).matches();
    }

    /** The day folder a dump goes to: {@code cluster/node/namespace/pod/yyyy-MM-dd/}. */
    public static String dayPrefix(String cluster, String node, String namespace, String pod, Instant dumpTime) {
        return String.join("/", sanitizeSegment(cluster), sanitizeSegment(node), sanitizeSegment(namespace),
                sanitizeSegment(pod), DAY.format(dumpTime)) + "/";
    }

    /**
     * The dump object's key. {@code attempt} 1 is the plain name; later attempts (another dump already took the
     * name) insert {@code -2}, {@code -3}, ... after the time, so no dump ever overwrites another. A name too long
     * for one segment loses its beginning; the time, the attempt number and the end of the name (with its
     * extension) always stay, so every attempt still gives a different key.
     */
    public static String dumpKey(String cluster, String node, String namespace, String pod, Instant dumpTime,
            String fileName, boolean compressed, int attempt) {
        String head = TIME.format(dumpTime) + "Z-" + (attempt <= 1 ? "" : attempt + "-");
        String tail = compressed ? ZSTD_SUFFIX : "";
        String name = replaceUnsafe(fileName);
        int room = MAX_SEGMENT_LENGTH - head.length() - tail.length();
        if (name.length() > room) {
            // Cut only the name: cutting the time or the attempt number would make all candidate keys equal.
            // The end stays: it carries the extension (.hprof, .core) people look for.
            name = name.substring(name.length() - room);
        }
        // Starts with a digit, so never with a dot, and is never empty.
        return dayPrefix(cluster, node, namespace, pod, dumpTime) + head + name + tail;
    }

    /** Every character outside {@code [A-Za-z0-9._-]} becomes {@code _}, one per code point. */
    private static String replaceUnsafe(String raw) {
        StringBuilder out = new StringBuilder(raw.length());
        raw.codePoints().forEach(cp -> {
            boolean safe = (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')
                    || cp == '.' || cp == '_' || cp == '-';
            out.append(safe ? (char) cp : '_');
        });
        return out.toString();
    }

    /** The last segment of a key: the name a downloaded dump gets. */
    public static String fileName(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    public static String manifestKey(String dumpKey) {
        return dumpKey + MANIFEST_SUFFIX;
    }

    /** The full class histogram of a heap dump, beside it: {@code <dump key>.histogram.json}. */
    public static String histogramKey(String dumpKey) {
        return dumpKey + HISTOGRAM_SUFFIX;
    }

    /**
     * Whether a listed key is a dump's manifest: it ends with {@code .json} but is not a heap histogram (which also
     * ends with {@code .json}).
     */
    public static boolean isManifestKey(String key) {
        return key.endsWith(MANIFEST_SUFFIX) && !key.endsWith(HISTOGRAM_SUFFIX);
    }

    /**
     * Checks that a key names something in the dumps layout: six safe segments, a date folder. Used before any
     * key from outside (an API request) is signed.
     */
    public static Optional<String> validDumpKey(String key) {
        if (key == null || key.length() > 1024) {
            return Optional.empty();
        }
        String[] segments = key.split("/", -1);
        if (segments.length != 6) {
            return Optional.empty();
        }
        for (String segment : segments) {
            if (!isSafeSegment(segment)) {
                return Optional.empty();
            }
        }
        if (!segments[4].matches("\\d{4}-\\d{2}-\\d{2}")) {
            return Optional.empty();
        }
        return Optional.of(key);
    }
}
