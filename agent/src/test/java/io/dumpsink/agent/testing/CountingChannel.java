package io.dumpsink.agent.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/**
 * A read-only {@link SeekableByteChannel} over another one that counts the bytes read through it, so a test can
 * assert that a reader stays within a bound. Closing it closes the wrapped channel.
 */
public final class CountingChannel implements SeekableByteChannel {
    private final SeekableByteChannel delegate;
    private long bytesRead;
    private long reads;

    public CountingChannel(SeekableByteChannel delegate) {
        this.delegate = delegate;
    }

    /** Bytes returned by all reads so far. */
    public long bytesRead() {
        return bytesRead;
    }

    /** Calls to {@link #read} so far. */
    public long reads() {
        return reads;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        reads++;
        int read = delegate.read(dst);
        if (read > 0) {
            bytesRead += read;
        }
        return read;
    }

    @Override
    public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public long position() throws IOException {
        return delegate.position();
    }

    @Override
    public SeekableByteChannel position(long newPosition) throws IOException {
        delegate.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return delegate.size();
    }

    @Override
    public SeekableByteChannel truncate(long size) {
        throw new NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
        return delegate.isOpen();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
