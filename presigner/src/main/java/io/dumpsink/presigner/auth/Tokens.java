package io.dumpsink.presigner.auth;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.presigner.config.AccessSettings;
import io.dumpsink.presigner.config.PresignerSettings;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns credentials into a {@link Principal}: {@code Authorization: Bearer <token>} on the API, HTTP Basic with the
 * token as password on the browse page. Tokens are kept as SHA-256 digests and compared in constant time against
 * every configured token, so neither timing nor a heap dump of this service gives them away.
 */
@Singleton
public final class Tokens {
    private static final Logger log = LoggerFactory.getLogger(Tokens.class);
    private final List<Entry> entries;
    private final boolean anonymousBrowse;

    private record Entry(byte[] digest, Principal principal) {
    }

    @Inject
    Tokens(AccessSettings access, PresignerSettings settings) {
        List<Entry> list = new ArrayList<>();
        for (AccessSettings.TokenSpec spec : access.tokens()) {
            list.add(new Entry(digest(spec.token()), new Principal(spec.id(), spec.roles(), spec.namespaces())));
        }
        this.entries = List.copyOf(list);
        this.anonymousBrowse = entries.isEmpty() && settings.allowAnonymousBrowse();
        if (access.legacy()) {
            log.warn("dumpsink.presigner.tokens is deprecated: each of its tokens may post events, list and link every"
                    + " namespace. Move them to dumpsink.presigner.access-tokens with a role each, e.g."
                    + " [{ id = agent, role = agent, token = ... }, { id = people, role = reader, token = ... }]");
        }
    }

    /** The principal of {@code Bearer <a configured token>}; empty for anything else. */
    public Optional<Principal> bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        return find(authorization.substring(7).trim());
    }

    /**
     * The principal of HTTP Basic with any user and a configured token as password, or {@link Principal#ANONYMOUS}
     * when browsing is anonymous; empty otherwise.
     */
    public Optional<Principal> browse(String authorization) {
        if (anonymousBrowse) {
            return Optional.of(Principal.ANONYMOUS);
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                    StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon >= 0 ? find(decoded.substring(colon + 1)) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private Optional<Principal> find(String token) {
        byte[] given = digest(token);
        Principal found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(given, entry.digest())) { // no early exit: same time for every token
                found = entry.principal();
            }
        }
        return Optional.ofNullable(found);
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
