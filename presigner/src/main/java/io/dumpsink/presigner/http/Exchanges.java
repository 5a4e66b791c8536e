package io.dumpsink.presigner.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.dumpsink.core.layout.KeyLayout;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading requests and writing responses, with every input checked before anything uses it. */
public final class Exchanges {
    public static final int MAX_BODY_BYTES = 64 * 1024;
    private static final long DRAIN_LIMIT = 1024 * 1024;
    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private static final Pattern TTL = Pattern.compile("([1-9][0-9]{0,8})(s|m|h|d)");
    private static final Pattern SAFE_PREFIX = Pattern.compile("[A-Za-z0-9._/-]{0,1024}");

    private Exchanges() {
    }

    /** Query parameters; a parameter given twice, or badly encoded, is a 400. */
    public static Map<String, String> query(Exchange exchange) {
        String raw = exchange.rawQuery();
        Map<String, String> params = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (params.put(name, value) != null) {
                    throw new HttpError(400, "query parameter '" + name + "' given twice");
                }
            } catch (IllegalArgumentException e) {
                throw new HttpError(400, "badly encoded query string");
            }
        }
        return params;
    }

    /** The request body as JSON, at most 64 KiB (413 beyond), an object (400 otherwise). */
    public static JsonNode jsonBody(Exchange exchange) throws IOException {
        String length = exchange.requestHeader("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > MAX_BODY_BYTES) {
                    throw tooLarge(exchange);
                }
            } catch (NumberFormatException e) {
                throw new HttpError(400, "bad Content-Length");
            }
        }
        byte[] body;
        try (InputStream in = exchange.requestBody()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                throw tooLarge(exchange);
            }
        }
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw new HttpError(400, "expected a JSON object");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new HttpError(400, "malformed JSON");
        }
    }

    /**
     * Reads (and drops) a little more of an oversized body before answering 413, so that a client still sending
     * gets the answer instead of a connection reset; then the connection is closed. Bounded: a client sending
     * megabytes gets the reset.
     */
    private static HttpError tooLarge(Exchange exchange) throws IOException {
        try (InputStream in = exchange.requestBody()) {
            long drained = 0;
            byte[] scratch = new byte[16 * 1024];
            int n;
            while (drained < DRAIN_LIMIT && (n = in.read(scratch)) >= 0) {
                drained += n;
            }
        }
        exchange.setResponseHeader("Connection", "close");
        return new HttpError(413, "request body over " + MAX_BODY_BYTES + " bytes");
    }

    /** A dump key from outside: must name something in the dumps layout (no '..', no control characters). */
    public static String dumpKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new HttpError(400, "missing key");
        }
        return KeyLayout.validDumpKey(key).orElseThrow(() -> new HttpError(400,
                "not a dump key: expected cluster/node/namespace/pod/yyyy-MM-dd/name with [A-Za-z0-9._-] segments"));
    }

    /** A listing prefix: key characters only, no '..' segment, not absolute. */
    public static String prefix(String prefix) {
        if (prefix == null) {
            return "";
        }
        if (!SAFE_PREFIX.matcher(prefix).matches() || prefix.startsWith("/") || prefix.contains("..")
                || prefix.contains("//")) {
            throw new HttpError(400, "bad prefix: use key characters [A-Za-z0-9._/-], no '..'");
        }
        return prefix;
    }

    /** {@code 15m}, {@code 2h}, {@code 7d}: a positive number and one unit, nothing else. */
    public static Duration ttl(String text) {
        Matcher m = TTL.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new HttpError(400, "bad ttl: use a number and a unit, e.g. 30s, 15m, 2h, 1d");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    public static void json(Exchange exchange, int status, Object body) throws IOException {
        send(exchange, status, "application/json", JSON.writeValueAsBytes(body));
    }

    public static void send(Exchange exchange, int status, String contentType, byte[] body) {
        exchange.setResponseHeader("X-Content-Type-Options", "nosniff");
        exchange.setResponseHeader("Cache-Control", "no-store");
        exchange.send(status, contentType, body);
    }
}
