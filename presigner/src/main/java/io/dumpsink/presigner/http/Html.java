package io.dumpsink.presigner.http;

import io.dumpsink.presigner.chat.ChatMessages;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The browse pages' shared HTML: the frame every page has (viewport, the one stylesheet, the navigation), and
 * escaping. Every value that is not a literal of this code goes through {@link #escape}.
 */
final class Html {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private Html() {
    }

    /** The start of a page up to its {@code <main>}; {@code title} is text (escaped here). */
    static StringBuilder start(String title) {
        StringBuilder html = new StringBuilder(16 * 1024);
        html.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>").append(escape(title)).append(" · dumpsink</title>")
                .append("<link rel=\"stylesheet\" href=\"").append(BrowsePage.STYLESHEET).append("\"></head><body>")
                .append("<header class=\"top\"><a class=\"brand\" href=\"/\">dumpsink</a><nav aria-label=\"main\">")
                .append("<a href=\"/\">Newest dumps</a> <a href=\"/browse\">Browse by folder</a></nav></header>")
                .append("<main>");
        return html;
    }

    static void send(Exchange exchange, StringBuilder html) throws IOException {
        html.append("</main></body></html>");
        Exchanges.send(exchange, 200, "text/html; charset=utf-8", html.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** HTML-escapes text and attribute values. */
    static String escape(String value) {
        if (value == null) {
            return "";
        }
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

    static String url(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static String time(Instant instant) {
        return instant == null ? "—" : TIME.format(instant);
    }

    static String bytes(long bytes) {
        return bytes < 0 ? "—" : ChatMessages.humanBytes(bytes);
    }

    /** The path of a dump's page. Keys are checked against the layout: only [A-Za-z0-9._-/]. */
    static String dumpPath(String key) {
        return "/dumps/" + key;
    }

    /** The path of the original (decompressed) download. */
    static String originalPath(String key) {
        return "/download/" + key;
    }
}
