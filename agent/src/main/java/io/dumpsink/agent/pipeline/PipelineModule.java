package io.dumpsink.agent.pipeline;

import com.google.inject.AbstractModule;
import io.dumpsink.agent.settle.SettledDumps;

/** The pipeline that carries each settled dump through its journey, and the startup checks. */
public final class PipelineModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(DumpPipeline.class);
        bind(SettledDumps.class).to(DumpPipeline.class);
        bind(S3Health.class);
        bind(StartupChecks.class);
        bind(OrphanSweeper.class);
        bind(BucketLifecycle.class);
    }
}
