package io.dumpsink.agent.triage;

import java.util.ArrayList;
import java.util.List;

/**
 * A child JVM for {@link HistogramAgainstJvmTest}: builds objects whose counts are known, prints {@code ready}, then
 * sleeps without allocating so the test can take a heap dump and the JVM's class histogram at the same quiet moment.
 */
public final class KnownObjects {
    static final int MARKERS = 12_345;
    static final int INT_ARRAYS = 300;
    static final int INT_ARRAY_LENGTH = 10_000;
    static final int MARKER_ARRAY_LENGTH = 777;

    /** A class with a known number of instances and a known layout: a long, an int and a reference. */
    public static final class Marker {
        final long id;
        final int size;
        final Object next;

        Marker(long id, Object next) {
            this.id = id;
            this.size = (int) id;
            this.next = next;
        }
    }

    static volatile Object keep;

    private KnownObjects() {
    }

    public static void main(String[] args) throws InterruptedException {
        List<Object> objects = new ArrayList<>();
        Marker[] markers = new Marker[MARKER_ARRAY_LENGTH];
        Object previous = null;
        for (int i = 0; i < MARKERS; i++) {
            previous = new Marker(i, previous);
            if (i < markers.length) {
                markers[i] = (Marker) previous;
            }
        }
        objects.add(previous);
        objects.add(markers);
        for (int i = 0; i < INT_ARRAYS; i++) {
            objects.add(new int[INT_ARRAY_LENGTH]);
        }
        objects.add(new byte[3_000_001]);
        keep = objects;
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
