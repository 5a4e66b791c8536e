package io.dumpsink.agent.config;

import com.typesafe.config.Config;
import io.dumpsink.core.config.ClusterSettings;
import io.dumpsink.core.config.ConfigReader;
import io.dumpsink.core.config.S3Settings;
import java.util.List;

/**
 * The agent's whole configuration, read once from {@link Config} and validated with every problem reported
 * together. Nothing else in the agent reads {@link Config}; classes get the narrow record they need. Settings that
 * were adjusted rather than refused (a compression-thread count lowered to fit the memory) are in
 * {@link #warnings()}, for the startup log.
 */
public record AgentConfig(ClusterSettings cluster, S3Settings s3, LifecycleSettings lifecycle, WatchSettings watch, UploadSettings upload,
        PipelineSettings pipeline, NotifySettings notifications, HeapSummarySettings heapSummary, int httpPort,
        List<String> warnings) {

    /** Reads {@code config} for this JVM: buffers are sized from its max direct memory and processors. */
    public static AgentConfig from(Config config) {
        return from(config, JvmResources.current());
    }

    /** Reads {@code config} as if the JVM had {@code jvm}'s memory and processors. */
    public static AgentConfig from(Config config, JvmResources jvm) {
        ConfigReader r = new ConfigReader(config);
        ClusterSettings cluster = ClusterSettings.from(r);
        S3Settings s3 = S3Settings.from(r);
        LifecycleSettings lifecycle = LifecycleSettings.from(r);
        WatchSettings watch = WatchSettings.from(r);
        PipelineSettings pipeline = PipelineSettings.from(r);
        UploadSettings upload = UploadSettings.from(r, jvm, Math.max(1, pipeline.maxConcurrentDumps()));
        AgentConfig agentConfig = new AgentConfig(cluster, s3, lifecycle, watch, upload, pipeline,
                NotifySettings.from(r), HeapSummarySettings.from(r), r.port("dumpsink.agent.http-port"), r.warnings());
        if (agentConfig.pipeline.stateDir().startsWith(agentConfig.watch.watchDir())) {
            r.problem("dumpsink.agent.state-dir", "must not be inside dumpsink.agent.watch-dir ("
                    + agentConfig.watch.watchDir() + "): pods can write there");
        }
        r.validate();
        return agentConfig;
    }
}
