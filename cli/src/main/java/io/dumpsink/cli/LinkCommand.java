package io.dumpsink.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dumpsink.core.layout.KeyLayout;
import io.dumpsink.core.s3.S3Clients;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * {@code dumpsink link}: a URL anyone can download the dump with, without credentials. Signed here with the
 * caller's credentials (a presigned GET, at most 7 days), or asked of the presigner service ({@code --presigner}),
 * which answers with its stable link when it has one, otherwise with a presigned URL it signed.
 */
@Command(name = "link", description = "Print a download URL for a dump: presigned here (--ttl, at most 7d), or"
        + " from the presigner service with --presigner URL --token T.")
final class LinkCommand implements Callable<Integer> {
    private static final Pattern TTL = Pattern.compile("(\\d+)([smhd])");
    private static final Duration MAX_TTL = Duration.ofDays(7);

    @ParentCommand
    DumpsinkCommand root;

    @Parameters(index = "0", paramLabel = "KEY", description = "The dump's key.")
    String key;

    @Option(names = "--ttl", paramLabel = "TTL", description = "How long the URL works: 15m, 1h, 2d (at most 7d);"
            + " default ${DEFAULT-VALUE}.")
    String ttl = "1h";

    @Option(names = "--presigner", paramLabel = "URL", description = "The presigner service's URL. Env:"
            + " DUMPSINK_PRESIGNER_URL.")
    String presigner;

    @Option(names = "--token", paramLabel = "T", description = "The presigner's API token. Env:"
            + " DUMPSINK_PRESIGNER_TOKEN.")
    String token;

    @Override
    public Integer call() throws Exception {
        Duration duration = parseTtl(ttl);
        String presignerUrl = presigner != null ? presigner : root.environment.get("DUMPSINK_PRESIGNER_URL");
        if (presignerUrl != null && !presignerUrl.isBlank()) {
            String apiToken = token != null ? token : root.environment.get("DUMPSINK_PRESIGNER_TOKEN");
            if (apiToken == null || apiToken.isBlank()) {
                throw CliException.usage("--presigner needs --token T (or DUMPSINK_PRESIGNER_TOKEN)");
            }
            root.out.println(fromPresigner(presignerUrl, apiToken));
            return ExitCodes.OK;
        }
        var settings = root.settings();
        try (Store store = new Store(settings, 2)) {
            String dumpKey = store.normalizeKey(key);
            store.manifest(dumpKey); // no link to a dump that does not exist (exit 3)
            try (S3Presigner signer = S3Clients.presigner(settings, Optional.empty())) {
                String fileName = GetCommand.defaultName(dumpKey) + (dumpKey.endsWith(KeyLayout.ZSTD_SUFFIX)
                        ? KeyLayout.ZSTD_SUFFIX : "");
                root.out.println(signer.presignGetObject(p -> p.signatureDuration(duration)
                        .getObjectRequest(g -> g.bucket(store.bucket()).key(dumpKey)
                                .responseContentDisposition("attachment; filename=\"" + fileName + "\"")))
                        .url());
            }
        }
        return ExitCodes.OK;
    }

    static Duration parseTtl(String value) {
        Matcher m = TTL.matcher(value.trim());
        if (!m.matches()) {
            throw CliException.usage("--ttl: '" + value + "' is not a duration like 15m, 1h or 2d");
        }
        long amount = Long.parseLong(m.group(1));
        Duration duration = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
        if (duration.isZero() || duration.compareTo(MAX_TTL) > 0) {
            throw CliException.usage("--ttl must be more than 0 and at most 7d (SigV4's limit)");
        }
        return duration;
    }

    /** POST /api/v1/links; the presigner's stable link when it returns one, else the URL it signed. */
    private String fromPresigner(String base, String apiToken) throws IOException, InterruptedException {
        URI uri;
        try {
            uri = URI.create(base.replaceAll("/+$", "") + "/api/v1/links");
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--presigner: '" + base + "' is not a URL");
        }
        ObjectNode body = LsCommand.JSON.createObjectNode().put("key", key).put("ttl", ttl);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response;
        try {
            response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + apiToken)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw CliException.usage("cannot reach the presigner at " + base + ": " + e.getMessage());
        }
        switch (response.statusCode()) {
            case 200 -> {
                JsonNode answer = LsCommand.JSON.readTree(response.body());
                JsonNode stable = answer.get("stableUrl");
                return stable != null && stable.isTextual() ? stable.asText() : answer.path("url").asText();
            }
            case 401, 403 -> throw CliException.notFound("the presigner at " + base + " refused the token");
            case 404 -> throw CliException.notFound("no such dump: " + key + " (the presigner found none)");
            default -> throw CliException.usage("the presigner answered " + response.statusCode() + ": "
                    + response.body().strip());
        }
    }
}
