package io.dumpsink.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.layout.KeyLayout;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import io.dumpsink.core.s3.S3Clients;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The bucket as the CLI sees it: dumps listed by the key layout's prefixes, manifests, and the dump objects read
 * whole or by ranges. Every S3 failure leaves here as a {@link CliException} with one clear line. Owns its client.
 */
final class Store implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HHmmss");

    /** What is talked to, for messages. */
    record Target(String bucket, String endpoint) {
    }

    /** A dump found by a listing: its key, when it was written (from the key), and its manifest if it has one. */
    record Listed(String key, Instant time, long storedSize, Optional<String> manifestKey) {
    }

    /** A manifest as stored: the typed record and the whole JSON, fields this version does not know included. */
    record ManifestDoc(Manifest manifest, JsonNode json) {
    }

    /** The dump object as it is now: its size and ETag (ranged reads ask for that very version). */
    record ObjectInfo(long size, String etag) {
    }

    private final S3Client s3;
    private final Target target;

    Store(S3Settings settings, int connections) {
        this(S3Clients.create(settings, connections), new Target(settings.bucket(), settings.describeEndpoint()));
    }

    /** Over a client built elsewhere (tests wrap a real one to see the requests); closes it. */
    Store(S3Client s3, Target target) {
        this.s3 = s3;
        this.target = target;
    }

    Target target() {
        return target;
    }

    String bucket() {
        return target.bucket();
    }

    /**
     * The dumps under the filter's segments, newest first. Walks the layout level by level: a given segment extends
     * the prefix, a missing one lists only that level's folder names (delimiter "/"), and once no segment is left
     * everything under the prefix is listed; day folders before {@code since} are skipped.
     */
    List<Listed> list(DumpFilter filter, Optional<Instant> since) {
        List<S3Object> objects = new ArrayList<>();
        walk("", 0, filter.segments(), since, objects);
        Set<String> keys = new HashSet<>();
        objects.forEach(o -> keys.add(o.key()));
        List<Listed> dumps = new ArrayList<>();
        for (S3Object object : objects) {
            String key = object.key();
            if (key.endsWith(KeyLayout.MANIFEST_SUFFIX) || KeyLayout.validDumpKey(key).isEmpty()) {
                continue;
            }
            Instant time = timeOf(key);
            if (since.isPresent() && time.isBefore(since.get())) {
                continue;
            }
            String manifestKey = KeyLayout.manifestKey(key);
            dumps.add(new Listed(key, time, object.size(),
                    keys.contains(manifestKey) ? Optional.of(manifestKey) : Optional.empty()));
        }
        dumps.sort(Comparator.comparing(Listed::time).reversed().thenComparing(Listed::key));
        return dumps;
    }

    private void walk(String prefix, int level, String[] segments, Optional<Instant> since, List<S3Object> out) {
        boolean deeperFilter = false;
        for (int i = level; i < segments.length; i++) {
            deeperFilter |= segments[i] != null;
        }
        if (level == segments.length) {
            if (since.isEmpty()) {
                listAll(prefix, out);
                return;
            }
            LocalDate firstDay = since.get().atZone(ZoneOffset.UTC).toLocalDate();
            for (String day : folders(prefix)) {
                String name = day.substring(prefix.length(), day.length() - 1);
                try {
                    if (!LocalDate.parse(name).isBefore(firstDay)) {
                        listAll(day, out);
                    }
                } catch (java.time.format.DateTimeParseException notADay) {
                    // not a dumpsink day folder: nothing of ours
                }
            }
            return;
        }
        if (!deeperFilter && since.isEmpty()) {
            listAll(prefix, out);
            return;
        }
        if (segments[level] != null) {
            walk(prefix + segments[level] + "/", level + 1, segments, since, out);
        } else {
            for (String folder : folders(prefix)) {
                walk(folder, level + 1, segments, since, out);
            }
        }
    }

    private List<String> folders(String prefix) {
        try {
            List<String> folders = new ArrayList<>();
            s3.listObjectsV2Paginator(b -> b.bucket(bucket()).prefix(prefix).delimiter("/")).commonPrefixes()
                    .stream().map(CommonPrefix::prefix).forEach(folders::add);
            return folders;
        } catch (SdkException e) {
            throw S3Errors.translate(e, target, prefix);
        }
    }

    private void listAll(String prefix, List<S3Object> out) {
        try {
            s3.listObjectsV2Paginator(b -> b.bucket(bucket()).prefix(prefix)).contents().forEach(out::add);
        } catch (SdkException e) {
            throw S3Errors.translate(e, target, prefix);
        }
    }

    /** When the dump was written, from its key: the day folder and the HHmmss before the name (UTC). */
    static Instant timeOf(String key) {
        String[] segments = key.split("/");
        try {
            LocalDate day = LocalDate.parse(segments[4]);
            LocalTime time = LocalTime.parse(segments[5].substring(0, 6), TIME);
            return day.atTime(time).toInstant(ZoneOffset.UTC);
        } catch (RuntimeException e) {
            return Instant.EPOCH;
        }
    }

    /** The dump's manifest; a missing one is "no such dump" (exit 3). */
    ManifestDoc manifest(String key) {
        byte[] json;
        try {
            json = s3.getObjectAsBytes(b -> b.bucket(bucket()).key(KeyLayout.manifestKey(key))).asByteArray();
        } catch (NoSuchKeyException e) {
            throw CliException.notFound("no such dump: s3://" + bucket() + "/" + key + " (no manifest at "
                    + KeyLayout.manifestKey(key) + "; `dumpsink ls` lists the dumps)");
        } catch (SdkException e) {
            throw S3Errors.translate(e, target, key);
        }
        try {
            return new ManifestDoc(ManifestCodec.fromJson(json), JSON.readTree(json));
        } catch (IllegalArgumentException | IOException e) {
            throw CliException.verification("the manifest of " + key + " is not a dumpsink manifest: "
                    + e.getMessage());
        }
    }

    ObjectInfo head(String key) {
        try {
            HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket()).key(key));
            return new ObjectInfo(head.contentLength(), head.eTag());
        } catch (SdkException e) {
            throw S3Errors.translate(e, target, key);
        }
    }

    /** The object's last bytes, read with its size and ETag in one request. */
    record Tail(ObjectInfo object, byte[] bytes) {
    }

    /**
     * The last {@code length} bytes of the object (all of it when shorter) with its size and ETag: what a HEAD and a
     * read of its end would give, in one suffix-range GET. Empty when the server does not answer with a range (it
     * then sends the whole object, which is not read) or the object is empty: the caller HEADs instead.
     */
    Optional<Tail> tail(String key, int length) {
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket()).key(key)
                .range("bytes=-" + length))) {
            String contentRange = in.response().contentRange();
            int slash = contentRange == null ? -1 : contentRange.lastIndexOf('/');
            if (slash < 0 || contentRange.endsWith("*")) {
                in.abort();
                return Optional.empty();
            }
            long size = Long.parseLong(contentRange.substring(slash + 1).strip());
            byte[] bytes = in.readNBytes(length);
            return Optional.of(new Tail(new ObjectInfo(size, in.response().eTag()), bytes));
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 416) {
                return Optional.empty(); // an empty object has no last bytes
            }
            throw S3Errors.translate(e, target, key);
        } catch (SdkException e) {
            throw S3Errors.translate(e, target, key);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Bytes [from, to) of this version of the object. */
    byte[] range(String key, ObjectInfo info, long from, long to) {
        try {
            return s3.getObjectAsBytes(b -> b.bucket(bucket()).key(key).ifMatch(info.etag())
                    .range("bytes=" + from + "-" + (to - 1))).asByteArray();
        } catch (SdkException e) {
            throw S3Errors.translate(e, target, key);
        }
    }

    /** Bytes [from, to) of this version of the object, read into {@code target} from its start. */
    void range(String key, ObjectInfo info, long from, long to, byte[] target) throws IOException {
        int length = Math.toIntExact(to - from);
        try (InputStream in = s3.getObject(b -> b.bucket(bucket()).key(key).ifMatch(info.etag())
                .range("bytes=" + from + "-" + (to - 1)))) {
            int read = in.readNBytes(target, 0, length);
            if (read != length) {
                throw new IOException("s3://" + bucket() + "/" + key + ": got " + read + " of the " + length
                        + " bytes asked for at " + from);
            }
        } catch (SdkException e) {
            throw S3Errors.translate(e, target(), key);
        }
    }

    /** The whole object, streamed; the caller closes it. */
    InputStream stream(String key, ObjectInfo info) {
        try {
            ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket()).key(key)
                    .ifMatch(info.etag()));
            return in;
        } catch (SdkException e) {
            throw S3Errors.translate(e, target, key);
        }
    }

    /** The dump's key from what a user typed: a key, its manifest's key, or an {@code s3://bucket/key} URL. */
    String normalizeKey(String typed) {
        String key = typed;
        String prefix = "s3://" + bucket() + "/";
        if (key.startsWith(prefix)) {
            key = key.substring(prefix.length());
        } else if (key.startsWith("s3://")) {
            throw CliException.usage("'" + typed + "' is in another bucket than --bucket " + bucket());
        }
        if (key.endsWith(KeyLayout.HISTOGRAM_SUFFIX)) {
            key = key.substring(0, key.length() - KeyLayout.HISTOGRAM_SUFFIX.length());
        } else if (key.endsWith(KeyLayout.MANIFEST_SUFFIX)) {
            key = key.substring(0, key.length() - KeyLayout.MANIFEST_SUFFIX.length());
        }
        return key;
    }

    S3Client client() {
        return s3;
    }

    @Override
    public void close() {
        s3.close();
    }

    static UncheckedIOException unchecked(IOException e) {
        return new UncheckedIOException(e);
    }
}
