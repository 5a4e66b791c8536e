package io.dumpsink.presigner.index;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.dumpsink.core.config.S3Settings;
import io.dumpsink.core.layout.KeyLayout;
import io.dumpsink.core.lifecycle.Closer;
import io.dumpsink.core.lifecycle.Threads;
import io.dumpsink.core.retry.Backoff;
import io.dumpsink.presigner.config.BrowseSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableSet;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Every dump in the bucket, newest first, kept in memory so a page of the browse page or of {@code GET
 * /api/v1/dumps} costs the same with 100 dumps or 100,000: one listing of the bucket at start, then the agent's
 * upload events as they come, then a catch-up listing every {@code browse.index-refresh} that adds what events
 * missed (another replica took the event, an agent without a presigner URL) and drops what expired.
 *
 * <p>Only what the listing gives is kept: the dump key (cluster, node, namespace, pod and day are in it), when its
 * manifest was written (the order of pages, the same for every replica since it is the store's clock) and the
 * stored size. Manifests are fetched for the shown page only ({@link DumpStore}). A dump exists for the index when
 * its manifest does, as for the rest of the presigner; works for dumps stored before the index existed.
 */
@Singleton
public final class DumpIndex {
    private static final Logger log = LoggerFactory.getLogger(DumpIndex.class);
    private static final int LISTING_THREADS = 8;
    /** The default page size (dumpsink.presigner.page-size). */
    private static final int WARM_PAGE = 50;
    private static final Backoff RETRY = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1));

    /** Newest first; among dumps stored in the same millisecond, by key. */
    static final Comparator<Entry> NEWEST_FIRST = Comparator.comparingLong(Entry::storedAtMillis).reversed()
            .thenComparing(Entry::key);

    /**
     * One dump: its key, when its manifest was written (epoch millis, the store's clock) and the dump object's
     * size ({@code -1} when the listing did not show it, e.g. taken from an event).
     */
    public record Entry(String key, long storedAtMillis, long storedSize) {
        public Instant storedAt() {
            return Instant.ofEpochMilli(storedAtMillis);
        }

        String segment(int index) {
            return key.split("/", 6)[index];
        }

        public String namespace() {
            return segment(2);
        }

        public String pod() {
            return segment(3);
        }

        public String node() {
            return segment(1);
        }

        /** The page cursor after this entry: its time and key, so the position survives the entry's removal. */
        public String cursor() {
            return storedAtMillis + "/" + key;
        }
    }

    /** What to list: every field optional; {@code pod} matches a pod name or its beginning. */
    public record Query(Optional<String> prefix, Optional<String> namespace, Optional<String> pod,
            Optional<Instant> from, Optional<Instant> to, Optional<String> after) {
        public static Query all() {
            return new Query(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty());
        }
    }

    /** A page of entries and the cursor of the next one (empty on the last page). */
    public record Page(List<Entry> entries, Optional<String> next) {
    }

    private static final NavigableSet<Entry> EMPTY = java.util.Collections.emptyNavigableSet();
    private final S3Client s3;
    private final String bucket;
    private final Duration refresh;
    private final Clock clock;
    private final NavigableSet<Entry> all = new ConcurrentSkipListSet<>(NEWEST_FIRST);
    private final ConcurrentHashMap<String, Entry> byKey = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, NavigableSet<Entry>> byNamespace = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, NavigableSet<Entry>> byPod = new ConcurrentHashMap<>();
    private final CountDownLatch loaded = new CountDownLatch(1);
    private final ScheduledExecutorService scheduler;
    private final ExecutorService lister;
    private volatile Instant lastListing;

    /** Null in tests of the index alone. */
    private final DumpStore warmer;

    @Inject
    DumpIndex(S3Client s3, S3Settings s3Settings, BrowseSettings settings, DumpStore store, Closer closer) {
        this(s3, s3Settings.bucket(), settings.indexRefresh(), Clock.systemUTC(), store, closer);
    }

    DumpIndex(S3Client s3, String bucket, Duration refresh, Clock clock, DumpStore warmer, Closer closer) {
        this.warmer = warmer;
        this.s3 = s3;
        this.bucket = bucket;
        this.refresh = refresh;
        this.clock = clock;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(Threads.named("dumpsink-index"));
        this.lister = Executors.newFixedThreadPool(LISTING_THREADS, Threads.named("dumpsink-index-list"));
        closer.register(() -> {
            Threads.shutdown(scheduler, Duration.ofSeconds(5));
            Threads.shutdown(lister, Duration.ofSeconds(5));
        });
    }

    /** Starts the first listing in the background (retried until it succeeds), then the periodic catch-up. */
    public void start() {
        scheduler.execute(() -> firstListing(1));
    }

    private void firstListing(int attempt) {
        try {
            listBucket();
        } catch (RuntimeException e) {
            Duration delay = RETRY.delay(attempt);
            if (attempt == 1) {
                log.warn("Dump index: listing the bucket failed, retrying bucket={} error={}", bucket, e.toString());
            }
            scheduler.schedule(() -> firstListing(attempt + 1), delay.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        loaded.countDown();
        warmNewest();
        scheduler.scheduleWithFixedDelay(this::catchUp, refresh.toMillis(), refresh.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Reads the newest page's manifests into the cache, so the first front page after a start is not slower. */
    private void warmNewest() {
        if (warmer == null) {
            return;
        }
        try {
            warmer.manifests(query(Query.all(), WARM_PAGE).entries().stream().map(Entry::key).toList());
        } catch (RuntimeException e) {
            log.debug("Dump index: warming the newest page failed error={}", e.toString());
        }
    }

    private void catchUp() {
        try {
            listBucket();
            warmNewest();
        } catch (SdkException e) {
            log.warn("Dump index: catch-up listing failed, next in {} error={}", refresh, e.toString());
        } catch (RuntimeException e) {
            log.error("Dump index: catch-up listing failed", e);
        }
    }

    /**
     * Lists the whole bucket: adds the dumps it shows, drops those it no longer shows (expired or deleted) unless
     * they were added shortly before the listing began (an event may beat the listing's view of the bucket).
     *
     * <p>The walk follows the key layout: one delimiter listing for the clusters, one per cluster for its nodes,
     * then each node's keys, {@value #LISTING_THREADS} nodes at a time. That is a few more requests than one flat
     * listing (one per cluster and node), but they run in parallel, and stores that keep objects as files (S3Proxy,
     * and others on a filesystem) walk only the node's folder instead of the whole bucket for every 1,000 keys.
     */
    void listBucket() {
        long started = System.nanoTime();
        Instant listingStarted = clock.instant();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        AtomicInteger requests = new AtomicInteger();
        List<String> nodes = new ArrayList<>();
        for (String cluster : subFolders("", requests)) {
            nodes.addAll(subFolders(cluster, requests));
        }
        List<Future<?>> listings = new ArrayList<>();
        for (String node : nodes) {
            listings.add(lister.submit(() -> listNode(node, seen, requests)));
        }
        for (Future<?> listing : listings) {
            try {
                listing.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                listings.forEach(f -> f.cancel(true));
                throw new IllegalStateException("interrupted while listing the bucket", e);
            } catch (ExecutionException e) {
                listings.forEach(f -> f.cancel(true));
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
        int dropped = 0;
        for (Entry entry : byKey.values()) {
            if (!seen.contains(entry.key()) && entry.storedAt().isBefore(listingStarted.minusSeconds(60))) {
                remove(entry.key());
                dropped++;
            }
        }
        lastListing = listingStarted;
        log.info("Dump index: listed bucket={} dumps={} dropped={} nodes={} listRequests={} ms={}", bucket,
                byKey.size(), dropped, nodes.size(), requests.get(), (System.nanoTime() - started) / 1_000_000);
    }

    private List<String> subFolders(String prefix, AtomicInteger requests) {
        List<String> folders = new ArrayList<>();
        for (ListObjectsV2Response response : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)
                .delimiter("/"))) {
            requests.incrementAndGet();
            response.commonPrefixes().forEach(p -> folders.add(p.prefix()));
        }
        return folders;
    }

    private void listNode(String node, Set<String> seen, AtomicInteger requests) {
        String lastObjectKey = null;
        long lastObjectSize = -1;
        for (ListObjectsV2Response response : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(node))) {
            requests.incrementAndGet();
            for (S3Object object : response.contents()) {
                String key = object.key();
                if (key.endsWith(KeyLayout.HISTOGRAM_SUFFIX)) {
                    continue; // "<dump>.histogram.json" sorts between "<dump>" and "<dump>.json"
                }
                if (KeyLayout.isManifestKey(key)) {
                    String dumpKey = key.substring(0, key.length() - KeyLayout.MANIFEST_SUFFIX.length());
                    if (KeyLayout.validDumpKey(dumpKey).isPresent()) {
                        // Keys come in order and "<dump>" sorts right before "<dump>.json" (histograms skipped):
                        // its size is the last one.
                        long size = dumpKey.equals(lastObjectKey) ? lastObjectSize : -1;
                        put(new Entry(dumpKey, object.lastModified().toEpochMilli(), size));
                        seen.add(dumpKey);
                    }
                }
                lastObjectKey = key;
                lastObjectSize = object.size();
            }
        }
    }

    /** Adds a dump, or moves it when its time or size changed. */
    public synchronized void put(Entry entry) {
        Entry previous = byKey.put(entry.key(), entry);
        if (entry.equals(previous)) {
            return;
        }
        if (previous != null) {
            unlink(previous);
        }
        all.add(entry);
        byNamespace.computeIfAbsent(entry.namespace(), n -> new ConcurrentSkipListSet<>(NEWEST_FIRST)).add(entry);
        byPod.computeIfAbsent(entry.pod(), p -> new ConcurrentSkipListSet<>(NEWEST_FIRST)).add(entry);
    }

    /** Forgets a dump (its manifest is gone). */
    public synchronized void remove(String key) {
        Entry previous = byKey.remove(key);
        if (previous != null) {
            unlink(previous);
        }
    }

    private void unlink(Entry entry) {
        all.remove(entry);
        Optional.ofNullable(byNamespace.get(entry.namespace())).ifPresent(s -> s.remove(entry));
        Optional.ofNullable(byPod.get(entry.pod())).ifPresent(s -> s.remove(entry));
    }

    public Optional<Entry> get(String key) {
        return Optional.ofNullable(byKey.get(key));
    }

    public boolean loaded() {
        return loaded.getCount() == 0;
    }

    /** Waits for the first listing; true when it is done. */
    public boolean awaitLoaded(Duration timeout) throws InterruptedException {
        return loaded.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public int size() {
        return byKey.size();
    }

    public Optional<Instant> lastListing() {
        return Optional.ofNullable(lastListing);
    }

    /** Namespaces that hold dumps, sorted: the filter's suggestions. */
    public List<String> namespaces() {
        List<String> names = new ArrayList<>();
        byNamespace.forEach((name, set) -> {
            if (!set.isEmpty()) {
                names.add(name);
            }
        });
        names.sort(Comparator.naturalOrder());
        return names;
    }

    /**
     * One page, newest first. The walk starts in the narrowest set the query allows (a pod's dumps, a namespace's,
     * or all), right at the cursor or the end of the time range (a skip-list seek), and stops at the page's end or
     * the start of the time range; only filters the sets do not answer (a pod's beginning, a prefix above the
     * namespace level) read entries that are not shown.
     */
    public Page query(Query query, int limit) {
        return query(query, limit, key -> true);
    }

    /**
     * As {@link #query(Query, int)}, over the dumps whose key {@code visible} accepts only (a scoped token's
     * namespaces): filtered before paging, so pages stay full and cursors name visible dumps only.
     */
    public Page query(Query query, int limit, Predicate<String> visible) {
        NavigableSet<Entry> set = all;
        Predicate<Entry> filter = e -> visible.test(e.key());
        Optional<String> prefix = query.prefix().filter(p -> !p.isEmpty());
        if (prefix.isPresent()) {
            String[] parts = prefix.get().split("/", -1);
            // "cluster/node/namespace/pod/...": a prefix that spells the whole pod or namespace uses its set.
            if (parts.length > 4) {
                set = byPod.getOrDefault(parts[3], EMPTY);
            } else if (parts.length > 3) {
                set = byNamespace.getOrDefault(parts[2], EMPTY);
            }
            String p = prefix.get();
            filter = filter.and(e -> e.key().startsWith(p));
        }
        if (query.pod().isPresent()) {
            String pod = query.pod().get();
            NavigableSet<Entry> exact = byPod.get(pod);
            if (exact != null && !exact.isEmpty()) {
                set = exact;
            } else {
                filter = filter.and(e -> e.pod().startsWith(pod));
            }
        }
        if (query.namespace().isPresent()) {
            String namespace = query.namespace().get();
            if (set == all) {
                set = byNamespace.getOrDefault(namespace, EMPTY);
            }
            filter = filter.and(e -> e.namespace().equals(namespace));
        }
        NavigableSet<Entry> view = set;
        Optional<Entry> start = query.after().flatMap(DumpIndex::parseCursor);
        if (query.to().isPresent()) {
            // Newest allowed: everything stored at or before 'to' sorts at or after this boundary.
            Entry bound = new Entry("", query.to().get().toEpochMilli(), -1);
            if (start.isEmpty() || NEWEST_FIRST.compare(bound, start.get()) > 0) {
                view = view.tailSet(bound, true);
                start = Optional.empty();
            }
        }
        if (start.isPresent()) {
            view = view.tailSet(start.get(), false);
        }
        long fromMillis = query.from().map(Instant::toEpochMilli).orElse(Long.MIN_VALUE);
        List<Entry> page = new ArrayList<>(Math.min(limit, 1000));
        Iterator<Entry> it = view.iterator();
        boolean more = false;
        while (it.hasNext()) {
            Entry entry = it.next();
            if (entry.storedAtMillis() < fromMillis) {
                break;
            }
            if (!filter.test(entry)) {
                continue;
            }
            if (page.size() == limit) {
                more = true;
                break;
            }
            page.add(entry);
        }
        Optional<String> next = more ? Optional.of(page.get(page.size() - 1).cursor()) : Optional.empty();
        return new Page(page, next);
    }

    /** {@code <epoch millis>/<key>}; anything else is no cursor (a 400 is the caller's choice). */
    static Optional<Entry> parseCursor(String cursor) {
        int slash = cursor.indexOf('/');
        if (slash <= 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Entry(cursor.substring(slash + 1), Long.parseLong(cursor.substring(0, slash)), -1));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** True when {@code cursor} has the shape of one this index hands out. */
    public static boolean validCursor(String cursor) {
        return parseCursor(cursor).isPresent();
    }
}
