package io.dumpsink.agent.upload;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/**
 * The background tasks of one upload attempt (compressions, digests, part uploads), so that the attempt can end for
 * good: {@link #closeAndAwait} cancels what has not started and waits until every task that did start has returned.
 * Cancelling a {@link Future} alone is not enough: a part upload blocked in socket I/O ignores the interrupt and
 * keeps writing into its buffer and the journal while the next attempt starts. After {@code closeAndAwait} returns
 * true, no task of this attempt runs or will run, and its buffers may be reused.
 */
final class AttemptTasks {
    /** Done futures are dropped once this many are kept: an upload submits three tasks per chunk. */
    private static final int PRUNE_AT = 256;

    private final List<Future<?>> futures = new ArrayList<>();
    /**
     * Held by journal writes ({@link #whileOpen}) and by {@link #closeAndAwait} while it closes, and by nothing
     * else: a write's fsyncs must not hold up tasks starting and ending (the monitor of this object).
     */
    private final Object writeLock = new Object();
    private volatile boolean closed;
    private int running;

    /** Submits {@code task}; it does not run if the attempt is closed before it starts. */
    synchronized <T> Future<T> submit(Executor executor, Callable<T> task) {
        FutureTask<T> future = new FutureTask<>(() -> {
            enter();
            try {
                return task.call();
            } finally {
                exit();
            }
        });
        if (futures.size() >= PRUNE_AT) {
            futures.removeIf(Future::isDone); // nothing left to cancel in those
        }
        futures.add(future);
        executor.execute(future);
        return future;
    }

    /**
     * Cancels tasks not started yet, interrupts running ones, and waits up to {@code timeout} for them to return.
     *
     * @return true when no task of this attempt runs any more
     */
    boolean closeAndAwait(Duration timeout) throws InterruptedException {
        List<Future<?>> all;
        synchronized (writeLock) { // a journal write under way ends first; none starts after this
            synchronized (this) {
                closed = true;
                all = List.copyOf(futures);
            }
        }
        all.forEach(future -> future.cancel(true));
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (running > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }
    }

    /**
     * Waits for one task's result and throws what the task threw (a checked exception other than an
     * {@link IOException} wrapped in one); a task cancelled because its attempt ended is an
     * {@link InterruptedIOException}, so the attempt fails as interrupted I/O, which keeps the upload.
     */
    static <T> T await(Future<T> future) throws IOException, InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IOException(cause);
        } catch (CancellationException e) {
            throw new InterruptedIOException("cancelled");
        }
    }

    /**
     * Runs {@code write} only while the attempt is open, under the lock {@link #closeAndAwait} takes to close it:
     * a part upload that returns after its attempt ended (a socket write that outlived the drain) can no longer
     * roll the journal back under the next attempt.
     *
     * @return false when the attempt was already closed and nothing was written
     */
    boolean whileOpen(IoAction write) throws IOException {
        synchronized (writeLock) {
            if (closed) {
                return false;
            }
            write.run();
            return true;
        }
    }

    /** An action that may throw {@link IOException}. */
    interface IoAction {
        void run() throws IOException;
    }

    private synchronized void enter() {
        if (closed) {
            throw new CancellationException("the upload attempt is over");
        }
        running++;
    }

    private synchronized void exit() {
        running--;
        notifyAll();
    }
}
