package io.dumpsink.agent.upload;

import io.dumpsink.agent.config.UploadSettings;
import io.dumpsink.agent.journal.JournalEntry;
import io.dumpsink.core.seekable.SeekTable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Copies frames, in file order, into part buffers and hands a part to the {@link PartSender} as soon as it holds
 * {@code part-size} bytes or more, so every part ends on a frame boundary and encodes a known input range on its
 * own. When the object gets a seek table, every frame's sizes are kept (those of parts an earlier attempt stored come
 * from the journal) and the table goes at the end of the last part, so no part but the last is ever under
 * {@code part-size}; a table that does not fit the last part buffer is sent from its own heap buffer after the
 * part's bytes, in the same part. Part buffers come from the upload's lease, at most {@code parts-in-flight + 1} of them (fewer when parts
 * raised for a huge file would not fit the upload's share of the budget); a sent part's buffer returns when its
 * upload does, and when none is free the reader waits here. Used by the reader's thread only.
 */
final class PartAssembler {
    /** Stay clear of S3's 10,000-part limit even if the data does not compress at all. */
    private static final int MAX_PARTS = 9_000;
    private static final long MIB = 1024 * 1024;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

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
    /** The sizes of every frame of the object so far; null when the object gets no seek table. */
    private final SeekTable.Builder table;
    private final int chunkSize;
    /** The current part's compressed frame sizes, journaled with it. */
    private List<Integer> partFrames = new ArrayList<>();
    /** An earlier attempt stored the last part, table included: nothing is left to send. */
    private final boolean tableStored;

    PartAssembler(BufferPool.Lease lease, UploadSettings settings, long fileSize, ChunkSlots slots,
            PartSender sender, List<JournalEntry.Part> storedParts) {
        this.lease = lease;
        this.chunkSize = settings.chunkSize();
        this.table = writesSeekTable(slots.compressed(), storedParts) ? seedTable(storedParts) : null;
        this.tableStored = storedParts.stream().anyMatch(part -> part.trailer() > 0);
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

    /**
     * Whether an upload ends with a seek table: only compressed ones, and only when every part an earlier attempt
     * stored has its frame sizes journaled (a journal from before seek tables existed has not).
     */
    static boolean writesSeekTable(boolean compressed, List<JournalEntry.Part> storedParts) {
        return compressed && storedParts.stream().allMatch(part -> part.frames() != null);
    }

    /** The frames of the parts already stored, their decompressed sizes from each part's input range. */
    private static SeekTable.Builder seedTable(List<JournalEntry.Part> storedParts) {
        SeekTable.Builder builder = new SeekTable.Builder();
        for (JournalEntry.Part part : storedParts) {
            long at = part.inputStart();
            for (int compressedSize : part.frames()) {
                long decompressed = Math.min(part.chunkSize(), part.inputEnd() - at);
                builder.add(compressedSize, decompressed);
                at += decompressed;
            }
        }
        return builder;
    }

    /** Copies the slot's frame into the current part and frees the slot; sends the part once it is full. */
    void append(ChunkSlot frame) throws IOException, InterruptedException {
        if (tableStored && frame.inputLength == 0) {
            // The empty frame of an empty file whose only part (table included) an earlier attempt stored.
            slots.free(frame);
            return;
        }
        if (part == null) {
            part = takePartBuffer();
            partInputStart = frame.inputEnd - frame.inputLength;
        }
        part.put(frame.output.duplicate().position(0).limit(frame.outputLength));
        partInputEnd = frame.inputEnd;
        if (table != null) {
            table.add(frame.outputLength, frame.inputLength);
            partFrames.add(frame.outputLength);
        }
        slots.free(frame);
        if (part.position() >= partSize) {
            sendPart();
        }
    }

    /**
     * Sends the last part: what is left and the seek table, or the table alone when the last frames filled a part,
     * or an empty part when the upload has no part at all. Nothing when an earlier attempt stored it all.
     */
    void finish() {
        boolean tableLeft = table != null && !tableStored;
        if ((part != null && part.position() > 0) || sender.lastNumber() == 0 || tableLeft) {
            if (part == null) {
                partInputStart = partInputEnd = table == null ? 0 : table.build().decompressedOffset(table.frames());
            }
            sendPart(tableLeft ? table.build().encode() : EMPTY);
        }
    }

    /** Whether the object ends with a seek table once {@link #finish()} has run. */
    boolean seekTable() {
        return table != null;
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
        sendPart(EMPTY);
    }

    private void sendPart(ByteBuffer trailer) {
        final ByteBuffer buffer = part != null ? part : ByteBuffer.allocate(0);
        part = null;
        List<Integer> frames = table == null ? null : List.copyOf(partFrames);
        partFrames = new ArrayList<>();
        // Only the lease's direct buffers are reused; the empty stand-in is left to the GC.
        sender.send(buffer.duplicate().flip().asReadOnlyBuffer(), trailer.asReadOnlyBuffer(), partInputStart,
                partInputEnd, frames, chunkSize, buffer.isDirect() ? () -> freeParts.offer(buffer) : () -> { });
    }
}
