package io.dumpsink.agent.upload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A lane keeps its tasks in order on a shared pool, never two at once, and lets other lanes share the pool. */
class SerialLaneTest {
    final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    @Test
    void tasksRunOneAtATimeInTheOrderGivenOnAPoolOfFourThreads() throws Exception {
        SerialLane lane = new SerialLane(pool);
        List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
        int[] running = {0};
        int[] mostAtOnce = {0};
        AttemptTasks tasks = new AttemptTasks();
        Future<?> last = null;
        for (int i = 0; i < 2_000; i++) {
            int n = i;
            last = tasks.submit(lane, () -> {
                synchronized (running) {
                    mostAtOnce[0] = Math.max(mostAtOnce[0], ++running[0]);
                }
                seen.add(n);
                if (n % 100 == 0) {
                    Thread.sleep(1); // give the pool's other threads every chance to take the next task
                }
                synchronized (running) {
                    running[0]--;
                }
                return null;
            });
        }
        AttemptTasks.await(last);

        assertThat(seen).hasSize(2_000).isSorted();
        assertThat(mostAtOnce[0]).isEqualTo(1);
    }

    @Test
    void aBlockedLaneDoesNotHoldUpAnotherLaneOnTheSamePool() throws Exception {
        SerialLane blocked = new SerialLane(pool);
        SerialLane other = new SerialLane(pool);
        CountDownLatch release = new CountDownLatch(1);
        blocked.execute(() -> awaitQuietly(release));
        CountDownLatch ran = new CountDownLatch(3);
        for (int i = 0; i < 3; i++) {
            other.execute(ran::countDown);
        }

        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
        release.countDown();
    }

    @Test
    void aTaskThatThrowsDoesNotStopTheTasksAfterIt() throws Exception {
        Thread.UncaughtExceptionHandler quiet = (thread, e) -> { };
        ExecutorService quietPool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r);
            t.setUncaughtExceptionHandler(quiet);
            return t;
        });
        try {
            SerialLane quietLane = new SerialLane(quietPool);
            CountDownLatch after = new CountDownLatch(1);
            quietLane.execute(() -> {
                throw new IllegalStateException("a caller's bug");
            });
            quietLane.execute(after::countDown);

            assertThat(after.await(5, TimeUnit.SECONDS)).isTrue();
        } finally {
            quietPool.shutdownNow();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
