package io.dumpsink.agent.http;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import com.google.inject.name.Named;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.dumpsink.agent.metrics.AgentMetrics;
import io.dumpsink.agent.health.Readiness;
import io.dumpsink.core.lifecycle.Threads;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.time.Duration;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's small HTTP surface for Kubernetes and Prometheus: {@code /healthz} (the process is alive and no stage is stalled),
 * {@code /readyz} (started, and no {@link Readiness} condition set: S3 answers, buffers fit, stages progress) and {@code /metrics} (Prometheus text format). The JDK's
 * own server is plenty for three read-only endpoints; nothing here takes input.
 */
@Singleton
public final class AgentHttpServer {
    private static final Logger log = LoggerFactory.getLogger(AgentHttpServer.class);
    private final int port;
    private final AgentMetrics metrics;
    private final Readiness readiness;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private HttpServer server;
    private ExecutorService executor;

    @Inject
    AgentHttpServer(@Named("http-port") Integer port, AgentMetrics metrics, Readiness readiness) {
        this.port = port;
        this.metrics = metrics;
        this.readiness = readiness;
    }

    public synchronized void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(port), 16);
        executor = Executors.newFixedThreadPool(2, Threads.named("dumpsink-http"));
        server.setExecutor(executor);
        server.createContext("/healthz", exchange -> {
            boolean alive = readiness.isAlive();
            respond(exchange, alive ? 200 : 503, "text/plain", alive ? "ok\n" : readiness.describe());
        });
        server.createContext("/readyz", exchange -> {
            boolean ready = readiness.isReady();
            respond(exchange, ready ? 200 : 503, "text/plain", readiness.describe());
        });
        server.createContext("/metrics", exchange -> {
            ByteArrayOutputStream body = new ByteArrayOutputStream(8192);
            writer.write(body, metrics.registry().scrape());
            respond(exchange, 200, writer.getContentType(), body.toByteArray());
        });
        server.createContext("/", exchange -> respond(exchange, 404, "text/plain", "not found\n"));
        server.start();
        log.info("HTTP listening port={}", port());
    }

    /** Marks the agent ready once every other part has started. */
    public void markStarted() {
        readiness.started();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public synchronized void stop() {
        readiness.stopping();
        if (server != null) {
            server.stop(0);
            Threads.shutdown(executor, Duration.ofSeconds(2));
        }
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        respond(exchange, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void respond(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", type);
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(status, head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }
}
