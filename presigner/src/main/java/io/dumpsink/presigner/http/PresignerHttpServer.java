package io.dumpsink.presigner.http;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.dumpsink.presigner.config.PresignerSettings;
import io.dumpsink.presigner.index.DumpIndex;
import io.dumpsink.presigner.index.DumpStore;
import io.dumpsink.presigner.metrics.PresignerMetrics;
import io.dumpsink.core.lifecycle.Threads;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.time.Duration;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The presigner's HTTP server (the JDK's own; HTTP parsing is not ours) and its routing. Every failure maps to a
 * status: bad input 4xx with a message, S3 trouble 502, and only a bug 500. Bodies never echo secrets.
 */
@Singleton
public final class PresignerHttpServer {
    private static final Logger log = LoggerFactory.getLogger(PresignerHttpServer.class);

    static {
        // The JDK server writes headers and body separately; without TCP_NODELAY, Nagle's algorithm and delayed
        // ACKs stall every keep-alive response by ~40 ms (measured: 600 links/s, p99 678 ms, with an idle CPU).
        // Read once when the JDK's server classes load, so it must be set before the first server starts.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }
    private static final long READY_CACHE_NANOS = TimeUnit.SECONDS.toNanos(5);
    private final PresignerSettings settings;
    private final ApiRoutes api;
    private final StableLinkRoute stableLinks;
    private final BrowsePage browse;
    private final DumpStore store;
    private final DumpIndex index;
    private final PresignerMetrics metrics;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private HttpServer server;
    private ExecutorService executor;
    private volatile long readyCheckedAt;
    private volatile boolean ready;

    @Inject
    PresignerHttpServer(PresignerSettings settings, ApiRoutes api, StableLinkRoute stableLinks, BrowsePage browse,
            DumpStore store, DumpIndex index, PresignerMetrics metrics) {
        this.settings = settings;
        this.api = api;
        this.stableLinks = stableLinks;
        this.browse = browse;
        this.store = store;
        this.index = index;
        this.metrics = metrics;
    }

    public synchronized void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(settings.port()), 1024);
        executor = Executors.newFixedThreadPool(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()),
                Threads.named("dumpsink-http"));
        server.setExecutor(executor);
        server.createContext("/", this::dispatch);
        server.start();
        log.info("HTTP listening port={} stableLinks={}", port(), settings.stableLinks());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public synchronized void stop() {
        if (server != null) {
            server.stop(1);
            Threads.shutdown(executor, Duration.ofSeconds(5));
        }
    }

    private void dispatch(HttpExchange exchange) {
        long started = System.nanoTime();
        String rawPath = exchange.getRequestURI().getRawPath();
        String route = routeOf(rawPath);
        int status;
        try (exchange) {
            try {
                if (rawPath.indexOf('%') >= 0 || rawPath.contains("/../") || rawPath.endsWith("/..")) {
                    throw new HttpError(400, "encoded or relative paths are not accepted");
                }
                route(exchange, rawPath, route);
                status = exchange.getResponseCode();
            } catch (HttpError e) {
                status = e.status();
                Exchanges.json(exchange, status, Map.of("error", e.getMessage()));
            } catch (SdkException e) {
                status = 502;
                log.warn("S3 call failed route={} error={}", route, e.toString());
                Exchanges.json(exchange, status, Map.of("error", "object storage unavailable, try again"));
            } catch (RuntimeException e) {
                status = 500;
                log.error("Request failed route={}", route, e);
                Exchanges.json(exchange, status, Map.of("error", "internal error"));
            }
        } catch (IOException e) {
            status = -1; // the client went away
        }
        metrics.requests.labelValues(route, Integer.toString(status)).inc();
        metrics.requestSeconds.labelValues(route).observe((System.nanoTime() - started) / 1e9);
    }

    private void route(HttpExchange exchange, String path, String route) throws IOException {
        switch (route) {
            case "healthz" -> Exchanges.send(exchange, 200, "text/plain", "ok\n".getBytes(StandardCharsets.UTF_8));
            case "readyz" -> {
                boolean up = ready();
                // Not ready before the dump index's first listing: a page from this replica would miss dumps.
                boolean indexed = index.loaded();
                Exchanges.send(exchange, up && indexed ? 200 : 503, "text/plain",
                        (!up ? "S3 unreachable\n" : indexed ? "ready\n" : "dump index loading\n")
                                .getBytes(StandardCharsets.UTF_8));
            }
            case "metrics" -> {
                ByteArrayOutputStream body = new ByteArrayOutputStream(8192);
                writer.write(body, metrics.registry().scrape());
                Exchanges.send(exchange, 200, writer.getContentType(), body.toByteArray());
            }
            case "api" -> api.handle(exchange, path);
            case "stable" -> stableLinks.handle(exchange, path);
            case "browse", "download" -> browse.handle(exchange, path);
            default -> throw new HttpError(404, "not found");
        }
    }

    private static String routeOf(String path) {
        if (path.startsWith("/download/")) {
            return "download";
        }
        if (BrowsePage.serves(path)) {
            return "browse";
        }
        if (path.startsWith("/api/")) {
            return "api";
        }
        if (path.startsWith("/d/")) {
            return "stable";
        }
        return switch (path) {
            case "/healthz" -> "healthz";
            case "/readyz" -> "readyz";
            case "/metrics" -> "metrics";
            default -> "other";
        };
    }

    /** S3 reachable, checked at most every 5 s so probes do not load the store. */
    private boolean ready() {
        if (System.nanoTime() - readyCheckedAt > READY_CACHE_NANOS) {
            try {
                store.checkReachable();
                ready = true;
            } catch (SdkException e) {
                ready = false;
            }
            readyCheckedAt = System.nanoTime();
        }
        return ready;
    }
}
