package io.dumpsink.presigner.links;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.presigner.config.PresignerSettings;
import io.dumpsink.presigner.config.StableLinkSettings;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stable links for chat: {@code <public-url>/d/<key>?sig=<HMAC-SHA256(link-secret, key and t)>&t=<issued, epoch
 * seconds>}. Each click is checked and redirected to a fresh short presigned URL, so they outlive SigV4's 7-day limit
 * and expiring session credentials; they stop working {@code stable-link-max-age} after they were issued (the issue
 * time is signed, so it cannot be moved). Changing {@code link-secret} revokes all of them.
 */
@Singleton
public final class StableLinks {
    /** v2: the issue time is signed with the key. v1 links (key only, no age) are no longer accepted. */
    private static final String DOMAIN = "dumpsink-stable-link-v2\n";
    private final Optional<URI> publicUrl;
    private final SecretKeySpec secret;
    private final Duration maxAge;
    private final Clock clock;

    /** What a presented link turned out to be. */
    public enum Check {
        VALID, EXPIRED, INVALID
    }

    @Inject
    StableLinks(PresignerSettings settings, StableLinkSettings stableLinks, Clock clock) {
        this.publicUrl = settings.stableLinks() ? settings.publicUrl() : Optional.empty();
        this.secret = settings.linkSecret().length == 0 ? null : new SecretKeySpec(settings.linkSecret(), "HmacSHA256");
        this.maxAge = stableLinks.maxAge();
        this.clock = clock;
    }

    public boolean enabled() {
        return publicUrl.isPresent();
    }

    public Duration maxAge() {
        return maxAge;
    }

    /** The stable link for a (validated) key issued now, when stable links are configured. */
    public Optional<URI> linkFor(String key) {
        long issued = clock.instant().getEpochSecond();
        return publicUrl.map(base -> URI.create(stripSlash(base.toString()) + "/d/" + key + "?sig=" + sign(key, issued)
                + "&t=" + issued));
    }

    /**
     * Checks a presented link: INVALID when the signature does not match key and time (altered, or signed with
     * another secret), EXPIRED when it is genuine but older than the maximum age, else VALID.
     */
    public Check verify(String key, String signature, String issuedText) {
        if (secret == null || signature == null || issuedText == null || !issuedText.matches("[0-9]{1,12}")) {
            return Check.INVALID;
        }
        long issued = Long.parseLong(issuedText);
        if (!MessageDigest.isEqual(sign(key, issued).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII))) {
            return Check.INVALID;
        }
        return clock.instant().isAfter(Instant.ofEpochSecond(issued).plus(maxAge)) ? Check.EXPIRED : Check.VALID;
    }

    String sign(String key, long issued) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(secret);
            byte[] digest = mac.doFinal((DOMAIN + key + "\n" + issued).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
