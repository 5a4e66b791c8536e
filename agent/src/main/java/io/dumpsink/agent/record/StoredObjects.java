package io.dumpsink.agent.record;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.core.config.S3Settings;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Whether an object is in the bucket, and its size, without reading it: a ListObjectsV2 under its key, not a
 * HEAD. In AWS IAM, HEAD needs s3:GetObject, the right to download the dump; listing needs only s3:ListBucket. So
 * the agent's credentials can write dumps and check them without being able to read one back (README: "S3
 * credentials").
 *
 * <p>A key sorts before every longer key it is a prefix of, so one entry is enough for one key, and the first few
 * under a dump's key are the dump, its histogram and its manifest. Listings are strongly
 * consistent in S3 since 2020, in MinIO and in Ceph RGW.
 */
@Singleton
public final class StoredObjects {
    private static final int UNDER_MAX = 16;

    private final S3Client s3;
    private final String bucket;

    @Inject
    StoredObjects(S3Client s3, S3Settings settings) {
        this.s3 = s3;
        this.bucket = settings.bucket();
    }

    /**
     * The sizes of the first (in key order) {@value #UNDER_MAX} objects whose keys begin with {@code prefix}, from
     * one listing: under a dump's key are its manifest and histogram and, rarely, another dump whose name extends
     * it (with compression off, {@code heap.hprof} and {@code heap.hprof.gz} of the same second). A key missing
     * here may still exist further on: ask {@link #size} before concluding it does not.
     */
    public Map<String, Long> sizesUnder(String prefix) {
        return sizes(prefix, UNDER_MAX);
    }

    /** The object's size, or empty when there is no object under exactly this key. */
    public OptionalLong size(String key) {
        Long size = sizes(key, 1).get(key);
        return size == null ? OptionalLong.empty() : OptionalLong.of(size);
    }

    /** One listing: the sizes of the first {@code maxKeys} objects under {@code prefix}, by key. */
    private Map<String, Long> sizes(String prefix, int maxKeys) {
        ListObjectsV2Response listing = s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix).maxKeys(maxKeys));
        Map<String, Long> sizes = new HashMap<>();
        for (S3Object object : listing.contents()) {
            sizes.put(object.key(), object.size());
        }
        return sizes;
    }
}
