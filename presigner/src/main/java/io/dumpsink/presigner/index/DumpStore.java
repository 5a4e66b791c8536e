package io.dumpsink.presigner.index;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.layout.KeyLayout;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import io.dumpsink.core.lifecycle.Closer;
import io.dumpsink.core.lifecycle.Threads;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What the bucket holds, as the presigner sees it: a dump exists when its manifest does (the agent writes the
 * manifest only after the dump object is complete). Manifests never change once written, so the last few
 * thousand read are cached; missing ones are not, so a dump becomes visible as soon as it lands. Which dumps
 * exist, in which order, is {@link DumpIndex}'s job; this class reads what a page shows.
 */
@Singleton
public final class DumpStore {
    /** Manifests are ~1 KiB on the heap: a few pages' worth, not the bucket. */
    private static final int CACHE_SIZE = 2_000;
    private static final int FETCH_THREADS = 16;
    private final S3Client s3;
    private final String bucket;
    private final Map<String, Manifest> cache = Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Manifest> eldest) {
                    return size() > CACHE_SIZE;
                }
            });

    /** A folder level of the browse page: sub-folders, and the dumps directly in it. */
    public record Folder(List<String> folders, List<Manifest> dumps) {
    }

    private final ExecutorService fetcher;

    @Inject
    DumpStore(S3Client s3, S3Settings settings, Closer closer) {
        this.s3 = s3;
        this.bucket = settings.bucket();
        this.fetcher = Executors.newFixedThreadPool(FETCH_THREADS, Threads.named("dumpsink-manifests"));
        closer.register(() -> Threads.shutdown(fetcher, Duration.ofSeconds(5)));
    }

    /**
     * The manifest of a dump the caller may see ({@code maySee}, a scoped token's namespaces); empty alike for a
     * dump that does not exist and one the caller may not see, so neither answer tells the other apart.
     */
    public Optional<Manifest> manifest(String key, Predicate<String> maySee) {
        return maySee.test(key) ? manifest(key) : Optional.empty();
    }

    /** The manifest of a dump key (already validated against the layout), if the dump exists. */
    public Optional<Manifest> manifest(String key) {
        Manifest cached = cache.get(key);
        if (cached != null) {
            return Optional.of(cached);
        }
        try {
            byte[] json = s3.getObjectAsBytes(b -> b.bucket(bucket).key(KeyLayout.manifestKey(key))).asByteArray();
            Manifest manifest = ManifestCodec.fromJson(json);
            if (!key.equals(manifest.key())) {
                return Optional.empty(); // a manifest that describes another object is not this dump's
            }
            cache.put(key, manifest);
            return Optional.of(manifest);
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The manifests of {@code keys}, in their order, fetched in parallel (at most {@value #FETCH_THREADS} at once)
     * when not cached; a key whose manifest is gone is left out.
     */
    public List<Manifest> manifests(List<String> keys) {
        List<Future<Optional<Manifest>>> futures = new ArrayList<>(keys.size());
        for (String key : keys) {
            Manifest cached = cache.get(key);
            futures.add(cached != null ? CompletableFuture.completedFuture(Optional.of(cached))
                    : fetcher.submit(() -> manifest(key)));
        }
        List<Manifest> result = new ArrayList<>(keys.size());
        for (Future<Optional<Manifest>> future : futures) {
            try {
                future.get().ifPresent(result::add);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while fetching manifests", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
        return result;
    }

    /** When the dump's manifest was written, by the store's clock (the order of {@link DumpIndex}). */
    public Instant manifestWrittenAt(String key) {
        return s3.headObject(b -> b.bucket(bucket).key(KeyLayout.manifestKey(key))).lastModified();
    }

    /** The stored object's bytes, streamed; the caller closes the stream. */
    public ResponseInputStream<GetObjectResponse> open(String key) {
        return s3.getObject(b -> b.bucket(bucket).key(key));
    }

    /** The folders and dumps directly under {@code prefix} ("" or ending in '/'). */
    public Folder folder(String prefix) {
        List<String> folders = new ArrayList<>();
        List<Manifest> dumps = new ArrayList<>();
        for (ListObjectsV2Response response : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)
                .delimiter("/"))) {
            for (CommonPrefix common : response.commonPrefixes()) {
                folders.add(common.prefix());
            }
            for (S3Object object : response.contents()) {
                if (KeyLayout.isManifestKey(object.key())) {
                    manifest(dumpKeyOf(object.key())).ifPresent(dumps::add);
                }
            }
        }
        dumps.sort(Comparator.comparing(Manifest::uploadedAt, Comparator.nullsLast(Comparator.<Instant>naturalOrder()))
                .reversed());
        return new Folder(folders, dumps);
    }

    public void checkReachable() {
        s3.headBucket(b -> b.bucket(bucket));
    }

    private static String dumpKeyOf(String manifestKey) {
        return manifestKey.substring(0, manifestKey.length() - KeyLayout.MANIFEST_SUFFIX.length());
    }

}
