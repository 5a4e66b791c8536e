package io.dumpsink.agent.settle;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a file name says about a dump: its {@link DumpFormat}, and whether it is a segment that HotSpot 22+ writes
 * beside a heap dump ({@code X.hprof.p0}, {@code X.hprof.gz.p1}) before merging it into {@code X.hprof}.
 */
public final class DumpNames {
    private static final Pattern SEGMENT = Pattern.compile("(.+)\\.p\\d{1,6}");

    private DumpNames() {
    }

    /** True for {@code X.hprof.p0}-style names: segments of a heap dump, shipped only if their JVM died. */
    public static boolean isSegment(String fileName) {
        Matcher matcher = SEGMENT.matcher(fileName);
        return matcher.matches() && DumpFormat.ofFileName(matcher.group(1)) != DumpFormat.OTHER;
    }

    /** The heap dump a segment belongs to ({@code X.hprof} for {@code X.hprof.p0}); other names unchanged. */
    public static String mainName(String fileName) {
        return isSegment(fileName) ? fileName.substring(0, fileName.lastIndexOf(".p")) : fileName;
    }

    /** The format of the bytes in the file; a segment holds what its heap dump holds. */
    public static DumpFormat formatOf(String fileName) {
        return DumpFormat.ofFileName(mainName(fileName));
    }

    /** The manifest's {@code format}: {@code hprof}, {@code hprof.gz}, {@code hprof-segment} or {@code other}. */
    public static String describe(String fileName) {
        if (isSegment(fileName)) {
            return "hprof-segment";
        }
        return switch (DumpFormat.ofFileName(fileName)) {
            case HPROF -> "hprof";
            case HPROF_GZIP -> "hprof.gz";
            case OTHER -> "other";
        };
    }
}
