package io.dumpsink.presigner.http;

import io.dumpsink.core.manifest.Manifest;
import io.dumpsink.presigner.index.DumpIndex;
import io.dumpsink.presigner.index.DumpStore;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * One page of dumps with their manifests: the index picks the keys, the store reads the manifests of those keys
 * only (cached, in parallel). A dump whose manifest is gone (expired, deleted) is left out and forgotten by the
 * index, so the page may hold fewer than {@code limit}; the cursor still continues after the last listed entry.
 */
record ManifestPage(List<Manifest> manifests, Optional<String> next) {

    static ManifestPage of(DumpIndex index, DumpStore store, DumpIndex.Query query, int limit,
            Predicate<String> visible) {
        DumpIndex.Page page = index.query(query, limit, visible);
        List<String> keys = page.entries().stream().map(DumpIndex.Entry::key).toList();
        List<Manifest> manifests = store.manifests(keys);
        if (manifests.size() < keys.size()) {
            Set<String> found = manifests.stream().map(Manifest::key).collect(Collectors.toSet());
            keys.stream().filter(k -> !found.contains(k)).forEach(index::remove);
        }
        return new ManifestPage(manifests, page.next());
    }
}
