package io.dumpsink.core.lifecycle;

import com.google.inject.AbstractModule;
import com.google.inject.Singleton;
import java.time.Clock;

/** The process-wide {@link Closer} and the {@link Clock} everything reads time from (tests install their own). */
public final class LifecycleModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(Closer.class).in(Singleton.class);
        bind(Clock.class).toInstance(Clock.systemUTC());
    }
}
