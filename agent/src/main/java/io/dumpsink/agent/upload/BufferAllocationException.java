package io.dumpsink.agent.upload;

import java.io.IOException;

/**
 * An upload could not get its buffers: they would exceed the buffer budget, or the JVM is out of direct memory.
 * Transient, like any {@link IOException}: the upload keeps its stored parts and the dump is retried later.
 */
public final class BufferAllocationException extends IOException {
    BufferAllocationException(String message) {
        super(message);
    }
}
