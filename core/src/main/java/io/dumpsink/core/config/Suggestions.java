package io.dumpsink.core.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;

/** "Did you mean" hints for misspelled keys and values. */
final class Suggestions {
    private Suggestions() {
    }

    /** Returns {@code "; did you mean 'x'?"} for the closest candidate, or an empty string when none is close. */
    static String didYouMean(String given, Collection<String> candidates) {
        String needle = given.toLowerCase(Locale.ROOT);
        return candidates.stream()
                .min(Comparator.comparingInt(c -> distance(needle, c.toLowerCase(Locale.ROOT))))
                .filter(best -> distance(needle, best.toLowerCase(Locale.ROOT)) <= Math.max(2, best.length() / 3))
                .map(best -> "; did you mean '" + best + "'?")
                .orElse("");
    }

    /** Levenshtein distance; keys are short, so the quadratic table is fine. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
