package io.dumpsink.presigner.auth;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.presigner.config.PresignerSettings;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;

/**
 * Checks credentials against the configured tokens: {@code Authorization: Bearer <token>} on the API, HTTP Basic
 * with the token as password on the browse page. Tokens are kept as SHA-256 digests and compared in constant time,
 * so neither timing nor a heap dump of this service gives them away.
 */
@Singleton
public final class Tokens {
    private final List<byte[]> digests;
    private final boolean anonymousBrowse;

    @Inject
    Tokens(PresignerSettings settings) {
        this.digests = settings.tokens().stream().map(Tokens::digest).toList();
        this.anonymousBrowse = settings.tokens().isEmpty() && settings.allowAnonymousBrowse();
    }

    /** True for {@code Bearer <a configured token>}. No tokens configured means no API access at all. */
    public boolean bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return matches(authorization.substring(7).trim());
    }

    /** True for HTTP Basic with any user and a configured token as password, or when browsing is anonymous. */
    public boolean browse(String authorization) {
        if (anonymousBrowse) {
            return true;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                    StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon >= 0 && matches(decoded.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private boolean matches(String token) {
        byte[] given = digest(token);
        boolean found = false;
        for (byte[] expected : digests) {
            found |= MessageDigest.isEqual(given, expected); // no early exit: same time for every token
        }
        return found;
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
