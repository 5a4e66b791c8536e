package io.dumpsink.agent;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Stage;
import com.google.inject.util.Modules;
import com.typesafe.config.Config;
import io.dumpsink.agent.config.AgentConfig;
import io.dumpsink.core.config.ConfigLoader;
import io.dumpsink.core.lifecycle.Launcher;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One agent instance: validated settings, an injector built strictly (production stage, explicit bindings, so a
 * wiring mistake fails at startup), and its service. Used by {@code Main}, the local run and in-process tests.
 */
public final class AgentApp implements Launcher.Service {
    private static final Logger log = LoggerFactory.getLogger(AgentApp.class);
    private final Injector injector;
    private final AgentService service;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private AgentApp(Injector injector) {
        this.injector = injector;
        this.service = injector.getInstance(AgentService.class);
    }

    /**
     * Validates {@code config} (every problem reported at once) and wires the agent. {@code overrides} replace
     * bindings of the standard modules, for tests.
     *
     * @throws io.dumpsink.core.config.InvalidConfigException when the configuration is wrong
     */
    public static AgentApp create(Config config, Module... overrides) {
        AgentConfig agentConfig = AgentConfig.from(config);
        ConfigLoader.logEffective("agent", config);
        agentConfig.warnings().forEach(warning -> log.warn("Setting adjusted {}", warning));
        log.info("Upload buffers {}", agentConfig.upload().describeBuffers());
        List<Module> modules = new ArrayList<>();
        modules.add(new StrictBindings());
        modules.add(Modules.override(AgentModules.all(agentConfig)).with(overrides));
        return new AgentApp(Guice.createInjector(Stage.PRODUCTION, modules));
    }

    @Override
    public void start() throws IOException {
        service.start();
    }

    @Override
    public void stop() {
        try {
            service.stop();
        } finally {
            stopped.countDown();
        }
    }

    @Override
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    public int httpPort() {
        return service.httpPort();
    }

    public <T> T get(Class<T> type) {
        return injector.getInstance(type);
    }

    private static final class StrictBindings extends AbstractModule {
        @Override
        protected void configure() {
            binder().disableCircularProxies();
            binder().requireExplicitBindings();
            binder().requireExactBindingAnnotations();
        }
    }
}
