package io.dumpsink.presigner.http;

import io.dumpsink.core.manifest.HeapSummary;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.presigner.auth.Principal;
import io.dumpsink.presigner.index.DumpIndex;
import io.dumpsink.presigner.index.DumpStore;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /}: the newest dumps across the cluster, a page at a time, with filters by namespace, pod and time
 * that live in the URL (a GET form), so a filtered view can be pasted into chat. The order and the filters come
 * from {@link DumpIndex}; only the shown page's manifests are read.
 */
final class FrontPage {
    private final DumpIndex index;
    private final DumpStore store;
    private final int pageSize;

    FrontPage(DumpIndex index, DumpStore store, int pageSize) {
        this.index = index;
        this.store = store;
        this.pageSize = pageSize;
    }

    void handle(Exchange exchange, Map<String, String> params, Principal principal) throws IOException {
        DumpFilters filters = DumpFilters.from(params);
        Optional<String> prefix = filters.query().prefix();
        if (prefix.isPresent() && !principal.maySeePrefix(prefix.get())) {
            throw new HttpError(404, "not found"); // as for a namespace that does not exist
        }
        ManifestPage page = ManifestPage.of(index, store, filters.query(), pageSize, principal::maySeeKey);
        StringBuilder html = Html.start("Newest dumps");
        html.append("<h1>Newest dumps</h1>");
        if (!index.loaded()) {
            html.append("<p class=\"notice\" role=\"status\">The index is still loading (the first listing of the "
                    + "bucket): ").append(index.size()).append(" dumps so far. Reload in a few seconds for all.</p>");
        }
        form(html, filters, principal);
        if (page.manifests().isEmpty()) {
            html.append("<p>").append(filters.any() || filters.query().after().isPresent()
                    ? "No dumps match these filters." : "No dumps stored yet.").append("</p>");
        } else {
            table(html, page);
        }
        html.append("<nav class=\"pager\" aria-label=\"pages\">");
        if (filters.query().after().isPresent()) {
            html.append("<a href=\"").append(Html.escape(link(filters, Optional.empty()))).append("\">Newest</a> ");
        }
        if (page.next().isPresent()) {
            html.append("<a rel=\"next\" href=\"").append(Html.escape(link(filters, page.next())))
                    .append("\">Older dumps →</a>");
        }
        html.append("</nav><p class=\"muted\">");
        if (principal.unrestricted()) { // a scoped reader learns nothing of other namespaces, not even a count
            html.append(index.size()).append(" dumps indexed; ");
        }
        html.append("index of the bucket");
        index.lastListing().ifPresent(t -> html.append(" last listed ").append(Html.time(t)).append(" UTC"));
        html.append(". Times are UTC, when the dump was stored.</p>");
        Html.send(exchange, html);
    }

    private void form(StringBuilder html, DumpFilters f, Principal principal) {
        html.append("<form class=\"filters\" method=\"get\" action=\"/\" role=\"search\">")
                .append(field("namespace", "Namespace", "text", f.namespace(), " list=\"namespaces\""))
                .append("<datalist id=\"namespaces\">");
        for (String namespace : index.namespaces().stream().filter(principal::maySee).toList()) {
            html.append("<option value=\"").append(Html.escape(namespace)).append("\">");
        }
        html.append("</datalist>")
                .append(field("pod", "Pod (or its beginning)", "text", f.pod(), ""))
                .append(field("from", "Stored from (UTC)", "datetime-local", f.fromText(), ""))
                .append(field("to", "Stored until (UTC)", "datetime-local", f.toText(), ""))
                .append("<div class=\"buttons\"><button type=\"submit\">Filter</button> <a href=\"/\">Clear</a></div>")
                .append("</form>");
    }

    private static String field(String name, String label, String type, Optional<String> value, String extra) {
        return "<div class=\"field\"><label for=\"" + name + "\">" + label + "</label><input id=\"" + name
                + "\" name=\"" + name + "\" type=\"" + type + "\" value=\"" + Html.escape(value.orElse(""))
                + "\"" + extra + "></div>";
    }

    private static void table(StringBuilder html, ManifestPage page) {
        html.append("<table class=\"dumps\"><thead><tr><th scope=\"col\">Stored (UTC)</th>")
                .append("<th scope=\"col\">Namespace / pod</th><th scope=\"col\">Node</th>")
                .append("<th scope=\"col\">File</th><th scope=\"col\">Size (original → stored)</th>")
                .append("<th scope=\"col\">Complete</th><th scope=\"col\">Top class</th></tr></thead><tbody>");
        for (Manifest m : page.manifests()) {
            html.append("<tr><td data-label=\"Stored (UTC)\"><a href=\"").append(Html.escape(Html.dumpPath(m.key())))
                    .append("\">").append(Html.time(m.uploadedAt())).append("</a></td>")
                    .append("<td data-label=\"Namespace / pod\">").append(Html.escape(m.namespace())).append(" / ")
                    .append(Html.escape(m.pod())).append("</td>")
                    .append("<td data-label=\"Node\">").append(Html.escape(m.node())).append("</td>")
                    .append("<td data-label=\"File\" class=\"file\">").append(Html.escape(m.fileName())).append("</td>")
                    .append("<td data-label=\"Size\">").append(Html.bytes(m.originalSize())).append(" → ")
                    .append(Html.bytes(m.storedSize())).append("</td>")
                    .append("<td data-label=\"Complete\">").append(complete(m)).append("</td>")
                    .append("<td data-label=\"Top class\">").append(topClass(m)).append("</td></tr>");
        }
        html.append("</tbody></table>");
    }

    /** The class with the most bytes and its share of the heap, from the heap summary; a dash without one. */
    static String topClass(Manifest m) {
        HeapSummary summary = m.summary();
        if (summary == null || !summary.ok() || summary.topClasses() == null || summary.topClasses().isEmpty()
                || summary.bytes() == null || summary.bytes() <= 0) {
            return "—";
        }
        HeapSummary.ClassCount top = summary.topClasses().get(0);
        return "<code>" + Html.escape(top.name()) + "</code> "
                + String.format(Locale.ROOT, "%.0f %%", 100.0 * top.bytes() / summary.bytes());
    }

    static String complete(Manifest m) {
        if (m.complete() == null) {
            return "<span class=\"muted\" title=\"not checked (not a heap dump, or an older agent)\">—</span>";
        }
        return m.complete() ? "yes" : "<strong class=\"bad\">no, truncated</strong>";
    }

    private static String link(DumpFilters f, Optional<String> cursor) {
        StringBuilder url = new StringBuilder("/?");
        f.namespace().ifPresent(v -> url.append("namespace=").append(Html.url(v)).append('&'));
        f.pod().ifPresent(v -> url.append("pod=").append(Html.url(v)).append('&'));
        f.fromText().ifPresent(v -> url.append("from=").append(Html.url(v)).append('&'));
        f.toText().ifPresent(v -> url.append("to=").append(Html.url(v)).append('&'));
        cursor.ifPresent(v -> url.append("cursor=").append(Html.url(v)).append('&'));
        return url.substring(0, url.length() - 1);
    }
}
