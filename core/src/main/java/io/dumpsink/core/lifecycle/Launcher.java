package io.dumpsink.core.lifecycle;

import io.dumpsink.core.config.ConfigLoader;
import io.dumpsink.core.config.InvalidConfigException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import sun.misc.Signal;

/**
 * What both programs' {@code main} does: load the config, build and start the service, stop it gracefully on
 * SIGTERM or SIGINT and exit 0 (what Kubernetes expects of a pod it stops). Exit codes: 2 for a configuration
 * mistake, 3 when a startup check fails (both with the message naming the setting), 1 for anything else. Only
 * {@code main} calls this, so it is the one place that exits.
 */
public final class Launcher {
    private static final Logger log = LoggerFactory.getLogger(Launcher.class);

    /** A program: built from the loaded config, then started, stopped and waited for. */
    public interface Service {
        void start() throws Exception;

        void stop();

        void awaitStop() throws InterruptedException;
    }

    /** Builds a service from the loaded config; throws {@link InvalidConfigException} for a wrong config. */
    public interface Factory {
        Service create(com.typesafe.config.Config config);
    }

    private Launcher() {
    }

    public static void run(Factory factory) {
        // The JDK HTTP server writes headers and body separately: without TCP_NODELAY every keep-alive response
        // waits ~40 ms for a delayed ACK. Read once when its classes load, so set before any server exists.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        Service service;
        try {
            service = factory.create(ConfigLoader.load());
            Service running = service;
            Runtime.getRuntime().addShutdownHook(new Thread(running::stop, "dumpsink-shutdown"));
            for (String signal : new String[] {"TERM", "INT"}) {
                Signal.handle(new Signal(signal), received -> new Thread(running::stop,
                        "dumpsink-sig" + signal.toLowerCase(Locale.ROOT)).start());
            }
            service.start();
        } catch (InvalidConfigException e) {
            log.error("Cannot start: {}", e.getMessage());
            System.exit(2);
            return;
        } catch (StartupException e) {
            log.error("Cannot start: {}", e.getMessage());
            System.exit(3);
            return;
        } catch (Exception e) {
            log.error("Cannot start", e);
            System.exit(1);
            return;
        }
        try {
            service.awaitStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.exit(0);
    }
}
