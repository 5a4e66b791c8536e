package io.dumpsink.presigner.http;

import io.dumpsink.core.manifest.HeapSummary;
import io.dumpsink.core.manifest.Manifest;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code GET /dumps/<key>}: one dump, with what an on-call engineer needs from it: the two downloads, the stable
 * link to paste, commands to fetch it from a shell, and every manifest field. Values a person copies (the SHA-256,
 * the commands, the link) are in elements that select whole on one click, without JavaScript.
 */
final class DumpPage {
    /** Where the stored object can be fetched from a shell. */
    record Commands(String bucket, Optional<URI> endpoint) {
    }

    private final Commands commands;
    private final Function<String, String> storedDownloadUrl;
    private final Function<String, Optional<URI>> stableLink;

    DumpPage(Commands commands, Function<String, String> storedDownloadUrl,
            Function<String, Optional<URI>> stableLink) {
        this.commands = commands;
        this.storedDownloadUrl = storedDownloadUrl;
        this.stableLink = stableLink;
    }

    void handle(Exchange exchange, Manifest m) throws IOException {
        String originalName = OriginalDownload.originalName(m);
        boolean zstd = OriginalDownload.isZstd(m);
        StringBuilder html = Html.start(m.namespace() + "/" + m.pod() + ": " + originalName);
        html.append("<h1>").append(Html.escape(originalName)).append("</h1><p class=\"lead\">From pod <strong>")
                .append(Html.escape(m.namespace())).append(" / ").append(Html.escape(m.pod()))
                .append("</strong> on node ").append(Html.escape(m.node())).append(" (cluster ")
                .append(Html.escape(m.cluster())).append("), written ").append(Html.time(m.modifiedAt()))
                .append(" UTC, stored ").append(Html.time(m.uploadedAt())).append(" UTC.</p>");
        if (Boolean.FALSE.equals(m.complete())) {
            html.append("<p class=\"notice bad\">This heap dump is truncated: its JVM died while writing it. "
                    + "Analysers may refuse it or show part of the heap.</p>");
        }

        html.append("<section aria-labelledby=\"downloads\"><h2 id=\"downloads\">Download</h2><ul class=\"downloads\">")
                .append("<li><a class=\"button\" id=\"download-original\" href=\"")
                .append(Html.escape(Html.originalPath(m.key()))).append("\">").append(Html.escape(originalName))
                .append("</a> ").append(Html.bytes(m.originalSize()))
                .append(zstd ? ", decompressed by this service as it downloads; opens in Eclipse MAT or VisualVM. "
                        + "The download fails if the bytes do not match the SHA-256 below."
                        : ", as it was stored.")
                .append("</li>");
        if (zstd) {
            html.append("<li><a class=\"button secondary\" id=\"download-stored\" href=\"")
                    .append(Html.escape(storedDownloadUrl.apply(m.key()))).append("\">")
                    .append(Html.escape(io.dumpsink.core.layout.KeyLayout.fileName(m.key()))).append("</a> ")
                    .append(Html.bytes(m.storedSize()))
                    .append(", the stored zstd file, straight from object storage: decompress with <code>zstd -d</code>.")
                    .append("</li>");
        }
        html.append("</ul>");
        Optional<URI> stable = stableLink.apply(m.key());
        if (stable.isPresent()) {
            html.append("<p><label for=\"stable-link\">Stable link (share it in chat; each click makes a fresh download link)</label>")
                    .append("<input id=\"stable-link\" class=\"copy\" readonly value=\"")
                    .append(Html.escape(stable.get().toString())).append("\"></p>");
        }
        html.append("</section>");

        summary(html, m);

        html.append("<section aria-labelledby=\"commands\"><h2 id=\"commands\">From a shell</h2>")
                .append("<h3>dumpsink CLI</h3><pre><code class=\"copy\">").append(Html.escape(cliCommand(m)))
                .append("</code></pre><h3>AWS CLI</h3><pre><code class=\"copy\">")
                .append(Html.escape(awsCommand(m))).append("</code></pre></section>");

        html.append("<section aria-labelledby=\"manifest\"><h2 id=\"manifest\">Manifest</h2><dl class=\"manifest\">");
        for (RecordComponent component : Manifest.class.getRecordComponents()) {
            Object value;
            try {
                value = component.getAccessor().invoke(m);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if ("summary".equals(component.getName())) {
                continue; // shown above, as a table
            }
            html.append("<dt>").append(component.getName()).append("</dt><dd>");
            if ("sha256".equals(component.getName())) {
                html.append("<code class=\"copy\" id=\"sha256\">").append(Html.escape(String.valueOf(value)))
                        .append("</code>");
            } else {
                html.append(Html.escape(value == null ? "—" : String.valueOf(value)));
            }
            html.append("</dd>");
        }
        html.append("</dl></section>");
        Html.send(exchange, html);
    }

    /**
     * What filled the heap, from the manifest's heap summary: totals, the top classes with bytes and share, the
     * largest objects; or one line saying why a heap dump has none. Nothing for files that are not heap dumps.
     */
    void summary(StringBuilder html, Manifest m) {
        HeapSummary summary = m.summary();
        if (summary == null) {
            return;
        }
        html.append("<section aria-labelledby=\"heap\"><h2 id=\"heap\">What filled the heap</h2>");
        if (!summary.ok() || summary.bytes() == null || summary.bytes() <= 0) {
            html.append("<p>No heap summary: ").append(Html.escape(String.valueOf(summary.reason())))
                    .append(". The dump is stored whole all the same.</p></section>");
            return;
        }
        long total = summary.bytes();
        html.append("<p>").append(Html.bytes(total)).append(" in ")
                .append(String.format(Locale.ROOT, "%,d", summary.objects() == null ? 0 : summary.objects()))
                .append(" objects of ").append(summary.classes() == null ? "?" : summary.classes().toString())
                .append(" classes (shallow sizes; the full histogram is <code>")
                .append(Html.escape(io.dumpsink.core.layout.KeyLayout.fileName(m.key())))
                .append(".histogram.json</code> beside the dump).</p>");
        if (summary.topClasses() != null && !summary.topClasses().isEmpty()) {
            html.append("<table class=\"dumps histogram\"><thead><tr><th scope=\"col\">Class</th>")
                    .append("<th scope=\"col\">Bytes</th><th scope=\"col\">Share</th>")
                    .append("<th scope=\"col\">Objects</th></tr></thead><tbody>");
            for (HeapSummary.ClassCount c : summary.topClasses()) {
                html.append("<tr><td data-label=\"Class\"><code>").append(Html.escape(c.name())).append("</code></td>")
                        .append("<td data-label=\"Bytes\">").append(Html.bytes(c.bytes())).append("</td>")
                        .append("<td data-label=\"Share\">")
                        .append(String.format(Locale.ROOT, "%.1f %%", 100.0 * c.bytes() / total)).append("</td>")
                        .append("<td data-label=\"Objects\">").append(String.format(Locale.ROOT, "%,d", c.instances()))
                        .append("</td></tr>");
            }
            html.append("</tbody></table>");
        }
        if (summary.largestObjects() != null && !summary.largestObjects().isEmpty()) {
            html.append("<h3>Largest objects</h3><ul>");
            for (HeapSummary.LargeObject o : summary.largestObjects()) {
                html.append("<li><code>").append(Html.escape(o.className())).append("</code> ")
                        .append(Html.bytes(o.bytes())).append("</li>");
            }
            html.append("</ul>");
        }
        html.append("</section>");
    }

    String cliCommand(Manifest m) {
        StringBuilder cmd = new StringBuilder("dumpsink");
        commands.endpoint().ifPresent(e -> cmd.append(" --endpoint-url ").append(e));
        cmd.append(" --bucket ").append(commands.bucket()).append(" get ").append(m.key()).append(" -o ")
                .append(shellWord(OriginalDownload.originalName(m)));
        return cmd.toString();
    }

    String awsCommand(Manifest m) {
        StringBuilder cmd = new StringBuilder("aws s3 cp s3://").append(commands.bucket()).append('/').append(m.key());
        if (OriginalDownload.isZstd(m)) {
            cmd.append(" -");
            commands.endpoint().ifPresent(e -> cmd.append(" --endpoint-url ").append(e));
            cmd.append(" | zstd -d > ").append(shellWord(OriginalDownload.originalName(m)));
        } else {
            cmd.append(' ').append(shellWord(OriginalDownload.originalName(m)));
            commands.endpoint().ifPresent(e -> cmd.append(" --endpoint-url ").append(e));
        }
        return cmd.toString();
    }

    /** A file name as one shell word: quoted unless it is plainly safe. */
    static String shellWord(String name) {
        if (name.matches("[A-Za-z0-9._-]+")) {
            return name;
        }
        return "'" + name.replace("'", "'\\''") + "'";
    }
}
