package io.dumpsink.agent.record;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.config.UploadSettings;
import io.dumpsink.agent.settle.SettledDump;
import io.dumpsink.core.config.ClusterSettings;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.layout.KeyLayout;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import java.io.IOException;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Chooses the object key for a dump so that no dump ever overwrites another: the plain layout name first, then
 * {@code -2}, {@code -3}, ... while a manifest for a different file already holds the name. A manifest for this
 * very file (same device, inode, size and time) means an earlier run already stored it, for example when the agent
 * died between writing the manifest and deleting the file: then nothing is uploaded again.
 *
 * <p>An object without a manifest is an earlier attempt that never finished; it is not a dump yet and its key may
 * be reused.
 */
@Singleton
public final class DumpKeys {
    private static final int MAX_ATTEMPTS = 1_000;

    private final S3Client s3;
    private final String bucket;
    private final ClusterSettings cluster;
    private final boolean compressed;

    /** The key to upload to, or the manifest of the copy already stored. */
    public record Allocation(String key, Optional<Manifest> alreadyStored) {
    }

    @Inject
    DumpKeys(S3Client s3, S3Settings s3Settings, ClusterSettings cluster, UploadSettings upload) {
        this.s3 = s3;
        this.bucket = s3Settings.bucket();
        this.cluster = cluster;
        this.compressed = upload.compressed();
    }

    public Allocation allocate(SettledDump dump) throws IOException {
        String flatName = dump.file().name().replace('/', '_');
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            String key = KeyLayout.dumpKey(cluster.cluster(), cluster.node(), dump.file().namespace(),
                    dump.file().pod(), dump.identity().modifiedAt(), flatName, compressed, attempt);
            Taken taken = manifestAt(key);
            if (!taken.taken()) {
                return new Allocation(key, Optional.empty());
            }
            if (taken.manifest() != null && dump.identity().describe().equals(taken.manifest().sourceIdentity())) {
                return new Allocation(key, Optional.of(taken.manifest()));
            }
        }
        throw new IOException("more than " + MAX_ATTEMPTS + " dumps named " + flatName + " in the same second");
    }

    /** Whether a manifest holds the name, and which (null when it cannot be read: then it is someone else's). */
    private record Taken(boolean taken, Manifest manifest) {
    }

    private Taken manifestAt(String key) {
        try {
            byte[] json = s3.getObjectAsBytes(b -> b.bucket(bucket).key(KeyLayout.manifestKey(key))).asByteArray();
            return new Taken(true, ManifestCodec.fromJson(json));
        } catch (NoSuchKeyException e) {
            return new Taken(false, null);
        } catch (IllegalArgumentException e) {
            return new Taken(true, null);
        }
    }
}
