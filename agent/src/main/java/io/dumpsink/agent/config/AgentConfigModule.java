package io.dumpsink.agent.config;

import com.google.inject.AbstractModule;
import com.google.inject.name.Names;
import io.dumpsink.core.config.ClusterSettings;
import io.dumpsink.core.config.S3Settings;

/** Hands each part of the validated {@link AgentConfig} to the classes that need it. */
public final class AgentConfigModule extends AbstractModule {
    private final AgentConfig config;

    public AgentConfigModule(AgentConfig config) {
        this.config = config;
    }

    @Override
    protected void configure() {
        bind(AgentConfig.class).toInstance(config);
        bind(ClusterSettings.class).toInstance(config.cluster());
        bind(S3Settings.class).toInstance(config.s3());
        bind(LifecycleSettings.class).toInstance(config.lifecycle());
        bind(WatchSettings.class).toInstance(config.watch());
        bind(UploadSettings.class).toInstance(config.upload());
        bind(PipelineSettings.class).toInstance(config.pipeline());
        bind(NotifySettings.class).toInstance(config.notifications());
        bind(HeapSummarySettings.class).toInstance(config.heapSummary());
        bind(Integer.class).annotatedWith(Names.named("http-port")).toInstance(config.httpPort());
    }
}
