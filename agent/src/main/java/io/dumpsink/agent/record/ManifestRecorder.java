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
 * read also gets {@code <key>.histogram.json}, written and verified before the manifest (the manifest is what makes
 * a dump visible). After failure: the dump object exists but its manifest may not; calling again is
 * safe (the PUTs are idempotent).
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
        writeHistogram(result.key(), result.heap());
        byte[] json = ManifestCodec.toJson(manifest);
        String manifestKey = KeyLayout.manifestKey(result.key());
        s3.putObject(b -> b.bucket(bucket).key(manifestKey).contentType("application/json"),
                RequestBody.fromBytes(json));
        verify(manifest, json.length);
        return manifest;
    }

    /**
     * Writes and verifies {@code <key>.histogram.json} when the dump has a full histogram, before the manifest that
     * makes the dump visible: a manifest in the bucket means its histogram was verified, so a retry that finds the
     * manifest ("Already stored") need not look again.
     */
    private void writeHistogram(String key, HprofHistogram.Result heap) throws IOException {
        HeapHistogram histogram = heap == null ? null : heap.histogram(key);
        if (histogram == null) {
            return;
        }
        byte[] json = ManifestCodec.histogramToJson(histogram);
        String histogramKey = KeyLayout.histogramKey(key);
        s3.putObject(b -> b.bucket(bucket).key(histogramKey).contentType("application/json"),
                RequestBody.fromBytes(json));
        require(stored.sizesUnder(histogramKey), histogramKey, json.length);
    }

    /**
     * Looks up the dump and its manifest with one listing ({@link StoredObjects}: listed, not read; both keys begin
     * with the dump's, and each round trip after the last part is time the dump is not yet safe); throws unless
     * both exist, the dump with its recorded size and the manifest with {@code manifestBytes} (negative: any size,
     * for a manifest an earlier run wrote).
     */
    public void verify(Manifest manifest, long manifestBytes) throws IOException {
        Map<String, Long> sizes = stored.sizesUnder(manifest.key());
        require(sizes, manifest.key(), manifest.storedSize());
        require(sizes, KeyLayout.manifestKey(manifest.key()), manifestBytes);
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
