package io.dumpsink.presigner.browse;

import java.util.ArrayList;
import java.util.List;

/** Fills its small heap until the JVM writes a heap dump and dies: a real .hprof for the browse tests. */
public final class OutOfMemory {
    private OutOfMemory() {
    }

    public static void main(String[] args) {
        List<long[]> keep = new ArrayList<>();
        while (true) {
            keep.add(new long[64 * 1024]);
        }
    }
}
