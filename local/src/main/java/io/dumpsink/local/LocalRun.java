package io.dumpsink.local;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dumpsink.agent.AgentApp;
import io.dumpsink.core.config.ConfigLoader;
import io.dumpsink.core.config.InvalidConfigException;
import io.dumpsink.embedded.EmbeddedS3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * dumpsink on a laptop: an embedded S3 server storing into {@code .local-run/s3}, and the agent watching
 * {@code dumps/}, both in this one process. Prints where to drop a dump and how to find it with the AWS CLI.
 * Settings can still be changed with {@code -Dconfig.file} or {@code -Ddumpsink...}.
 */
public final class LocalRun {
    private static final Logger log = LoggerFactory.getLogger(LocalRun.class);

    private LocalRun() {
    }

    public static void main(String[] args) throws Exception {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        Path base = Path.of(System.getProperty("dumpsink.local.dir", ".local-run")).toAbsolutePath();
        Path watch = Path.of(args.length > 0 ? args[0] : "dumps").toAbsolutePath();
        Files.createDirectories(watch);
        int port = Integer.getInteger("dumpsink.local.s3-port", 0);

        EmbeddedS3 s3 = EmbeddedS3.start(base.resolve("s3"), port);
        Map<String, Object> local = Map.of(
                "dumpsink.cluster", "local",
                "dumpsink.s3.endpoint", s3.endpoint().toString(),
                "dumpsink.s3.path-style", true,
                "dumpsink.s3.access-key", EmbeddedS3.ACCESS_KEY,
                "dumpsink.s3.secret-key", EmbeddedS3.SECRET_KEY,
                "dumpsink.s3.create-bucket", true,
                "dumpsink.agent.watch-dir", watch.toString(),
                "dumpsink.agent.state-dir", base.resolve("state").toString(),
                "dumpsink.agent.settle-time", "2s",
                "dumpsink.agent.http-port", 0);
        AgentApp agent;
        try {
            Config application = ConfigFactory.parseMap(local, "local run").withFallback(fileConfig());
            agent = AgentApp.create(ConfigLoader.load(application, System.getenv()));
            agent.start();
        } catch (InvalidConfigException e) {
            log.error("Cannot start: {}", e.getMessage());
            s3.close();
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.stop();
            try {
                s3.close();
            } catch (Exception e) {
                log.warn("Stopping the embedded S3 failed error={}", e.toString());
            }
        }, "dumpsink-local-shutdown"));

        String endpoint = s3.endpoint().toString();
        System.out.printf("""

                dumpsink is running locally.
                  S3 (embedded, data in %s): %s  bucket: dumps
                  agent metrics:  http://127.0.0.1:%d/metrics

                Drop a dump into %s/<namespace>/<pod>/, for example:
                  mkdir -p %s/demo/my-pod && cp /path/to/heap.hprof %s/demo/my-pod/
                or start any JVM with -XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath=<that folder>/

                Find it (the local file disappears once it is stored and verified):
                  AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_DEFAULT_REGION=%s \\
                      aws --endpoint-url %s s3 ls --recursive s3://dumps/

                Ctrl-C stops it.
                %n""", base.resolve("s3"), endpoint, agent.httpPort(), watch, watch, watch,
                EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY, EmbeddedS3.REGION, endpoint);
        agent.awaitStop();
    }

    private static Config fileConfig() {
        String file = System.getProperty("config.file");
        return file == null ? ConfigFactory.empty() : ConfigFactory.parseFile(Path.of(file).toFile());
    }
}
