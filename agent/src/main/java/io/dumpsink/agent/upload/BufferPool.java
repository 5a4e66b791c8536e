package io.dumpsink.agent.upload;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Reuses the large direct buffers uploads work with (chunks, frames, parts). They live outside the Java heap, so
 * the heap of an agent in a 256 MiB container stays small and needs no headroom for megabytes of churn per part;
 * file reads land in them without the JDK's extra copy; and zstd works on them in place. Direct memory is costly to
 * allocate and only freed by the GC, hence the pool. Keeps at most {@code maxRetainedBytes}; buffers beyond that
 * (parts of unusual size for huge files) are left to the GC.
 */
final class BufferPool {
    private final long maxRetainedBytes;
    private final Map<Integer, Deque<ByteBuffer>> free = new HashMap<>();
    private long retainedBytes;

    BufferPool(long maxRetainedBytes) {
        this.maxRetainedBytes = maxRetainedBytes;
    }

    /** A cleared buffer of exactly {@code capacity} bytes. */
    synchronized ByteBuffer take(int capacity) {
        Deque<ByteBuffer> sameSize = free.get(capacity);
        if (sameSize != null && !sameSize.isEmpty()) {
            retainedBytes -= capacity;
            return sameSize.pop().clear();
        }
        return ByteBuffer.allocateDirect(capacity);
    }

    synchronized void give(ByteBuffer buffer) {
        if (retainedBytes + buffer.capacity() > maxRetainedBytes) {
            return;
        }
        free.computeIfAbsent(buffer.capacity(), size -> new ArrayDeque<>()).push(buffer);
        retainedBytes += buffer.capacity();
    }
}
