package io.dumpsink.presigner;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.Stage;
import com.google.inject.util.Modules;
import com.typesafe.config.Config;
import io.dumpsink.core.config.ConfigLoader;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.lifecycle.StartupException;
import io.dumpsink.core.s3.BucketCheck;
import io.dumpsink.core.lifecycle.Launcher;
import io.dumpsink.core.lifecycle.Closer;
import io.dumpsink.presigner.config.PresignerConfig;
import io.dumpsink.presigner.http.PresignerHttpServer;
import io.dumpsink.presigner.index.DumpIndex;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;

/** One presigner: validated settings, a strictly built injector, the HTTP server. Used by Main and tests. */
public final class PresignerApp implements Launcher.Service {
    private static final Logger log = LoggerFactory.getLogger(PresignerApp.class);
    private final PresignerHttpServer server;
    private final DumpIndex index;
    private final Closer closer;
    private final S3Client s3;
    private final S3Settings s3Settings;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private PresignerApp(Injector injector) {
        this.server = injector.getInstance(PresignerHttpServer.class);
        this.index = injector.getInstance(DumpIndex.class);
        this.closer = injector.getInstance(Closer.class);
        this.s3 = injector.getInstance(S3Client.class);
        this.s3Settings = injector.getInstance(S3Settings.class);
    }

    /** @throws io.dumpsink.core.config.InvalidConfigException when the configuration is wrong */
    public static PresignerApp create(Config config, Module... overrides) {
        PresignerConfig presignerConfig = PresignerConfig.from(config);
        ConfigLoader.logEffective("presigner", config);
        List<Module> modules = new ArrayList<>();
        modules.add(new AbstractModule() {
            @Override
            protected void configure() {
                binder().disableCircularProxies();
                binder().requireExplicitBindings();
                binder().requireExactBindingAnnotations();
            }
        });
        modules.add(Modules.override(PresignerModules.all(presignerConfig)).with(overrides));
        return new PresignerApp(Guice.createInjector(Stage.PRODUCTION, modules));
    }

    @Override
    public void start() throws IOException {
        // Links to a bucket this process cannot reach would all fail: say why at startup, in one line.
        BucketCheck.check(s3, s3Settings).ifPresent(problem -> {
            stop();
            throw new StartupException(problem);
        });
        index.start(); // in the background: /readyz answers 503 until its first listing is done
        server.start();
        log.info("Presigner started");
    }

    @Override
    public synchronized void stop() {
        if (stopped.getCount() == 0) {
            return;
        }
        server.stop();
        closer.close();
        stopped.countDown();
        log.info("Presigner stopped");
    }

    @Override
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    public int port() {
        return server.port();
    }

    /** The port of probes and metrics. */
    public int managementPort() {
        return server.managementPort();
    }
}
