package io.dumpsink.agent.testing;

import com.google.inject.Module;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dumpsink.agent.AgentApp;
import io.dumpsink.core.config.ConfigLoader;
import io.dumpsink.embedded.EmbeddedS3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Builds an in-process agent against a {@link TestingS3}, with short timings; tests add their own settings. */
public final class TestingAgent {
    private final Map<String, Object> settings = new HashMap<>();

    public TestingAgent(TestingS3 s3, Path watchDir, Path stateDir) {
        this(s3.server.endpoint().toString(), EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY, watchDir, stateDir);
    }

    /** An agent against any S3 server. */
    public TestingAgent(String endpoint, String accessKey, String secretKey, Path watchDir, Path stateDir) {
        settings.put("dumpsink.cluster", "test-cluster");
        settings.put("dumpsink.node", "node-1");
        settings.put("dumpsink.s3.endpoint", endpoint);
        settings.put("dumpsink.s3.bucket", TestingS3.BUCKET);
        settings.put("dumpsink.s3.path-style", true);
        settings.put("dumpsink.s3.access-key", accessKey);
        settings.put("dumpsink.s3.secret-key", secretKey);
        settings.put("dumpsink.s3.create-bucket", true);
        settings.put("dumpsink.agent.watch-dir", watchDir.toString());
        settings.put("dumpsink.agent.state-dir", stateDir.toString());
        settings.put("dumpsink.agent.settle-time", "500ms");
        // Most test files named .hprof are not real heap dumps: they are shipped as incomplete after this.
        // Tests of completeness itself (RealJvmDumpsTest) set it far longer, so the fallback cannot hide a bug.
        settings.put("dumpsink.agent.incomplete-wait", "1s");
        settings.put("dumpsink.agent.rescan-interval", "2s");
        settings.put("dumpsink.agent.retry-initial", "100ms");
        settings.put("dumpsink.agent.retry-max", "1s");
        settings.put("dumpsink.agent.http-port", 0);
    }

    public TestingAgent with(String key, Object value) {
        settings.put(key, value);
        return this;
    }

    public Config config() {
        return ConfigLoader.load(ConfigFactory.parseMap(settings, "test"), Map.of());
    }

    /** The settings under a config file, as {@code -Dconfig.file} would layer them. */
    public Config config(Path file) {
        return ConfigLoader.load(ConfigFactory.parseFile(file.toFile()).withFallback(ConfigFactory.parseMap(settings,
                "test")), Map.of());
    }

    public AgentApp start(Module... overrides) throws Exception {
        Files.createDirectories(Path.of(settings.get("dumpsink.agent.watch-dir").toString()));
        AgentApp app = AgentApp.create(config(), overrides);
        app.start();
        return app;
    }
}
