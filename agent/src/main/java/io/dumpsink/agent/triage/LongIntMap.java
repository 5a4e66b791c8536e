package io.dumpsink.agent.triage;

/**
 * A map from non-zero {@code long} (HPROF identifiers) to non-negative {@code int}, open addressing, that never
 * grows beyond {@code maxEntries}: {@link #put} refuses new keys once full. No boxing: the heap reader looks up a
 * class for every object in the dump.
 */
final class LongIntMap {
    private final int maxEntries;
    private long[] keys;
    private int[] values;
    private int size;

    LongIntMap(int initialCapacity, int maxEntries) {
        this.maxEntries = maxEntries;
        int capacity = Integer.highestOneBit(Math.max(16, initialCapacity) * 2 - 1);
        keys = new long[capacity];
        values = new int[capacity];
    }

    /** The value for {@code key}, or -1. */
    int get(long key) {
        if (key == 0) {
            return -1;
        }
        int mask = keys.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                return values[i];
            }
            if (k == 0) {
                return -1;
            }
        }
    }

    /** Puts or replaces; false when {@code key} is new and the map is full (or the key is 0). */
    boolean put(long key, int value) {
        if (key == 0) {
            return false;
        }
        int mask = keys.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                values[i] = value;
                return true;
            }
            if (k == 0) {
                if (size >= maxEntries) {
                    return false;
                }
                keys[i] = key;
                values[i] = value;
                size++;
                if (size * 2 > keys.length) {
                    grow();
                }
                return true;
            }
        }
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        int mask = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            long key = oldKeys[j];
            if (key != 0) {
                int i = mix(key) & mask;
                while (keys[i] != 0) {
                    i = (i + 1) & mask;
                }
                keys[i] = key;
                values[i] = oldValues[j];
            }
        }
    }

    private static int mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
