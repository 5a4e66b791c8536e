package io.dumpsink.presigner.config;

import io.dumpsink.core.config.ConfigReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The presigner's own settings (the S3 connection is {@link io.dumpsink.core.config.S3Settings}). */
public record PresignerSettings(int port, Optional<URI> publicUrl, List<String> tokens, byte[] linkSecret,
        Duration linkTtl, Duration maxLinkTtl, Duration stableLinkTtl, Optional<URI> s3PublicEndpoint,
        boolean allowAnonymousBrowse, int pageSize, ChatSettings chat) {

    /** SigV4's hard limit for presigned URLs. */
    public static final Duration SIGV4_MAX = Duration.ofDays(7);
    private static final int MIN_SECRET_LENGTH = 32;
    private static final int MIN_TOKEN_LENGTH = 16;

    public enum ChatFormat {
        SLACK, GENERIC
    }

    public record ChatSettings(Optional<URI> webhookUrl, ChatFormat format) {
        @Override
        public String toString() {
            return "ChatSettings[webhook=" + (webhookUrl.isPresent() ? "***" : "none") + ", format=" + format + "]";
        }
    }

    public static PresignerSettings from(ConfigReader r) {
        Optional<URI> publicUrl = r.optionalHttpUrl("dumpsink.presigner.public-url");
        List<String> tokens = r.stringList("dumpsink.presigner.tokens");
        for (String token : tokens) {
            if (token.length() < MIN_TOKEN_LENGTH) {
                r.problem("dumpsink.presigner.tokens", "every token needs at least " + MIN_TOKEN_LENGTH
                        + " characters (e.g. from `openssl rand -hex 24`)");
                break;
            }
        }
        String secret = r.string("dumpsink.presigner.link-secret");
        if (publicUrl.isPresent() && secret.isBlank()) {
            r.problem("dumpsink.presigner.link-secret", "required when dumpsink.presigner.public-url is set"
                    + " (stable links are signed with it); generate one with `openssl rand -hex 32`");
        } else if (!secret.isBlank() && secret.length() < MIN_SECRET_LENGTH) {
            r.problem("dumpsink.presigner.link-secret", "needs at least " + MIN_SECRET_LENGTH + " characters");
        }
        Duration linkTtl = r.positiveDuration("dumpsink.presigner.link-ttl");
        Duration maxLinkTtl = r.positiveDuration("dumpsink.presigner.max-link-ttl");
        if (maxLinkTtl.compareTo(SIGV4_MAX) > 0) {
            r.problem("dumpsink.presigner.max-link-ttl", "at most 7d: SigV4 presigned URLs cannot live longer");
        }
        if (linkTtl.compareTo(maxLinkTtl) > 0) {
            r.problem("dumpsink.presigner.link-ttl", "must not exceed dumpsink.presigner.max-link-ttl ("
                    + maxLinkTtl + ")");
        }
        Duration stableLinkTtl = r.positiveDuration("dumpsink.presigner.stable-link-ttl");
        if (stableLinkTtl.compareTo(maxLinkTtl) > 0) {
            r.problem("dumpsink.presigner.stable-link-ttl", "must not exceed dumpsink.presigner.max-link-ttl");
        }
        ChatSettings chat = new ChatSettings(r.optionalHttpUrl("dumpsink.presigner.chat.webhook-url"),
                r.enumValue("dumpsink.presigner.chat.format", ChatFormat.class));
        return new PresignerSettings(r.port("dumpsink.presigner.port"), publicUrl, tokens,
                secret.getBytes(StandardCharsets.UTF_8), linkTtl, maxLinkTtl, stableLinkTtl,
                r.optionalHttpUrl("dumpsink.presigner.s3-public-endpoint"),
                r.bool("dumpsink.presigner.allow-anonymous-browse"),
                r.intInRange("dumpsink.presigner.page-size", 1, 1000), chat);
    }

    public boolean stableLinks() {
        return publicUrl.isPresent() && linkSecret.length > 0;
    }

    @Override
    public String toString() {
        return "PresignerSettings[port=" + port + ", publicUrl=" + publicUrl + ", tokens=" + tokens.size()
                + ", linkSecret=" + (linkSecret.length > 0 ? "***" : "none") + ", linkTtl=" + linkTtl
                + ", maxLinkTtl=" + maxLinkTtl + ", chat=" + chat + "]";
    }
}
