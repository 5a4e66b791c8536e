package io.dumpsink.presigner;

import io.dumpsink.core.config.ConfigLoader;
import io.dumpsink.core.config.InvalidConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** The presigner's entry point: load config, wire, start, wait for SIGTERM. The only place that exits. */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        System.setProperty("sun.net.httpserver.nodelay", "true"); // see PresignerHttpServer: before any server
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        PresignerApp app;
        try {
            app = PresignerApp.create(ConfigLoader.load());
            Runtime.getRuntime().addShutdownHook(new Thread(app::stop, "dumpsink-shutdown"));
            app.start();
        } catch (InvalidConfigException e) {
            log.error("Cannot start: {}", e.getMessage());
            System.exit(2);
            return;
        } catch (Exception e) {
            log.error("Cannot start", e);
            System.exit(1);
            return;
        }
        try {
            app.awaitStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
