package io.dumpsink.agent.upload;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.agent.config.BufferBudget;
import io.dumpsink.agent.config.UploadSettings;
import io.dumpsink.agent.health.Readiness;
import io.dumpsink.agent.metrics.AgentMetrics;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out the large direct buffers uploads work with (chunks, frames, parts) and keeps them within the buffer
 * budget ({@link BufferBudget#total()}, a share of the JVM's max direct memory). They live outside the Java heap,
 * so the heap of an agent in a 256 MiB container stays small and needs no headroom for megabytes of churn per part;
 * file reads land in them without the JDK's extra copy; and zstd works on them in place. Direct memory is costly to
 * allocate and only freed by the GC, hence the reuse.
 *
 * <p>The bound is real: bytes held by uploads plus bytes kept for reuse never pass the budget. Kept buffers of
 * other sizes are dropped to make room; beyond that, {@link Lease#take} fails at once with a
 * {@link BufferAllocationException} instead of waiting. Uploads are sized to fit their share of the budget (see
 * {@link UploadSettings}), so only one whose parts were raised for a huge file can ask for more, and waiting would
 * not make that fit. The JVM refusing direct memory ({@link OutOfMemoryError}: something else used it up) fails the
 * same way, here where buffers are taken, instead of escaping the upload's error handling.
 *
 * <p>A failure is reported by state change: one ERROR, and the {@code memory} condition of {@link Readiness} so
 * {@code /readyz} answers 503 with the reason; {@code dumpsink_buffer_allocation_failures_total} counts every one.
 * The condition clears when an upload that started after the last failure finishes with every buffer it asked for.
 *
 * <p>A buffer abandoned by a failed upload (a cancelled task may still write into it) stops counting at once and is
 * never reused; the GC frees it, and {@code ByteBuffer.allocateDirect} runs the GC itself when the JVM's limit is
 * near.
 */
@Singleton
final class BufferPool {
    static final String CONDITION = "memory";
    private static final Logger log = LoggerFactory.getLogger(BufferPool.class);

    private final long budget;
    private final String budgetExplained;
    private final BufferAllocator allocator;
    private final Readiness readiness;
    private final AgentMetrics metrics;
    private final Map<Integer, Deque<ByteBuffer>> free = new HashMap<>();
    /** Bytes of buffers handed out and not yet given back or abandoned, plus those being allocated. */
    private long leasedBytes;
    /** Bytes of free buffers kept for reuse. */
    private long retainedBytes;
    private long failures;
    private boolean failing;

    @Inject
    BufferPool(UploadSettings settings, BufferAllocator allocator, Readiness readiness, AgentMetrics metrics) {
        this(settings.buffers().total(), settings.buffers().explain(), allocator, readiness, metrics);
    }

    BufferPool(long budget, String budgetExplained, BufferAllocator allocator, Readiness readiness,
            AgentMetrics metrics) {
        this.budget = budget;
        this.budgetExplained = budgetExplained;
        this.allocator = allocator;
        this.readiness = readiness;
        this.metrics = metrics;
    }

    /** A new lease for one upload. */
    synchronized Lease lease() {
        return new Lease(failures);
    }

    /** Bytes handed out to uploads now. */
    synchronized long leasedBytes() {
        return leasedBytes;
    }

    /** Bytes of free buffers kept for reuse now. */
    synchronized long retainedBytes() {
        return retainedBytes;
    }

    /**
     * The buffers one upload holds. Used by the upload's own thread only; every lease ends with {@link #release}
     * or {@link #abandon}.
     */
    final class Lease {
        private final List<ByteBuffer> held = new ArrayList<>();
        private final long failuresAtStart;

        private Lease(long failuresAtStart) {
            this.failuresAtStart = failuresAtStart;
        }

        /** A cleared buffer of exactly {@code capacity} bytes, held until this lease ends. */
        ByteBuffer take(int capacity) throws BufferAllocationException {
            ByteBuffer buffer = BufferPool.this.take(capacity);
            held.add(buffer);
            return buffer;
        }

        /** Gives every buffer back for reuse; only once no task (compression, part upload) can touch them. */
        void release() {
            giveBack(held, failuresAtStart);
            held.clear();
        }

        /** Lets go of every buffer without reuse: a cancelled task may still write into one. The GC frees them. */
        void abandon() {
            forget(held);
            held.clear();
        }
    }

    private ByteBuffer take(int capacity) throws BufferAllocationException {
        synchronized (this) {
            Deque<ByteBuffer> sameSize = free.get(capacity);
            if (sameSize != null && !sameSize.isEmpty()) {
                retainedBytes -= capacity;
                leasedBytes += capacity;
                return sameSize.pop().clear();
            }
            dropRetained(capacity);
            if (leasedBytes + capacity > budget) {
                throw failed("a " + BufferBudget.bytes(capacity) + " buffer would exceed the upload buffer budget of "
                        + BufferBudget.bytes(budget) + " (" + budgetExplained + "): uploads hold "
                        + BufferBudget.bytes(leasedBytes) + "; lower part-size or parts-in-flight, or give the JVM"
                        + " more direct memory (-XX:MaxDirectMemorySize)");
            }
            leasedBytes += capacity; // reserved: allocating may take a GC, outside the lock
        }
        try {
            return allocator.allocate(capacity);
        } catch (OutOfMemoryError e) {
            synchronized (this) {
                leasedBytes -= capacity;
                throw failed("the JVM refused a " + BufferBudget.bytes(capacity) + " buffer (" + e.getMessage()
                        + ") within the upload buffer budget of " + BufferBudget.bytes(budget) + " ("
                        + budgetExplained + "): something else holds direct memory; give the JVM more"
                        + " (-XX:MaxDirectMemorySize)");
            }
        }
    }

    /** Drops kept buffers (none has {@code capacity} bytes) until a new one of that size fits beside them. */
    private void dropRetained(int capacity) {
        Iterator<Deque<ByteBuffer>> sizes = free.values().iterator();
        while (leasedBytes + retainedBytes + capacity > budget && sizes.hasNext()) {
            Deque<ByteBuffer> buffers = sizes.next();
            while (!buffers.isEmpty() && leasedBytes + retainedBytes + capacity > budget) {
                retainedBytes -= buffers.pop().capacity(); // unreachable now: the GC frees it
            }
            if (buffers.isEmpty()) {
                sizes.remove();
            }
        }
    }

    private synchronized void giveBack(List<ByteBuffer> buffers, long failuresAtStart) {
        for (ByteBuffer buffer : buffers) {
            leasedBytes -= buffer.capacity();
            retainedBytes += buffer.capacity();
            free.computeIfAbsent(buffer.capacity(), size -> new ArrayDeque<>()).push(buffer);
        }
        if (failing && failures == failuresAtStart) {
            failing = false;
            log.info("Upload buffers fit again: an upload got every buffer it needed; failedAllocations={}",
                    failures);
            readiness.clear(CONDITION);
        }
    }

    private synchronized void forget(List<ByteBuffer> buffers) {
        for (ByteBuffer buffer : buffers) {
            leasedBytes -= buffer.capacity();
        }
    }

    /** Records a failed allocation: counted always, logged only when buffers stop fitting. */
    private BufferAllocationException failed(String reason) {
        failures++;
        metrics.bufferAllocationFailures.inc();
        if (!failing) {
            failing = true;
            log.error("Upload buffers do not fit: {}. Dumps stay on disk and are retried with backoff; further"
                    + " failures are counted in dumpsink_buffer_allocation_failures_total, not logged, until an"
                    + " upload gets its buffers again", reason);
        }
        readiness.notReady(CONDITION, reason);
        return new BufferAllocationException("upload buffers do not fit: " + reason);
    }
}
