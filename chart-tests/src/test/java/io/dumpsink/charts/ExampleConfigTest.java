package io.dumpsink.charts;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dumpsink.agent.config.AgentConfig;
import io.dumpsink.core.config.ConfigLoader;
import io.dumpsink.presigner.config.PresignerConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The example configs in config/ load cleanly with the programs' own loaders: no drift, no stale keys. */
class ExampleConfigTest {
    static final Path CONFIG = Path.of("..", "config").toAbsolutePath().normalize();

    static Config load(String file) {
        return ConfigLoader.load(ConfigFactory.parseFile(CONFIG.resolve(file).toFile()), Map.of("NODE_NAME", "n1"));
    }

    @Test
    void agentExampleLoads() {
        AgentConfig config = AgentConfig.from(load("agent.conf"));
        assertThat(config.cluster().cluster()).isEqualTo("prod-eu1");
        assertThat(config.watch().watchDir()).isEqualTo(Path.of("/var/dumps"));
    }

    @Test
    void presignerExampleLoads() {
        PresignerConfig config = PresignerConfig.from(load("presigner.conf"));
        assertThat(config.presigner().stableLinks()).isTrue();
        assertThat(config.presigner().s3PublicEndpoint()).isPresent();
    }
}
