package io.dumpsink.presigner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import io.dumpsink.core.config.ConfigLoader;
import io.dumpsink.core.config.InvalidConfigException;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.manifest.HeapHistogram;
import io.dumpsink.core.manifest.HeapSummary;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import io.dumpsink.core.s3.S3Clients;
import io.dumpsink.embedded.EmbeddedS3;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The presigner on a real port against S3Proxy, followed with a plain HTTP client, and a real webhook receiver. */
class PresignerTest {
    static final String TOKEN = "token-0123456789abcdef";
    static final String KEY = "prod/node-a/shop/api-1/2026-11-28/081530Z-java_pid1.hprof.zst";
    static final String OTHER_KEY = "prod/node-a/shop/api-1/2026-11-28/081531Z-java_pid2.hprof.zst";
    static final String THIRD_KEY = "prod/node-a/shop/api-1/2026-11-28/081532Z-java_pid3.hprof.zst";
    /** Slack's incoming-webhook URLs carry their credential in the path. */
    static final String WEBHOOK_PATH = "/hook/T0000/B0000/Xy9SecretWebhookPart";
    static final String LINK_SECRET = "s".repeat(40);
    static final byte[] DUMP = "pretend these are zstd frames".getBytes(StandardCharsets.UTF_8);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    EmbeddedS3 s3;
    S3Client client;
    PresignerApp presigner;
    HttpServer webhook;
    /** Messages the webhook took (answered 200). */
    final BlockingQueue<String> chatMessages = new LinkedBlockingQueue<>();
    /** What the webhook answers, in order; 200 once these run out. */
    final Queue<Integer> webhookAnswers = new ConcurrentLinkedQueue<>();
    final AtomicInteger webhookRequests = new AtomicInteger();
    final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    URI base;

