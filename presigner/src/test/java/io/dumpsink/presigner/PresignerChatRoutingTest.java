package io.dumpsink.presigner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import io.dumpsink.core.config.ConfigLoader;
import io.dumpsink.core.config.InvalidConfigException;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import io.dumpsink.core.s3.S3Clients;
import io.dumpsink.embedded.EmbeddedS3;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code chat.routes}: each namespace's message reaches its team's webhook, two real receivers on port 0. */
class PresignerChatRoutingTest {
    static final String AGENT = "agent-token-0123456789";
    static final String SHOP_KEY = "prod/node-a/shop-api/api-1/2026-11-28/081530Z-java_pid1.hprof.zst";
    static final String CART_KEY = "prod/node-a/cart/cart-1/2026-11-28/081530Z-java_pid3.hprof.zst";
    static final String BILLING_KEY = "prod/node-a/billing/bill-1/2026-11-28/081531Z-java_pid2.hprof.zst";
    static final String SHOP_HOOK = "/hook/T0000/B0001/ShopTeamSecretPart";
    static final String DEFAULT_HOOK = "/hook/T0000/B0002/DefaultSecretPart";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    EmbeddedS3 s3;
    S3Client client;
    PresignerApp presigner;
    HttpServer shopTeam;
    HttpServer everyoneElse;
    final BlockingQueue<String> shopMessages = new LinkedBlockingQueue<>();
    final BlockingQueue<String> defaultMessages = new LinkedBlockingQueue<>();
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() throws Exception {
        s3 = EmbeddedS3.start(tmp.resolve("s3"), 0);
        client = S3Clients.create(new S3Settings(Optional.of(s3.endpoint()), "us-east-1", "dumps", true,
                EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY, S3Settings.RequestChecksums.AUTO, false,
                Optional.empty()), 4);
        client.createBucket(b -> b.bucket("dumps"));
        for (String key : List.of(SHOP_KEY, CART_KEY, BILLING_KEY)) {
            putDump(key);
        }
        shopTeam = receiver(shopMessages);
        everyoneElse = receiver(defaultMessages);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (presigner != null) {
            presigner.stop();
        }
        shopTeam.stop(0);
        everyoneElse.stop(0);
        client.close();
        s3.close();
    }

