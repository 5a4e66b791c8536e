package io.dumpsink.agent.testing;

import java.util.ArrayList;
import java.util.List;

/** Fills its heap with a mix of objects, strings and arrays until the JVM throws OutOfMemoryError. */
public final class OomProgram {
    private OomProgram() {
    }

    public static void main(String[] args) {
        List<Object> hoard = new ArrayList<>();
        for (long i = 0; ; i++) {
            hoard.add(new long[64]);
            hoard.add("string-" + i);
            hoard.add(List.of(i, "x" + i));
        }
    }
}
