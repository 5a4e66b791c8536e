package io.dumpsink.agent.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.dumpsink.agent.config.PipelineSettings;
import io.dumpsink.agent.metrics.AgentMetrics;
import io.dumpsink.core.retry.Backoff;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WatchdogTest {
    /** A clock the test moves by hand. */
    static final class TestingClock extends Clock {
        Instant now = Instant.parse("2026-11-29T12:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final AgentMetrics metrics = new AgentMetrics();
    final Readiness readiness = new Readiness(metrics);
    final TestingClock clock = new TestingClock();
    final Watchdog watchdog = new Watchdog(readiness, metrics, clock, new PipelineSettings(1,
            PipelineSettings.AfterUpload.DELETE, new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30)),
            new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(10)), Duration.ofSeconds(20), Path.of("/tmp"),
            Duration.ofHours(1), Optional.empty(), Duration.ofMinutes(5)));

    @Test
    void aStageBusyWithOneOperationPastTheTimeoutIsStalledUntilItMovesOn() {
        readiness.started();
        Heartbeat settle = watchdog.register("settle");
        settle.busy("ns/evil/d/x.hprof");
        clock.advance(Duration.ofMinutes(4));
        watchdog.check();
        assertThat(readiness.isReady()).as("4 min is under the 5 min stall-timeout").isTrue();

        clock.advance(Duration.ofMinutes(2));
        watchdog.check();
        assertThat(readiness.isReady()).isFalse();
        assertThat(readiness.isAlive()).as("liveness fails too: only a restart ends a call that never returns")
                .isFalse();
        assertThat(readiness.describe()).contains("stalled-settle").contains("ns/evil/d/x.hprof").contains("360 s");
        assertThat(metrics.stagesStalled.labelValues("settle").get()).isEqualTo(1);

        settle.idle();
        watchdog.check();
        assertThat(readiness.isReady()).isTrue();
        assertThat(readiness.isAlive()).isTrue();
        assertThat(metrics.stagesStalled.labelValues("settle").get()).isZero();
    }

    @Test
    void progressWithinOneOperationKeepsALongUploadAlive() throws Exception {
        readiness.started();
        java.util.List<Boolean> readyEachMinute = new java.util.ArrayList<>();
        Thread worker = new Thread(() -> {
            Heartbeat upload = watchdog.registerCurrentThread("upload-1");
            upload.busy("a 30 GB dump");
            for (int minute = 0; minute < 20; minute++) {
                clock.advance(Duration.ofMinutes(1));
                watchdog.progress(); // another chunk read
                watchdog.check();
                readyEachMinute.add(readiness.isReady());
            }
            clock.advance(Duration.ofMinutes(6)); // then no chunk for longer than the stall-timeout
            watchdog.check();
            readyEachMinute.add(readiness.isReady());
        });
        worker.start();
        worker.join();
        assertThat(readyEachMinute).hasSize(21).startsWith(java.util.Collections.nCopies(20, true)
                .toArray(Boolean[]::new)).endsWith(false);
    }
}
