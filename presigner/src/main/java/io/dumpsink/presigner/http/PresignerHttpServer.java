package io.dumpsink.presigner.http;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.presigner.config.PresignerSettings;
import io.dumpsink.presigner.config.ServerSettings;
import io.dumpsink.presigner.index.DumpIndex;
import io.dumpsink.presigner.index.DumpStore;
import io.dumpsink.presigner.metrics.PresignerMetrics;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The presigner's HTTP listeners (Jetty's core server; HTTP parsing is not ours) and its routing. Two servers with
 * separate threads: the API port (API, stable links, browse page, and probes for whoever looks there) and the
 * management port (probes and {@code /metrics} only, kept out of the Ingress). Requests are parsed on NIO
 * selectors, so a client that sends half a request holds a buffer, not a thread, and is cut off after
 * {@code server.idle-timeout}; headers over {@code server.max-header-size} get 431 from Jetty.
 *
 * <p>Every failure maps to a status: bad input 4xx with a message, S3 trouble 502, and only a bug 500. Bodies
 * never echo secrets.
 */
@Singleton
public final class PresignerHttpServer {
    private static final Logger log = LoggerFactory.getLogger(PresignerHttpServer.class);
    private static final long READY_CACHE_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Probes and a scrape now and then: a few threads, on top of Jetty's acceptor and selector. */
    private static final int MANAGEMENT_THREADS = 8;
    private final PresignerSettings settings;
    private final ServerSettings server;
    private final ApiRoutes api;
    private final StableLinkRoute stableLinks;
    private final BrowsePage browse;
    private final DumpStore store;
    private final DumpIndex index;
    private final PresignerMetrics metrics;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private Server apiServer;
    private Server managementServer;
    private volatile long readyCheckedAt;
    private volatile boolean ready;

    @Inject
    PresignerHttpServer(PresignerSettings settings, ServerSettings server, ApiRoutes api,
            StableLinkRoute stableLinks, BrowsePage browse, DumpStore store, DumpIndex index,
            PresignerMetrics metrics) {
        this.settings = settings;
        this.server = server;
        this.api = api;
        this.stableLinks = stableLinks;
        this.browse = browse;
        this.store = store;
        this.index = index;
        this.metrics = metrics;
    }

    public synchronized void start() throws IOException {
        try {
            managementServer = jetty("dumpsink-mgmt", server.managementPort(), MANAGEMENT_THREADS, true);
            managementServer.start();
            apiServer = jetty("dumpsink-http", settings.port(), server.apiThreads(), false);
            apiServer.start();
        } catch (Exception e) {
            stop();
            throw new IOException("cannot start the HTTP server: " + e.getMessage(), e);
        }
        log.info("HTTP listening port={} managementPort={} threads={} idleTimeout={} maxHeaderSize={} stableLinks={}",
                port(), managementPort(), server.apiThreads(), server.idleTimeout(), server.maxHeaderBytes(),
                settings.stableLinks());
    }

    private Server jetty(String name, int port, int threads, boolean management) {
        QueuedThreadPool pool = new QueuedThreadPool(threads, Math.min(4, threads));
        pool.setName(name);
        Server jetty = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        http.setRequestHeaderSize(server.maxHeaderBytes());
        http.setIdleTimeout(server.idleTimeout().toMillis());
        http.setMinRequestDataRate(server.minBodyBytesPerSecond());
        ServerConnector connector = new ServerConnector(jetty, 1, 1, new HttpConnectionFactory(http));
        connector.setPort(port);
        connector.setIdleTimeout(server.idleTimeout().toMillis());
        connector.setAcceptQueueSize(1024);
        jetty.addConnector(connector);
        jetty.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                dispatch(new Exchange(request, response, callback), management);
                return true;
            }
        });
        jetty.setStopTimeout(1000);
        return jetty;
    }

    public int port() {
        return ((ServerConnector) apiServer.getConnectors()[0]).getLocalPort();
    }

    public int managementPort() {
        return ((ServerConnector) managementServer.getConnectors()[0]).getLocalPort();
    }

    public synchronized void stop() {
        for (Server jetty : new Server[] {apiServer, managementServer}) {
            if (jetty != null) {
                try {
                    jetty.stop();
                } catch (Exception e) {
                    log.warn("HTTP server did not stop cleanly error={}", e.toString());
                }
            }
        }
    }

    private void dispatch(Exchange exchange, boolean management) {
        long started = System.nanoTime();
        String rawPath = exchange.rawPath();
        String route = routeOf(rawPath, management);
        int status;
        try {
            if (rawPath.indexOf('%') >= 0 || rawPath.contains("/../") || rawPath.endsWith("/..")) {
                throw new HttpError(400, "encoded or relative paths are not accepted");
            }
            route(exchange, rawPath, route);
            status = exchange.status();
        } catch (HttpError e) {
            status = e.status();
            error(exchange, status, e.getMessage());
        } catch (SdkException e) {
            status = 502;
            log.warn("S3 call failed route={} error={}", route, e.toString());
            error(exchange, status, "object storage unavailable, try again");
        } catch (IOException e) {
            status = 400; // reading the request failed: the client went away or sent too slowly
            error(exchange, status, "could not read the request");
        } catch (RuntimeException e) {
            status = 500;
            log.error("Request failed route={}", route, e);
            error(exchange, status, "internal error");
        }
        metrics.requests.labelValues(route, Integer.toString(status)).inc();
        metrics.requestSeconds.labelValues(route).observe((System.nanoTime() - started) / 1e9);
    }

    private static void error(Exchange exchange, int status, String message) {
        if (exchange.sent()) {
            return; // the route failed after answering; nothing more can be said
        }
        try {
            Exchanges.json(exchange, status, Map.of("error", message));
        } catch (IOException e) {
            throw new IllegalStateException(e); // serializing a map of two strings does not fail
        }
    }

    private void route(Exchange exchange, String path, String route) throws IOException {
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

    /** The management port serves probes and metrics only; the API port everything but metrics. */
    private static String routeOf(String path, boolean management) {
        switch (path) {
            case "/healthz":
                return "healthz";
            case "/readyz":
                return "readyz";
            case "/metrics":
                return management ? "metrics" : "other";
            default:
                break;
        }
        if (management) {
            return "other";
        }
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
        return "other";
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
