package io.dumpsink.agent.config;

import com.typesafe.config.Config;
import io.dumpsink.core.config.ClusterSettings;
import io.dumpsink.core.config.ConfigReader;
import io.dumpsink.core.config.S3Settings;

/**
 * The agent's whole configuration, read once from {@link Config} and validated with every problem reported
 * together. Nothing else in the agent reads {@link Config}; classes get the narrow record they need.
 */
public record AgentConfig(ClusterSettings cluster, S3Settings s3, LifecycleSettings lifecycle, WatchSettings watch, UploadSettings upload,
        PipelineSettings pipeline, NotifySettings notifications, int httpPort) {

    public static AgentConfig from(Config config) {
        ConfigReader r = new ConfigReader(config);
        AgentConfig agentConfig = new AgentConfig(
                ClusterSettings.from(r),
                S3Settings.from(r),
                LifecycleSettings.from(r),
                WatchSettings.from(r),
                UploadSettings.from(r),
                PipelineSettings.from(r),
                NotifySettings.from(r),
                r.port("dumpsink.agent.http-port"));
        if (agentConfig.pipeline.stateDir().startsWith(agentConfig.watch.watchDir())) {
            r.problem("dumpsink.agent.state-dir", "must not be inside dumpsink.agent.watch-dir ("
                    + agentConfig.watch.watchDir() + "): pods can write there");
        }
        r.validate();
        return agentConfig;
    }
}
