package io.dumpsink.presigner.links;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.lifecycle.Closer;
import io.dumpsink.core.s3.S3Clients;
import io.dumpsink.presigner.config.PresignerSettings;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedGetObjectRequest;

/**
 * Presigned GET URLs for dump objects, signed for the endpoint users reach ({@code s3-public-endpoint} when set,
 * else {@code s3.endpoint}). Signing is local computation: no request to S3. With an endpoint configured the
 * {@link QueryStringSigner} signs (several times faster); against AWS itself the SDK's presigner does, for its
 * endpoint rules. Callers validate the key first; this class signs what it gets.
 */
@Singleton
public final class LinkPresigner {
    private final S3Presigner presigner;
    private final QueryStringSigner signer;
    private final String bucket;
    private final Clock clock;

    /** A presigned URL and when it stops working. */
    public record PresignedLink(URI url, Instant expiresAt) {
    }

    @Inject
    LinkPresigner(S3Settings s3, PresignerSettings settings, Clock clock, Closer closer) {
        this.bucket = s3.bucket();
        this.clock = clock;
        java.util.Optional<URI> endpoint = settings.s3PublicEndpoint().or(s3::endpoint);
        if (endpoint.isPresent()) {
            software.amazon.awssdk.auth.credentials.AwsCredentialsProvider credentials = S3Clients.credentials(s3);
            if (credentials instanceof AutoCloseable closeable) {
                closer.register(closeable); // the default chain holds refresh threads and clients
            }
            this.signer = new QueryStringSigner(credentials, s3.region(), endpoint.get(), s3.pathStyle(),
                    s3.bucket());
            this.presigner = null;
        } else {
            this.signer = null;
            this.presigner = closer.register(S3Clients.presigner(s3, settings.s3PublicEndpoint()));
        }
    }

    public PresignedLink presign(String key, Duration ttl, String downloadName) {
        Instant now = clock.instant();
        String disposition = "attachment; filename=\"" + downloadName + "\"";
        if (signer != null) {
            return new PresignedLink(signer.presignGet(key, ttl, disposition, now), now.plus(ttl));
        }
        PresignedGetObjectRequest request = presigner.presignGetObject(b -> b
                .signatureDuration(ttl)
                .getObjectRequest(g -> g.bucket(bucket).key(key)
                        .responseContentDisposition(disposition)));
        return new PresignedLink(URI.create(request.url().toString()), now.plus(ttl));
    }
}
