package io.dumpsink.agent;

import io.dumpsink.agent.pipeline.StartupException;
import io.dumpsink.core.config.ConfigLoader;
import io.dumpsink.core.config.InvalidConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import sun.misc.Signal;

/**
 * The agent's entry point: load config, wire, start, wait for SIGTERM. The only place that exits. SIGTERM (and
 * SIGINT) stop the agent gracefully and exit 0, as Kubernetes expects of a pod it is stopping; a crash or SIGKILL
 * leaves the journals, and the next start resumes.
 */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        System.setProperty("sun.net.httpserver.nodelay", "true"); // see PresignerHttpServer: before any server
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        AgentApp app;
        try {
            app = AgentApp.create(ConfigLoader.load());
            AgentApp running = app;
            Runtime.getRuntime().addShutdownHook(new Thread(running::stop, "dumpsink-shutdown"));
            for (String signal : new String[] {"TERM", "INT"}) {
                Signal.handle(new Signal(signal), received -> new Thread(running::stop, "dumpsink-sig" + signal
                        .toLowerCase(java.util.Locale.ROOT)).start());
            }
            app.start();
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
            app.awaitStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.exit(0);
    }
}
