package io.dumpsink.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.Zstd;
import io.dumpsink.agent.AgentApp;
import io.dumpsink.agent.testing.Dumps;
import io.dumpsink.agent.testing.TcpRelay;
import io.dumpsink.agent.testing.TestingAgent;
import io.dumpsink.core.layout.KeyLayout;
import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.core.manifest.ManifestCodec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The {@code dumpsink} command against a real S3 server, on dumps the real agent code stored: written once, run per
 * backend ({@link CliS3ProxyTest}, {@link CliCephRgwTest}). Commands run in-process through {@link Main#run}, the
 * interrupted download in a child JVM that is killed.
 */
abstract class CliContract {
    static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;
    AgentApp agent;
    Path watch;
    Path config;

    /** The S3 endpoint the CLI and the agent talk to. */
    abstract String endpoint();

    abstract String accessKey();

    abstract String secretKey();

    abstract String bucket();

    /** A client with full access, to look at and tamper with objects. */
    abstract S3Client client();

    /** Whether the bucket exists yet; the agent creates it. */
    void startAgent() throws Exception {
        watch = tmp.resolve("watch");
        agent = new TestingAgent(endpoint(), accessKey(), secretKey(), watch, tmp.resolve("state"))
                .with("dumpsink.s3.bucket", bucket())
                .with("dumpsink.agent.part-size", "5MiB")
                .with("dumpsink.agent.chunk-size", "256KiB")
                .start();
        config = tmp.resolve("cli.conf");
        Files.writeString(config, "dumpsink.s3 {\n  endpoint = \"" + endpoint() + "\"\n  bucket = \"" + bucket()
                + "\"\n  access-key = \"" + accessKey() + "\"\n  secret-key = \"" + secretKey() + "\"\n}\n");
    }

    @AfterEach
    void stopAgent() {
        if (agent != null) {
            agent.stop();
        }
    }

    record Result(int exit, String out, String err, byte[] data) {
    }

    /** Runs {@code dumpsink --config <test config> args...} in this JVM. */
    Result cli(String... args) {
        List<String> all = new ArrayList<>(List.of("--config", config.toString()));
        all.addAll(Arrays.asList(args));
        return cliRaw(Map.of(), all.toArray(String[]::new));
    }

    static Result cliRaw(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), data, env, false);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                data.toByteArray());
    }

    /** Drops a file into a pod's folder with the given mtime and waits until the agent recorded it; its key. */
    String ship(String namespace, String pod, String name, byte[] content, Instant modified) throws Exception {
        Path staging = tmp.resolve("staging-" + name);
        Files.write(staging, content);
        Files.setLastModifiedTime(staging, FileTime.from(modified));
        Path folder = Files.createDirectories(watch.resolve(namespace).resolve(pod));
        long before = manifests().size();
        Files.move(staging, folder.resolve(name));
        Dumps.await("the manifest of " + namespace + "/" + pod + "/" + name, WAIT,
                () -> manifests().stream().anyMatch(k -> k.contains("/" + namespace + "/" + pod + "/")
                        && k.endsWith(name + ".zst.json")));
        assertThat(manifests()).hasSize((int) before + 1);
        String manifestKey = manifests().stream().filter(k -> k.contains("/" + namespace + "/" + pod + "/")
                && k.endsWith(name + ".zst.json")).findFirst().orElseThrow();
        return manifestKey.substring(0, manifestKey.length() - KeyLayout.MANIFEST_SUFFIX.length());
    }

    List<String> manifests() {
        return client().listObjectsV2Paginator(b -> b.bucket(bucket())).contents().stream()
                .map(o -> o.key()).filter(KeyLayout::isManifestKey).toList();
    }

    Manifest manifest(String key) {
        return ManifestCodec.fromJson(client().getObjectAsBytes(b -> b.bucket(bucket())
                .key(KeyLayout.manifestKey(key))).asByteArray());
    }

    byte[] object(String key) {
        return client().getObjectAsBytes(b -> b.bucket(bucket()).key(key)).asByteArray();
    }

    /** Half random, half zeros in 64 KiB runs: frames of different compressed sizes, raw blocks among them. */
    static byte[] content(int size, long seed) {
        byte[] content = new byte[size];
        Random random = new Random(seed);
        byte[] noise = new byte[64 << 10];
        for (int at = 0; at < size; at += 128 << 10) {
            random.nextBytes(noise);
            System.arraycopy(noise, 0, content, at, Math.min(noise.length, size - at));
        }
        return content;
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void lsListsNewestFirstAndFiltersByNamespacePodNodeAndSince() throws Exception {
        startAgent();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String old = ship("shop", "api-1", "old.hprof", content(1000, 1), now.minus(Duration.ofDays(3)));
        String api1 = ship("shop", "api-1", "new.hprof", content(2000, 2), now.minus(Duration.ofHours(2)));
        String api2 = ship("shop", "api-2", "a2.hprof", content(3000, 3), now.minus(Duration.ofHours(1)));
        String billing = ship("billing", "api-1", "b.hprof", content(4000, 4), now.minus(Duration.ofMinutes(30)));

        Result all = cli("ls");
        assertThat(all.exit()).as(all.err()).isZero();
        List<String> lines = all.out().lines().toList();
        assertThat(lines.get(0)).startsWith("TIME (UTC)").contains("NAMESPACE/POD", "NODE", "SIZE", "STORED",
                "COMPLETE", "KEY");
        assertThat(lines.subList(1, lines.size())).hasSize(4);
        assertThat(lines.get(1)).endsWith(billing).contains("billing/api-1", "node-1");
        assertThat(lines.get(2)).endsWith(api2);
        assertThat(lines.get(3)).endsWith(api1);
        assertThat(lines.get(4)).endsWith(old);

        assertThat(keysOf(cli("ls", "--pod", "api-1"))).containsExactly(billing, api1, old);
        assertThat(keysOf(cli("ls", "--namespace", "shop", "--pod", "api-1"))).containsExactly(api1, old);
        assertThat(keysOf(cli("ls", "--namespace", "shop"))).containsExactly(api2, api1, old);
        assertThat(keysOf(cli("ls", "--cluster", "test-cluster", "--node", "node-1", "-n", "shop", "-p", "api-2")))
                .containsExactly(api2);
        assertThat(keysOf(cli("ls", "--node", "node-2"))).isEmpty();
        assertThat(keysOf(cli("ls", "--cluster", "other"))).isEmpty();
        assertThat(keysOf(cli("ls", "--since", "2d"))).containsExactly(billing, api2, api1);
        assertThat(keysOf(cli("ls", "--since", "90m", "--namespace", "shop"))).containsExactly(api2);

        Result json = cli("ls", "--json", "--pod", "api-2");
        assertThat(json.exit()).isZero();
        assertThat(json.out()).contains("\"key\" : \"" + api2 + "\"", "\"sha256\"", "\"seekTable\" : true");

        Result latest = cli("show", "--latest", "--namespace", "shop");
        assertThat(latest.exit()).as(latest.err()).isZero();
        assertThat(latest.out()).contains("key:", api2, "originalSize:", "3000");
    }

    @Test
    void listingOnePodListsOnlyFolderNamesAboveItNeverTheBucket() throws Exception {
        startAgent();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String api1 = ship("shop", "api-1", "one.hprof", content(1000, 5), now);
        ship("shop", "api-2", "two.hprof", content(1000, 6), now);
        ship("billing", "api-1", "three.hprof", content(1000, 7), now);
        List<String> listings = new java.util.concurrent.CopyOnWriteArrayList<>();
        S3Client recording = new S3Client() {
            @Override
            public software.amazon.awssdk.services.s3.model.ListObjectsV2Response listObjectsV2(
                    software.amazon.awssdk.services.s3.model.ListObjectsV2Request request) {
                listings.add(request.prefix() + (request.delimiter() == null ? " (everything below)" : " (folders)"));
                return client().listObjectsV2(request);
            }

            @Override
            public String serviceName() {
                return "s3";
            }

            @Override
            public void close() {
                // the test's client is closed by the test
            }
        };
        DumpFilter filter = new DumpFilter();
        filter.namespace = "shop";
        filter.pod = "api-1";
        try (Store store = new Store(recording, new Store.Target(bucket(), endpoint()))) {
            assertThat(store.list(filter, java.util.Optional.empty())).extracting(Store.Listed::key)
                    .containsExactly(api1);
        }
        // Cluster and node are not given: their folder names are listed, then only the pod's own folder in full.
        assertThat(listings).containsExactly(" (folders)", "test-cluster/ (folders)",
                "test-cluster/node-1/shop/api-1/ (everything below)");
    }

    private static List<String> keysOf(Result ls) {
        assertThat(ls.exit()).as(ls.err()).isZero();
        return ls.out().lines().skip(1).map(line -> line.substring(line.lastIndexOf(' ') + 1)).toList();
    }

    @Test
    void getOfARealHeapDumpShippedByTheAgentEqualsTheOriginal() throws Exception {
        startAgent();
        Path dump = Dumps.realHeapDump(tmp.resolve("oom"), "32m");
        byte[] original = Files.readAllBytes(dump);
        String key = ship("shop", "api-1", "java_pid1.hprof", original, Instant.now());
        assertThat(manifest(key).seekTable()).isTrue();

        Path out = tmp.resolve("heap.hprof");
        Result get = cli("get", key, "-o", out.toString());
        assertThat(get.exit()).as(get.err()).isZero();
        assertThat(get.err()).contains("Verified " + key);
        assertThat(Files.readAllBytes(out)).isEqualTo(original);
        assertThat(tmp.resolve("heap.hprof.part")).doesNotExist();

        Result stdout = cli("get", "--latest", "--pod", "api-1", "-o", "-", "--parallel", "3");
        assertThat(stdout.exit()).as(stdout.err()).isZero();
        assertThat(stdout.data()).isEqualTo(original);

        Result verify = cli("verify", key);
        assertThat(verify.exit()).as(verify.err()).isZero();
        assertThat(verify.out()).contains("ok " + key, sha256(original));
        // The heap summary the agent read on the way, as a table, not as raw JSON.
        Result show = cli("show", key);
        assertThat(show.exit()).as(show.err()).isZero();
        assertThat(show.out()).contains("What filled the heap:", "JAVA PROFILE 1.0.2", "java.lang.String")
                .doesNotContain("topClasses");
    }

    @Test
    void byteFlippedInTheStoredObjectFailsGetAndVerifyNamingTheKeyAndBothHashes() throws Exception {
        startAgent();
        byte[] original = content(3 << 20, 7);
        String key = ship("shop", "api-1", "flip.hprof", original, Instant.now());
        byte[] stored = object(key);
        // Frame 0 begins with 64 KiB of random bytes, which zstd stores raw: a byte flipped there still
        // decompresses, into a different dump.
        stored[2000] ^= 0x20;
        client().putObject(b -> b.bucket(bucket()).key(key), RequestBody.fromBytes(stored));
        String expected = manifest(key).sha256();
        String actual = sha256(Dumps.unzstd(stored)); // what the damaged object decompresses to
        assertThat(actual).isNotEqualTo(expected);

        Path out = tmp.resolve("flip.hprof");
        Result get = cli("get", key, "-o", out.toString());
        assertThat(get.exit()).isEqualTo(1);
        assertThat(get.err().lines()).hasSize(1);
        assertThat(get.err()).contains("verification failed", key, expected, actual);
        assertThat(out).doesNotExist();
        assertThat(tmp.resolve("flip.hprof.part")).doesNotExist();

        Result verify = cli("verify", key);
        assertThat(verify.exit()).isEqualTo(1);
        assertThat(verify.err()).contains("verification failed", key, expected, actual);
    }

    @Test
    void corruptFrameFailsGetWithExitOneNamingTheKey() throws Exception {
        startAgent();
        byte[] original = content(2 << 20, 8);
        String key = ship("shop", "api-1", "hdr.hprof", original, Instant.now());
        byte[] stored = object(key);
        Arrays.fill(stored, 0, 4, (byte) 0); // frame 0's magic number gone
        client().putObject(b -> b.bucket(bucket()).key(key), RequestBody.fromBytes(stored));

        Path out = tmp.resolve("hdr.hprof");
        Result get = cli("get", key, "-o", out.toString());
        assertThat(get.exit()).isEqualTo(1);
        assertThat(get.err()).contains("verification failed", key, "frame 0", manifest(key).sha256());
        assertThat(out).doesNotExist();
    }

    @Test
    void getKilledMidwayResumesFromItsPartialFileAndVerifies() throws Exception {
        startAgent();
        byte[] original = content(40 << 20, 9);
        String key = ship("shop", "api-1", "big.hprof", original, Instant.now());
        Path out = tmp.resolve("big.hprof");
        Path part = tmp.resolve("big.hprof.part");
        try (TcpRelay relay = new TcpRelay(java.net.URI.create(endpoint()).getPort())) {
            relay.throttleDownstream(2L << 20);
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "--config", config.toString(), "--endpoint-url", "http://127.0.0.1:" + relay.port(),
                    "get", key, "-o", out.toString(), "--parallel", "2"));
            Process child = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("child.log").toFile()).start();
            try {
                Dumps.await("a third of the dump in " + part, WAIT,
                        () -> Files.exists(part) && sizeOf(part) > original.length / 3);
            } finally {
                child.destroyForcibly(); // SIGKILL: no shutdown hook, no clean-up
                child.waitFor(30, TimeUnit.SECONDS);
            }
        }
        assertThat(out).doesNotExist();
        long kept = sizeOf(part);
        assertThat(kept).isGreaterThan(original.length / 3).isLessThan(original.length);

        Result resumed = cli("get", key, "-o", out.toString());
        assertThat(resumed.exit()).as(resumed.err()).isZero();
        assertThat(resumed.err()).contains("Resuming " + key + " at ");
        long resumedAt = Long.parseLong(resumed.err().replaceAll("(?s).*Resuming \\S+ at (\\d+) bytes.*", "$1"));
        assertThat(resumedAt).isPositive().isLessThanOrEqualTo(kept);
        assertThat(Files.readAllBytes(out)).isEqualTo(original);
        assertThat(part).doesNotExist();
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    @Test
    void wrongCredentialsMissingKeyAndMissingBucketAreOneLineEachWithExitThree() throws Exception {
        startAgent();
        String key = ship("shop", "api-1", "e.hprof", content(1000, 10), Instant.now());

        Path wrong = tmp.resolve("wrong.conf");
        Files.writeString(wrong, Files.readString(config).replace(secretKey(), "not-the-secret"));
        Result badCredentials = cliRaw(Map.of(), "--config", wrong.toString(), "get", key, "-o",
                tmp.resolve("x").toString());
        assertThat(badCredentials.exit()).isEqualTo(3);
        assertThat(badCredentials.err().lines()).hasSize(1);
        assertThat(badCredentials.err()).contains("access denied");

        Result missingKey = cli("get", key.replace("e.hprof", "nope.hprof"), "-o", tmp.resolve("y").toString());
        assertThat(missingKey.exit()).isEqualTo(3);
        assertThat(missingKey.err().lines()).hasSize(1);
        assertThat(missingKey.err()).contains("no such dump", "nope.hprof");

        Result missingBucket = cli("--bucket", "no-such-bucket-here", "ls");
        assertThat(missingBucket.exit()).isEqualTo(3);
        assertThat(missingBucket.err().lines()).hasSize(1);
        assertThat(missingBucket.err()).contains("no such bucket 'no-such-bucket-here'");

        Result verifyMissing = cli("verify", key + "x");
        assertThat(verifyMissing.exit()).isEqualTo(3);
        assertThat(verifyMissing.err().lines()).hasSize(1);
    }

    @Test
    void seekTableLargerThanTheEndReadWithTheManifestIsReadOnItsOwnAndGetEqualsTheOriginal() throws Exception {
        startAgent();
        // 17,000 frames of 32 bytes: a table of 136,017 bytes, more than the DumpFetcher.TAIL_BYTES read first.
        int frames = 17_000;
        byte[] original = content(frames * 32, 12);
        ByteArrayOutputStream object = new ByteArrayOutputStream();
        io.dumpsink.core.seekable.SeekTable.Builder table = new io.dumpsink.core.seekable.SeekTable.Builder();
        for (int at = 0; at < original.length; at += 32) {
            byte[] frame = Zstd.compress(Arrays.copyOfRange(original, at, at + 32), 1);
            object.write(frame);
            table.add(frame.length, 32);
        }
        java.nio.ByteBuffer encoded = table.build().encode();
        assertThat(encoded.remaining()).isGreaterThan(DumpFetcher.TAIL_BYTES);
        byte[] tableBytes = new byte[encoded.remaining()];
        encoded.get(tableBytes);
        object.write(tableBytes);
        String key = "test-cluster/node-1/shop/many-frames/2026-01-02/030405Z-java_pid2.hprof.zst";
        client().putObject(b -> b.bucket(bucket()).key(key), RequestBody.fromBytes(object.toByteArray()));
        Manifest manifest = new Manifest(1, key, bucket(), "test-cluster", "node-1", "shop", "many-frames",
                "java_pid2.hprof", "/var/dumps/shop/many-frames/java_pid2.hprof", "x", original.length,
                sha256(original), object.size(), "zstd", 32, 1, Instant.parse("2026-01-02T03:04:05Z"),
                Instant.parse("2026-01-02T03:04:06Z"), Instant.parse("2026-01-02T03:04:07Z"), "0.1.0", "hprof", true,
                true, null);
        client().putObject(b -> b.bucket(bucket()).key(KeyLayout.manifestKey(key)),
                RequestBody.fromBytes(ManifestCodec.toJson(manifest)));

        Path out = tmp.resolve("many-frames.hprof");
        Result get = cli("get", key, "-o", out.toString());

        assertThat(get.exit()).as(get.err()).isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(original);
    }

    @Test
    void objectStoredWithoutASeekTableIsStillFetchedSequentially() throws Exception {
        startAgent();
        byte[] original = content((3 << 20) + 777, 11);
        // The old way: independent frames of 256 KiB, concatenated, no table; a manifest without the field.
        ByteArrayOutputStream object = new ByteArrayOutputStream();
        for (int at = 0; at < original.length; at += 256 << 10) {
            object.write(Zstd.compress(Arrays.copyOfRange(original, at, Math.min(original.length, at + (256 << 10))),
                    1));
        }
        String key = "test-cluster/node-1/shop/legacy/2026-01-02/030405Z-java_pid1.hprof.zst";
        client().putObject(b -> b.bucket(bucket()).key(key), RequestBody.fromBytes(object.toByteArray()));
        Manifest legacy = new Manifest(1, key, bucket(), "test-cluster", "node-1", "shop", "legacy",
                "java_pid1.hprof", "/var/dumps/shop/legacy/java_pid1.hprof", "x", original.length, sha256(original),
                object.size(), "zstd", 256 << 10, 1, Instant.parse("2026-01-02T03:04:05Z"),
                Instant.parse("2026-01-02T03:04:06Z"), Instant.parse("2026-01-02T03:04:07Z"), "0.0.9", "hprof", true);
        String json = new String(ManifestCodec.toJson(legacy), StandardCharsets.UTF_8);
        assertThat(json).doesNotContain("seekTable\" : true");
        client().putObject(b -> b.bucket(bucket()).key(KeyLayout.manifestKey(key)),
                RequestBody.fromString(json.replace(",\n  \"seekTable\" : null",
                        ",\n  \"triage\" : { \"topClass\" : \"byte[]\" }")));

        Path out = tmp.resolve("legacy.hprof");
        Result get = cli("get", key, "-o", out.toString());
        assertThat(get.exit()).as(get.err()).isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(original);

        // Damaged without a table: the sequential decoder fails, and that is a failed verification too.
        byte[] damaged = object.toByteArray();
        Arrays.fill(damaged, 0, 4, (byte) 0);
        client().putObject(b -> b.bucket(bucket()).key(key), RequestBody.fromBytes(damaged));
        Result broken = cli("verify", key);
        assertThat(broken.exit()).as(broken.err()).isEqualTo(1);
        assertThat(broken.err()).contains("verification failed", key, sha256(original));
        client().putObject(b -> b.bucket(bucket()).key(key), RequestBody.fromBytes(object.toByteArray()));
        assertThat(cli("ls", "--pod", "legacy").out()).contains(key, "yes");
        // A field this version does not know (a newer agent's) is shown too.
        Result show = cli("show", key);
        assertThat(show.exit()).as(show.err()).isZero();
        assertThat(show.out()).contains("triage:", "topClass:", "byte[]", "fileName:", "java_pid1.hprof");
    }

    @Test
    void linkPrintsAPresignedUrlThatDownloadsTheObjectAndRefusesAMissingDump() throws Exception {
        startAgent();
        byte[] original = content(100_000, 12);
        String key = ship("shop", "api-1", "link.hprof", original, Instant.now());
        Result link = cli("link", key, "--ttl", "15m");
        assertThat(link.exit()).as(link.err()).isZero();
        java.net.http.HttpResponse<byte[]> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(link.out().strip())).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(object(key));
        assertThat(Dumps.unzstd(response.body())).isEqualTo(original);

        Result missing = cli("link", key + "-gone");
        assertThat(missing.exit()).isEqualTo(3);
        assertThat(missing.err()).contains("no such dump");
        assertThat(cli("link", key, "--ttl", "8d").exit()).isEqualTo(2);
    }

    @Test
    void helpListsExitCodesBadFlagsAreUsageErrorsAndCompletionIsGenerated() throws Exception {
        Result help = cliRaw(Map.of(), "get", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("--output", "--latest", "--endpoint-url", "Exit codes", "3  not found");
        assertThat(cliRaw(Map.of(), "ls", "--bogus").exit()).isEqualTo(2);
        Result noBucket = cliRaw(Map.of(), "ls");
        assertThat(noBucket.exit()).isEqualTo(2);
        assertThat(noBucket.err()).contains("no bucket");
        Result completion = cliRaw(Map.of(), "completion");
        assertThat(completion.exit()).isZero();
        assertThat(completion.out()).contains("complete -F", "dumpsink", "verify");
        Path keys = tmp.resolve("keys.conf");
        Files.writeString(keys, "dumpsink.s3 { access-key = a, secret-key = b }\n");
        Map<String, String> env = new HashMap<>();
        env.put("DUMPSINK_BUCKET", "dumps");
        env.put("DUMPSINK_S3_ENDPOINT", "http://127.0.0.1:1");
        Result unreachable = cliRaw(env, "--config", keys.toString(), "ls");
        assertThat(unreachable.exit()).isEqualTo(2);
        assertThat(unreachable.err().lines()).hasSize(1);
        assertThat(unreachable.err()).contains("cannot reach http://127.0.0.1:1");
    }
}
