package io.dumpsink.core.s3;

import io.dumpsink.core.config.S3Settings;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.TrustManager;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.auth.scheme.S3AuthSchemeProvider;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** Builds the one S3 client a process uses, from {@link S3Settings}. The caller owns and closes it. */
public final class S3Clients {
    private S3Clients() {
    }

    public static S3Client create(S3Settings settings, int maxConnections) {
        ApacheHttpClient.Builder http = ApacheHttpClient.builder()
                .maxConnections(maxConnections)
                // An unreachable endpoint must fail startup within seconds, not minutes.
                .connectionTimeout(Duration.ofSeconds(5))
                .socketTimeout(Duration.ofSeconds(60));
        settings.caFile().ifPresent(pem -> {
            TrustManager[] trust = TrustedCertificates.withExtraCas(pem);
            http.tlsTrustManagersProvider(() -> trust);
        });
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(settings.region()))
                .forcePathStyle(settings.pathStyle())
                .credentialsProvider(credentials(settings))
                // No aws-chunked streaming: it copies every byte into fresh per-chunk arrays (and signs each chunk
                // over plain HTTP), which more than doubled the agent's CPU and garbage per uploaded byte. Parts are
                // in memory anyway, so the SDK hashes or checksums each one in a single pass instead.
                .serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build())
                .httpClientBuilder(http);
        if (settings.checksumsWhenRequired()) {
            builder.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                    // Content-MD5 where the API requires one (bucket lifecycle on MinIO and others).
                    .addPlugin(LegacyMd5Plugin.create())
                    .authSchemeProvider(signedPayloads());
        } else {
            builder.requestChecksumCalculation(RequestChecksumCalculation.WHEN_SUPPORTED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_SUPPORTED);
        }
        settings.endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /**
     * S3's own auth schemes, with SigV4 signing every payload's SHA-256, over HTTPS too (the SDK signs them over
     * plain HTTP anyway). Without the SDK's checksums (stores that take none), this is how a store refuses a part
     * that is not what the agent sent, end to end, whatever terminates TLS on the way. The digest alone costs 0.58
     * CPU-s per GB on a core with SHA extensions, where the Content-MD5 the agent computed before cost 1.35 s
     * (bench/Components.java; the SDK adds a copy of the part as it reads it to hash).
     */
    static S3AuthSchemeProvider signedPayloads() {
        S3AuthSchemeProvider defaults = S3AuthSchemeProvider.defaultProvider();
        return params -> defaults.resolveAuthScheme(params).stream()
                .map(option -> option.toBuilder()
                        .putSignerProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, true).build())
                .toList();
    }

    /**
     * A presigner whose URLs point at {@code publicEndpoint} when given (the name users reach S3 by), otherwise at
     * the configured endpoint. Signing is local: no request is sent. The caller closes it.
     */
    public static S3Presigner presigner(S3Settings settings, Optional<URI> publicEndpoint) {
        S3Presigner.Builder builder = S3Presigner.builder()
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials(settings))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build());
        publicEndpoint.or(settings::endpoint).ifPresent(builder::endpointOverride);
        return builder.build();
    }

    /** The credentials the settings call for: static keys, or the AWS default chain. The caller closes it. */
    public static AwsCredentialsProvider credentials(S3Settings settings) {
        if (settings.hasStaticCredentials()) {
            return StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
        }
        return DefaultCredentialsProvider.builder().build();
    }
}
