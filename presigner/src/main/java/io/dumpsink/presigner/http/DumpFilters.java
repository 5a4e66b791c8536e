package io.dumpsink.presigner.http;

import io.dumpsink.core.layout.KeyLayout;
import io.dumpsink.presigner.index.DumpIndex;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * The list filters shared by the front page and {@code GET /api/v1/dumps}, read from the query string and checked
 * before use: {@code namespace} (exact), {@code pod} (a pod name or its beginning), {@code from} and {@code to}
 * (UTC; {@code 2026-11-28}, {@code 2026-11-28T08:15} as a browser's datetime-local field sends it, or an ISO
 * instant; a day alone as {@code to} means its end), {@code prefix} (a key prefix) and {@code cursor}.
 */
record DumpFilters(Optional<String> namespace, Optional<String> pod, Optional<String> fromText,
        Optional<String> toText, DumpIndex.Query query) {

    static DumpFilters from(Map<String, String> params) {
        Optional<String> namespace = segment(params, "namespace");
        Optional<String> pod = segment(params, "pod");
        Optional<String> fromText = text(params, "from");
        Optional<String> toText = text(params, "to");
        Optional<Instant> from = fromText.map(t -> time(t, "from", false));
        Optional<Instant> to = toText.map(t -> time(t, "to", true));
        if (from.isPresent() && to.isPresent() && from.get().isAfter(to.get())) {
            throw new HttpError(400, "'from' is after 'to'");
        }
        Optional<String> prefix = text(params, "prefix").map(Exchanges::prefix);
        Optional<String> cursor = text(params, "cursor");
        if (cursor.isPresent() && !DumpIndex.validCursor(Exchanges.prefix(cursor.get()))) {
            throw new HttpError(400, "bad cursor: pass the 'next' value of the previous page unchanged");
        }
        return new DumpFilters(namespace, pod, fromText, toText,
                new DumpIndex.Query(prefix, namespace, pod, from, to, cursor));
    }

    boolean any() {
        return namespace.isPresent() || pod.isPresent() || fromText.isPresent() || toText.isPresent();
    }

    private static Optional<String> text(Map<String, String> params, String name) {
        return Optional.ofNullable(params.get(name)).map(String::trim).filter(v -> !v.isEmpty());
    }

    private static Optional<String> segment(Map<String, String> params, String name) {
        Optional<String> value = text(params, name);
        if (value.isPresent() && !KeyLayout.isSafeSegment(value.get())) {
            throw new HttpError(400, "bad " + name + ": use the characters of a key segment [A-Za-z0-9._-]");
        }
        return value;
    }

    private static Instant time(String text, String name, boolean endOfDay) {
        try {
            if (text.length() == 10) {
                LocalDate day = LocalDate.parse(text);
                return (endOfDay ? day.plusDays(1).atStartOfDay().minusNanos(1_000_000) : day.atStartOfDay())
                        .toInstant(ZoneOffset.UTC);
            }
            if (text.endsWith("Z")) {
                return Instant.parse(text);
            }
            LocalDateTime local = LocalDateTime.parse(text);
            // A minute from a datetime-local field as 'to' includes that whole minute.
            if (endOfDay && local.getSecond() == 0 && local.getNano() == 0 && text.length() == 16) {
                local = local.plusMinutes(1).minusNanos(1_000_000);
            }
            return local.toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new HttpError(400, "bad " + name + ": use UTC like 2026-11-28, 2026-11-28T08:15 or "
                    + "2026-11-28T08:15:30Z");
        }
    }
}
