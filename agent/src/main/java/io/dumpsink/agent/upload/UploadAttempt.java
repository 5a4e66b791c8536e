package io.dumpsink.agent.upload;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt at an upload: the tasks it starts (compressions, digests, part uploads) and the buffers they use,
 * which go back to the pool only once no task can touch them. After success every task was awaited on the way, so
 * {@link #succeeded()} gives the buffers back. After a failure or an interruption, {@link #end} cancels the tasks
 * and waits for them, so none still writes a buffer or the journal when the next attempt starts; buffers of a task
 * that does not return in time are abandoned to the GC instead of being reused. Used by the upload's thread only.
 */
final class UploadAttempt {
    /** The upload's lines keep the logger name people and their log queries know them by. */
    private static final Logger log = LoggerFactory.getLogger(MultipartUploader.class);

    private final String key;
    private final AttemptTasks tasks = new AttemptTasks();
    private final BufferPool.Lease lease;

    UploadAttempt(BufferPool buffers, String key) {
        this.key = key;
        this.lease = buffers.lease();
    }

    AttemptTasks tasks() {
        return tasks;
    }

    BufferPool.Lease lease() {
        return lease;
    }

    /** After success: every task was awaited on the way, so the buffers are reused. */
    void succeeded() {
        lease.release();
    }

    /**
     * Ends a failed or interrupted attempt for good: its tasks are cancelled and awaited for up to {@code drain},
     * then the buffers go back to the pool, or are abandoned when a task is still running. Keeps the interrupt
     * flag, and restores it when the wait is interrupted.
     */
    void end(Duration drain) {
        boolean interrupted = Thread.interrupted();
        try {
            if (tasks.closeAndAwait(drain)) {
                lease.release();
            } else {
                lease.abandon();
                log.warn("Upload tasks still running after {} key={}; their buffers are not reused", drain, key);
            }
        } catch (InterruptedException e) {
            lease.abandon();
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** After a failure: lets go of buffers without reuse; a no-op when {@link #end} already gave them back. */
    void abandon() {
        lease.abandon();
    }
}
