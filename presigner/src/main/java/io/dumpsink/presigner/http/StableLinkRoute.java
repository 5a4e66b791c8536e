package io.dumpsink.presigner.http;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.presigner.config.PresignerSettings;
import io.dumpsink.presigner.index.DumpStore;
import io.dumpsink.presigner.links.LinkPresigner;
import io.dumpsink.presigner.links.StableLinks;
import io.dumpsink.presigner.metrics.PresignerMetrics;
import java.io.IOException;

/**
 * {@code GET /d/<key>?sig=...}: checks the link's HMAC (403 when key or signature was altered), then redirects to
 * a fresh presigned URL of {@code stable-link-ttl}. The signature is the credential: links are posted to chat for
 * people who have no token.
 */
@Singleton
public final class StableLinkRoute {
    private final StableLinks links;
    private final DumpStore store;
    private final LinkPresigner presigner;
    private final PresignerMetrics metrics;
    private final PresignerSettings settings;

    @Inject
    StableLinkRoute(StableLinks links, DumpStore store, LinkPresigner presigner, PresignerMetrics metrics,
            PresignerSettings settings) {
        this.links = links;
        this.store = store;
        this.presigner = presigner;
        this.metrics = metrics;
        this.settings = settings;
    }

    public void handle(Exchange exchange, String rawPath) throws IOException {
        if (!links.enabled()) {
            throw new HttpError(404, "stable links are not configured");
        }
        if (!"GET".equals(exchange.method()) && !"HEAD".equals(exchange.method())) {
            throw new HttpError(405, "use GET");
        }
        String key = Exchanges.dumpKey(rawPath.substring("/d/".length()));
        if (!links.verify(key, Exchanges.query(exchange).get("sig"))) {
            throw new HttpError(403, "this link is not valid (altered, or its secret was rotated)");
        }
        store.manifest(key).orElseThrow(() -> new HttpError(404, "this dump no longer exists"));
        LinkPresigner.PresignedLink link = presigner.presign(key, settings.stableLinkTtl(),
                io.dumpsink.core.layout.KeyLayout.fileName(key));
        metrics.linksSigned.inc();
        exchange.setResponseHeader("Location", link.url().toString());
        Exchanges.send(exchange, 302, "text/plain", new byte[0]);
    }
}
