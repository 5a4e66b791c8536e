package io.dumpsink.presigner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.AbstractModule;
import com.typesafe.config.ConfigFactory;
import io.dumpsink.core.config.ConfigLoader;
import io.dumpsink.core.config.InvalidConfigException;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import io.dumpsink.core.s3.S3Clients;
import io.dumpsink.embedded.EmbeddedS3;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** Scoped tokens, stable-link age and the link audit trail, on a real port against S3Proxy. */
class PresignerAccessTest {
    static final String AGENT = "agent-token-0123456789";
    static final String READER = "reader-token-0123456789";
    static final String SHOP = "shop-token-0123456789";
    static final String SHOP_KEY = "prod/node-a/shop-api/api-1/2026-11-28/081530Z-java_pid1.hprof.zst";
    static final String BILLING_KEY = "prod/node-a/billing/bill-1/2026-11-28/081531Z-java_pid2.hprof.zst";
    static final String MISSING_KEY = "prod/node-a/shop-api/api-1/2026-11-28/081539Z-java_pid9.hprof.zst";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    EmbeddedS3 s3;
    S3Client client;
    PresignerApp presigner;
    final TestingClock clock = new TestingClock(Instant.parse("2026-11-29T10:00:00Z"));
    final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    URI base;

    /** A clock the test moves by hand. */
    static final class TestingClock extends Clock {
        private volatile Instant now;

        TestingClock(Instant now) {
            this.now = now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        s3 = EmbeddedS3.start(tmp.resolve("s3"), 0);
        client = S3Clients.create(new S3Settings(Optional.of(s3.endpoint()), "us-east-1", "dumps", true,
                EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY, S3Settings.RequestChecksums.AUTO, false,
                Optional.empty()), 4);
        client.createBucket(b -> b.bucket("dumps"));
        putDump(SHOP_KEY);
        putDump(BILLING_KEY);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (presigner != null) {
            presigner.stop();
        }
        client.close();
        s3.close();
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

    private Map<String, Object> config(int port) {
        Map<String, Object> c = new HashMap<>();
        c.put("dumpsink.s3.endpoint", s3.endpoint().toString());
        c.put("dumpsink.s3.path-style", true);
        c.put("dumpsink.s3.access-key", EmbeddedS3.ACCESS_KEY);
        c.put("dumpsink.s3.secret-key", EmbeddedS3.SECRET_KEY);
        c.put("dumpsink.presigner.port", port);
        c.put("dumpsink.presigner.management-port", 0);
        c.put("dumpsink.presigner.public-url", "http://127.0.0.1:" + port);
        c.put("dumpsink.presigner.link-secret", "s".repeat(40));
        c.put("dumpsink.presigner.access-tokens", List.of(
                Map.of("id", "agent", "role", "agent", "token", AGENT),
                Map.of("id", "people", "role", "reader", "token", READER),
                Map.of("id", "shop-team", "role", "reader", "namespaces", List.of("shop-*"), "token", SHOP)));
        return c;
    }

    private void start(Map<String, Object> overrides) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Map<String, Object> c = config(port);
        c.putAll(overrides);
        presigner = PresignerApp.create(ConfigLoader.load(ConfigFactory.parseMap(c), Map.of()), new AbstractModule() {
            @Override
            protected void configure() {
                bind(Clock.class).toInstance(clock);
            }
        });
        presigner.start();
        base = URI.create("http://127.0.0.1:" + presigner.port());
        TestingReadiness.awaitReady(presigner.port()); // pages and listings are served from the dump index
    }

