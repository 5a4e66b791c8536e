package io.dumpsink.agent.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.dumpsink.agent.AgentApp;
import io.dumpsink.agent.testing.Dumps;
import io.dumpsink.agent.testing.TestingAgent;
import io.dumpsink.agent.testing.TestingS3;
import io.dumpsink.agent.triage.SyntheticHprof;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The digest lanes under stress: the digest pool is made slow and jittery (each lane task waits 0-2 ms before it
 * runs), so the reader races far ahead of its SHA-256 and heap-summary lanes, two dumps at once, compressed or not.
 * The stored manifest's SHA-256 and summary must still be those of the file (with the reader's wait for a slot's
 * digests removed, the SHA-256 comes out wrong).
 */
class DigestLanesTest {
    private static final Duration WAIT = Duration.ofSeconds(120);
    @TempDir
    Path tmp;
    TestingS3 s3;
    AgentApp agent;

    @AfterEach
    void tearDown() throws Exception {
        if (agent != null) {
            agent.stop();
        }
        s3.close();
    }

    /** A pool whose tasks each start after a random pause: lanes fall behind the reader. */
    static ExecutorService jittery(int threads) {
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>()) {
            @Override
            public void execute(Runnable command) {
                super.execute(() -> {
                    LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(2_000_000));
                    command.run();
                });
            }
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"zstd", "none"})
    void shaAndHeapSummaryMatchTheFileWhenTheDigestLanesLagFarBehindTheReader(String compression) throws Exception {
        s3 = new TestingS3(tmp.resolve("s3"));
        s3.createBucket();
        Path watch = tmp.resolve("watch");
        Files.createDirectories(watch.resolve("ns/pod"));
        agent = AgentApp.create(new TestingAgent(s3, watch, tmp.resolve("state"))
                .with("dumpsink.agent.chunk-size", "64KiB")
                .with("dumpsink.agent.part-size", "5MiB")
                .with("dumpsink.agent.compression", compression)
                .with("dumpsink.agent.max-concurrent-dumps", 2).config());
        UploadExecutors executors = agent.get(UploadExecutors.class);
        Field digesters = UploadExecutors.class.getDeclaredField("digesters");
        digesters.setAccessible(true);
        ((ExecutorService) digesters.get(executors)).shutdown();
        digesters.set(executors, jittery(4));
        agent.start();

        byte[] hprof = SyntheticHprof.big(120_000); // several MiB: ~100 chunks of 64 KiB
        byte[] noise = new byte[(9 << 20) + 4321];
        new Random(7).nextBytes(noise);
        for (int i = 0; i < noise.length; i += 100_000) {
            java.util.Arrays.fill(noise, i, Math.min(noise.length, i + 50_000), (byte) i);
        }
        Files.write(tmp.resolve("a.hprof"), hprof);
        Files.write(tmp.resolve("b.core"), noise);
        Files.move(tmp.resolve("a.hprof"), watch.resolve("ns/pod/a.hprof"));
        Files.move(tmp.resolve("b.core"), watch.resolve("ns/pod/b.core"));
        Dumps.await("two manifests", WAIT, () -> manifests().size() == 2);

        for (String key : manifests()) {
            Manifest m = ManifestCodec.fromJson(s3.get(key));
            byte[] original = m.key().contains("a.hprof") ? hprof : noise;
            assertThat(m.originalSize()).isEqualTo(original.length);
            assertThat(m.sha256()).as(m.key()).isEqualTo(Dumps.sha256(original));
            if (m.key().contains("a.hprof")) {
                assertThat(String.valueOf(m.summary())).isEqualTo(SyntheticHprof.histogramOf(hprof));
            }
        }
    }

    private List<String> manifests() {
        return s3.keys().stream().filter(k -> k.endsWith(".json") && !k.endsWith(".histogram.json")).toList();
    }
}
