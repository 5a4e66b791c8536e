package io.dumpsink.agent.cleanup;

import com.google.inject.AbstractModule;

/** Clean up: the local file goes once its dump is durable; the disk cap is watched. */
public final class CleanupModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(LocalCleanup.class);
        bind(DiskPressure.class);
    }
}
