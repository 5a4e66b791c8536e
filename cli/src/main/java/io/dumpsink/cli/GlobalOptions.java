package io.dumpsink.cli;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import io.dumpsink.core.config.ConfigLoader;
import io.dumpsink.core.config.ConfigReader;
import io.dumpsink.core.config.InvalidConfigException;
import io.dumpsink.core.config.S3Settings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Where the dumps are, taken the way the AWS CLI takes it: flags first, then the environment, then {@code --config}
 * (the project's HOCON, {@code dumpsink.s3 {...}}, the same file the agent reads), then defaults. Credentials come
 * from the AWS default chain ({@code AWS_ACCESS_KEY_ID}, {@code AWS_PROFILE}, web identity, instance role) unless
 * the config file sets {@code dumpsink.s3.access-key} and {@code secret-key}.
 */
final class GlobalOptions {
    @Option(names = "--endpoint-url", paramLabel = "URL", scope = ScopeType.INHERIT,
            description = "S3 endpoint of an S3-compatible store (MinIO, Ceph RGW, ...); empty means AWS S3. "
                    + "Env: DUMPSINK_S3_ENDPOINT, AWS_ENDPOINT_URL.")
    String endpointUrl;

    @Option(names = "--bucket", paramLabel = "BUCKET", scope = ScopeType.INHERIT,
            description = "Bucket holding the dumps. Env: DUMPSINK_BUCKET (or DUMPSINK_S3_BUCKET).")
    String bucket;

    @Option(names = "--region", paramLabel = "REGION", scope = ScopeType.INHERIT,
            description = "Region to sign for. Env: AWS_REGION, AWS_DEFAULT_REGION; default us-east-1.")
    String region;

    @Option(names = "--path-style", negatable = true, scope = ScopeType.INHERIT,
            description = "Path-style URLs (http://host/bucket/key); on by default with --endpoint-url, off for AWS.")
    Boolean pathStyle;

    @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "HOCON file with dumpsink.s3 { endpoint, bucket, region, path-style, access-key, "
                    + "secret-key, ca-file } (e.g. the agent's config); flags and env win over it.")
    Path config;

    /** For tests: the environment to read instead of the process's. */
    Map<String, String> environment = System.getenv();

    /** The store's settings: flags over environment over {@code --config} over defaults. */
    S3Settings settings() {
        S3Settings base = config == null ? null : fromConfigFile(config);
        Optional<URI> endpoint = firstOf(endpointUrl, env("DUMPSINK_S3_ENDPOINT"), env("AWS_ENDPOINT_URL"))
                .map(GlobalOptions::endpointUri)
                .or(() -> base == null ? Optional.empty() : base.endpoint());
        String resolvedBucket = firstOf(bucket, env("DUMPSINK_BUCKET"), env("DUMPSINK_S3_BUCKET"))
                .orElse(base == null ? null : base.bucket());
        if (resolvedBucket == null || resolvedBucket.isBlank()) {
            throw CliException.usage("no bucket: pass --bucket BUCKET, set DUMPSINK_BUCKET, or --config FILE with"
                    + " dumpsink.s3.bucket");
        }
        String resolvedRegion = firstOf(region, env("AWS_REGION"), env("AWS_DEFAULT_REGION"))
                .orElse(base == null ? "us-east-1" : base.region());
        // Like the AWS CLI for MinIO and most on-prem stores: a custom endpoint means path-style unless told not.
        boolean resolvedPathStyle = pathStyle != null ? pathStyle : endpoint.isPresent();
        return new S3Settings(endpoint, resolvedRegion, resolvedBucket, resolvedPathStyle,
                base == null ? "" : base.accessKey(), base == null ? "" : base.secretKey(),
                base == null ? S3Settings.RequestChecksums.AUTO : base.requestChecksums(), false,
                base == null ? Optional.empty() : base.caFile());
    }

    private static S3Settings fromConfigFile(Path file) {
        if (!Files.isReadable(file)) {
            throw CliException.usage("--config: cannot read '" + file + "'");
        }
        try {
            ConfigReader reader = new ConfigReader(ConfigLoader.load(
                    ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false)),
                    Map.of()));
            S3Settings settings = S3Settings.from(reader);
            reader.validate();
            return settings;
        } catch (InvalidConfigException e) {
            throw CliException.usage("--config " + file + ": " + String.join("; ", e.problems()));
        } catch (com.typesafe.config.ConfigException e) {
            throw CliException.usage("--config " + file + ": " + e.getMessage());
        }
    }

    private static URI endpointUri(String value) {
        try {
            URI uri = URI.create(value);
            if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--endpoint-url: '" + value + "' is not an http:// or https:// URL");
        }
    }

    private String env(String name) {
        return environment.get(name);
    }

    private static Optional<String> firstOf(String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }
}
