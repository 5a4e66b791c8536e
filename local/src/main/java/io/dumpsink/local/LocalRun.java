package io.dumpsink.local;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dumpsink.agent.AgentApp;
import io.dumpsink.core.config.ConfigLoader;
import io.dumpsink.core.config.InvalidConfigException;
import io.dumpsink.core.lifecycle.StartupException;
import io.dumpsink.embedded.EmbeddedS3;
import io.dumpsink.presigner.PresignerApp;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * dumpsink on a laptop: an embedded S3 server storing into {@code .local-run/s3}, the agent watching
 * {@code dumps/}, and the presigner with its browse page, all in this one process. Prints where to drop a dump,
 * where to see it, and how to find it with the AWS CLI, in a banner within the first 30 lines of output; the
 * effective configuration goes to {@code .local-run/effective-config.conf} instead of the console.
 * {@code -Dconfig.file} still adds settings (a chat webhook, say); {@code DUMPSINK_LOCAL_DIR} (or
 * {@code -Ddumpsink.local.dir}) moves {@code .local-run}.
 */
public final class LocalRun {
    private static final Logger log = LoggerFactory.getLogger(LocalRun.class);
    private static final String EFFECTIVE_CONFIG = "effective-config.conf";

    private LocalRun() {
    }

    public static void main(String[] args) throws Exception {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        // The effective configuration goes to a file (named in the banner), not 160 lines ahead of the banner.
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(ConfigLoader.EFFECTIVE_CONFIG_LOGGER))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        String dir = System.getProperty("dumpsink.local.dir", System.getenv().getOrDefault("DUMPSINK_LOCAL_DIR",
                ".local-run"));
        Path base = Path.of(dir).toAbsolutePath();
        Path watch = Path.of(args.length > 0 ? args[0] : "dumps").toAbsolutePath();
        Files.createDirectories(watch);
        EmbeddedS3 s3 = EmbeddedS3.start(base.resolve("s3"), Integer.getInteger("dumpsink.local.s3-port", 0));
        int presignerPort = Integer.getInteger("dumpsink.local.presigner-port", freePort());
        String token = randomHex(24); // people's (reader): printed below
        String agentToken = randomHex(24); // the agent's: may only post upload events

        Map<String, Object> local = new HashMap<>();
        local.put("dumpsink.cluster", "local");
        local.put("dumpsink.s3.endpoint", s3.endpoint().toString());
        local.put("dumpsink.s3.path-style", true);
        local.put("dumpsink.s3.access-key", EmbeddedS3.ACCESS_KEY);
        local.put("dumpsink.s3.secret-key", EmbeddedS3.SECRET_KEY);
        local.put("dumpsink.s3.create-bucket", true);
        // S3Proxy has no bucket lifecycle (it answers 501, logged as an ERROR by S3Proxy and a WARN by the agent):
        // expected here, so the rule is not attempted and the banner says so once.
        local.put("dumpsink.s3.lifecycle.enabled", false);
        local.put("dumpsink.agent.watch-dir", watch.toString());
        local.put("dumpsink.agent.state-dir", base.resolve("state").toString());
        local.put("dumpsink.agent.settle-time", "2s");
        local.put("dumpsink.agent.http-port", 0);
        local.put("dumpsink.agent.presigner-url", "http://127.0.0.1:" + presignerPort);
        local.put("dumpsink.agent.presigner-token", agentToken);
        local.put("dumpsink.presigner.port", presignerPort);
        local.put("dumpsink.presigner.management-port", 0);
        local.put("dumpsink.presigner.public-url", "http://127.0.0.1:" + presignerPort);
        local.put("dumpsink.presigner.access-tokens", List.of(
                Map.of("id", "agent", "role", "agent", "token", agentToken),
                Map.of("id", "people", "role", "reader", "token", token)));
        local.put("dumpsink.presigner.link-secret", randomHex(32));

        AgentApp agent;
        PresignerApp presigner;
        try {
            Config config = ConfigLoader.load(ConfigFactory.parseMap(local, "local run").withFallback(fileConfig()),
                    System.getenv());
            Files.createDirectories(base);
            Files.writeString(base.resolve(EFFECTIVE_CONFIG), ConfigLoader.describe(config) + "\n");
            presigner = PresignerApp.create(config);
            presigner.start();
            agent = AgentApp.create(config);
            agent.start();
        } catch (InvalidConfigException e) {
            log.error("Cannot start: {}", e.getMessage());
            s3.close();
            System.exit(2);
            return;
        } catch (StartupException e) {
            log.error("Cannot start: {}", e.getMessage());
            s3.close();
            System.exit(3);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.stop();
            presigner.stop();
            try {
                s3.close();
            } catch (Exception e) {
                log.warn("Stopping the embedded S3 failed error={}", e.toString());
            }
        }, "dumpsink-local-shutdown"));

        String endpoint = s3.endpoint().toString();
        System.out.printf("""

                ==== dumpsink is running locally ====
                Drop a dump into %s/<namespace>/<pod>/, for example:
                  mkdir -p %s/demo/my-pod && cp /path/to/heap.hprof %s/demo/my-pod/
                or start any JVM with -XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath=<that folder>/
                (the agent moves it into .dumpsink-claimed/ at once, and deletes it there once stored and verified)

                Browse page:  http://127.0.0.1:%d/   (any user name, password: %s)
                API:          curl -H 'Authorization: Bearer %s' http://127.0.0.1:%d/api/v1/dumps
                S3 store:     %s  bucket: dumps  (embedded S3Proxy, data in %s)
                Find it:      AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_DEFAULT_REGION=%s \\
                                aws --endpoint-url %s s3 ls --recursive s3://dumps/
                Agent metrics: http://127.0.0.1:%d/metrics
                Effective configuration (secrets masked): %s
                INFO the embedded store has no bucket lifecycle: dumps stay until you delete them.
                Ctrl-C stops it.
                %n""", watch, watch, watch, presignerPort, token, token, presignerPort, endpoint, base.resolve("s3"),
                EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY, EmbeddedS3.REGION, endpoint, agent.httpPort(),
                base.resolve(EFFECTIVE_CONFIG));
        System.out.flush();
        agent.awaitStop();
    }

    private static Config fileConfig() {
        String file = System.getProperty("config.file");
        return file == null ? ConfigFactory.empty() : ConfigFactory.parseFile(Path.of(file).toFile());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }
}
