package io.dumpsink.agent.record;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.config.UploadSettings;
import io.dumpsink.agent.settle.DumpNames;
import io.dumpsink.agent.settle.SettledDump;
import io.dumpsink.core.config.ClusterSettings;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.layout.KeyLayout;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Chooses the object key for a dump so that no dump ever overwrites another: the plain layout name first, then
 * {@code -2}, {@code -3}, ... while a manifest for a different file already holds the name. A manifest for this
 * very file (same device, inode, size and time) means an earlier run already stored it, for example when the agent
 * died between writing the manifest and deleting the file: then nothing is uploaded again, provided its object is
 * still there ({@link StoredObjects}); if the object is gone, the file is shipped again under the next name.
 *
 * <p>An object without a manifest is an earlier attempt that never finished; it is not a dump yet and its key may
 * be reused.
 *
 * <p>Dumps shipped at the same time cannot see each other's manifests, which are written last. So a key handed out
 * stays reserved in this process until its {@link Allocation} is closed, once the manifest is written or the attempt
 * failed; no other dump gets it meanwhile. That is enough because one agent runs per node and the node name is part
 * of every key.
 */
@Singleton
public final class DumpKeys {
    private static final int MAX_ATTEMPTS = 1_000;

    private final S3Client s3;
    private final StoredObjects stored;
    private final String bucket;
    private final ClusterSettings cluster;
    private final boolean compressed;
    /** Keys handed out for an upload and not released yet. */
    private final Set<String> reserved = ConcurrentHashMap.newKeySet();

    /**
     * The key to upload to, reserved until {@link #close()}, or the manifest of the copy already stored (nothing to
     * reserve then).
     */
    public final class Allocation implements AutoCloseable {
        private final String key;
        private final Optional<Manifest> alreadyStored;
        private final AtomicBoolean open;

        private Allocation(String key, Optional<Manifest> alreadyStored) {
            this.key = key;
            this.alreadyStored = alreadyStored;
            this.open = new AtomicBoolean(alreadyStored.isEmpty());
        }

        public String key() {
            return key;
        }

        public Optional<Manifest> alreadyStored() {
            return alreadyStored;
        }

        /** Releases the key; only once, so a second call cannot free the key another dump reserved since. */
        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                reserved.remove(key);
            }
        }
    }

    @Inject
    DumpKeys(S3Client s3, S3Settings s3Settings, ClusterSettings cluster, UploadSettings upload,
            StoredObjects stored) {
        this.s3 = s3;
        this.stored = stored;
        this.bucket = s3Settings.bucket();
        this.cluster = cluster;
        this.compressed = upload.compressed();
    }

    /** A free key, reserved until the returned allocation is closed; or the manifest of this file's stored copy. */
    public Allocation allocate(SettledDump dump) throws IOException {
        String flatName = dump.file().name().replace('/', '_');
        // Gzip heap dumps are stored as they are (see MultipartUploader): their key keeps .hprof.gz, without .zst.
        boolean zstd = compressed && !DumpNames.formatOf(dump.file().fileName()).alreadyCompressed();
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            String key = KeyLayout.dumpKey(cluster.cluster(), cluster.node(), dump.file().namespace(),
                    dump.file().pod(), dump.identity().modifiedAt(), flatName, zstd, attempt);
            // Reserve before looking: another dump is uploading to a reserved key and has no manifest there yet.
            if (!reserved.add(key)) {
                continue;
            }
            Taken taken;
            try {
                taken = manifestAt(key);
            } catch (RuntimeException e) {
                reserved.remove(key);
                throw e;
            }
            if (!taken.taken()) {
                return new Allocation(key, Optional.empty());
            }
            reserved.remove(key);
            if (taken.manifest() != null && dump.identity().describe().equals(taken.manifest().sourceIdentity())
                    && objectExists(key)) {
                return new Allocation(key, Optional.of(taken.manifest()));
            }
            // A manifest for this very file whose object is gone (expired a day before its manifest, deleted by
            // hand): the dump is not stored any more. Its name stays taken; the file goes to the next one.
        }
        throw new IOException("more than " + MAX_ATTEMPTS + " dumps named " + flatName + " in the same second");
    }

    private boolean objectExists(String key) {
        return stored.size(key).isPresent();
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
        } catch (S3Exception e) {
            if (e.statusCode() == 403) {
                // Credentials that may write dumps but not read objects (README: "S3 credentials"): the listing
                // says whether the name is taken; whose manifest it is cannot be known, so it counts as another
                // file's (at worst a dump stored just before a crash is shipped once more, under the next name).
                return new Taken(stored.size(KeyLayout.manifestKey(key)).isPresent(), null);
            }
            throw e;
        }
    }
}
