package io.dumpsink.agent;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import io.dumpsink.agent.claim.ClaimModule;
import io.dumpsink.agent.cleanup.CleanupModule;
import io.dumpsink.agent.config.AgentConfig;
import io.dumpsink.agent.config.AgentConfigModule;
import io.dumpsink.agent.http.HttpModule;
import io.dumpsink.agent.notify.NotifyModule;
import io.dumpsink.agent.pipeline.PipelineModule;
import io.dumpsink.agent.record.RecordModule;
import io.dumpsink.agent.upload.UploadModule;
import io.dumpsink.agent.watch.WatchModule;
import io.dumpsink.core.lifecycle.LifecycleModule;
import io.dumpsink.core.s3.S3Module;
import java.util.List;

/**
 * Every module of the agent, in the order a dump travels, in one list that {@code Main}, the local run and the
 * tests share (tests override single modules with {@code Modules.override}).
 */
public final class AgentModules {
    private AgentModules() {
    }

    public static List<Module> all(AgentConfig config) {
        return List.of(
                new AgentConfigModule(config),
                new LifecycleModule(),
                new S3Module(),
                new WatchModule(),
                new ClaimModule(),
                new UploadModule(),
                new RecordModule(),
                new CleanupModule(),
                config.notifications().presignerUrl().isPresent() ? new NotifyModule() : NotifyModule.none(),
                new PipelineModule(),
                new HttpModule(),
                new ServiceModule());
    }

    /** The service that starts and stops the parts. */
    static final class ServiceModule extends AbstractModule {
        @Override
        protected void configure() {
            bind(AgentService.class);
        }
    }
}
