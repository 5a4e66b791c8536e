package io.dumpsink.presigner.http;

import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.presigner.auth.Principal;
import io.dumpsink.presigner.index.DumpStore;
import java.io.IOException;

/**
 * {@code GET /browse?prefix=...}: the bucket as folders, cluster → node → namespace → pod → day, a day listing its
 * dumps. The second way in, next to the front page's newest-first list; one delimiter listing per page.
 */
final class TreePage {
    private static final String[] LEVELS = {"Clusters", "Nodes", "Namespaces", "Pods", "Days", "Dumps"};
    private final DumpStore store;

    TreePage(DumpStore store) {
        this.store = store;
    }

    void handle(Exchange exchange, String prefix, Principal principal) throws IOException {
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            throw new HttpError(400, "prefix must end with '/'");
        }
        if (!principal.maySeePrefix(prefix)) {
            throw new HttpError(404, "not found"); // as for a namespace that does not exist
        }
        DumpStore.Folder folder = visible(store.folder(prefix), principal);
        int depth = prefix.isEmpty() ? 0 : prefix.split("/").length;
        StringBuilder html = Html.start(prefix.isEmpty() ? "Browse by folder" : prefix);
        html.append("<h1>Browse by folder</h1><nav aria-label=\"breadcrumb\" class=\"crumbs\">");
        breadcrumb(html, prefix);
        html.append("</nav>");
        if (!folder.folders().isEmpty()) {
            html.append("<h2>").append(LEVELS[Math.min(depth, LEVELS.length - 1)]).append("</h2><ul class=\"folders\">");
            for (String sub : folder.folders()) {
                String name = sub.substring(prefix.length(), sub.length() - 1);
                html.append("<li><a href=\"/browse?prefix=").append(Html.escape(Html.url(sub))).append("\">")
                        .append(Html.escape(name)).append("/</a></li>");
            }
            html.append("</ul>");
        }
        if (!folder.dumps().isEmpty()) {
            html.append("<h2>Dumps</h2><ul class=\"folders\">");
            for (Manifest m : folder.dumps()) {
                html.append("<li><a href=\"").append(Html.escape(Html.dumpPath(m.key()))).append("\">")
                        .append(Html.escape(m.fileName())).append("</a> <span class=\"muted\">")
                        .append(Html.time(m.uploadedAt())).append(" UTC, ").append(Html.bytes(m.originalSize()))
                        .append("</span></li>");
            }
            html.append("</ul>");
        }
        if (folder.folders().isEmpty() && folder.dumps().isEmpty()) {
            html.append("<p>Nothing here yet.</p>");
        }
        Html.send(exchange, html);
    }

    private static void breadcrumb(StringBuilder html, String prefix) {
        html.append("<a href=\"/browse\">all</a>");
        StringBuilder path = new StringBuilder();
        for (String part : prefix.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            path.append(part).append('/');
            html.append(" / <a href=\"/browse?prefix=").append(Html.escape(Html.url(path.toString()))).append("\">")
                    .append(Html.escape(part)).append("</a>");
        }
    }

    /** The folder as this principal may see it: namespaces and dumps of other namespaces left out. */
    private static DumpStore.Folder visible(DumpStore.Folder folder, Principal principal) {
        if (principal.unrestricted()) {
            return folder;
        }
        return new DumpStore.Folder(folder.folders().stream().filter(principal::maySeePrefix).toList(),
                folder.dumps().stream().filter(m -> principal.maySeeKey(m.key())).toList());
    }
}
