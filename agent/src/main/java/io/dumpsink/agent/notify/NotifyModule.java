package io.dumpsink.agent.notify;

import com.google.inject.AbstractModule;

/** Notify: announces stored dumps to the presigner. {@link #none()} when no presigner is configured. */
public final class NotifyModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(PresignerNotifier.class);
        bind(DumpNotifier.class).to(PresignerNotifier.class);
    }

    /** The module for agents without a presigner: stored dumps are announced nowhere. */
    public static AbstractModule none() {
        return new AbstractModule() {
            @Override
            protected void configure() {
                bind(DumpNotifier.class).toInstance(manifest -> { });
            }
        };
    }
}
