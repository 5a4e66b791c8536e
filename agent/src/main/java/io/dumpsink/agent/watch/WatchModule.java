package io.dumpsink.agent.watch;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.dumpsink.agent.config.WatchSettings;
import io.dumpsink.agent.fs.WatchRoot;
import io.dumpsink.agent.settle.SettleTracker;

/** Watch and settle: files found below the watch dir go to the settle tracker. */
public final class WatchModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(DirectoryWatcher.class);
        bind(SettleTracker.class);
        bind(FoundFiles.class).to(SettleTracker.class);
    }

    /** The one way every stage touches files below the watch dir. */
    @Provides
    @Singleton
    WatchRoot watchRoot(WatchSettings settings) {
        return new WatchRoot(settings.watchDir());
    }
}