    @BeforeEach
    void setUp() throws Exception {
        s3 = EmbeddedS3.start(tmp.resolve("s3"), 0);
        client = S3Clients.create(new S3Settings(Optional.of(s3.endpoint()), "us-east-1", "dumps", true,
                EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY, S3Settings.RequestChecksums.AUTO, false, Optional.empty()), 4);
        client.createBucket(b -> b.bucket("dumps"));
        putDump(KEY, "java_pid1.hprof");
        putDump(OTHER_KEY, "<script>alert(1)</script>.hprof");
        webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webhook.createContext("/hook", exchange -> {
            webhookRequests.incrementAndGet();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status = Optional.ofNullable(webhookAnswers.poll()).orElse(200);
            if (status == 200) {
                chatMessages.add(body);
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        webhook.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (presigner != null) {
            presigner.stop();
        }
        webhook.stop(0);
        client.close();
        s3.close();
    }

    /**
     * Writes the manifest of {@code key} again until the store dates it after the manifest of {@code earlier}: the
     * listing orders by that date, whose resolution is the store's (a second for some), not the test's.
     */
    private void rewriteManifestAfter(String key, String earlier) throws InterruptedException {
        Instant before = manifestLastModified(earlier);
        byte[] manifest = client.getObjectAsBytes(b -> b.bucket("dumps").key(key + ".json")).asByteArray();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!manifestLastModified(key).isAfter(before)) {
            assertThat(System.nanoTime()).as("the store's clock moved on within 10 s").isLessThan(deadline);
            Thread.sleep(50);
            client.putObject(b -> b.bucket("dumps").key(key + ".json"), RequestBody.fromBytes(manifest));
        }
    }

    private Instant manifestLastModified(String key) {
        return client.listObjectsV2(b -> b.bucket("dumps").prefix(key + ".json")).contents().get(0).lastModified();
    }

    private double metric(String sample) throws Exception {
        return managementGet("/metrics").body().lines().filter(line -> line.startsWith(sample + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(sample.length() + 1))).findFirst().orElse(0);
    }

    private void putDump(String key, String fileName) {
        client.putObject(b -> b.bucket("dumps").key(key), RequestBody.fromBytes(DUMP));
        Manifest manifest = new Manifest(1, key, "dumps", "prod", "node-a", "shop", "api-1", fileName,
                "/var/dumps/shop/api-1/" + fileName, "(dev=1,ino=2):100:2026-11-28T08:15:30Z", 100, "ab".repeat(32),
                DUMP.length, "zstd", 1 << 20, 1, Instant.parse("2026-11-28T08:15:30Z"),
                Instant.parse("2026-11-28T08:15:31Z"), Instant.parse("2026-11-28T08:15:40Z"), "test", "hprof", true);
        client.putObject(b -> b.bucket("dumps").key(key + ".json"), RequestBody.fromBytes(ManifestCodec.toJson(manifest)));
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
        c.put("dumpsink.presigner.tokens", java.util.List.of(TOKEN));
        c.put("dumpsink.presigner.link-secret", LINK_SECRET);
        c.put("dumpsink.presigner.chat.webhook-url", "http://127.0.0.1:" + webhook.getAddress().getPort() + WEBHOOK_PATH);
        return c;
    }

    private void start(Map<String, Object> overrides) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Map<String, Object> c = config(port);
        c.putAll(overrides);
        presigner = PresignerApp.create(ConfigLoader.load(ConfigFactory.parseMap(c), Map.of()));
        presigner.start();
        base = URI.create("http://127.0.0.1:" + presigner.port());
        awaitReady();
    }

    /** Ready once the dump index has listed the bucket. */
    private void awaitReady() throws Exception {
        TestingReadiness.awaitReady(presigner.port());
    }

    private void start() throws Exception {
        start(Map.of());
    }

    private HttpResponse<String> post(String path, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String pathAndQuery, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GET on the management port (probes and metrics). */
    private HttpResponse<String> managementGet(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + presigner.managementPort() + path))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private byte[] download(String url) throws Exception {
        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as("GET " + url).isEqualTo(200);
        return response.body();
    }

    @Test
    void presignedLinkDownloadsTheObject() throws Exception {
        start();
        HttpResponse<String> response = post("/api/v1/links", "{\"key\":\"" + KEY + "\",\"ttl\":\"15m\"}", TOKEN);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(Instant.parse(body.get("expiresAt").asText()))
                .isBetween(Instant.now().plusSeconds(14 * 60), Instant.now().plusSeconds(16 * 60));
        assertThat(download(body.get("url").asText())).isEqualTo(DUMP);
        // With stable links on, the answer also carries the link for chat (what `dumpsink link --presigner` prints).
        String stable = body.get("stableUrl").asText();
        assertThat(stable).startsWith("http://127.0.0.1:").contains("/d/" + KEY + "?sig=").contains("&t=");
        HttpResponse<String> click = http.send(HttpRequest.newBuilder(URI.create(stable)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(click.statusCode()).isEqualTo(302);
        assertThat(download(click.headers().firstValue("Location").orElseThrow())).isEqualTo(DUMP);
    }

    @Test
    void presignedUrlHasTheSdksShapeAndTamperingIsRefusedByS3() throws Exception {
        start();
        String url = JSON.readTree(post("/api/v1/links", "{\"key\":\"" + KEY + "\"}", TOKEN).body())
                .get("url").asText();
        String sdkUrl;
        try (var sdk = S3Clients.presigner(new S3Settings(Optional.of(s3.endpoint()), "us-east-1", "dumps", true,
                EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY, S3Settings.RequestChecksums.AUTO, false,
                Optional.empty()), Optional.empty())) {
            sdkUrl = sdk.presignGetObject(b -> b.signatureDuration(Duration.ofHours(1))
                    .getObjectRequest(g -> g.bucket("dumps").key(KEY)
                            .responseContentDisposition("attachment; filename=\"081530Z-java_pid1.hprof.zst\"")))
                    .url().toString();
        }
        java.util.function.Function<String, java.util.Set<String>> paramNames = u -> java.util.Arrays
                .stream(URI.create(u).getRawQuery().split("&")).map(p -> p.substring(0, p.indexOf('=')))
                .collect(java.util.stream.Collectors.toSet());
        assertThat(url.substring(0, url.indexOf('?'))).isEqualTo(sdkUrl.substring(0, sdkUrl.indexOf('?')));
        assertThat(paramNames.apply(url)).isEqualTo(paramNames.apply(sdkUrl));
        assertThat(download(url)).isEqualTo(DUMP);
        assertThat(download(sdkUrl)).isEqualTo(DUMP);
        assertThat(download(sdkUrl)).isEqualTo(download(url));

        for (String tampered : new String[] {url.replace("X-Amz-Expires=3600", "X-Amz-Expires=604800"),
                url.replace(KEY, OTHER_KEY), url.replace("filename%3D", "filename%3Devil")}) {
            HttpResponse<String> refused = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(tampered)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as(tampered).isEqualTo(403);
        }
    }

    @Test
    void expiredPresignedUrlIsRefusedByS3() throws Exception {
        start();
        JsonNode body = JSON.readTree(post("/api/v1/links", "{\"key\":\"" + KEY + "\",\"ttl\":\"1s\"}", TOKEN).body());
        Thread.sleep(2_100); // real time must pass: the link's 1 s TTL, and S3 compares whole seconds
        HttpResponse<String> expired = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(body.get("url").asText())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(expired.statusCode()).isEqualTo(403);
    }

    @Test
    void uploadedEventPostsAChatMessageWhoseLinksBothWork() throws Exception {
        start();
        HttpResponse<String> event = post("/api/v1/events/uploaded", "{\"key\":\"" + KEY + "\"}", TOKEN);
        assertThat(event.statusCode()).isEqualTo(202);
        assertThat(event.body()).contains("\"chat\":\"queued\"");
        String message = chatMessages.poll(10, TimeUnit.SECONDS);
        assertThat(message).isNotNull().contains("shop/api-1").contains("java_pid1.hprof").contains("node-a");
        String text = JSON.readTree(message).get("text").asText();

        Matcher stable = Pattern.compile("<(http://[^|>]+/d/[^|>]+)\\|Download>").matcher(text);
        assertThat(stable.find()).as(text).isTrue();
        HttpResponse<String> redirect = http.send(HttpRequest.newBuilder(URI.create(stable.group(1))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(redirect.statusCode()).isEqualTo(302);
        assertThat(download(redirect.headers().firstValue("Location").orElseThrow())).isEqualTo(DUMP);

        Matcher direct = Pattern.compile("<(http://[^|>]+)\\|Direct link>").matcher(text);
        assertThat(direct.find()).as(text).isTrue();
        assertThat(download(direct.group(1))).isEqualTo(DUMP);

        assertThat(post("/api/v1/events/uploaded", "{\"key\":\"" + KEY + "\"}", TOKEN).body())
                .contains("\"chat\":\"duplicate\"");
        // Messages leave one at a time, in order: had the repeat been queued, it would arrive before this one.
        assertThat(post("/api/v1/events/uploaded", "{\"key\":\"" + OTHER_KEY + "\"}", TOKEN).body())
                .contains("\"chat\":\"queued\"");
        assertThat(chatMessages.poll(10, TimeUnit.SECONDS)).as("one message per dump: the next is the other dump's")
                .contains("/d/" + OTHER_KEY + "?sig=").doesNotContain(KEY);
        assertThat(webhookRequests).hasValue(2);
    }

    @Test
    void chatOutageIsRetriedAndLoggedOnceUntilTheWebhookTakesTheMessage() throws Exception {
        webhookAnswers.addAll(List.of(503, 502));
        try (TestingLogs logs = new TestingLogs()) {
            start();
            assertThat(post("/api/v1/events/uploaded", "{\"key\":\"" + KEY + "\"}", TOKEN).body())
                    .contains("\"chat\":\"queued\"");

            logs.await("Chat message posted key=" + KEY + " attempt=3", Duration.ofSeconds(30));
            assertThat(chatMessages.poll()).contains("/d/" + KEY + "?sig=");
            assertThat(webhookRequests).hasValue(3);
            assertThat(logs.lines()).filteredOn(line -> line.contains("Chat webhook failed"))
                    .as("the outage logged when it starts, not per retry")
                    .singleElement().asString().contains("key=" + KEY + " status=503");
            assertThat(metric("dumpsink_presigner_chat_posts_total{result=\"failed\"}")).isEqualTo(2);
            assertThat(metric("dumpsink_presigner_chat_posts_total{result=\"ok\"}")).isEqualTo(1);
        }
    }

    @Test
    void aRefusedMessageIsDroppedAtOnceAndNoSecretReachesTheLog() throws Exception {
        webhookAnswers.add(404);
        try (TestingLogs logs = new TestingLogs()) {
            start();
            post("/api/v1/events/uploaded", "{\"key\":\"" + KEY + "\"}", TOKEN);

            logs.await("Chat message dropped key=" + KEY + " attempts=1 status=404", Duration.ofSeconds(10));
            assertThat(webhookRequests).as("a 404 is not retried").hasValue(1);
            assertThat(logs.lines()).as("the log, from startup to the drop").isNotEmpty()
                    .noneMatch(line -> line.contains(WEBHOOK_PATH) || line.contains("SecretWebhookPart"))
                    .noneMatch(line -> line.contains(TOKEN))
                    .noneMatch(line -> line.contains(LINK_SECRET))
                    .noneMatch(line -> line.contains(EmbeddedS3.SECRET_KEY));
        }
    }

    @Test
    void genericChatFormatCarriesTheManifestAndLinks() throws Exception {
        start(Map.of("dumpsink.presigner.chat.format", "generic"));
        post("/api/v1/events/uploaded", "{\"key\":\"" + KEY + "\"}", TOKEN);
        JsonNode message = JSON.readTree(chatMessages.poll(10, TimeUnit.SECONDS));
        assertThat(message.get("manifest").get("key").asText()).isEqualTo(KEY);
        assertThat(download(message.get("links").get("presigned").asText())).isEqualTo(DUMP);
        assertThat(message.get("links").get("stable").asText()).contains("/d/" + KEY + "?sig=");
    }

    @Test
    void alteredStableLinksAreRefused() throws Exception {
        start();
        post("/api/v1/events/uploaded", "{\"key\":\"" + KEY + "\"}", TOKEN);
        String text = JSON.readTree(chatMessages.poll(10, TimeUnit.SECONDS)).get("text").asText();
        Matcher stable = Pattern.compile("/d/([^?]+)\\?sig=([^|>]+)\\|").matcher(text);
        assertThat(stable.find()).isTrue();
        String sig = stable.group(2);
        assertThat(get("/d/" + OTHER_KEY + "?sig=" + sig, null).statusCode()).isEqualTo(403);
        assertThat(get("/d/" + KEY + "?sig=" + sig.substring(1) + "A", null).statusCode()).isEqualTo(403);
        assertThat(get("/d/" + KEY, null).statusCode()).isEqualTo(403);
        assertThat(get("/d/" + KEY + "?sig=" + sig, null).statusCode()).isEqualTo(302);
    }

    @Test
    void rotatingTheLinkSecretRevokesStableLinks() throws Exception {
        start();
        post("/api/v1/events/uploaded", "{\"key\":\"" + KEY + "\"}", TOKEN);
        String text = JSON.readTree(chatMessages.poll(10, TimeUnit.SECONDS)).get("text").asText();
        Matcher stable = Pattern.compile("(/d/[^|>]+)\\|").matcher(text);
        assertThat(stable.find()).isTrue();
        presigner.stop();
        start(Map.of("dumpsink.presigner.link-secret", "r".repeat(40)));
        assertThat(get(stable.group(1), null).statusCode()).isEqualTo(403);
    }

    @Test
    void badInputGetsAClearClientErrorNeverA500() throws Exception {
        start();
        assertThat(post("/api/v1/links", "{\"key\":\"" + KEY + "\"}", null).statusCode()).isEqualTo(401);
        assertThat(post("/api/v1/links", "{\"key\":\"" + KEY + "\"}", "wrong-token-0123456789").statusCode())
                .isEqualTo(401);
        for (String key : new String[] {"../../etc/passwd", "/prod/node-a/shop/api-1/2026-11-28/x",
                "prod/node-a/shop/api-1/2026-11-28/%2e%2e", "prod/node-a/shop/api-1/2026-11-28/a\\u0001b",
                "prod/node-a/shop/api-1/2026-11-28/..", "other-bucket/x", ""}) {
            HttpResponse<String> response = post("/api/v1/links", "{\"key\":\"" + key + "\"}", TOKEN);
            assertThat(response.statusCode()).as(key).isEqualTo(400);
            assertThat(response.body()).contains("error");
        }
        assertThat(post("/api/v1/links", "{\"key\":\"prod/node-a/shop/api-1/2026-11-28/nope\"}", TOKEN)
                .statusCode()).isEqualTo(404);
        assertThat(post("/api/v1/links", "{\"key\":\"" + KEY + "\",\"ttl\":\"8d\"}", TOKEN).statusCode())
                .isEqualTo(400);
        assertThat(post("/api/v1/links", "{\"key\":\"" + KEY + "\",\"ttl\":\"soon\"}", TOKEN).statusCode())
                .isEqualTo(400);
        assertThat(post("/api/v1/links", "{\"key\":\"" + KEY + "\",\"ttl\":5}", TOKEN).statusCode())
                .isEqualTo(400);
        assertThat(post("/api/v1/links", "not json", TOKEN).statusCode()).isEqualTo(400);
        assertThat(post("/api/v1/links", "[1,2]", TOKEN).statusCode()).isEqualTo(400);
        assertThat(post("/api/v1/links", "{\"key\":\"" + "x".repeat(70_000) + "\"}", TOKEN).statusCode())
                .isEqualTo(413);
        assertThat(get("/d/prod/node-a/shop/api-1/2026-11-28/%2e%2e?sig=x", null).statusCode()).isEqualTo(400);
        assertThat(get("/api/v1/dumps?prefix=../", "Bearer " + TOKEN).statusCode()).isEqualTo(400);
        assertThat(get("/api/v1/dumps?limit=many", "Bearer " + TOKEN).statusCode()).isEqualTo(400);
        assertThat(get("/api/v1/dumps?limit=0", "Bearer " + TOKEN).statusCode()).isEqualTo(400);
        assertThat(get("/api/v1/links", "Bearer " + TOKEN).statusCode()).isEqualTo(405);
        assertThat(get("/nothing-here", null).statusCode()).isEqualTo(404);
        assertThat(managementGet("/metrics").body())
                .doesNotContain("dumpsink_presigner_requests_total{route=\"api\",status=\"500\"}");
    }

    @Test
    void listsManifestsNewestFirstWithPages() throws Exception {
        // Stored oldest to newest: THIRD_KEY, KEY, OTHER_KEY. Neither key order nor its reverse gives that back.
        putDump(THIRD_KEY, "java_pid3.hprof");
        rewriteManifestAfter(KEY, THIRD_KEY);
        rewriteManifestAfter(OTHER_KEY, KEY);
        start();

        JsonNode all = JSON.readTree(get("/api/v1/dumps?prefix=prod/", "Bearer " + TOKEN).body());
        assertThat(all.get("dumps").findValuesAsText("key")).containsExactly(OTHER_KEY, KEY, THIRD_KEY);
        assertThat(all.get("next").isNull()).isTrue();

        List<String> paged = new ArrayList<>();
        String cursor = "";
        for (int page = 1; page <= 3; page++) {
            HttpResponse<String> response = get("/api/v1/dumps?prefix=prod/&limit=1" + cursor, "Bearer " + TOKEN);
            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode body = JSON.readTree(response.body());
            assertThat(body.get("dumps")).hasSize(1);
            paged.add(body.get("dumps").get(0).get("key").asText());
            assertThat(body.get("next").isNull()).as("page %d is the last", page).isEqualTo(page == 3);
            cursor = "&cursor=" + body.get("next").asText();
        }
        assertThat(paged).as("pages continue in the same order").containsExactly(OTHER_KEY, KEY, THIRD_KEY);
    }

    @Test
    void apiListingCarriesTheHeapSummaryAndNotTheHistogramObjects() throws Exception {
        Manifest m = ManifestCodec.fromJson(client.getObjectAsBytes(b -> b.bucket("dumps").key(KEY + ".json"))
                .asByteArray());
        HeapSummary summary = new HeapSummary("ok", null, "JAVA PROFILE 1.0.2", 8, null, 4, 10L, 1000L, 1,
                List.of(new HeapSummary.ClassCount("int[]", 10, 1000)), List.of());
        Manifest withSummary = new Manifest(m.version(), m.key(), m.bucket(), m.cluster(), m.node(), m.namespace(),
                m.pod(), m.fileName(), m.sourcePath(), m.sourceIdentity(), m.originalSize(), m.sha256(),
                m.storedSize(), m.compression(), m.chunkSize(), m.parts(), m.modifiedAt(), m.detectedAt(),
                m.uploadedAt(), m.agentVersion(), m.format(), m.complete(), m.seekTable(), summary);
        client.putObject(b -> b.bucket("dumps").key(KEY + ".json"),
                RequestBody.fromBytes(ManifestCodec.toJson(withSummary)));
        client.putObject(b -> b.bucket("dumps").key(KEY + ".histogram.json"), RequestBody.fromBytes(
                ManifestCodec.histogramToJson(new HeapHistogram(1, KEY, summary, summary.topClasses()))));
        start();

        JsonNode all = JSON.readTree(get("/api/v1/dumps?prefix=prod/", "Bearer " + TOKEN).body());
        assertThat(all.get("dumps").findValuesAsText("key")).containsExactlyInAnyOrder(KEY, OTHER_KEY);
        JsonNode listed = all.get("dumps").get(all.get("dumps").get(0).get("key").asText().equals(KEY) ? 0 : 1);
        assertThat(listed.get("summary").get("topClasses").get(0).get("name").asText()).isEqualTo("int[]");
        assertThat(listed.get("summary").get("bytes").asLong()).isEqualTo(1000);
    }

    @Test
    void browsePageNeedsATokenAndEscapesWhatPodsNamed() throws Exception {
        start();
        assertThat(get("/", null).statusCode()).isEqualTo(401);
        String basic = "Basic " + Base64.getEncoder().encodeToString(("anyone:" + TOKEN).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> root = get("/", basic);
        assertThat(root.statusCode()).isEqualTo(200);
        assertThat(root.body()).contains("href=\"/dumps/" + KEY + "\"")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;.hprof").doesNotContain("<script>");
        assertThat(get("/browse", basic).body()).contains("Clusters").contains("href=\"/browse?prefix=prod%2F\"");
        HttpResponse<String> oldLink = get("/?prefix=prod/node-a/shop/api-1/2026-11-28/", basic);
        assertThat(oldLink.statusCode()).as("links from before the front page lead to the tree").isEqualTo(301);
        assertThat(oldLink.headers().firstValue("Location")).hasValue("/browse?prefix=prod%2Fnode-a%2Fshop%2Fapi-1%2F2026-11-28%2F");
        HttpResponse<String> day = get("/browse?prefix=prod/node-a/shop/api-1/2026-11-28/", basic);
        assertThat(day.body()).contains("java_pid1.hprof").contains("href=\"/dumps/" + KEY + "\"")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;.hprof").doesNotContain("<script>");
        HttpResponse<String> page = get("/dumps/" + OTHER_KEY, basic);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("/d/" + OTHER_KEY + "?sig=")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;.hprof").doesNotContain("<script>");
        for (String path : new String[] {"/dumps/" + KEY, "/download/" + KEY, "/browse", "/style.css"}) {
            assertThat(get(path, null).statusCode()).as(path + " without a token").isEqualTo(401);
        }
        assertThat(get("/?namespace=%3Cscript%3E", basic).statusCode()).isEqualTo(400);
        assertThat(get("/?from=yesterday", basic).statusCode()).isEqualTo(400);
        assertThat(get("/dumps/../../etc/passwd", basic).statusCode()).isEqualTo(400);
    }

    @Test
    void presignedUrlsUseThePublicS3EndpointWhenSet() throws Exception {
        start(Map.of("dumpsink.presigner.s3-public-endpoint", "https://s3.dumps.example.com"));
        JsonNode body = JSON.readTree(post("/api/v1/links", "{\"key\":\"" + KEY + "\"}", TOKEN).body());
        assertThat(body.get("url").asText()).startsWith("https://s3.dumps.example.com/dumps/" + KEY + "?");
    }

    @Test
    void healthReadinessOnBothPortsAndMetricsOnlyOnTheManagementPort() throws Exception {
        start();
        assertThat(get("/healthz", null).statusCode()).isEqualTo(200);
        assertThat(get("/readyz", null).statusCode()).isEqualTo(200);
        assertThat(managementGet("/healthz").statusCode()).isEqualTo(200);
        assertThat(managementGet("/readyz").statusCode()).isEqualTo(200);
        post("/api/v1/links", "{\"key\":\"" + KEY + "\"}", TOKEN);
        assertThat(managementGet("/metrics").body()).contains("dumpsink_presigner_links_signed_total 1");
        assertThat(get("/metrics", null).statusCode()).as("the Ingress routes to the API port").isEqualTo(404);
        assertThat(managementGet("/api/v1/dumps").statusCode()).as("no API on the management port").isEqualTo(404);
    }

    @Test
    void configMistakesNameTheirKeys() {
        Map<String, Object> c = config(0);
        c.put("dumpsink.presigner.link-secret", "");
        c.put("dumpsink.presigner.max-link-ttl", "8d");
        c.put("dumpsink.presigner.tokens", java.util.List.of("short"));
        assertThatThrownBy(() -> PresignerApp.create(ConfigLoader.load(ConfigFactory.parseMap(c), Map.of())))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("dumpsink.presigner.link-secret: required when dumpsink.presigner.public-url")
                .hasMessageContaining("dumpsink.presigner.max-link-ttl: at most 7d")
                .hasMessageContaining("dumpsink.presigner.tokens: every token needs at least 16");
    }
}
