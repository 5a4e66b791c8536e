package io.dumpsink.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dumpsink.embedded.EmbeddedS3;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The agent jar against S3Proxy, plus how the jar fails when it cannot start. */
class S3ProxyAgentJarTest extends AgentJarScenario {
    EmbeddedS3 s3;

    @BeforeEach
    void startS3() throws Exception {
        s3 = EmbeddedS3.start(tmp.resolve("s3"), 0);
    }

    @AfterEach
    void stopS3() throws Exception {
        s3.close();
    }

    @Override
    URI endpoint() {
        return s3.endpoint();
    }

    @Override
    String accessKey() {
        return EmbeddedS3.ACCESS_KEY;
    }

    @Override
    String secretKey() {
        return EmbeddedS3.SECRET_KEY;
    }

    @Test
    void misspelledKeyStopsTheJarWithASuggestionAndExitCode2() throws Exception {
        Path watch = Files.createDirectories(tmp.resolve("watch"));
        Path config = writeConfig(watch, "dumpsink.agent.setle-time = 3s");
        try (ServiceProcess agent = ServiceProcess.agent(config, tmp.resolve("agent.log"))) {
            assertThat(agent.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
            assertThat(agent.output()).contains("dumpsink.agent.setle-time: unknown key")
                    .contains(config.toString())
                    .contains("did you mean 'dumpsink.agent.settle-time'?");
        }
    }

    @Test
    void configFileWithThreeDifferentMistakesStopsTheJarListingAllThree() throws Exception {
        Path watch = Files.createDirectories(tmp.resolve("watch"));
        Path config = writeConfig(watch, """
                dumpsink.agent.setle-time = 3s
                dumpsink.agent.incomplete-wait = 5 parsecs
                dumpsink.agent.part-size = lots
                """);
        try (ServiceProcess agent = ServiceProcess.agent(config, tmp.resolve("agent.log"))) {
            assertThat(agent.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
            assertThat(agent.output())
                    .contains("  - dumpsink.agent.setle-time: unknown key (" + config + ": 8); did you mean"
                            + " 'dumpsink.agent.settle-time'?\n")
                    .contains("  - dumpsink.agent.incomplete-wait: expected a duration such as 5s, 30s or 2m ("
                            + config + ": 9)\n")
                    .contains("  - dumpsink.agent.part-size: expected a size such as 8MiB or 1GiB (" + config
                            + ": 10)\n");
        }
    }

    @Test
    void missingBucketStopsTheJarWithinFifteenSecondsNamingTheSetting() throws Exception {
        Path watch = Files.createDirectories(tmp.resolve("watch"));
        Path config = writeConfig(watch, "dumpsink.s3.create-bucket = false");
        try (ServiceProcess agent = ServiceProcess.agent(config, tmp.resolve("agent.log"))) {
            assertThat(agent.awaitExit(Duration.ofSeconds(15))).isEqualTo(3);
            assertThat(agent.output()).contains("Cannot start: dumpsink.s3.bucket: no such bucket 'dumps' at ");
        }
    }
}
