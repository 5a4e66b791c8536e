package io.dumpsink.core.manifest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * What the agent records next to each dump object, at {@code <dump key>.json}: where the dump came from, its
 * size and SHA-256 before compression, and how it was stored. Readers (the presigner, people with {@code aws s3
 * cp}) trust a dump object only when its manifest exists.
 *
 * @param key          the dump object's key
 * @param fileName     the file's path below the pod folder, exactly as found on the node
 * @param sourcePath   the file's path on the node, for the operator who wonders where it came from
 * @param sourceIdentity the file's device, inode, size and modification time when it was read: a restarted agent
 *                     that finds this manifest for the same file knows the dump is already stored
 * @param originalSize bytes of the dump before compression
 * @param sha256       lower-case hex SHA-256 of the original bytes (decompress and compare)
 * @param storedSize   bytes of the object in the bucket
 * @param compression  {@code zstd} (independent frames, one per chunk; {@code zstd -d} reads it as one stream)
 *                     or {@code none}
 * @param chunkSize    input bytes per zstd frame
 * @param parts        number of multipart parts
 * @param modifiedAt   the file's last modification on the node (when the JVM finished writing it)
 * @param detectedAt   when the agent first saw the file
 * @param uploadedAt   when the object was completed in the bucket
 * @param format       what the file is: {@code hprof}, {@code hprof.gz} (a gzip-compressed heap dump from
 *                     {@code -XX:HeapDumpGzipLevel}, stored as it is, without zstd), {@code hprof-segment} (a
 *                     segment a JDK 22+ JVM left when it died mid-dump) or {@code other}; null in manifests written
 *                     before this field existed
 * @param complete     for heap dumps: true when the file ended with the HEAP DUMP END record, false when it was
 *                     shipped truncated (its JVM died mid-dump; {@code agent.incomplete-wait}); null when not
 *                     checked (other files, older manifests)
 * @param seekTable    true when the object ends with a zstd seek table (the seekable format's skippable frame, which
 *                     {@code zstd -d} skips), so readers can fetch and decompress frames in parallel; null or false
 *                     for objects without one ({@code compression: none}, manifests written before tables existed)
 * @param summary      for heap dumps: what filled the heap ({@link HeapSummary}), read while the dump was uploaded;
 *                     {@code status = missing} with a reason when it could not be read; null for other files, when
 *                     {@code agent.heap-summary} is off, and in older manifests
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(
        int version,
        String key,
        String bucket,
        String cluster,
        String node,
        String namespace,
        String pod,
        String fileName,
        String sourcePath,
        String sourceIdentity,
        long originalSize,
        String sha256,
        long storedSize,
        String compression,
        long chunkSize,
        int parts,
        Instant modifiedAt,
        Instant detectedAt,
        Instant uploadedAt,
        String agentVersion,
        String format,
        Boolean complete,
        Boolean seekTable,
        @JsonInclude(JsonInclude.Include.NON_NULL) HeapSummary summary) {

    public static final int CURRENT_VERSION = 1;

    /** A manifest without a seek table or a heap summary, as written before either existed. */
    public Manifest(int version, String key, String bucket, String cluster, String node, String namespace, String pod,
            String fileName, String sourcePath, String sourceIdentity, long originalSize, String sha256,
            long storedSize, String compression, long chunkSize, int parts, Instant modifiedAt, Instant detectedAt,
            Instant uploadedAt, String agentVersion, String format, Boolean complete) {
        this(version, key, bucket, cluster, node, namespace, pod, fileName, sourcePath, sourceIdentity, originalSize,
                sha256, storedSize, compression, chunkSize, parts, modifiedAt, detectedAt, uploadedAt, agentVersion,
                format, complete, null, null);
    }

    /** Whether the object ends with a seek table. */
    public boolean hasSeekTable() {
        return Boolean.TRUE.equals(seekTable);
    }
}
