package io.dumpsink.agent.upload;

import java.nio.ByteBuffer;

/**
 * One chunk's buffers, reused for chunk after chunk: the input as read and its compressed frame (the input itself
 * when nothing is compressed), with where the chunk ends in the file. Touched by one thread at a time: the reader,
 * then a compressor, then the reader again, handed over through a {@link java.util.concurrent.Future}.
 */
final class ChunkSlot {
    final ByteBuffer input;
    final ByteBuffer output;
    int inputLength;
    int outputLength;
    long inputEnd;

    ChunkSlot(ByteBuffer input, ByteBuffer output) {
        this.input = input;
        this.output = output;
    }
}
