package io.dumpsink.agent.upload;

import java.nio.ByteBuffer;

/** Where {@link BufferPool}'s memory comes from: direct buffers in production; tests make it run out. */
public interface BufferAllocator {
    /** The JVM's direct memory, limited by {@code -XX:MaxDirectMemorySize}. */
    BufferAllocator DIRECT = ByteBuffer::allocateDirect;

    /**
     * A new buffer of exactly {@code capacity} bytes.
     *
     * @throws OutOfMemoryError when there is no memory left for it (for direct memory: "Cannot reserve ... bytes
     *     of direct buffer memory")
     */
    ByteBuffer allocate(int capacity);
}
