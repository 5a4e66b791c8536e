package io.dumpsink.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dumpsink.agent.testing.TestingAgent;
import io.dumpsink.core.config.InvalidConfigException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upload buffer budget comes from the memory the JVM has, not from its cores. Each case states a JVM (max direct
 * memory, processors) instead of starting one: the chart's 64 MiB on 2 and on 64 cores, and settings that do not
 * fit.
 */
class UploadSettingsTest {
    private static final long MIB = 1024 * 1024;
    private static final JvmResources CHART_ON_2_CORES = new JvmResources(64 * MIB, 2);
    private static final JvmResources CHART_ON_64_CORES = new JvmResources(64 * MIB, 64);

    @TempDir
    Path tmp;

    private TestingAgent agent() {
        return new TestingAgent("http://127.0.0.1:9", "key", "secret", tmp.resolve("watch"), tmp.resolve("state"));
    }

    private AgentConfig read(TestingAgent agent, JvmResources jvm) {
        return AgentConfig.from(agent.config(), jvm);
    }

    @Test
    void twoCoresWithTheChartsDirectMemoryKeepOneThreadPerCore() {
        UploadSettings upload = read(agent(), CHART_ON_2_CORES).upload();
        assertThat(upload.compressionThreads()).isEqualTo(2);
        assertThat(upload.buffers().total()).isEqualTo(48 * MIB - 48); // 75% of 64 MiB, in whole percent units
        assertThat(upload.bufferBytesPerUpload(2)).isBetween(35 * MIB, 36 * MIB);
    }

    @Test
    void sixtyFourCoresWithTheChartsDirectMemoryGetTheThreadsThatFitNotOnePerCore() {
        AgentConfig config = read(agent(), CHART_ON_64_CORES);
        UploadSettings upload = config.upload();
        assertThat(upload.compressionThreads()).isEqualTo(8);
        assertThat(upload.bufferBytesPerUpload(8)).isLessThanOrEqualTo(upload.buffers().perUpload());
        assertThat(upload.bufferBytesPerUpload(9)).isGreaterThan(upload.buffers().perUpload());
        assertThat(config.warnings()).as("the default (0) adapts silently").isEmpty();
        assertThat(upload.describeBuffers()).contains("maxDirectMemory=64.0MiB", "budget=48.0MiB (75%)",
                "perUpload=48.0MiB", "compressionThreads=8 processors=64");
    }

    @Test
    void moreDirectMemoryAllowsOneThreadPerCoreAgain() {
        assertThat(read(agent(), new JvmResources(1024 * MIB, 64)).upload().compressionThreads()).isEqualTo(64);
    }

    @Test
    void concurrentDumpsSplitTheBudget() {
        UploadSettings upload = read(agent().with("dumpsink.agent.max-concurrent-dumps", 2),
                new JvmResources(128 * MIB, 64)).upload();
        assertThat(upload.buffers().perUpload()).isEqualTo(upload.buffers().total() / 2);
        assertThat(upload.compressionThreads()).isEqualTo(8);
    }

    @Test
    void explicitThreadsThatFitAreKept() {
        AgentConfig config = read(agent().with("dumpsink.agent.compression-threads", 3), CHART_ON_64_CORES);
        assertThat(config.upload().compressionThreads()).isEqualTo(3);
        assertThat(config.warnings()).isEmpty();
    }

    @Test
    void explicitThreadsBeyondTheBudgetAreCappedWithOneWarningNamingTheKey() {
        AgentConfig config = read(agent().with("dumpsink.agent.compression-threads", 64), CHART_ON_64_CORES);
        assertThat(config.upload().compressionThreads()).isEqualTo(8);
        assertThat(config.warnings()).singleElement().asString()
                .startsWith("dumpsink.agent.compression-threads: 64 threads do not fit the upload buffer budget:"
                        + " using 8")
                .contains("-XX:MaxDirectMemorySize");
    }

    @Test
    void partSizeThatCannotFitEvenOnceIsAStartupErrorWithTheLargestThatFits() {
        assertThatThrownBy(() -> read(agent().with("dumpsink.agent.part-size", "64MiB"), CHART_ON_64_CORES))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("dumpsink.agent.part-size: one upload needs 201.0MiB of buffers even with one"
                        + " compression thread")
                .hasMessageContaining("more than the 48.0MiB it may use (75% of max direct memory 64.0MiB)")
                .hasMessageContaining("set dumpsink.agent.part-size to at most 12MiB, or give the JVM more direct"
                        + " memory (-XX:MaxDirectMemorySize)");
    }

    @Test
    void partsInFlightThatCannotFitNamesThatKey() {
        assertThatThrownBy(() -> read(agent().with("dumpsink.agent.parts-in-flight", 8), CHART_ON_2_CORES))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("dumpsink.agent.parts-in-flight: one upload needs")
                .hasMessageContaining("set dumpsink.agent.parts-in-flight to at most 3, or");
    }

    @Test
    void chunkSizeThatCannotFitNamesThatKey() {
        assertThatThrownBy(() -> read(agent().with("dumpsink.agent.chunk-size", "16MiB"), CHART_ON_2_CORES))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("dumpsink.agent.chunk-size: one upload needs")
                .hasMessageContaining("set dumpsink.agent.chunk-size to at most 2MiB, or");
    }

    @Test
    void tooManyConcurrentDumpsForTheMemoryNamesThatKey() {
        assertThatThrownBy(() -> read(agent().with("dumpsink.agent.max-concurrent-dumps", 4), CHART_ON_2_CORES))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("dumpsink.agent.max-concurrent-dumps: one upload needs")
                .hasMessageContaining("divided by max-concurrent-dumps 4")
                .hasMessageContaining("set dumpsink.agent.max-concurrent-dumps to at most 1, or");
    }

    @Test
    void defaultsInATooSmallJvmPointAtTheJvmOption() {
        assertThatThrownBy(() -> read(agent(), new JvmResources(24 * MIB, 2)))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("dumpsink.agent.part-size: one upload needs")
                .hasMessageContaining("); give the JVM more direct memory (-XX:MaxDirectMemorySize)");
    }

    @Test
    void thisJvmsDirectMemoryIsItsMaxHeapWhenNotSetExplicitly() {
        // Surefire starts the test JVM without -XX:MaxDirectMemorySize: the JDK then allows as much as the heap.
        assertThat(JvmResources.current().maxDirectMemory()).isEqualTo(Runtime.getRuntime().maxMemory());
        assertThat(JvmResources.current().processors()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }
}
