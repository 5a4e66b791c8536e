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
 * Presigned GET URLs for dump objects, signed for the endpoint users reach ({@code s3-public-endpoint} when set).
 * Signing is local computation: no request to S3. Callers validate the key first; this class signs what it gets.
 */
@Singleton
public final class LinkPresigner {
    private final S3Presigner presigner;
    private final String bucket;
    private final Clock clock;

    /** A presigned URL and when it stops working. */
    public record PresignedLink(URI url, Instant expiresAt) {
    }

    @Inject
    LinkPresigner(S3Settings s3, PresignerSettings settings, Clock clock, Closer closer) {
        this.presigner = closer.register(S3Clients.presigner(s3, settings.s3PublicEndpoint()));
        this.bucket = s3.bucket();
        this.clock = clock;
    }

    public PresignedLink presign(String key, Duration ttl, String downloadName) {
        Instant now = clock.instant();
        PresignedGetObjectRequest request = presigner.presignGetObject(b -> b
                .signatureDuration(ttl)
                .getObjectRequest(g -> g.bucket(bucket).key(key)
                        .responseContentDisposition("attachment; filename=\"" + downloadName + "\"")));
        return new PresignedLink(URI.create(request.url().toString()), now.plus(ttl));
    }
}
