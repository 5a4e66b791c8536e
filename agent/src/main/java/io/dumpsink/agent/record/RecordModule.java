package io.dumpsink.agent.record;

import com.google.inject.AbstractModule;

/** Record: object keys and the manifest written and verified beside each dump. */
public final class RecordModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(DumpKeys.class);
        bind(ManifestRecorder.class);
        bind(StoredObjects.class);
    }
}
