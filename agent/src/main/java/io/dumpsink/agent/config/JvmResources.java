package io.dumpsink.agent.config;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * The memory and processors this JVM has, the figures the upload buffers are sized from. Read once at startup;
 * tests pass made-up ones (64 MiB on 64 cores) instead of starting a special JVM.
 *
 * @param maxDirectMemory bytes {@code ByteBuffer.allocateDirect} may hold in all, the JVM's own limit
 * @param processors what {@link Runtime#availableProcessors()} says: the container's CPU limit when it has one,
 *     otherwise every core of the node
 */
public record JvmResources(long maxDirectMemory, int processors) {

    public JvmResources {
        if (maxDirectMemory <= 0 || processors < 1) {
            throw new IllegalArgumentException("need maxDirectMemory > 0 and processors >= 1, got "
                    + maxDirectMemory + ", " + processors);
        }
    }

    public static JvmResources current() {
        return new JvmResources(jvmMaxDirectMemory(), Runtime.getRuntime().availableProcessors());
    }

    /**
     * {@code -XX:MaxDirectMemorySize}; when that is 0 (not set) the JVM allows as much direct memory as heap, so
     * {@link Runtime#maxMemory()}, which is what the JDK itself uses then.
     */
    static long jvmMaxDirectMemory() {
        long configured = 0;
        try {
            HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            configured = Long.parseLong(hotSpot.getVMOption("MaxDirectMemorySize").getValue());
        } catch (IllegalArgumentException e) {
            // Not a HotSpot JVM (no such bean or option): the JDK's default rule below still holds.
        }
        return configured > 0 ? configured : Runtime.getRuntime().maxMemory();
    }
}
