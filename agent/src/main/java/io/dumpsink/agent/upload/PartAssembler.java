package io.dumpsink.agent.upload;

import io.dumpsink.agent.config.UploadSettings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Copies frames, in file order, into part buffers and hands a part to the {@link PartSender} as soon as it holds
 * {@code part-size} bytes or more, so every part ends on a frame boundary and encodes a known input range on its
 * own. Part buffers come from the upload's lease, at most {@code parts-in-flight + 1} of them (fewer when parts
 * raised for a huge file would not fit the upload's share of the budget); a sent part's buffer returns when its
 * upload does, and when none is free the reader waits here. Used by the reader's thread only.
 */
final class PartAssembler {
    /** Stay clear of S3's 10,000-part limit even if the data does not compress at all. */
    private static final int MAX_PARTS = 9_000;
    private static final long MIB = 1024 * 1024;

    private final BufferPool.Lease lease;
    private final ChunkSlots slots;
    private final PartSender sender;
    private final int partSize;
    private final int frameBound;
    private final int maxPartBuffers;
    private final BlockingQueue<ByteBuffer> freeParts;
    private int allocatedParts;
    private ByteBuffer part;
    private long partInputStart;
    private long partInputEnd;

    PartAssembler(BufferPool.Lease lease, UploadSettings settings, long fileSize, ChunkSlots slots,
            PartSender sender) {
        this.lease = lease;
        this.slots = slots;
        this.sender = sender;
        this.partSize = partSizeFor(fileSize, settings.partSize());
        this.frameBound = slots.frameBound();
        // Buffers are created lazily, so a small dump allocates only what it fills. Parts raised for a huge
        // file get fewer buffers when parts-in-flight + 1 would not fit this upload's share of the budget.
        long partRoom = settings.buffers().perUpload() - slots.bytes();
        this.maxPartBuffers = (int) Math.max(1,
                Math.min(settings.partsInFlight() + 1, partRoom / (partSize + frameBound)));
        this.freeParts = new ArrayBlockingQueue<>(settings.partsInFlight() + 1);
    }

    /** Part size for a file: the configured size, raised so that even incompressible data fits in MAX_PARTS. */
    static int partSizeFor(long fileSize, int configured) {
        long needed = (long) Math.ceil(fileSize * 1.01 / MAX_PARTS);
        long roundedUp = (needed + MIB - 1) / MIB * MIB;
        return (int) Math.max(configured, Math.min(roundedUp, Integer.MAX_VALUE - 2 * MIB));
    }

    /** Copies the slot's frame into the current part and frees the slot; sends the part once it is full. */
    void append(ChunkSlot frame) throws IOException, InterruptedException {
        if (part == null) {
            part = takePartBuffer();
            partInputStart = frame.inputEnd - frame.inputLength;
        }
        part.put(frame.output.duplicate().position(0).limit(frame.outputLength));
        partInputEnd = frame.inputEnd;
        slots.free(frame);
        if (part.position() >= partSize) {
            sendPart();
        }
    }

    /** Sends the last part: what is left, or an empty one when the upload has no part at all. */
    void finish() {
        if ((part != null && part.position() > 0) || sender.lastNumber() == 0) {
            sendPart();
        }
    }

    /** A free part buffer; allocates up to maxPartBuffers of them, then waits for a sent part's. */
    private ByteBuffer takePartBuffer() throws IOException, InterruptedException {
        ByteBuffer buffer = freeParts.poll();
        if (buffer != null) {
            return buffer.clear();
        }
        if (allocatedParts < maxPartBuffers) {
            ByteBuffer taken = lease.take(partSize + frameBound);
            allocatedParts++;
            return taken;
        }
        while (true) {
            buffer = freeParts.poll(1, TimeUnit.SECONDS);
            if (buffer != null) {
                return buffer.clear();
            }
            sender.failFast();
        }
    }

    private void sendPart() {
        final ByteBuffer buffer = part != null ? part : ByteBuffer.allocate(0);
        part = null;
        // Only the lease's direct buffers are reused; the empty stand-in is left to the GC.
        sender.send(buffer.duplicate().flip().asReadOnlyBuffer(), partInputStart, partInputEnd,
                buffer.isDirect() ? () -> freeParts.offer(buffer) : () -> { });
    }
}
