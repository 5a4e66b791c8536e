package io.dumpsink.agent.upload;

import io.dumpsink.agent.config.UploadSettings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Future;

/**
 * The chunk slots of one upload and the chunks compressing in them, so that reading and compression overlap within
 * a fixed amount of memory: {@code compression-threads + 2} slots (2 without compression), each a chunk buffer and a
 * frame buffer, taken once from the upload's lease and reused. Frames come back in the order their chunks went in,
 * which keeps parts in file order. A slot is free, being read into, compressing, or waiting to be copied into a
 * part; it is free again once it has been copied, though its digests may still be reading its input (the reader
 * awaits them before it reads into the slot again: {@link ChunkSlot#hashed}). Used by the reader's thread only.
 */
final class ChunkSlots {
    private final boolean compress;
    private final int frameBound;
    private final long bytes;
    private final FrameCompressor compressor;
    private final AttemptTasks tasks;
    private final BlockingQueue<ChunkSlot> free;
    private final ArrayDeque<Future<ChunkSlot>> compressing = new ArrayDeque<>();

    /**
     * Takes every slot's buffers from {@code lease}, which must hold nothing yet: when they do not fit, the lease
     * gives back what it took (no task has seen those buffers) and the {@link BufferAllocationException} is thrown.
     */
    ChunkSlots(BufferPool.Lease lease, UploadSettings settings, boolean compress, FrameCompressor compressor,
            AttemptTasks tasks) throws BufferAllocationException {
        this.compress = compress;
        this.compressor = compressor;
        this.tasks = tasks;
        int chunkSize = settings.chunkSize();
        this.frameBound = compress ? FrameCompressor.frameBound(chunkSize) : chunkSize;
        int count = compress ? settings.compressionThreads() + 2 : 2;
        this.free = new ArrayBlockingQueue<>(count);
        try {
            for (int i = 0; i < count; i++) {
                ByteBuffer input = lease.take(chunkSize);
                free.add(new ChunkSlot(input, compress ? lease.take(frameBound) : input));
            }
        } catch (BufferAllocationException e) {
            lease.release();
            throw e;
        }
        this.bytes = (long) count * (chunkSize + (compress ? frameBound : 0));
    }

    /** Whether chunks are compressed; if not, a slot's output is its input. */
    boolean compressed() {
        return compress;
    }

    /** The most bytes one chunk adds to a part: a frame's bound, or the chunk size without compression. */
    int frameBound() {
        return frameBound;
    }

    /** The bytes all slots hold, so that part buffers can be sized to what is left of the upload's share. */
    long bytes() {
        return bytes;
    }

    /** A free slot, or null when all are in use. */
    ChunkSlot poll() {
        return free.poll();
    }

    /** A free slot, left free: its input buffer serves reads that go to no part. */
    ChunkSlot peek() {
        return free.peek();
    }

    /** A free slot, waiting for one if none is. */
    ChunkSlot take() throws InterruptedException {
        return free.take();
    }

    /** Makes the slot free again: its frame has been copied, or it holds nothing to send. */
    void free(ChunkSlot slot) {
        free.add(slot);
    }

    /** Starts compressing the slot's input; its frame comes back from {@link #oldestFrame()} in turn. */
    void compress(ChunkSlot slot) {
        compressing.add(compressor.submit(tasks, slot));
    }

    /** Whether some frame has not been taken with {@link #oldestFrame()} yet. */
    boolean compressing() {
        return !compressing.isEmpty();
    }

    /** The slot of the oldest chunk sent to compression, once its frame is ready; its compression's failure. */
    ChunkSlot oldestFrame() throws IOException, InterruptedException {
        return AttemptTasks.await(compressing.removeFirst());
    }
}
