package io.dumpsink.presigner.http;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.presigner.config.PresignerSettings;
import io.dumpsink.presigner.index.DumpStore;
import io.dumpsink.presigner.links.LinkAudit;
import io.dumpsink.presigner.links.LinkPresigner;
import io.dumpsink.presigner.links.StableLinks;
import io.dumpsink.presigner.metrics.PresignerMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code GET /d/<key>?sig=...&t=...}: checks the link's HMAC (403 when key, time or signature was altered) and its
 * age (410 with a page saying what to do once it is older than {@code stable-link-max-age}), then redirects to a
 * fresh presigned URL of {@code stable-link-ttl}. The signature is the credential: links are posted to chat for
 * people who have no token. Every click is audited.
 */
@Singleton
public final class StableLinkRoute {
    private final StableLinks links;
    private final DumpStore store;
    private final LinkPresigner presigner;
    private final PresignerMetrics metrics;
    private final PresignerSettings settings;
    private final LinkAudit audit;

    @Inject
    StableLinkRoute(StableLinks links, DumpStore store, LinkPresigner presigner, PresignerMetrics metrics,
            PresignerSettings settings, LinkAudit audit) {
        this.links = links;
        this.store = store;
        this.presigner = presigner;
        this.metrics = metrics;
        this.settings = settings;
        this.audit = audit;
    }

    public void handle(Exchange exchange, String rawPath) throws IOException {
        if (!links.enabled()) {
            throw new HttpError(404, "stable links are not configured");
        }
        if (!"GET".equals(exchange.method()) && !"HEAD".equals(exchange.method())) {
            throw new HttpError(405, "use GET");
        }
        String key = Exchanges.dumpKey(rawPath.substring("/d/".length()));
        Map<String, String> query = Exchanges.query(exchange);
        String client = exchange.clientAddress();
        String forwarded = exchange.requestHeader("X-Forwarded-For");
        switch (links.verify(key, query.get("sig"), query.get("t"))) {
            case INVALID -> {
                audit.used(key, "invalid", client, forwarded);
                throw new HttpError(403, "this link is not valid (altered, or its secret was rotated)");
            }
            case EXPIRED -> {
                audit.used(key, "expired", client, forwarded);
                String days = links.maxAge().toDays() >= 1 ? links.maxAge().toDays() + " days"
                        : Math.max(1, links.maxAge().toHours()) + " hours";
                Exchanges.send(exchange, 410, "text/html; charset=utf-8", ("<!doctype html><html><head>"
                        + "<meta charset=\"utf-8\"><title>dumpsink: link expired</title></head><body>"
                        + "<h1>This download link has expired</h1><p>Links posted to chat work for " + days
                        + " after they were posted. The dump may still be stored: find it on the dumpsink browse page"
                        + " (log in with a reader token), or ask whoever runs dumpsink for a new link.</p>"
                        + "</body></html>").getBytes(StandardCharsets.UTF_8));
                return;
            }
            case VALID -> {
            }
        }
        if (store.manifest(key).isEmpty()) {
            audit.used(key, "missing", client, forwarded);
            throw new HttpError(404, "this dump no longer exists");
        }
        LinkPresigner.PresignedLink link = presigner.presign(key, settings.stableLinkTtl(),
                io.dumpsink.core.layout.KeyLayout.fileName(key));
        metrics.linksSigned.inc();
        audit.used(key, "redirected", client, forwarded);
        exchange.setResponseHeader("Location", link.url().toString());
        Exchanges.send(exchange, 302, "text/plain", new byte[0]);
    }
}
