package io.dumpsink.agent.notify;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.config.NotifySettings;
import io.dumpsink.core.http.BackgroundPoster;
import io.dumpsink.core.lifecycle.Closer;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import io.dumpsink.core.retry.Backoff;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts each stored dump's manifest to the presigner's {@code POST /api/v1/events/uploaded}, which announces it in
 * chat. Retries with backoff for about an hour ({@value #MAX_ATTEMPTS} attempts) while the presigner is down or
 * answers 5xx; a 4xx (bad token, unknown key) is logged once and dropped. The presigner ignores repeats. The token
 * is never logged.
 */
@Singleton
public final class PresignerNotifier implements DumpNotifier {
    private static final Logger log = LoggerFactory.getLogger(PresignerNotifier.class);
    private static final int MAX_ATTEMPTS = 15;
    private final BackgroundPoster poster;

    @Inject
    PresignerNotifier(NotifySettings settings, Closer closer) {
        String base = settings.presignerUrl().orElseThrow().toString();
        URI endpoint = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
                + "/api/v1/events/uploaded");
        this.poster = closer.register(new BackgroundPoster("dumpsink-notify", endpoint,
                Map.of("Authorization", "Bearer " + settings.presignerToken()),
                new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(10)), MAX_ATTEMPTS, new Log()));
    }

    @Override
    public void stored(Manifest manifest) {
        if (!poster.post(manifest.key(), () -> ManifestCodec.toJson(manifest))) {
            log.warn("Presigner not notified, shutting down key={}", manifest.key());
        }
    }

    /** The log of notifications: each one's first failure and how it ended, keyed by the dump's key. */
    private static final class Log implements BackgroundPoster.Listener {
        @Override
        public void delivered(String key, int attempts) {
            log.info("Presigner notified key={} attempt={}", key, attempts);
        }

        @Override
        public void retrying(String key, int status, Duration retryIn) {
            log.warn("Presigner notification failed key={} status={} retryIn={}", key, status, retryIn);
        }

        @Override
        public void dropped(String key, int status, int attempts) {
            log.error("Presigner notification dropped key={} status={} attempts={} (check"
                    + " dumpsink.agent.presigner-url and presigner-token)", key, status, attempts);
        }

        @Override
        public void abandoned(String key) {
            log.warn("Presigner not notified, shutting down key={}", key);
        }
    }
}
