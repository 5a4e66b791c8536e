package io.dumpsink.agent.upload;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * Runs the tasks given to it one after another, in the order given, on a shared pool: the digests of one upload
 * (SHA-256, heap summary) must see its chunks in file order, but need not hold a thread of their own while the
 * upload waits for its file or its store. At most one pool thread works for a lane at a time, and none while the
 * lane is empty; a task that throws does not stop the ones after it (callers wrap tasks in futures that keep
 * what they threw).
 */
final class SerialLane implements Executor {
    private final Executor pool;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean draining;

    SerialLane(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            queue.add(task);
            if (draining) {
                return;
            }
            draining = true;
        }
        try {
            pool.execute(this::drain);
        } catch (RuntimeException e) { // the pool is shut down: nothing runs, and the next execute tries again
            synchronized (this) {
                queue.remove(task);
                draining = false;
            }
            throw e;
        }
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (this) {
                next = queue.poll();
                if (next == null) {
                    draining = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                // A FutureTask never throws here; anything else is the caller's bug, and must not stall the lane.
                Thread.currentThread().getUncaughtExceptionHandler().uncaughtException(Thread.currentThread(), e);
            }
        }
    }
}
