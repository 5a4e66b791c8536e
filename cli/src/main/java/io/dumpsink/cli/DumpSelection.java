package io.dumpsink.cli;

import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** One dump, named by its key or as the newest that matches the filters ({@code --latest}). */
final class DumpSelection {
    @Parameters(index = "0", arity = "0..1", paramLabel = "KEY",
            description = "The dump's key (as `dumpsink ls` shows it), its manifest's key, or s3://BUCKET/KEY.")
    String key;

    @Option(names = {"-1", "--latest"}, description = "The newest dump that matches the filters instead of a KEY.")
    boolean latest;

    @Mixin
    DumpFilter filter;

    /** The key of the selected dump. */
    String resolve(Store store) {
        if (key != null && latest) {
            throw CliException.usage("give a KEY or --latest, not both");
        }
        if (key != null) {
            return store.normalizeKey(key);
        }
        if (!latest) {
            throw CliException.usage("give a KEY, or --latest with filters (--cluster, --node, --namespace, --pod,"
                    + " --since)");
        }
        List<Store.Listed> found = store.list(filter, filter.sinceInstant(Instant.now()));
        if (found.isEmpty()) {
            throw CliException.notFound("no dump matches the filters in bucket " + store.bucket());
        }
        return found.get(0).key();
    }
}
