package io.dumpsink.presigner.metrics;

import com.google.inject.Singleton;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The presigner's metrics, in a registry of its own, exposed at {@code GET /metrics}. */
@Singleton
public final class PresignerMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();

    public final Counter requests = Counter.builder().name("dumpsink_presigner_requests_total")
            .help("HTTP requests by route and status").labelNames("route", "status").register(registry);
    public final Histogram requestSeconds = Histogram.builder().name("dumpsink_presigner_request_seconds")
            .help("HTTP request duration").labelNames("route").register(registry);
    public final Counter linksSigned = Counter.builder().name("dumpsink_presigner_links_signed_total")
            .help("Presigned URLs handed out (API, stable-link redirects, browse page)").register(registry);
    public final Counter linkAudit = Counter.builder().name("dumpsink_presigner_link_audit_total")
            .help("Audited link events: issued (api, browse, chat) and used (stable-link clicks)")
            .labelNames("event", "via").register(registry);
    public final Counter chatPosts = Counter.builder().name("dumpsink_presigner_chat_posts_total")
            .help("Webhook posts by result").labelNames("result").register(registry);

    public PrometheusRegistry registry() {
        return registry;
    }
}
