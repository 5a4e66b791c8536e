package io.dumpsink.presigner.http;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.presigner.auth.Tokens;
import io.dumpsink.presigner.chat.ChatMessages;
import io.dumpsink.presigner.config.PresignerSettings;
import io.dumpsink.presigner.index.DumpStore;
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

    @Inject
    BrowsePage(Tokens tokens, DumpStore store, StableLinks stableLinks, LinkPresigner presigner,
            PresignerMetrics metrics, PresignerSettings settings) {
        this.tokens = tokens;
        this.store = store;
        this.stableLinks = stableLinks;
        this.presigner = presigner;
        this.metrics = metrics;
        this.settings = settings;
    }

    public void handle(Exchange exchange) throws IOException {
        if (!tokens.browse(exchange.requestHeader("Authorization"))) {
            exchange.setResponseHeader("WWW-Authenticate", "Basic realm=\"dumpsink\", charset=\"UTF-8\"");
            throw new HttpError(401, "log in with any user name and a token as password");
        }
        String prefix = Exchanges.prefix(Exchanges.query(exchange).get("prefix"));
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            throw new HttpError(400, "prefix must end with '/'");
        }
        DumpStore.Folder folder = store.folder(prefix);
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
                        .append(escape(downloadUrl(m.key()))).append("\">download</a></td></tr>");
            }
            html.append("</table>");
        }
        if (folder.folders().isEmpty() && folder.dumps().isEmpty()) {
            html.append("<p>Nothing here yet.</p>");
        }
        html.append("</body></html>");
        Exchanges.send(exchange, 200, "text/html; charset=utf-8", html.toString().getBytes(StandardCharsets.UTF_8));
    }

    private String downloadUrl(String key) {
        if (stableLinks.enabled()) {
            return stableLinks.linkFor(key).orElseThrow().toString();
        }
        metrics.linksSigned.inc();
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
