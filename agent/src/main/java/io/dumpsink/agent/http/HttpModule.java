package io.dumpsink.agent.http;

import com.google.inject.AbstractModule;
import io.dumpsink.agent.metrics.AgentMetrics;

/** Health, readiness and metrics over HTTP. */
public final class HttpModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(AgentMetrics.class);
        bind(io.dumpsink.agent.health.Readiness.class);
        bind(io.dumpsink.agent.health.Watchdog.class);
        bind(AgentHttpServer.class);
    }
}
