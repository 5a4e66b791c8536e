package io.dumpsink.presigner.chat;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.core.http.BackgroundPoster;
import io.dumpsink.core.layout.KeyLayout;
import io.dumpsink.core.lifecycle.Closer;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.retry.Backoff;
import io.dumpsink.presigner.config.ChatRoutes;
import io.dumpsink.presigner.config.PresignerSettings;
import io.dumpsink.presigner.config.PresignerSettings.ChatFormat;
import io.dumpsink.presigner.links.LinkAudit;
import io.dumpsink.presigner.links.LinkPresigner;
import io.dumpsink.presigner.links.StableLinks;
import io.dumpsink.presigner.metrics.PresignerMetrics;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts one chat message per dump to the webhook of its namespace's route ({@link ChatRoutes}), in the background: the caller (the agent's event) gets its
 * answer at once, and a chat outage is retried with backoff (up to {@value #MAX_ATTEMPTS} attempts over about an
 * hour) without ever blocking an upload. Each key is announced once per process; repeated events are ignored. The
 * webhook URL is a secret: it is never logged.
 */
@Singleton
public final class ChatNotifier {
    private static final Logger log = LoggerFactory.getLogger(ChatNotifier.class);
    private static final int MAX_ATTEMPTS = 12;
    private static final int REMEMBERED_KEYS = 10_000;
    private static final Duration CHAT_LINK_TTL = Duration.ofDays(7);

    private final ChatRoutes routes;
    private final StableLinks stableLinks;
    private final LinkPresigner presigner;
    private final Duration presignedTtl;
    /** A poster per route (and the default); none without a webhook, then no thread is started. */
    private final Map<ChatRoutes.Route, BackgroundPoster> posters;
    private final Map<String, Boolean> announced = Collections.synchronizedMap(
            new LinkedHashMap<>(256, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > REMEMBERED_KEYS;
                }
            });

    /** What happened to an event. */
    public enum Outcome {
        QUEUED, DUPLICATE, NO_WEBHOOK,
        /** Chat is configured, but no route and no default takes this dump's namespace. */
        NO_ROUTE
    }

    private final LinkAudit audit;

    @Inject
    ChatNotifier(PresignerSettings settings, ChatRoutes routes, StableLinks stableLinks, LinkPresigner presigner,
            PresignerMetrics metrics, Closer closer, LinkAudit audit) {
        this.audit = audit;
        this.routes = routes;
        this.stableLinks = stableLinks;
        this.presigner = presigner;
        this.presignedTtl = settings.maxLinkTtl().compareTo(CHAT_LINK_TTL) < 0 ? settings.maxLinkTtl() : CHAT_LINK_TTL;
        // One poster (one thread, one retry queue) per destination: one team's chat outage does not hold up another's.
        Map<ChatRoutes.Route, BackgroundPoster> byRoute = new IdentityHashMap<>();
        List<ChatRoutes.Route> all = routes.all();
        for (int i = 0; i < all.size(); i++) {
            ChatRoutes.Route route = all.get(i);
            String thread = route.namespaces().isEmpty() ? "dumpsink-chat" : "dumpsink-chat-route-" + (i + 1);
            byRoute.put(route, closer.register(new BackgroundPoster(thread, route.webhook(), Map.of(),
                    new Backoff(Duration.ofSeconds(2), Duration.ofMinutes(10)), MAX_ATTEMPTS, new Log(metrics))));
        }
        this.posters = byRoute;
    }

    /**
     * Queues the dump's message to its namespace's route unless no route (and no default) takes that namespace or
     * the key was announced already.
     */
    public Outcome announce(Manifest manifest) {
        Optional<ChatRoutes.Route> route = routes.forNamespace(manifest.namespace());
        if (route.isEmpty()) {
            return routes.all().isEmpty() ? Outcome.NO_WEBHOOK : Outcome.NO_ROUTE;
        }
        if (announced.putIfAbsent(manifest.key(), Boolean.TRUE) != null) {
            return Outcome.DUPLICATE;
        }
        ChatFormat format = route.get().format();
        if (!posters.get(route.get()).post(manifest.key(), () -> message(manifest, format))) {
            announced.remove(manifest.key());
            throw new RejectedExecutionException("chat notifier is shut down");
        }
        return Outcome.QUEUED;
    }

    /** Links are made at sending time, so a retried message still carries a fresh presigned URL. */
    private byte[] message(Manifest manifest, ChatFormat format) {
        Optional<java.net.URI> stable = stableLinks.linkFor(manifest.key());
        stable.ifPresent(link -> audit.issued(LinkAudit.Via.CHAT, "chat", "stable", manifest.key(), null, null));
        audit.issued(LinkAudit.Via.CHAT, "chat", "presigned", manifest.key(), null, null);
        return ChatMessages.body(format, manifest, stable,
                presigner.presign(manifest.key(), presignedTtl, KeyLayout.fileName(manifest.key())));
    }

    /** The log and metrics of chat posts: every attempt counted, each message's first failure and end logged. */
    private static final class Log implements BackgroundPoster.Listener {
        private final PresignerMetrics metrics;

        Log(PresignerMetrics metrics) {
            this.metrics = metrics;
        }

        @Override
        public void delivered(String key, int attempts) {
            metrics.chatPosts.labelValues("ok").inc();
            log.info("Chat message posted key={} attempt={}", key, attempts);
        }

        @Override
        public void attemptFailed(String key, int status) {
            metrics.chatPosts.labelValues("failed").inc();
        }

        @Override
        public void retrying(String key, int status, Duration retryIn) {
            log.warn("Chat webhook failed key={} status={} retryIn={}", key, status, retryIn);
        }

        @Override
        public void dropped(String key, int status, int attempts) {
            log.error("Chat message dropped key={} attempts={} status={} (check dumpsink.presigner.chat.webhook-url)",
                    key, attempts, status);
        }

        @Override
        public void abandoned(String key) {
            log.warn("Chat message not sent, shutting down key={}", key);
        }
    }
}
