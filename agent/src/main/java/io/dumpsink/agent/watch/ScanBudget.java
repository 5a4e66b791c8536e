package io.dumpsink.agent.watch;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * How many more entries each pod may have looked at ({@code max-entries-per-pod}): one budget per rescan, and one
 * per rescan interval for the work events cause between rescans. Each folder above the pod folders (the watch dir,
 * a namespace folder) has a budget of its own. Not thread-safe: the watch thread owns it.
 */
final class ScanBudget {
    private final int perOwner;
    private final Map<String, Integer> used = new HashMap<>();
    private final Set<String> cut = new HashSet<>();

    ScanBudget(int perOwner) {
        this.perOwner = perOwner;
    }

    /** Takes one entry from {@code owner}'s budget; false when it is spent. */
    boolean take(String owner) {
        int spent = used.getOrDefault(owner, 0);
        if (spent >= perOwner) {
            return false;
        }
        used.put(owner, spent + 1);
        return true;
    }

    /** True the first time it is called for {@code owner}: its scan was cut, to be counted and logged once. */
    boolean firstCut(String owner) {
        return cut.add(owner);
    }

    int perOwner() {
        return perOwner;
    }
}
