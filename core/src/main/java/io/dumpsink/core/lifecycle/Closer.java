package io.dumpsink.core.lifecycle;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns what the injector builds and must be closed (S3 clients, executors, servers): providers register here, and
 * {@link #close()} closes everything in reverse order of registration exactly once.
 */
public final class Closer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Closer.class);
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private boolean closed;

    public synchronized <T extends AutoCloseable> T register(T resource) {
        if (closed) {
            throw new IllegalStateException("already closed");
        }
        resources.push(resource);
        return resource;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        while (!resources.isEmpty()) {
            AutoCloseable resource = resources.pop();
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("Close failed resource={} error={}", resource.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
