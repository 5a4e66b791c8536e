package io.dumpsink.presigner.links;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.presigner.metrics.PresignerMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail of download links: one log line (logger {@code io.dumpsink.presigner.audit}) and one count per
 * link handed out and per stable link clicked. It names who (a token's id, "chat", or "stable-link"; never a
 * token), the dump key and the client's address; the address is the TCP peer (an ingress controller's, behind
 * one) and X-Forwarded-For is logged beside it as given, since a client can write that header itself.
 */
@Singleton
public final class LinkAudit {
    private static final Logger audit = LoggerFactory.getLogger("io.dumpsink.presigner.audit");
    private final PresignerMetrics metrics;

    /** Who a link went to, or which door it came in through. */
    public enum Via {
        API, BROWSE, CHAT, STABLE_LINK
    }

    @Inject
    LinkAudit(PresignerMetrics metrics) {
        this.metrics = metrics;
    }

    /** A link (presigned or stable) was handed out. {@code by}: the token id, or "chat". */
    public void issued(Via via, String by, String kind, String key, String client, String forwardedFor) {
        metrics.linkAudit.labelValues("issued", name(via)).inc();
        audit.info("Link issued via={} by={} kind={} key={} client={} forwardedFor={}", name(via), by, kind, key,
                clean(client), clean(forwardedFor));
    }

    /** A stable link was clicked; {@code result}: redirected, expired, invalid or missing. */
    public void used(String key, String result, String client, String forwardedFor) {
        metrics.linkAudit.labelValues("used", name(Via.STABLE_LINK)).inc();
        audit.info("Link used via=stable-link by=stable-link result={} key={} client={} forwardedFor={}", result, key,
                clean(client), clean(forwardedFor));
    }

    private static String name(Via via) {
        return via.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** Header text as given, made safe for a key=value line: no spaces or control characters, at most 200. */
    private static String clean(String value) {
        if (value == null || value.isEmpty()) {
            return "-";
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), 200));
        for (int i = 0; i < value.length() && out.length() < 200; i++) {
            char c = value.charAt(i);
            out.append(c > 0x20 && c < 0x7f ? c : '_');
        }
        return out.toString();
    }
}
