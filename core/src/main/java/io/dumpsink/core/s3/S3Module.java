package io.dumpsink.core.s3;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.lifecycle.Closer;
import software.amazon.awssdk.services.s3.S3Client;

/** Binds the process's single {@link S3Client}; the {@link Closer} closes it at shutdown. */
public final class S3Module extends AbstractModule {
    /** Enough for several parts of a few dumps in flight plus manifest writes and checks. */
    private static final int MAX_CONNECTIONS = 32;

    @Provides
    @Singleton
    S3Client s3Client(S3Settings settings, Closer closer) {
        return closer.register(S3Clients.create(settings, MAX_CONNECTIONS));
    }
}
