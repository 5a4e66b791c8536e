package io.dumpsink.agent.record;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.settle.SettledDump;
import io.dumpsink.agent.triage.HprofHistogram;
import io.dumpsink.agent.upload.UploadResult;
import io.dumpsink.core.config.ClusterSettings;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.layout.KeyLayout;
import io.dumpsink.core.manifest.HeapHistogram;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Writes a stored dump's manifest and proves both objects are in the bucket.
 *
 * <p>After success: {@code <key>.json} holds the manifest, and a listing confirmed the dump object has the
 * stored size and the manifest the written size; only now may the local file go. A heap dump whose histogram was
 * read also gets {@code <key>.histogram.json}, written before the manifest (the manifest is what makes a dump
 * visible) and verified by the same listing. After failure: the dump object exists but its manifest may not; calling again is
 * safe (both PUTs are idempotent).
 */
@Singleton
public final class ManifestRecorder {
    private final S3Client s3;
    private final String bucket;
    private final ClusterSettings cluster;
    private final Path watchDir;
    private final String agentVersion;

    private final StoredObjects stored;

    @Inject
    ManifestRecorder(S3Client s3, S3Settings s3Settings, ClusterSettings cluster,
            io.dumpsink.agent.config.WatchSettings watch, StoredObjects stored) {
        this.s3 = s3;
        this.stored = stored;
        this.bucket = s3Settings.bucket();
        this.cluster = cluster;
        this.watchDir = watch.watchDir();
        String version = ManifestRecorder.class.getPackage().getImplementationVersion();
        this.agentVersion = version == null ? "dev" : version;
    }

    public Manifest record(SettledDump dump, UploadResult result) throws IOException {
        Manifest manifest = new Manifest(Manifest.CURRENT_VERSION, result.key(), bucket, cluster.cluster(),
                cluster.node(), dump.file().namespace(), dump.file().pod(), dump.file().name(),
                watchDir.resolve(dump.file().relative()).toString(), dump.identity().describe(),
                result.originalSize(), result.sha256(), result.storedSize(), result.compression(),
                result.chunkSize(), result.parts(), dump.identity().modifiedAt(), dump.detectedAt(),
                result.completedAt(), agentVersion, result.format(), result.complete(), result.seekTable(),
                result.heap() == null ? null : result.heap().summary());
        long histogramBytes = writeHistogram(result.key(), result.heap());
        byte[] json = ManifestCodec.toJson(manifest);
        String manifestKey = KeyLayout.manifestKey(result.key());
        s3.putObject(b -> b.bucket(bucket).key(manifestKey).contentType("application/json"),
                RequestBody.fromBytes(json));
        verify(manifest, json.length, histogramBytes);
        return manifest;
    }

    /** Writes {@code <key>.histogram.json} when the dump has a full histogram; its size, or -1 when there is none. */
    private long writeHistogram(String key, HprofHistogram.Result heap) {
        HeapHistogram histogram = heap == null ? null : heap.histogram(key);
        if (histogram == null) {
            return -1;
        }
        byte[] json = ManifestCodec.histogramToJson(histogram);
        s3.putObject(b -> b.bucket(bucket).key(KeyLayout.histogramKey(key)).contentType("application/json"),
                RequestBody.fromBytes(json));
        return json.length;
    }

    /**
     * Looks up the dump and its manifest ({@link StoredObjects}: listed, not read); throws unless both exist, the
     * dump with its recorded size and the manifest with {@code manifestBytes} (negative: any size, for a manifest an
     * earlier run wrote).
     */
    public void verify(Manifest manifest, long manifestBytes) throws IOException {
        verify(manifest, manifestBytes, -1);
    }

    /**
     * As {@link #verify(Manifest, long)}, and the histogram too when {@code histogramBytes} is not negative. One
     * listing answers for all of them: their keys all begin with the dump's key (a round trip each cost ~10 % of a
     * heap dump's shipping time after its last part, on S3Proxy).
     */
    private void verify(Manifest manifest, long manifestBytes, long histogramBytes) throws IOException {
        Map<String, Long> sizes = stored.sizesUnder(manifest.key());
        require(sizes, manifest.key(), manifest.storedSize());
        require(sizes, KeyLayout.manifestKey(manifest.key()), manifestBytes);
        if (histogramBytes >= 0) {
            require(sizes, KeyLayout.histogramKey(manifest.key()), histogramBytes);
        }
    }

    /** The object {@code key} exists, with {@code expected} bytes unless that is negative. */
    private void require(Map<String, Long> sizes, String key, long expected) throws IOException {
        Long size = sizes.get(key);
        if (size == null) { // not among the first keys listed: look for it alone before calling it missing
            OptionalLong alone = stored.size(key);
            size = alone.isPresent() ? alone.getAsLong() : null;
        }
        if (size == null) {
            throw new IOException("verification failed key=" + key + " (no such object)");
        }
        if (expected >= 0 && size != expected) {
            throw new IOException("verification failed key=" + key + " expectedSize=" + expected + " actualSize="
                    + size);
        }
    }
}
