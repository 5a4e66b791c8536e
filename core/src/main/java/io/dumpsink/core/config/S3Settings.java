package io.dumpsink.core.config;

import java.net.URI;
import java.util.Optional;

/**
 * How to reach the bucket. Empty credentials mean the AWS default chain (IRSA web identity, EKS pod identity,
 * environment, profile, instance role).
 */
public record S3Settings(
        Optional<URI> endpoint,
        String region,
        String bucket,
        boolean pathStyle,
        String accessKey,
        String secretKey,
        RequestChecksums requestChecksums,
        boolean createBucket,
        Optional<java.nio.file.Path> caFile) {

    /** When the SDK adds its own CRC checksums to requests; many S3-compatible stores reject the trailing form. */
    public enum RequestChecksums {
        AUTO, WHEN_SUPPORTED, WHEN_REQUIRED
    }

    public static S3Settings from(ConfigReader r) {
        Optional<URI> endpoint = r.optionalHttpUrl("dumpsink.s3.endpoint");
        String region = r.nonBlank("dumpsink.s3.region", "any region works for MinIO and most other stores, e.g. us-east-1");
        String bucket = r.nonBlank("dumpsink.s3.bucket", "name the bucket dumps go to");
        if (!bucket.isBlank() && !bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            r.problem("dumpsink.s3.bucket", "'" + bucket + "' is not a valid bucket name (3-63 characters:"
                    + " lower-case letters, digits, '.', '-')");
        }
        String accessKey = r.string("dumpsink.s3.access-key");
        String secretKey = r.string("dumpsink.s3.secret-key");
        if (accessKey.isBlank() != secretKey.isBlank()) {
            r.problem(accessKey.isBlank() ? "dumpsink.s3.access-key" : "dumpsink.s3.secret-key",
                    "set both dumpsink.s3.access-key and dumpsink.s3.secret-key, or neither to use the AWS default"
                            + " credential chain");
        }
        String ca = r.string("dumpsink.s3.ca-file").trim();
        Optional<java.nio.file.Path> caFile = ca.isEmpty() ? Optional.empty() : Optional.of(java.nio.file.Path.of(ca));
        if (caFile.isPresent() && !java.nio.file.Files.isReadable(caFile.get())) {
            r.problem("dumpsink.s3.ca-file", "cannot read '" + ca + "'; mount the PEM bundle of the store's CA there");
        }
        return new S3Settings(endpoint, region, bucket, r.bool("dumpsink.s3.path-style"), accessKey, secretKey,
                r.enumValue("dumpsink.s3.request-checksums", RequestChecksums.class),
                r.bool("dumpsink.s3.create-bucket"), caFile);
    }

    public boolean hasStaticCredentials() {
        return !accessKey.isBlank();
    }

    /** {@code auto}: full checksums against AWS itself, only required ones against any other store. */
    public boolean checksumsWhenRequired() {
        return switch (requestChecksums) {
            case WHEN_REQUIRED -> true;
            case WHEN_SUPPORTED -> false;
            case AUTO -> endpoint.isPresent();
        };
    }

    public String describeEndpoint() {
        return endpoint.map(URI::toString).orElse("AWS S3 (" + region + ")");
    }

    @Override
    public String toString() {
        return "S3Settings[endpoint=" + describeEndpoint() + ", bucket=" + bucket + ", pathStyle=" + pathStyle
                + ", credentials=" + (hasStaticCredentials() ? "static" : "default-chain") + "]";
    }
}
