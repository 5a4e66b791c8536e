package io.dumpsink.agent.upload;

import io.dumpsink.agent.fs.FileChangedException;
import io.dumpsink.agent.health.Watchdog;
import io.dumpsink.agent.journal.JournalEntry;
import io.dumpsink.agent.metrics.AgentMetrics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Reads one dump front to back, once, and sends every chunk in file order through compression ({@link ChunkSlots})
 * and part assembly ({@link PartAssembler}) to the {@link PartSender}; it returns when every part is stored. The
 * calling thread only reads: the SHA-256 of every byte and the heap summary's reader ({@code observer}, when given)
 * each run in a {@link SerialLane} of their own, which sees the chunks in file order while the next chunk is read
 * and compressed; a slot is read into again only once both are done with it. (Measured on a real heap dump: read,
 * hash and summary in series on the reading thread were the upload's critical path.) When the store already has the
 * first parts (a resumed upload), their input is only read again, on the calling thread, to rebuild the SHA-256 and
 * the summary. On failure it throws what the file, a compression or a part upload threw, and tasks it started may
 * still run: ending them is the caller's ({@link UploadAttempt}).
 */
final class DumpReader {
    private final SeekableByteChannel channel;
    private final Path location;
    private final long expectedSize;
    private final Watchdog watchdog;
    private final ChunkSlots slots;
    private final PartAssembler parts;
    private final PartSender sender;
    private final UploadProgress progress;
    private final AgentMetrics metrics;
    private final Consumer<ByteBuffer> observer;
    private final AttemptTasks tasks;
    private final SerialLane hashLane;
    private final SerialLane observerLane;
    /** Written by one lane task at a time, in chunk order; read once every hashing task was awaited. */
    private final MessageDigest sha256 = sha256();
    private Future<?> lastHashed = CompletableFuture.completedFuture(null);
    private Future<?> lastObserved = lastHashed;
    private long bytesRead;

    /** What was read and stored: the dump's size and SHA-256, the bytes stored, every part in number order. */
    record Streamed(long bytesRead, String sha256, long bytesStored, List<CompletedPart> parts) {
    }

    /** {@code observer}: the heap summary's reader, or null when this dump gets none. */
    DumpReader(SeekableByteChannel channel, Path location, long expectedSize, ChunkSlots slots, PartAssembler parts,
            PartSender sender, UploadProgress progress, AgentMetrics metrics, Watchdog watchdog,
            Consumer<ByteBuffer> observer, Executor digesters, AttemptTasks tasks) {
        this.observer = observer;
        this.tasks = tasks;
        this.hashLane = new SerialLane(digesters);
        this.observerLane = new SerialLane(digesters);
        this.channel = channel;
        this.location = location;
        this.expectedSize = expectedSize;
        this.watchdog = watchdog;
        this.slots = slots;
        this.parts = parts;
        this.sender = sender;
        this.progress = progress;
        this.metrics = metrics;
    }

    /**
     * For a resumed upload: re-reads the input the stored parts cover, only to rebuild the SHA-256, and leaves the
     * channel where the first missing part begins. Does nothing when no part is stored.
     */
    void rehashStoredPrefix(List<JournalEntry.Part> stored) throws IOException {
        if (stored.isEmpty()) {
            return;
        }
        JournalEntry.Part last = stored.get(stored.size() - 1);
        ChunkSlot slot = slots.peek();
        channel.position(0);
        long remaining = last.inputEnd();
        while (remaining > 0) {
            ByteBuffer target = slot.input.clear();
            target.limit((int) Math.min(target.capacity(), remaining));
            int read = channel.read(target);
            if (read < 0) {
                throw new FileChangedException(location + " is shorter than its stored parts");
            }
            target.flip();
            if (observer != null) {
                observer.accept(target.duplicate());
            }
            sha256.update(target);
            remaining -= read;
            watchdog.progress(); // re-reading 50 GB of a resumed upload is progress too, not a stall
        }
        bytesRead = last.inputEnd();
        progress.resumedAt(bytesRead);
    }

    /** Reads the rest of the file and waits until every part is stored. */
    Streamed streamAll() throws IOException, InterruptedException {
        boolean endOfFile = false;
        while (!endOfFile) {
            ChunkSlot slot = slots.poll();
            if (slot == null) {
                parts.append(slots.oldestFrame());
                slot = slots.take();
            }
            AttemptTasks.await(slot.hashed); // the digests of the chunk it held are done with its input
            AttemptTasks.await(slot.observed);
            slot.inputLength = readChunk(slot.input);
            watchdog.progress(); // another chunk: this upload is moving
            if (channel.size() != expectedSize) {
                // Truncated or grown through a handle someone still holds (the file itself is claimed): noticed
                // within a chunk, not after reading a sparse terabyte.
                throw new FileChangedException(location + " changed size while being read: was " + expectedSize
                        + ", now " + channel.size());
            }
            endOfFile = slot.inputLength < slot.input.capacity();
            digest(slot);
            bytesRead += slot.inputLength;
            slot.inputEnd = bytesRead;
            metrics.bytesRead.inc(slot.inputLength);
            if (slot.inputLength == 0 && bytesRead > 0) {
                slots.free(slot); // nothing left; an empty file still gets its one (empty) frame
                break;
            }
            if (slots.compressed()) {
                slots.compress(slot);
            } else {
                slot.outputLength = slot.inputLength;
                parts.append(slot);
            }
            progress.read(bytesRead, sender.bytesStored());
        }
        while (slots.compressing()) {
            parts.append(slots.oldestFrame());
        }
        parts.finish();
        AttemptTasks.await(lastObserved); // lanes run in order and pass failures on: the last one answers for all
        AttemptTasks.await(lastHashed);
        List<CompletedPart> completed = sender.awaitAll();
        progress.streamed(bytesRead, sender.bytesStored(), completed.size());
        return new Streamed(bytesRead, HexFormat.of().formatHex(sha256.digest()), sender.bytesStored(), completed);
    }

    /**
     * Hands the slot's chunk to the hash lane and the observer's lane; its futures tell when they are done. Each
     * task first takes on the outcome of the one before it in its lane (done by then: a lane runs in order), so a
     * failure anywhere reaches the last future, which {@link #streamAll} awaits: a digest that skipped a chunk
     * never becomes the manifest's SHA-256.
     */
    private void digest(ChunkSlot slot) {
        ByteBuffer chunk = slot.input.duplicate().flip();
        slot.hashed = lastHashed = inLane(hashLane, lastHashed, () -> sha256.update(chunk.duplicate()));
        if (observer != null) {
            slot.observed = lastObserved = inLane(observerLane, lastObserved, () -> observer.accept(chunk.duplicate()));
        }
    }

    /** {@code work} as the lane's next task, after {@code before} (its lane's last task), whose failure it takes on. */
    private Future<?> inLane(SerialLane lane, Future<?> before, Runnable work) {
        return tasks.submit(lane, () -> {
            AttemptTasks.await(before);
            work.run();
            return null;
        });
    }

    private int readChunk(ByteBuffer target) throws IOException {
        target.clear();
        while (target.hasRemaining()) {
            if (channel.read(target) < 0) {
                break;
            }
        }
        return target.position();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
