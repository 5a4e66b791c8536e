package io.dumpsink.cli;

import io.dumpsink.core.layout.KeyLayout;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * Which dumps a command looks at: the key layout's first four segments and a time. The segments become the listing
 * prefix ({@code cluster/node/namespace/pod/}), so listing one pod never lists the bucket; where a middle segment is
 * not given, only the folder names of that level are listed ({@link Store#list}).
 */
final class DumpFilter {
    private static final Pattern RELATIVE = Pattern.compile("(\\d+)\\s*([smhdw])");

    @Option(names = {"-c", "--cluster"}, paramLabel = "C", description = "Only dumps of this cluster.")
    String cluster;

    @Option(names = {"--node"}, paramLabel = "N", description = "Only dumps from this node.")
    String node;

    @Option(names = {"-n", "--namespace"}, paramLabel = "NS", description = "Only dumps from this namespace.")
    String namespace;

    @Option(names = {"-p", "--pod"}, paramLabel = "P", description = "Only dumps from this pod.")
    String pod;

    @Option(names = "--since", paramLabel = "WHEN",
            description = "Only dumps written since then: 30m, 12h, 2d, 1w, a date (2026-11-28) or an instant "
                    + "(2026-11-28T08:00:00Z).")
    String since;

    /** The layout's segments, cluster first, null where not given; sanitised the way the agent names keys. */
    String[] segments() {
        return new String[] {safe(cluster), safe(node), safe(namespace), safe(pod)};
    }

    private static String safe(String value) {
        return value == null || value.isBlank() ? null : KeyLayout.sanitizeSegment(value);
    }

    /** The earliest dump time wanted, relative to {@code now}. */
    Optional<Instant> sinceInstant(Instant now) {
        if (since == null || since.isBlank()) {
            return Optional.empty();
        }
        Matcher relative = RELATIVE.matcher(since.trim());
        if (relative.matches()) {
            long amount = Long.parseLong(relative.group(1));
            Duration unit = switch (relative.group(2)) {
                case "s" -> Duration.ofSeconds(1);
                case "m" -> Duration.ofMinutes(1);
                case "h" -> Duration.ofHours(1);
                case "d" -> Duration.ofDays(1);
                default -> Duration.ofDays(7);
            };
            return Optional.of(now.minus(unit.multipliedBy(amount)));
        }
        try {
            return Optional.of(Instant.parse(since.trim()));
        } catch (DateTimeParseException notAnInstant) {
            try {
                return Optional.of(LocalDate.parse(since.trim()).atStartOfDay(ZoneOffset.UTC).toInstant());
            } catch (DateTimeParseException e) {
                throw CliException.usage("--since: '" + since + "' is neither a duration (30m, 12h, 2d, 1w), a date"
                        + " (2026-11-28) nor an instant (2026-11-28T08:00:00Z)");
            }
        }
    }
}
