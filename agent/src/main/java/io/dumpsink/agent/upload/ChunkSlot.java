package io.dumpsink.agent.upload;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * One chunk's buffers, reused for chunk after chunk: the input as read and its compressed frame (the input itself
 * when nothing is compressed), with where the chunk ends in the file. The reader fills the input; then a
 * compressor and the digests read it at the same time (through duplicates: nobody moves the input's position),
 * the compressor writes the frame, and the reader copies it into a part. Each hand-over goes through a
 * {@link Future}; the reader reads into the slot again only after its digests are done.
 */
final class ChunkSlot {
    private static final Future<?> NONE = CompletableFuture.completedFuture(null);

    final ByteBuffer input;
    final ByteBuffer output;
    int inputLength;
    int outputLength;
    long inputEnd;
    /** The digests of the chunk the input holds; done when it holds none. */
    Future<?> hashed = NONE;
    Future<?> observed = NONE;

    ChunkSlot(ByteBuffer input, ByteBuffer output) {
        this.input = input;
        this.output = output;
    }
}
