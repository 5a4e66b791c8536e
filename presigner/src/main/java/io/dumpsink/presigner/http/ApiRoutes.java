package io.dumpsink.presigner.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.presigner.auth.Principal;
import io.dumpsink.presigner.auth.Principal.Role;
import io.dumpsink.presigner.auth.Tokens;
import io.dumpsink.presigner.chat.ChatNotifier;
import io.dumpsink.presigner.config.PresignerSettings;
import io.dumpsink.presigner.index.DumpIndex;
import io.dumpsink.presigner.index.DumpStore;
import io.dumpsink.presigner.links.LinkAudit;
import io.dumpsink.presigner.links.LinkPresigner;
import io.dumpsink.presigner.links.LinkPresigner.PresignedLink;
import io.dumpsink.presigner.links.StableLinks;
import io.dumpsink.presigner.metrics.PresignerMetrics;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /api/v1/*}: list manifests, hand out presigned links, take the agent's "uploaded" events. Every call
 * needs a bearer token; keys are checked against the dumps layout and must exist before anything is signed.
 */
@Singleton
public final class ApiRoutes {
    private final Tokens tokens;
    private final DumpStore store;
    private final DumpIndex index;
    private final LinkPresigner presigner;
    private final ChatNotifier chat;
    private final PresignerMetrics metrics;
    private final PresignerSettings settings;
    private final LinkAudit audit;
    private final StableLinks stableLinks;

    @Inject
    ApiRoutes(Tokens tokens, DumpStore store, DumpIndex index, LinkPresigner presigner, ChatNotifier chat,
            PresignerMetrics metrics, PresignerSettings settings, LinkAudit audit, StableLinks stableLinks) {
        this.audit = audit;
        this.stableLinks = stableLinks;
        this.tokens = tokens;
        this.store = store;
        this.index = index;
        this.presigner = presigner;
        this.chat = chat;
        this.metrics = metrics;
        this.settings = settings;
    }

    public void handle(Exchange exchange, String path) throws IOException {
        Principal principal = tokens.bearer(exchange.requestHeader("Authorization")).orElseThrow(() -> {
            exchange.setResponseHeader("WWW-Authenticate", "Bearer realm=\"dumpsink\"");
            return new HttpError(401, "a valid bearer token is required");
        });
        String method = exchange.method().toUpperCase(Locale.ROOT);
        switch (path) {
            case "/api/v1/dumps" -> {
                requireMethod(method, "GET");
                requireRole(principal, Role.READER);
                listDumps(exchange, principal);
            }
            case "/api/v1/links" -> {
                requireMethod(method, "POST");
                requireRole(principal, Role.READER);
                createLink(exchange, principal);
            }
            case "/api/v1/events/uploaded" -> {
                requireMethod(method, "POST");
                requireRole(principal, Role.AGENT);
                uploaded(exchange, principal);
            }
            default -> throw new HttpError(404, "no such API");
        }
    }

    private void listDumps(Exchange exchange, Principal principal) throws IOException {
        Map<String, String> query = Exchanges.query(exchange);
        int limit = settings.pageSize();
        if (query.containsKey("limit")) {
            try {
                limit = Integer.parseInt(query.get("limit"));
            } catch (NumberFormatException e) {
                throw new HttpError(400, "limit must be a number from 1 to 1000");
            }
            if (limit < 1 || limit > 1000) {
                throw new HttpError(400, "limit must be a number from 1 to 1000");
            }
        }
        DumpFilters filters = DumpFilters.from(query);
        Optional<String> prefix = filters.query().prefix();
        if (prefix.isPresent() && !principal.maySeePrefix(prefix.get())) {
            throw new HttpError(404, "no such dump"); // as for a namespace that does not exist
        }
        if (!index.loaded()) {
            exchange.setResponseHeader("Retry-After", "5");
            throw new HttpError(503, "the dump index is still loading (first listing of the bucket), retry shortly");
        }
        ManifestPage page = ManifestPage.of(index, store, filters.query(), limit, principal::maySeeKey);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("dumps", page.manifests());
        body.put("next", page.next().orElse(null));
        Exchanges.json(exchange, 200, body);
    }

    private void createLink(Exchange exchange, Principal principal) throws IOException {
        JsonNode body = Exchanges.jsonBody(exchange);
        String key = Exchanges.dumpKey(text(body, "key"));
        Duration ttl = body.hasNonNull("ttl") ? Exchanges.ttl(text(body, "ttl")) : settings.linkTtl();
        if (ttl.compareTo(settings.maxLinkTtl()) > 0) {
            throw new HttpError(400, "ttl over the maximum of " + settings.maxLinkTtl());
        }
        Manifest manifest = visible(principal, key);
        PresignedLink link = presigner.presign(manifest.key(), ttl, io.dumpsink.core.layout.KeyLayout.fileName(key));
        metrics.linksSigned.inc();
        audit.issued(LinkAudit.Via.API, principal.id(), "presigned", key, exchange.clientAddress(),
                exchange.requestHeader("X-Forwarded-For"));
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("key", key);
        response.put("url", link.url().toString());
        response.put("expiresAt", link.expiresAt().toString());
        // The link for chat or a ticket: it re-presigns on every click (until stable-link-max-age).
        Optional<java.net.URI> stable = stableLinks.linkFor(manifest.key());
        if (stable.isPresent()) {
            audit.issued(LinkAudit.Via.API, principal.id(), "stable", key, exchange.clientAddress(),
                    exchange.requestHeader("X-Forwarded-For"));
            response.put("stableUrl", stable.get().toString());
        }
        Exchanges.json(exchange, 200, response);
    }

    private void uploaded(Exchange exchange, Principal principal) throws IOException {
        JsonNode body = Exchanges.jsonBody(exchange);
        String key = Exchanges.dumpKey(text(body, "key"));
        // The message is built from the manifest in the bucket, not from the request: a token holder cannot make
        // the service post arbitrary text or links to chat.
        Manifest manifest = visible(principal, key);
        ChatNotifier.Outcome outcome = chat.announce(manifest);
        IndexUpdates.uploaded(index, store, manifest);
        Exchanges.json(exchange, 202, Map.of("key", key, "chat", outcome.name().toLowerCase(Locale.ROOT)));
    }

    /** The dump's manifest, or 404 alike for a dump that does not exist and one this principal may not see. */
    private Manifest visible(Principal principal, String key) {
        return store.manifest(key, principal::maySeeKey).orElseThrow(() -> new HttpError(404, "no such dump"));
    }

    private static void requireRole(Principal principal, Role role) {
        if (!principal.may(role)) {
            throw new HttpError(403, role == Role.AGENT ? "only an agent token may post upload events"
                    : "this token may only post upload events (role agent); use a reader token");
        }
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new HttpError(400, "'" + field + "' must be a string");
        }
        return value.asText();
    }

    private static void requireMethod(String method, String allowed) {
        if (!allowed.equals(method)) {
            throw new HttpError(405, "use " + allowed);
        }
    }

}
