package io.dumpsink.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.dumpsink.agent.testing.Dumps;
import io.dumpsink.agent.testing.TcpRelay;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import io.dumpsink.e2e.HelloWorld;
import io.dumpsink.embedded.EmbeddedS3;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The container tier: what {@code helm template} renders, run in a real container runtime. The agent DaemonSet's
 * pod template (what one node runs) and the presigner Deployment's run as podman containers from the images
 * {@code tools/images/build.sh} builds, with the rendered security context, env, ConfigMap, Secrets, volumes (the
 * node's hostPath folders below a temp folder) and probes ({@link PodTranslator} says how each field is enforced);
 * S3 is S3Proxy on the host, the chart pointed at it as an external store; chat is a webhook receiver on the host.
 * An app container built from the README's recipe, running HelloWorld as uid 1000, runs out of memory.
 *
 * <p>Skipped, by name, where podman cannot run containers (see {@code tools/podman/setup.sh}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ContainerTierTest {
    static final String RELEASE = "dumps";
    static final String NAMESPACE = "ops";
    static final String CLUSTER = "ctr";
    static final String NODE = "node-a";
    static final String AGENT_POD = "dumps-dumpsink-agent-x7k2p";
    static final String PRESIGNER_POD = "dumps-dumpsink-presigner-5d8f7b9c4-q2w4e";
    static final String BUCKET = "dumps";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Linux capability numbers of the names a chart may add (include/uapi/linux/capability.h). */
    static final Map<String, Integer> CAPABILITY_BITS = Map.of("CHOWN", 0, "DAC_OVERRIDE", 1, "DAC_READ_SEARCH", 2,
            "FOWNER", 3, "FSETID", 4, "KILL", 5, "SETGID", 6, "SETUID", 7, "NET_BIND_SERVICE", 10, "SYS_PTRACE", 19);

    final Podman podman = new Podman();
    final BlockingQueue<String> chat = new LinkedBlockingQueue<>();
    Path tmp;
    Images images;
    EmbeddedS3 s3;
    TcpRelay relay;
    S3Client client;
    HttpServer webhook;
    ClusterObjects objects;
    PlayedNode node;
    ServiceProxy presignerService;
    PodPlan agentPlan;
    PodPlan presignerPlan;
    PodContainer agent;
    PodContainer presigner;
    Path watch;

    /** Why the tier cannot run on this machine, or null when it runs: each test is then skipped with it. */
    String skipped;

    @BeforeAll
    @Timeout(value = 10, unit = TimeUnit.MINUTES) // the first run on a machine also debootstraps the stand-in base
    void runTheChartsPods() throws Exception {
        skipped = reasonToSkip();
        if (skipped != null) {
            return;
        }
        tmp = Files.createTempDirectory("container-tier");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        s3 = EmbeddedS3.start(tmp.resolve("s3"), 0);
        relay = new TcpRelay(s3.port());
        client = S3Client.builder().endpointOverride(s3.endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY)))
                .build();
        webhook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        webhook.createContext("/hook", exchange -> {
            chat.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        webhook.start();

        // Every pod shares the host's network here (loopback only), so the ports the chart renders must be free.
        int servicePort = freePort();
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("cluster", CLUSTER);
        values.put("image.agent.repository", Images.repository(images.agent()));
        values.put("image.agent.tag", Images.tag(images.agent()));
        values.put("image.agent.pullPolicy", "Never");
        values.put("image.presigner.repository", Images.repository(images.presigner()));
        values.put("image.presigner.tag", Images.tag(images.presigner()));
        values.put("image.presigner.pullPolicy", "Never");
        values.put("minio.enabled", false);
        values.put("s3.endpoint", "http://127.0.0.1:" + relay.port()); // through the relay: counted, throttled
        values.put("s3.publicEndpoint", s3.endpoint().toString());
        values.put("s3.accessKey", EmbeddedS3.ACCESS_KEY);
        values.put("s3.secretKey", EmbeddedS3.SECRET_KEY);
        values.put("s3.createBucket", true);
        values.put("agent.settleTime", "2s");
        values.put("agent.httpPort", freePort());
        values.put("presigner.replicas", 1);
        values.put("presigner.port", freePort());
        values.put("presigner.managementPort", freePort());
        values.put("presigner.service.port", servicePort);
        values.put("presigner.publicUrl", "http://127.0.0.1:" + servicePort);
        values.put("presigner.chat.webhookUrl", "http://127.0.0.1:" + webhook.getAddress().getPort() + "/hook");
        objects = new ClusterObjects(NAMESPACE, Chart.render(RELEASE, NAMESPACE, values));

        JsonNode service = objects.get("Service", "dumps-dumpsink-presigner");
        String serviceName = service.path("metadata").path("name").asText();
        node = new PlayedNode(NODE, tmp.resolve("node"), podman, Images.tag(images.agent()), List.of(serviceName,
                serviceName + "." + NAMESPACE, serviceName + "." + NAMESPACE + ".svc",
                serviceName + "." + NAMESPACE + ".svc.cluster.local"));
        PodTranslator translator = node.translator(objects);
        presignerPlan = translator.translate(NAMESPACE, PRESIGNER_POD,
                objects.podTemplate("Deployment", "dumps-dumpsink-presigner"));
        agentPlan = translator.translate(NAMESPACE, AGENT_POD, objects.podTemplate("DaemonSet", "dumps-dumpsink-agent"));
        presignerService = serviceProxy(service, presignerPlan.container("presigner"));
        presigner = node.run(presignerPlan).container("presigner");
        agent = node.run(agentPlan).container("agent");
        watch = node.hostPath(objects.get("DaemonSet", "dumps-dumpsink-agent").path("spec").path("template")
                .path("spec").path("volumes").get(0).path("hostPath").path("path").asText());
        // The agent first: it creates the bucket, and the presigner is ready only once the bucket answers.
        agent.awaitProbe("readinessProbe", Duration.ofSeconds(90));
        presigner.awaitProbe("readinessProbe", Duration.ofSeconds(90));
    }

    @BeforeEach
    void skipWhereContainersCannotRun() {
        assumeTrue(skipped == null, () -> "container tier skipped: " + skipped);
    }

    /** Why podman cannot run the tier here, or null; builds the images once it can. */
    String reasonToSkip() throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "needs root (rootful podman; node folders owned by root as the kubelet makes them)";
        }
        Optional<String> unusable = Podman.unavailableReason();
        if (unusable.isPresent()) {
            return unusable.get();
        }
        String base = Images.configuredBase();
        boolean baseExists = podman.run(List.of("image", "exists", base)).ok();
        if (!baseExists && !(base.equals(Images.STAND_IN_BASE) && onPath("debootstrap"))) {
            return "no image " + base + (base.equals(Images.STAND_IN_BASE)
                    ? " and no debootstrap to make it; run eval \"$(tools/podman/setup.sh)\"" : "");
        }
        if (baseExists) {
            Optional<String> cannotRun = podman.cannotRunReason(base); // before building anything
            if (cannotRun.isPresent()) {
                return cannotRun.get();
            }
        }
        images = Images.build("ct-" + String.format("%06x", new Random().nextInt(1 << 24)));
        return podman.cannotRunReason(images.base()).orElse(null);
    }

    @AfterAll
    void removeEverything() throws Exception {
        for (AutoCloseable resource : new AutoCloseable[] {node, presignerService, relay, client, s3}) {
            if (resource != null) {
                resource.close();
            }
        }
        if (webhook != null) {
            webhook.stop(0);
        }
        if (images != null) {
            podman.run(List.of("rmi", images.agent(), images.presigner()));
        }
        if (tmp != null) {
            try (Stream<Path> files = Files.walk(tmp)) {
                for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    @Test
    @Order(1)
    void imagesCarryOciLabelsAndTheirUsers() throws Exception {
        for (String image : List.of(images.agent(), images.presigner())) {
            JsonNode labels = JSON.readTree(podman.output("image", "inspect", "--format", "{{json .Labels}}", image));
            assertThat(labels.path("org.opencontainers.image.version").asText()).as(image)
                    .isEqualTo(System.getProperty("project.version"));
            assertThat(labels.path("org.opencontainers.image.revision").asText()).as(image).isNotBlank();
            assertThat(labels.path("org.opencontainers.image.source").asText()).as(image).startsWith("https://");
            assertThat(labels.path("org.opencontainers.image.base.name").asText()).as(image).isEqualTo(images.base());
        }
        assertThat(podman.output("image", "inspect", "--format", "{{.Config.User}}", images.presigner()))
                .isEqualTo("10001:10001");
        assertThat(podman.output("image", "inspect", "--format", "{{.Config.User}}", images.agent())).isEqualTo("0:0");
    }

    @Test
    @Order(2)
    void agentRunsAsRootWithOnlyTheRenderedCapabilitiesAndCannotWriteOutsideItsVolumes() throws Exception {
        JsonNode rendered = objects.podTemplate("DaemonSet", "dumps-dumpsink-agent").path("spec").path("containers")
                .get(0).path("securityContext");
        Map<String, String> status = agent.processStatus();
        assertThat(status.get("Uid").split("\\s+")).containsOnly("0");
        long expected = 0;
        for (JsonNode capability : rendered.path("capabilities").path("add")) {
            expected |= 1L << CAPABILITY_BITS.get(capability.asText());
        }
        assertThat(Long.parseLong(status.get("CapEff"), 16)).as("effective capabilities").isEqualTo(expected)
                .isNotZero();
        assertThat(Long.parseLong(status.get("CapBnd"), 16)).as("bounding set: the rest is gone for good")
                .isEqualTo(expected);
        assertThat(status.get("NoNewPrivs")).isEqualTo("1");
        assertThat(status.get("Seccomp")).as("RuntimeDefault: a seccomp filter").isEqualTo("2");

        for (String dir : List.of("/", "/app", "/etc", "/usr/lib", "/var", "/var/tmp", "/root", "/opt")) {
            assertThat(writeIn(agent, dir)).as("writing in " + dir).contains("Read-only file system");
        }
        assertThat(writeIn(agent, "/etc/dumpsink")).as("the ConfigMap volume").contains("Read-only file system");
        for (String dir : List.of("/tmp", "/var/lib/dumpsink")) {
            assertThat(writeIn(agent, dir)).as("writing in the volume at " + dir).isEmpty();
        }
        assertThat(agent.probe("livenessProbe")).as("liveness on the rendered port").isTrue();
    }

    @Test
    @Order(3)
    void presignerRunsAsTheRenderedNonRootUserWithoutCapabilities() throws Exception {
        JsonNode pod = objects.podTemplate("Deployment", "dumps-dumpsink-presigner").path("spec");
        String uid = pod.path("securityContext").path("runAsUser").asText();
        assertThat(uid).isNotEqualTo("0");
        Map<String, String> status = presigner.processStatus();
        assertThat(status.get("Uid").split("\\s+")).containsOnly(uid);
        assertThat(status.get("Gid").split("\\s+")).containsOnly(pod.path("securityContext").path("runAsGroup").asText());
        assertThat(Long.parseLong(status.get("CapEff"), 16)).isZero();
        assertThat(Long.parseLong(status.get("CapBnd"), 16)).isZero();
        assertThat(status.get("NoNewPrivs")).isEqualTo("1");
        assertThat(writeIn(presigner, "/app")).contains("Read-only file system");
        assertThat(writeIn(presigner, "/tmp")).isEmpty();
        assertThat(presigner.probe("livenessProbe")).as("liveness on the rendered port").isTrue();
    }

    @Test
    @Order(4)
    void outOfMemoryAppsDumpLandsUnderItsPodAndItsChatLinkDownloadsItThroughThePresigner() throws Exception {
        Path classes = node.hostPath("/opt/hello");
        Path classFile = classes.resolve(HelloWorld.class.getName().replace('.', '/') + ".class");
        Files.createDirectories(classFile.getParent());
        try (InputStream in = HelloWorld.class.getResourceAsStream("HelloWorld.class")) {
            Files.write(classFile, in.readAllBytes());
        }
        PodPlan appPlan = node.translator(new ClusterObjects("shop", List.of()))
                .translate("shop", "app-1", appPodFromReadme());
        PodContainer app = node.create(appPlan).container("app");
        Path podDir = watch.resolve("shop/app-1");
        assertThat(Files.getOwner(podDir).getName()).as("made by the 'kubelet' for subPathExpr").isEqualTo("root");
        Dumps.await("the agent to open the pod folder up for uid 1000", Duration.ofSeconds(30),
                () -> permissions(podDir).contains(PosixFilePermission.OTHERS_WRITE));

        app.start();
        app.awaitExit(Duration.ofSeconds(60));
        assertThat(app.logs()).contains("Hello, world").contains("java.lang.OutOfMemoryError")
                .contains("Dumping heap to /dumps/java_pid1.hprof").contains("Heap dump file created");
        byte[] original = nodeCopy(watch, "java_pid1.hprof");
        String originalSha = Dumps.sha256(original);

        String message = chat.poll(90, TimeUnit.SECONDS);
        assertThat(message).as("a chat message; agent log:\n" + agent.logs()).isNotNull();
        String text = JSON.readTree(message).path("text").asText();
        assertThat(text).contains("shop/app-1").contains(NODE).contains(CLUSTER).contains("java_pid1.hprof");

        Matcher stable = Pattern.compile("<(http://[^|>]+/d/[^|>]+)\\|Download>").matcher(text);
        assertThat(stable.find()).as(text).isTrue();
        HttpResponse<Void> redirect = HTTP.send(HttpRequest.newBuilder(URI.create(stable.group(1))).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(redirect.statusCode()).as("the presigner container answers the stable link").isEqualTo(302);
        String presigned = redirect.headers().firstValue("Location").orElseThrow();
        assertThat(presigned).startsWith(s3.endpoint() + "/" + BUCKET + "/");
        HttpResponse<byte[]> download = HTTP.send(HttpRequest.newBuilder(URI.create(presigned)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(Dumps.sha256(Dumps.unzstd(download.body()))).as("the exact dump").isEqualTo(originalSha);

        String dumpKey = keys("%s/%s/shop/app-1/".formatted(CLUSTER, NODE)).stream()
                .filter(key -> key.endsWith(".zst")).findFirst().orElseThrow();
        assertThat(dumpKey).matches(CLUSTER + "/" + NODE + "/shop/app-1/\\d{4}-\\d{2}-\\d{2}/\\d{6}Z-java_pid1\\.hprof\\.zst");
        Manifest manifest = manifest(dumpKey);
        assertThat(manifest.sha256()).isEqualTo(originalSha);
        assertThat(manifest.originalSize()).isEqualTo(original.length);
        assertThat(List.of(manifest.cluster(), manifest.node(), manifest.namespace(), manifest.pod()))
                .containsExactly(CLUSTER, NODE, "shop", "app-1");
        Dumps.await("the node's copies to go", Duration.ofSeconds(30), () -> Dumps.nodeCopies(watch).isEmpty());
    }

    @Test
    @Order(5)
    void agentKilledMidUploadResumesAfterItsContainerRestarts() throws Exception {
        // Big enough that the parts lost at the kill (in flight, or stored but not yet journaled: up to about four
        // of the chart's 8 MiB parts) stay well under the 1.25x bound; 120 MiB once measured 1.27x.
        byte[] content = new byte[200 << 20];
        new Random(10).nextBytes(content);
        Path staging = Files.write(node.root().resolve("staging.dmp"), content);
        // This time the folder and the file are the app's own (uid 1000, 0755 and 0600): reading the file and
        // moving it out of the folder take the agent's DAC capabilities.
        Path pod = Files.createDirectories(watch.resolve("shop/big-1"));
        for (Path owned : List.of(pod, staging)) {
            Files.setAttribute(owned, "unix:uid", 1000);
            Files.setAttribute(owned, "unix:gid", 1000);
        }
        Files.setPosixFilePermissions(pod, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rw-------"));
        long before = relay.upstreamBytes();
        relay.throttle(25L << 20);
        Files.move(staging, pod.resolve("big.dmp"));
        Dumps.await("half of the dump sent", Duration.ofSeconds(90),
                () -> relay.upstreamBytes() - before > 100L << 20);

        agent.kill("KILL");
        assertThat(agent.awaitExit(Duration.ofSeconds(30))).as("killed by SIGKILL").isEqualTo(137);
        relay.cutAll();
        relay.throttle(0);
        agent.start(); // what the kubelet does: the same pod, the same volumes
        agent.awaitProbe("readinessProbe", Duration.ofSeconds(90));

        String prefix = "%s/%s/shop/big-1/".formatted(CLUSTER, NODE);
        Dumps.await("the dump and its manifest stored", Duration.ofSeconds(120), () -> keys(prefix).size() == 2);
        assertThat(agent.logs()).contains("Upload resumed");
        String dumpKey = keys(prefix).get(0);
        Manifest manifest = manifest(dumpKey);
        byte[] stored = client.getObjectAsBytes(b -> b.bucket(BUCKET).key(dumpKey)).asByteArray();
        assertThat(Dumps.sha256(Dumps.unzstd(stored))).isEqualTo(Dumps.sha256(content)).isEqualTo(manifest.sha256());
        long sent = relay.upstreamBytes() - before;
        System.out.printf("resume: %d bytes sent for a %d-byte object (%.3fx)%n", sent, manifest.storedSize(),
                (double) sent / manifest.storedSize());
        assertThat(sent).as("bytes sent over the whole upload, both runs; agent log:%n%s", agent.logs())
                .isLessThanOrEqualTo((long) (manifest.storedSize() * 1.25));
        assertThat(client.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isEmpty();
        Dumps.await("the node's copies to go", Duration.ofSeconds(30), () -> Dumps.nodeCopies(watch).isEmpty());
    }

    @Test
    @Order(6)
    void nothingWasWrittenIntoEitherContainersOwnFileSystem() throws Exception {
        for (PodContainer container : List.of(agent, presigner)) {
            List<String> allowed = new ArrayList<>(List.of("/etc", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf",
                    "/run", "/run/.containerenv"));
            for (int i = 0; i < container.spec().options().size() - 1; i++) {
                if (container.spec().options().get(i).equals("--volume")) {
                    Path target = Path.of(container.spec().options().get(i + 1).split(":")[1]);
                    for (Path p = target; p != null && p.getNameCount() > 0; p = p.getParent()) {
                        allowed.add(p.toString()); // mount points podman made, and their parents
                    }
                }
            }
            assertThat(container.changedPaths()).as(container.name()).isSubsetOf(allowed);
        }
    }

    /** The README's app recipe ("Making a JVM's dump land"), run as HelloWorld by uid 1000 in the JRE image. */
    JsonNode appPodFromReadme() throws IOException {
        String readme = Files.readString(Chart.REPOSITORY.resolve("README.md"));
        int heading = readme.indexOf("### Making a JVM's dump land (app side)");
        assertThat(heading).as("the README's app recipe").isNotNegative();
        int start = readme.indexOf("```yaml\n", heading) + "```yaml\n".length();
        ObjectNode spec = (ObjectNode) Chart.YAML.readTree(readme.substring(start, readme.indexOf("```", start)));
        ObjectNode app = (ObjectNode) spec.path("containers").get(0);
        app.put("image", images.base());
        // -Xmx on the command line wins over the recipe's MaxRAMPercentage: HelloWorld must not fit.
        app.putArray("command").add("java").add("-Xmx12m").add("-cp").add("/app").add(HelloWorld.class.getName());
        app.putObject("securityContext").put("runAsUser", 1000).put("runAsGroup", 1000);
        app.withArray("volumeMounts").addObject().put("name", "app").put("mountPath", "/app").put("readOnly", true);
        spec.withArray("volumes").addObject().put("name", "app").putObject("hostPath").put("path", "/opt/hello")
                .put("type", "Directory");
        return spec;
    }

    /** What a write into {@code dir} printed on stderr inside the container: empty when it worked. */
    static String writeIn(PodContainer container, String dir) throws IOException {
        String file = (dir.endsWith("/") ? dir : dir + "/") + ".container-tier-write-test";
        Podman.Result result = container.exec("sh", "-c", "echo x > " + file + " && rm " + file);
        return result.ok() ? "" : result.stderr().strip() + " (exit " + result.exitCode() + ")";
    }

    /** A node copy of the dump: in its pod folder, or already in the agent's claim folder. */
    static byte[] nodeCopy(Path watch, String name) throws IOException {
        for (Path copy : Dumps.nodeCopies(watch)) {
            if (copy.getFileName().toString().equals(name)) {
                try {
                    return Files.readAllBytes(copy);
                } catch (java.nio.file.NoSuchFileException e) {
                    return nodeCopy(watch, name); // moved into the claim folder meanwhile
                }
            }
        }
        throw new AssertionError("no " + name + " below " + watch);
    }

    ServiceProxy serviceProxy(JsonNode service, PodPlan.Container target) throws IOException {
        JsonNode port = service.path("spec").path("ports").get(0);
        JsonNode targetPort = port.path("targetPort");
        Integer resolved = targetPort.isInt() ? Integer.valueOf(targetPort.asInt()) : target.ports().get(targetPort.asText());
        assertThat(resolved).as("the Service's targetPort " + targetPort + " is a port of " + target.name()).isNotNull();
        return new ServiceProxy(service.path("metadata").path("name").asText(), port.path("port").asInt(), resolved);
    }

    List<String> keys(String prefix) {
        return client.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream()
                .map(S3Object::key).sorted().toList();
    }

    Manifest manifest(String dumpKey) {
        return ManifestCodec.fromJson(client.getObjectAsBytes(b -> b.bucket(BUCKET).key(dumpKey + ".json"))
                .asByteArray());
    }

    static java.util.Set<PosixFilePermission> permissions(Path path) {
        try {
            return Files.getPosixFilePermissions(path);
        } catch (IOException e) {
            return java.util.Set.of();
        }
    }

    static boolean onPath(String program) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
