package io.dumpsink.agent.testing;

import io.dumpsink.agent.upload.BufferAllocator;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Direct buffers, until a test says the JVM is out of direct memory: then every allocation fails the way
 * {@code ByteBuffer.allocateDirect} does at {@code -XX:MaxDirectMemorySize}, without needing a JVM that small.
 */
public final class TestingAllocator implements BufferAllocator {
    private volatile boolean outOfMemory;
    private final AtomicInteger refused = new AtomicInteger();

    /** From now on, every allocation throws {@link OutOfMemoryError} (true) or succeeds (false). */
    public void outOfMemory(boolean outOfMemory) {
        this.outOfMemory = outOfMemory;
    }

    /** Allocations refused so far. */
    public int refused() {
        return refused.get();
    }

    @Override
    public ByteBuffer allocate(int capacity) {
        if (outOfMemory) {
            refused.incrementAndGet();
            throw new OutOfMemoryError("Cannot reserve " + capacity
                    + " bytes of direct buffer memory (allocated: 66211840, limit: 67108864)");
        }
        return ByteBuffer.allocateDirect(capacity);
    }
}
