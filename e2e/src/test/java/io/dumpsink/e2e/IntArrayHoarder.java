package io.dumpsink.e2e;

import java.util.ArrayList;
import java.util.List;

/**
 * Keeps 1 MiB int arrays until its heap is full: a dump whose heap is nearly all {@code int[]}. (HelloWorld's one
 * 32 MB array never exists: its allocation is what fails, so its dump holds only the JVM's own objects.)
 */
public final class IntArrayHoarder {
    private IntArrayHoarder() {
    }

    public static void main(String[] args) {
        List<int[]> hoard = new ArrayList<>();
        while (true) {
            hoard.add(new int[256 * 1024]);
        }
    }
}
