package io.dumpsink.presigner.index;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.layout.KeyLayout;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import java.time.Instant;
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
 * manifest only after the dump object is complete). Manifests never change once written, so they are cached;
 * missing ones are not, so a dump becomes visible as soon as it lands.
 */
@Singleton
public final class DumpStore {
    private static final int CACHE_SIZE = 10_000;
    private final S3Client s3;
    private final String bucket;
    private final Map<String, Manifest> cache = Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Manifest> eldest) {
                    return size() > CACHE_SIZE;
                }
            });

    /** One page of manifests, newest first, and the cursor of the next page (empty on the last). */
    public record Page(List<Manifest> manifests, Optional<String> next) {
    }

    /** A folder level of the browse page: sub-folders, and the dumps directly in it. */
    public record Folder(List<String> folders, List<Manifest> dumps) {
    }

    @Inject
    DumpStore(S3Client s3, S3Settings settings) {
        this.s3 = s3;
        this.bucket = settings.bucket();
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
     * Manifests under {@code prefix}, newest upload first. {@code after} is the previous page's cursor. Lists the
     * keys under the prefix (1000 per request) to sort them by time; narrow prefixes are cheap.
     */
    public Page list(String prefix, int limit, Optional<String> after) {
        return list(prefix, limit, after, key -> true);
    }

    /**
     * As {@link #list(String, int, Optional)}, over the dumps whose key {@code visible} accepts only (a scoped
     * token's namespaces): filtered before paging, so pages stay full and cursors name visible dumps only.
     */
    public Page list(String prefix, int limit, Optional<String> after, Predicate<String> visible) {
        List<S3Object> manifests = new ArrayList<>();
        s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().forEach(object -> {
            if (object.key().endsWith(KeyLayout.MANIFEST_SUFFIX) && visible.test(dumpKeyOf(object.key()))) {
                manifests.add(object);
            }
        });
        manifests.sort(Comparator.comparing(S3Object::lastModified).reversed().thenComparing(S3Object::key));
        int start = 0;
        if (after.isPresent()) {
            start = manifests.size();
            for (int i = 0; i < manifests.size(); i++) {
                if (cursor(manifests.get(i)).equals(after.get())) {
                    start = i + 1;
                    break;
                }
            }
        }
        List<Manifest> page = new ArrayList<>();
        int i = start;
        for (; i < manifests.size() && page.size() < limit; i++) {
            String dumpKey = dumpKeyOf(manifests.get(i).key());
            manifest(dumpKey).ifPresent(page::add);
        }
        Optional<String> next = i < manifests.size() && i > 0 ? Optional.of(cursor(manifests.get(i - 1)))
                : Optional.empty();
        return new Page(page, next);
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
                if (object.key().endsWith(KeyLayout.MANIFEST_SUFFIX)) {
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

    private static String cursor(S3Object object) {
        return object.key();
    }
}
