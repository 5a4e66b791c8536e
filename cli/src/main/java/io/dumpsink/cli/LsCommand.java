package io.dumpsink.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dumpsink.core.manifest.Manifest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code dumpsink ls}: the dumps that match, newest first, with what their manifests say. */
@Command(name = "ls", description = "List dumps, newest first: time, namespace/pod, node, original and stored size,"
        + " whether the dump is complete, key. Filters narrow the listing prefix: one pod never lists the bucket.")
final class LsCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);
    private static final int MANIFEST_READERS = 8;
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @ParentCommand
    DumpsinkCommand root;

    @Mixin
    DumpFilter filter;

    @Option(names = "--json", description = "One JSON array: each dump's manifest (as stored), or its key and size"
            + " when it has none.")
    boolean json;

    @Option(names = "--limit", paramLabel = "N", description = "At most N dumps (the newest).")
    Integer limit;

    private record Row(Store.Listed listed, Optional<Store.ManifestDoc> manifest) {
    }

    @Override
    public Integer call() throws Exception {
        try (Store store = root.openStore(MANIFEST_READERS + 2)) {
            List<Store.Listed> found = store.list(filter, filter.sinceInstant(Instant.now()));
            if (limit != null) {
                found = found.subList(0, Math.min(limit, found.size()));
            }
            List<Row> rows = withManifests(store, found);
            if (json) {
                printJson(rows);
            } else {
                printTable(rows);
            }
            return ExitCodes.OK;
        }
    }

    /** Reads the manifests a few at a time: a listing of hundreds of dumps should not take hundreds of round trips. */
    private static List<Row> withManifests(Store store, List<Store.Listed> found) throws InterruptedException {
        ExecutorService readers = Executors.newFixedThreadPool(MANIFEST_READERS, runnable -> {
            Thread thread = new Thread(runnable, "dumpsink-manifest");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<Optional<Store.ManifestDoc>>> manifests = new ArrayList<>();
            for (Store.Listed listed : found) {
                manifests.add(readers.submit(() -> listed.manifestKey().map(k -> store.manifest(listed.key()))));
            }
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < found.size(); i++) {
                try {
                    rows.add(new Row(found.get(i), manifests.get(i).get()));
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException runtime) {
                        throw runtime;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
            return rows;
        } finally {
            readers.shutdownNow();
        }
    }

    private void printTable(List<Row> rows) {
        String format = "%-19s  %-40s  %-16s  %9s  %9s  %-8s  %s%n";
        root.out.printf(format, "TIME (UTC)", "NAMESPACE/POD", "NODE", "SIZE", "STORED", "COMPLETE", "KEY");
        for (Row row : rows) {
            String[] segments = row.listed().key().split("/");
            Optional<Manifest> m = row.manifest().map(Store.ManifestDoc::manifest);
            String complete = m.map(LsCommand::complete).orElse("uploading");
            root.out.printf(format, TIME.format(row.listed().time()), segments[2] + "/" + segments[3], segments[1],
                    m.map(x -> Sizes.human(x.originalSize())).orElse("-"), Sizes.human(row.listed().storedSize()),
                    complete, row.listed().key());
        }
        if (rows.isEmpty()) {
            root.err.println("no dumps match");
        }
    }

    /** yes/no for heap dumps; "-" where the agent did not check (other files, older manifests). */
    private static String complete(Manifest manifest) {
        return manifest.complete() == null ? "-" : manifest.complete() ? "yes" : "no";
    }

    private void printJson(List<Row> rows) throws Exception {
        ArrayNode array = JSON.createArrayNode();
        for (Row row : rows) {
            if (row.manifest().isPresent()) {
                array.add(row.manifest().get().json());
            } else {
                ObjectNode node = array.addObject();
                node.put("key", row.listed().key());
                node.put("storedSize", row.listed().storedSize());
                node.put("manifest", false);
            }
        }
        root.out.println(JSON.writeValueAsString(array));
    }
}
