package io.dumpsink.agent.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FairQueueTest {
    record Dump(String pod, int age) {
    }

    @Test
    void podsTakeTurnsAndEachPodsOldestComesFirst() throws Exception {
        FairQueue<Dump> queue = new FairQueue<>(Dump::pod, Comparator.comparingInt(Dump::age));
        for (int i = 1000; i > 0; i--) {
            queue.add(new Dump("flooder", i)); // a pod that dropped a thousand files, added newest first
        }
        queue.add(new Dump("quiet-b", 5));
        queue.add(new Dump("quiet-c", 7));

        List<String> firstFive = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Dump next = queue.poll(1, TimeUnit.SECONDS);
            firstFive.add(next.pod() + ":" + next.age());
        }
        assertThat(firstFive).containsExactly("flooder:1", "quiet-b:5", "quiet-c:7", "flooder:2", "flooder:3");
        assertThat(queue.size()).isEqualTo(997);
    }

    @Test
    void pollWaitsAtMostItsTimeoutAndWakesForANewItem() throws Exception {
        FairQueue<Dump> queue = new FairQueue<>(Dump::pod, Comparator.comparingInt(Dump::age));
        long start = System.nanoTime();
        assertThat(queue.poll(200, TimeUnit.MILLISECONDS)).isNull();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));

        Thread adder = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            queue.add(new Dump("late", 1));
        });
        adder.start();
        assertThat(queue.poll(30, TimeUnit.SECONDS)).isEqualTo(new Dump("late", 1));
        adder.join();
    }
}
