package io.dumpsink.agent.watch;

import com.google.inject.AbstractModule;
import io.dumpsink.agent.settle.SettleTracker;

/** Watch and settle: files found below the watch dir go to the settle tracker. */
public final class WatchModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(DirectoryWatcher.class);
        bind(SettleTracker.class);
        bind(FoundFiles.class).to(SettleTracker.class);
    }
}
