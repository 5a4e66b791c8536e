package io.dumpsink.presigner.http;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.layout.KeyLayout;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.presigner.auth.Principal;
import io.dumpsink.presigner.auth.Tokens;
import io.dumpsink.presigner.config.BrowseSettings;
import io.dumpsink.presigner.config.PresignerSettings;
import io.dumpsink.presigner.index.DumpIndex;
import io.dumpsink.presigner.index.DumpStore;
import io.dumpsink.presigner.links.LinkAudit;
import io.dumpsink.presigner.links.LinkPresigner;
import io.dumpsink.presigner.links.StableLinks;
import io.dumpsink.presigner.metrics.PresignerMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The browse pages, for people: {@code /} the newest dumps with filters, {@code /dumps/<key>} one dump,
 * {@code /download/<key>} its original file, {@code /browse?prefix=} the folder tree, {@code /style.css}. Plain
 * server-rendered HTML, no JavaScript, every value escaped. HTTP Basic with a token as password, on every path.
 * Old links {@code /?prefix=...} are redirected to the tree.
 */
@Singleton
public final class BrowsePage {
    /** The stylesheet's path carries its content's hash, so it can be cached for good. */
    static final String STYLESHEET;
    private static final byte[] CSS;

    static {
        try (InputStream in = BrowsePage.class.getResourceAsStream("/browse/style.css")) {
            CSS = in.readAllBytes();
            STYLESHEET = "/style.css?v=" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(CSS))
                    .substring(0, 12);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private final Tokens tokens;
    private final DumpStore store;
    private final StableLinks stableLinks;
    private final LinkAudit audit;
    private final FrontPage front;
    private final TreePage tree;
    private final DumpPage dump;
    private final OriginalDownload original;

    @Inject
    BrowsePage(Tokens tokens, DumpStore store, DumpIndex index, StableLinks stableLinks, LinkPresigner presigner,
            PresignerMetrics metrics, PresignerSettings settings, S3Settings s3, BrowseSettings browse,
            LinkAudit audit) {
        this.tokens = tokens;
        this.store = store;
        this.stableLinks = stableLinks;
        this.audit = audit;
        this.front = new FrontPage(index, store, settings.pageSize());
        this.tree = new TreePage(store);
        this.dump = new DumpPage(new DumpPage.Commands(s3.bucket(), settings.s3PublicEndpoint().or(s3::endpoint)),
                key -> {
                    if (stableLinks.enabled()) {
                        return stableLinks.linkFor(key).orElseThrow().toString();
                    }
                    metrics.linksSigned.inc();
                    return presigner.presign(key, settings.linkTtl(), KeyLayout.fileName(key)).url().toString();
                }, stableLinks::linkFor);
        this.original = new OriginalDownload(store);
    }

    /** Serves every browse path; {@code path} is the raw, already checked request path. */
    public void handle(Exchange exchange, String path) throws IOException {
        Principal principal = tokens.browse(exchange.requestHeader("Authorization")).orElseThrow(() -> {
            exchange.setResponseHeader("WWW-Authenticate", "Basic realm=\"dumpsink\", charset=\"UTF-8\"");
            return new HttpError(401, "log in with any user name and a token as password");
        });
        if (!principal.may(Principal.Role.READER)) {
            throw new HttpError(403, "this token may only post upload events (role agent); log in with a reader token");
        }
        String method = exchange.method();
        if (!"GET".equals(method) && !"HEAD".equals(method)) {
            throw new HttpError(405, "use GET");
        }
        Map<String, String> params = Exchanges.query(exchange);
        if (path.equals("/")) {
            if (params.containsKey("prefix")) {
                // Links from before the front page existed: the tree lives at /browse now.
                String prefix = Exchanges.prefix(params.get("prefix"));
                exchange.setResponseHeader("Location", "/browse?prefix=" + Html.url(prefix));
                Exchanges.send(exchange, 301, "text/plain", new byte[0]);
                return;
            }
            try {
                front.handle(exchange, params, principal);
            } catch (HttpError e) {
                if (e.status() != 400) {
                    throw e;
                }
                badFilter(exchange, e.getMessage());
            }
        } else if (path.equals("/browse")) {
            tree.handle(exchange, Exchanges.prefix(params.get("prefix")), principal);
        } else if (path.equals("/style.css")) {
            stylesheet(exchange);
        } else if (path.startsWith("/dumps/")) {
            Manifest m = manifest(path.substring("/dumps/".length()), principal);
            // The page carries a download link to the stored object and, when on, the stable link.
            audit.issued(LinkAudit.Via.BROWSE, principal.id(), stableLinks.enabled() ? "stable" : "presigned", m.key(),
                    exchange.clientAddress(), exchange.requestHeader("X-Forwarded-For"));
            dump.handle(exchange, m);
        } else if (path.startsWith("/download/")) {
            Manifest m = manifest(path.substring("/download/".length()), principal);
            audit.issued(LinkAudit.Via.BROWSE, principal.id(), "original", m.key(), exchange.clientAddress(),
                    exchange.requestHeader("X-Forwarded-For"));
            original.handle(exchange, m);
        } else {
            throw new HttpError(404, "not found");
        }
    }

    /** A person who typed a bad filter gets a page that says so, with a way back, rather than JSON. */
    private static void badFilter(Exchange exchange, String message) throws IOException {
        StringBuilder html = Html.start("Bad filter");
        html.append("<h1>Bad filter</h1><p class=\"notice bad\">").append(Html.escape(message))
                .append("</p><p><a href=\"/\">All dumps, newest first</a></p>");
        html.append("</main></body></html>");
        Exchanges.send(exchange, 400, "text/html; charset=utf-8",
                html.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** True for the paths {@link #handle} serves: the server's router asks. */
    public static boolean serves(String path) {
        return path.equals("/") || path.equals("/browse") || path.equals("/style.css") || path.startsWith("/dumps/")
                || path.startsWith("/download/");
    }

    /** The dump's manifest; 404 alike for a dump that does not exist and one this principal may not see. */
    private Manifest manifest(String key, Principal principal) {
        return store.manifest(Exchanges.dumpKey(key), principal::maySeeKey)
                .orElseThrow(() -> new HttpError(404, "no such dump"));
    }

    private static void stylesheet(Exchange exchange) {
        exchange.setResponseHeader("X-Content-Type-Options", "nosniff");
        // Private: it sits behind the browse page's password. Its URL changes with its content.
        exchange.setResponseHeader("Cache-Control", "private, max-age=31536000, immutable");
        exchange.send(200, "text/css; charset=utf-8", CSS); // not Exchanges.send: that says no-store
    }
}
