package io.dumpsink.presigner.http;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.presigner.auth.Principal;
import io.dumpsink.presigner.auth.Tokens;
import io.dumpsink.presigner.chat.ChatMessages;
import io.dumpsink.presigner.config.PresignerSettings;
import io.dumpsink.presigner.index.DumpStore;
import io.dumpsink.presigner.links.LinkAudit;
import io.dumpsink.presigner.links.LinkPresigner;
import io.dumpsink.presigner.links.StableLinks;
import io.dumpsink.presigner.metrics.PresignerMetrics;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /?prefix=...}: the browsable index that replaces nginx autoindex. Folders go cluster → node →
 * namespace → pod → date; a date folder lists its dumps with sizes, time and a download link. Plain HTML, no
 * JavaScript, every value escaped. HTTP Basic with a token as password.
 */
@Singleton
public final class BrowsePage {
    private static final String[] LEVELS = {"clusters", "nodes", "namespaces", "pods", "days", "dumps"};
    private final Tokens tokens;
    private final DumpStore store;
    private final StableLinks stableLinks;
    private final LinkPresigner presigner;
    private final PresignerMetrics metrics;
    private final PresignerSettings settings;
    private final LinkAudit audit;

    @Inject
    BrowsePage(Tokens tokens, DumpStore store, StableLinks stableLinks, LinkPresigner presigner,
            PresignerMetrics metrics, PresignerSettings settings, LinkAudit audit) {
        this.audit = audit;
        this.tokens = tokens;
        this.store = store;
        this.stableLinks = stableLinks;
        this.presigner = presigner;
        this.metrics = metrics;
        this.settings = settings;
    }

    public void handle(Exchange exchange) throws IOException {
        Principal principal = tokens.browse(exchange.requestHeader("Authorization")).orElseThrow(() -> {
            exchange.setResponseHeader("WWW-Authenticate", "Basic realm=\"dumpsink\", charset=\"UTF-8\"");
            return new HttpError(401, "log in with any user name and a token as password");
        });
        if (!principal.may(Principal.Role.READER)) {
            throw new HttpError(403, "this token may only post upload events (role agent); log in with a reader token");
        }
        String prefix = Exchanges.prefix(Exchanges.query(exchange).get("prefix"));
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            throw new HttpError(400, "prefix must end with '/'");
        }
        if (!principal.maySeePrefix(prefix)) {
            throw new HttpError(404, "not found"); // as for a namespace that does not exist
        }
        DumpStore.Folder folder = visible(store.folder(prefix), principal);
        String client = exchange.clientAddress();
        String forwarded = exchange.requestHeader("X-Forwarded-For");
        int depth = prefix.isEmpty() ? 0 : prefix.split("/").length;
        StringBuilder html = new StringBuilder(4096);
        html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>dumpsink: ")
                .append(escape(prefix.isEmpty() ? "/" : prefix))
                .append("</title><style>body{font-family:sans-serif;margin:2em}td,th{padding:.2em .8em;"
                        + "text-align:left}td.n{text-align:right}</style></head><body>");
        html.append("<h1>dumpsink</h1><p>");
        breadcrumb(html, prefix);
        html.append("</p>");
        if (!folder.folders().isEmpty()) {
            html.append("<h2>").append(LEVELS[Math.min(depth, LEVELS.length - 1)]).append("</h2><ul>");
            for (String sub : folder.folders()) {
                String name = sub.substring(prefix.length(), sub.length() - 1);
                html.append("<li><a href=\"/?prefix=").append(escape(url(sub))).append("\">").append(escape(name))
                        .append("/</a></li>");
            }
            html.append("</ul>");
        }
        if (!folder.dumps().isEmpty()) {
            html.append("<h2>dumps</h2><table><tr><th>file</th><th>original size</th><th>stored size</th>"
                    + "<th>written (UTC)</th><th>sha256</th><th></th></tr>");
            for (Manifest m : folder.dumps()) {
                html.append("<tr><td>").append(escape(m.fileName())).append("</td><td class=n>")
                        .append(ChatMessages.humanBytes(m.originalSize())).append("</td><td class=n>")
                        .append(ChatMessages.humanBytes(m.storedSize()))
                        .append("</td><td>").append(escape(String.valueOf(m.modifiedAt()))).append("</td><td><code>")
                        .append(escape(abbreviate(m.sha256()))).append("</code></td><td><a href=\"")
                        .append(escape(downloadUrl(m.key(), principal, client, forwarded)))
                        .append("\">download</a></td></tr>");
            }
            html.append("</table>");
        }
        if (folder.folders().isEmpty() && folder.dumps().isEmpty()) {
            html.append("<p>Nothing here yet.</p>");
        }
        html.append("</body></html>");
        Exchanges.send(exchange, 200, "text/html; charset=utf-8", html.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The folder as this principal may see it: namespaces and dumps of other namespaces left out. */
    private static DumpStore.Folder visible(DumpStore.Folder folder, Principal principal) {
        if (principal.unrestricted()) {
            return folder;
        }
        return new DumpStore.Folder(folder.folders().stream().filter(principal::maySeePrefix).toList(),
                folder.dumps().stream().filter(m -> principal.maySeeKey(m.key())).toList());
    }

    private String downloadUrl(String key, Principal principal, String client, String forwarded) {
        if (stableLinks.enabled()) {
            audit.issued(LinkAudit.Via.BROWSE, principal.id(), "stable", key, client, forwarded);
            return stableLinks.linkFor(key).orElseThrow().toString();
        }
        metrics.linksSigned.inc();
        audit.issued(LinkAudit.Via.BROWSE, principal.id(), "presigned", key, client, forwarded);
        return presigner.presign(key, settings.linkTtl(), io.dumpsink.core.layout.KeyLayout.fileName(key)).url().toString();
    }

    private static void breadcrumb(StringBuilder html, String prefix) {
        html.append("<a href=\"/\">all</a>");
        String path = "";
        for (String part : prefix.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            path += part + "/";
            html.append(" / <a href=\"/?prefix=").append(escape(url(path))).append("\">").append(escape(part))
                    .append("</a>");
        }
    }

    private static String abbreviate(String sha) {
        return sha == null || sha.length() < 12 ? String.valueOf(sha) : sha.substring(0, 12) + "…";
    }

    private static String url(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** HTML-escapes text and attribute values. */
    static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length() + 16);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