    private static HttpServer receiver(BlockingQueue<String> messages) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            messages.add(exchange.getRequestURI().getPath() + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    private void putDump(String key) {
        String[] parts = key.split("/");
        client.putObject(b -> b.bucket("dumps").key(key), RequestBody.fromBytes(new byte[] {1, 2, 3}));
        Manifest manifest = new Manifest(1, key, "dumps", parts[0], parts[1], parts[2], parts[3], "java.hprof",
                "/var/dumps/java.hprof", "(dev=1,ino=2):100:2026-11-28T08:15:30Z", 100, "ab".repeat(32), 3, "zstd",
                1 << 20, 1, Instant.parse("2026-11-28T08:15:30Z"), Instant.parse("2026-11-28T08:15:31Z"),
                Instant.parse("2026-11-28T08:15:40Z"), "test", "hprof", true);
        client.putObject(b -> b.bucket("dumps").key(key + ".json"),
                RequestBody.fromBytes(ManifestCodec.toJson(manifest)));
    }

    private Map<String, Object> config(boolean withDefault) {
        Map<String, Object> c = new HashMap<>();
        c.put("dumpsink.s3.endpoint", s3.endpoint().toString());
        c.put("dumpsink.s3.path-style", true);
        c.put("dumpsink.s3.access-key", EmbeddedS3.ACCESS_KEY);
        c.put("dumpsink.s3.secret-key", EmbeddedS3.SECRET_KEY);
        c.put("dumpsink.presigner.port", 0);
        c.put("dumpsink.presigner.management-port", 0);
        c.put("dumpsink.presigner.access-tokens", List.of(Map.of("id", "agent", "role", "agent", "token", AGENT)));
        c.put("dumpsink.presigner.chat.routes", List.of(Map.of("namespaces", List.of("shop-*", "cart"),
                "webhook-url", "http://127.0.0.1:" + shopTeam.getAddress().getPort() + SHOP_HOOK,
                "format", "generic")));
        if (withDefault) {
            c.put("dumpsink.presigner.chat.webhook-url",
                    "http://127.0.0.1:" + everyoneElse.getAddress().getPort() + DEFAULT_HOOK);
        }
        return c;
    }

    private void start(boolean withDefault) throws Exception {
        presigner = PresignerApp.create(ConfigLoader.load(ConfigFactory.parseMap(config(withDefault)), Map.of()));
        presigner.start();
    }

    private String uploaded(String key) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + presigner.port() + "/api/v1/events/uploaded"))
                .header("Authorization", "Bearer " + AGENT)
                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + key + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(202);
        return JSON.readTree(response.body()).get("chat").asText();
    }

    @Test
    void eachNamespaceReachesTheWebhookOfItsFirstMatchingRouteElseTheDefault() throws Exception {
        try (TestingLogs logs = new TestingLogs()) {
            start(true);
            assertThat(uploaded(BILLING_KEY)).isEqualTo("queued");
            assertThat(uploaded(SHOP_KEY)).isEqualTo("queued");
            assertThat(uploaded(CART_KEY)).isEqualTo("queued");

            String billing = defaultMessages.poll(10, TimeUnit.SECONDS);
            assertThat(billing).as("billing matches no route: the default, in its slack format")
                    .startsWith(DEFAULT_HOOK + " {").contains("\"text\"").doesNotContain("\"manifest\"")
                    .contains("billing");
            String shop = shopMessages.poll(10, TimeUnit.SECONDS);
            String cart = shopMessages.poll(10, TimeUnit.SECONDS);
            assertThat(shop).as("the route's own generic format").startsWith(SHOP_HOOK + " {\"manifest\"")
                    .contains(SHOP_KEY);
            assertThat(cart).startsWith(SHOP_HOOK + " {\"manifest\"").contains(CART_KEY);
            assertThat(defaultMessages).as("nothing else reached the default").isEmpty();
            assertThat(logs.lines()).as("webhook URLs are secrets")
                    .noneMatch(l -> l.contains("ShopTeamSecretPart") || l.contains("DefaultSecretPart"));
        }
    }

    @Test
    void aNamespaceMatchingNoRouteWithoutADefaultSendsNothing() throws Exception {
        start(false);
        assertThat(uploaded(BILLING_KEY)).isEqualTo("no_route");
        assertThat(uploaded(SHOP_KEY)).isEqualTo("queued");
        // One thread posts the route's messages in order: had billing's gone there, it would arrive first.
        assertThat(shopMessages.poll(10, TimeUnit.SECONDS)).contains(SHOP_KEY).doesNotContain("billing");
        assertThat(shopMessages).isEmpty();
        assertThat(defaultMessages).isEmpty();
    }

    @Test
    void routeMistakesNameTheirKeys() {
        Map<String, Object> c = config(false);
        c.put("dumpsink.presigner.chat.routes", List.of(
                Map.of("namespaces", List.of("shop/*"), "webhook-url", "ftp://x", "format", "teams"),
                Map.of("webhook", "http://127.0.0.1:1/x")));
        assertThatThrownBy(() -> PresignerApp.create(ConfigLoader.load(ConfigFactory.parseMap(c), Map.of())))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("dumpsink.presigner.chat.routes[0].namespaces: 'shop/*' is not a namespace")
                .hasMessageContaining("dumpsink.presigner.chat.routes[0].webhook-url: required")
                .hasMessageContaining("dumpsink.presigner.chat.routes[0].format: unknown value 'teams'")
                .hasMessageContaining("dumpsink.presigner.chat.routes[1]: unknown field 'webhook'")
                .hasMessageContaining("dumpsink.presigner.chat.routes[1].namespaces: required");
    }
}