    private HttpResponse<String> post(String path, String body, String token) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String pathAndQuery, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + pathAndQuery));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String token) {
        return "Basic " + Base64.getEncoder().encodeToString(("me:" + token).getBytes(StandardCharsets.UTF_8));
    }

    private static String link(String key) {
        return "{\"key\":\"" + key + "\"}";
    }

    private double metric(String sample) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + presigner.managementPort()
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        return body.lines().filter(line -> line.startsWith(sample + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(sample.length() + 1))).findFirst().orElse(0);
    }

    @Test
    void agentTokenMayOnlyPostUploadEvents() throws Exception {
        start(Map.of());
        assertThat(post("/api/v1/events/uploaded", link(SHOP_KEY), AGENT).statusCode()).isEqualTo(202);
        assertThat(get("/api/v1/dumps", "Bearer " + AGENT).statusCode()).isEqualTo(403);
        assertThat(post("/api/v1/links", link(SHOP_KEY), AGENT).statusCode()).isEqualTo(403);
        assertThat(get("/", basic(AGENT)).statusCode()).isEqualTo(403);
    }

    @Test
    void readerTokenCannotPostUploadEventsButListsLinksAndBrowsesEveryNamespace() throws Exception {
        start(Map.of());
        assertThat(post("/api/v1/events/uploaded", link(SHOP_KEY), READER).statusCode()).isEqualTo(403);
        JsonNode all = JSON.readTree(get("/api/v1/dumps", "Bearer " + READER).body());
        assertThat(all.get("dumps").findValuesAsText("key")).containsExactlyInAnyOrder(SHOP_KEY, BILLING_KEY);
        assertThat(post("/api/v1/links", link(BILLING_KEY), READER).statusCode()).isEqualTo(200);
        assertThat(get("/browse?prefix=prod/node-a/", basic(READER)).body()).contains("shop-api/").contains("billing/");
    }

    @Test
    void scopedReaderNeverSeesListsOrGetsALinkForAnotherNamespace() throws Exception {
        start(Map.of());
        String bearer = "Bearer " + SHOP;
        JsonNode all = JSON.readTree(get("/api/v1/dumps", bearer).body());
        assertThat(all.get("dumps").findValuesAsText("key")).containsExactly(SHOP_KEY);
        JsonNode paged = JSON.readTree(get("/api/v1/dumps?prefix=prod/&limit=1", bearer).body());
        assertThat(paged.get("dumps").findValuesAsText("key")).containsExactly(SHOP_KEY);
        assertThat(paged.get("next").isNull()).as("no cursor into another namespace").isTrue();

        HttpResponse<String> hidden = get("/api/v1/dumps?prefix=prod/node-a/billing/", bearer);
        assertThat(hidden.statusCode()).isEqualTo(404);
        HttpResponse<String> otherLink = post("/api/v1/links", link(BILLING_KEY), SHOP);
        HttpResponse<String> missingLink = post("/api/v1/links", link(MISSING_KEY), SHOP);
        assertThat(otherLink.statusCode()).isEqualTo(404);
        assertThat(otherLink.body()).as("the same answer as for a dump that does not exist")
                .isEqualTo(missingLink.body());
        assertThat(post("/api/v1/links", link(SHOP_KEY), SHOP).statusCode()).isEqualTo(200);

        String node = get("/browse?prefix=prod/node-a/", basic(SHOP)).body();
        assertThat(node).contains("shop-api/").doesNotContain("billing");
        assertThat(get("/browse?prefix=prod/node-a/billing/", basic(SHOP)).statusCode()).isEqualTo(404);
        assertThat(get("/browse?prefix=prod/node-a/billing/bill-1/2026-11-28/", basic(SHOP)).statusCode()).isEqualTo(404);
        assertThat(get("/browse?prefix=prod/node-a/shop-api/api-1/2026-11-28/", basic(SHOP)).body())
                .contains("/dumps/" + SHOP_KEY);
        assertThat(get("/dumps/" + SHOP_KEY, basic(SHOP)).body()).contains("/d/" + SHOP_KEY + "?sig=");
        assertThat(get("/", basic(SHOP)).body()).contains(SHOP_KEY).doesNotContain("billing");
        assertThat(get("/?namespace=billing", basic(SHOP)).body()).doesNotContain(BILLING_KEY);
        HttpResponse<String> otherPage = get("/dumps/" + BILLING_KEY, basic(SHOP));
        assertThat(otherPage.statusCode()).isEqualTo(404);
        assertThat(otherPage.body()).as("the same answer as for a dump that does not exist")
                .isEqualTo(get("/dumps/" + MISSING_KEY, basic(SHOP)).body());
        assertThat(get("/download/" + BILLING_KEY, basic(SHOP)).statusCode()).isEqualTo(404);
    }

    @Test
    void stableLinksWorkUntilTheirMaximumAgeThenAnswer410WithAPage() throws Exception {
        start(Map.of("dumpsink.presigner.stable-link-max-age", "30d"));
        String page = get("/dumps/" + SHOP_KEY, basic(READER)).body();
        Matcher stable = Pattern.compile("href=\"http://127\\.0\\.0\\.1:\\d+(/d/[^\"]+)\"").matcher(page);
        assertThat(stable.find()).as(page).isTrue();
        String path = stable.group(1).replace("&amp;", "&");
        assertThat(path).contains("&t=" + clock.instant().getEpochSecond());

        clock.advance(Duration.ofDays(29));
        HttpResponse<String> young = get(path, null);
        assertThat(young.statusCode()).isEqualTo(302);
        assertThat(young.headers().firstValue("Location")).isPresent();

        String movedBack = path.replaceAll("&t=\\d+", "&t=" + clock.instant().getEpochSecond());
        assertThat(get(movedBack, null).statusCode()).as("the issue time is signed").isEqualTo(403);

        clock.advance(Duration.ofDays(2));
        HttpResponse<String> old = get(path, null);
        assertThat(old.statusCode()).isEqualTo(410);
        assertThat(old.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(old.body()).contains("This download link has expired").contains("30 days");
    }

    @Test
    void everyLinkIssuedAndUsedIsOneAuditLineAndAMetricWithoutTheToken() throws Exception {
        try (TestingLogs logs = new TestingLogs()) {
            start(Map.of());
            assertThat(post("/api/v1/links", link(SHOP_KEY), SHOP).statusCode()).isEqualTo(200);
            String page = get("/dumps/" + SHOP_KEY, basic(READER)).body();
            Matcher stable = Pattern.compile("href=\"http://127\\.0\\.0\\.1:\\d+(/d/[^\"]+)\"").matcher(page);
            assertThat(stable.find()).isTrue();
            assertThat(http.send(HttpRequest.newBuilder(URI.create(base + stable.group(1).replace("&amp;", "&")))
                    .header("X-Forwarded-For", "203.0.113.7").build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(302);
            assertThat(get("/d/" + SHOP_KEY + "?sig=forged&t=1", null).statusCode()).isEqualTo(403);

            List<String> audit = logs.lines().stream().filter(l -> l.contains("io.dumpsink.presigner.audit")).toList();
            assertThat(audit).containsExactly(
                    "INFO io.dumpsink.presigner.audit Link issued via=api by=shop-team kind=presigned key=" + SHOP_KEY
                            + " client=127.0.0.1 forwardedFor=-",
                    "INFO io.dumpsink.presigner.audit Link issued via=api by=shop-team kind=stable key=" + SHOP_KEY
                            + " client=127.0.0.1 forwardedFor=-",
                    "INFO io.dumpsink.presigner.audit Link issued via=browse by=people kind=stable key=" + SHOP_KEY
                            + " client=127.0.0.1 forwardedFor=-",
                    "INFO io.dumpsink.presigner.audit Link used via=stable-link by=stable-link result=redirected key="
                            + SHOP_KEY + " client=127.0.0.1 forwardedFor=203.0.113.7",
                    "INFO io.dumpsink.presigner.audit Link used via=stable-link by=stable-link result=invalid key="
                            + SHOP_KEY + " client=127.0.0.1 forwardedFor=-");
            assertThat(logs.lines()).noneMatch(l -> l.contains(SHOP) || l.contains(READER) || l.contains(AGENT));
            assertThat(metric("dumpsink_presigner_link_audit_total{event=\"issued\",via=\"api\"}")).isEqualTo(2);
            assertThat(metric("dumpsink_presigner_link_audit_total{event=\"issued\",via=\"browse\"}")).isEqualTo(1);
            assertThat(metric("dumpsink_presigner_link_audit_total{event=\"used\",via=\"stable-link\"}"))
                    .isEqualTo(2);
        }
    }

    @Test
    void oldTokensListStillWorksForEverythingAndStartupSaysHowToMigrate() throws Exception {
        try (TestingLogs logs = new TestingLogs()) {
            start(Map.of("dumpsink.presigner.access-tokens", List.of(),
                    "dumpsink.presigner.tokens", List.of("legacy-token-0123456789")));
            assertThat(post("/api/v1/links", link(BILLING_KEY), "legacy-token-0123456789").statusCode())
                    .isEqualTo(200);
            assertThat(post("/api/v1/events/uploaded", link(BILLING_KEY), "legacy-token-0123456789").statusCode())
                    .isEqualTo(202);
            assertThat(logs.lines()).anyMatch(l -> l.startsWith("WARN") && l.contains("dumpsink.presigner.tokens is"
                    + " deprecated") && l.contains("dumpsink.presigner.access-tokens"));
        }
    }

    @Test
    void accessTokenMistakesNameTheirKeys() {
        Map<String, Object> c = config(0);
        c.put("dumpsink.presigner.access-tokens", List.of(
                Map.of("id", "agent", "role", "writer", "token", AGENT),
                Map.of("id", "agent", "role", "reader", "token", "short", "namespace", List.of("x")),
                Map.of("id", "ops", "role", "reader", "token", READER, "namespaces", List.of("shop/*"))));
        assertThatThrownBy(() -> PresignerApp.create(ConfigLoader.load(ConfigFactory.parseMap(c), Map.of())))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("dumpsink.presigner.access-tokens[0].role: expected agent")
                .hasMessageContaining("dumpsink.presigner.access-tokens[1].id: 'agent' is used by another token")
                .hasMessageContaining("dumpsink.presigner.access-tokens[1].token: required, at least 16")
                .hasMessageContaining("dumpsink.presigner.access-tokens[1]: unknown field 'namespace'")
                .hasMessageContaining("dumpsink.presigner.access-tokens[2].namespaces: 'shop/*' is not a namespace");
    }
}
