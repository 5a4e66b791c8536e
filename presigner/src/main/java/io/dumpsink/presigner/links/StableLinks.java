package io.dumpsink.presigner.links;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.presigner.config.PresignerSettings;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stable links for chat: {@code <public-url>/d/<key>?sig=<HMAC-SHA256(link-secret, key)>}. They never expire by
 * themselves; each click is checked and redirected to a fresh short presigned URL, so they outlive SigV4's 7-day
 * limit and expiring session credentials. Changing {@code link-secret} revokes all of them.
 */
@Singleton
public final class StableLinks {
    private static final String DOMAIN = "dumpsink-stable-link-v1\n";
    private final Optional<URI> publicUrl;
    private final SecretKeySpec secret;

    @Inject
    StableLinks(PresignerSettings settings) {
        this.publicUrl = settings.stableLinks() ? settings.publicUrl() : Optional.empty();
        this.secret = settings.linkSecret().length == 0 ? null : new SecretKeySpec(settings.linkSecret(), "HmacSHA256");
    }

    public boolean enabled() {
        return publicUrl.isPresent();
    }

    /** The stable link for a (validated) key, when stable links are configured. */
    public Optional<URI> linkFor(String key) {
        return publicUrl.map(base -> URI.create(stripSlash(base.toString()) + "/d/" + key + "?sig=" + sign(key)));
    }

    public boolean verify(String key, String signature) {
        if (secret == null || signature == null) {
            return false;
        }
        return MessageDigest.isEqual(sign(key).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
    }

    String sign(String key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(secret);
            byte[] digest = mac.doFinal((DOMAIN + key).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
