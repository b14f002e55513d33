package org.explainj.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of this process from {@code /proc/self/status} (Linux). */
public final class ProcStatus {

    private ProcStatus() {
    }

    /** Current resident set size (VmRSS) in MB, or NaN where /proc is not available. */
    public static double rssMb() {
        return field("VmRSS:");
    }

    /** Peak resident set size (VmHWM) in MB since the start or the last {@link #resetPeak()}. */
    public static double peakMb() {
        return field("VmHWM:");
    }

    /** Resets VmHWM to the current RSS (writes 5 to /proc/self/clear_refs); false where that is not allowed. */
    public static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static double field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    String[] parts = line.substring(name.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /**
     * The part of the resident set that is Java heap, in MB: the Rss of the mappings inside the heap's reserved
     * address range (from the {@code GC.heap_info} diagnostic command) in {@code /proc/self/smaps}; NaN where either
     * is not available. RSS minus this is what native code (libtorch, DJL, the JVM itself) holds.
     */
    public static double heapRssMb() {
        try {
            Object info = java.lang.management.ManagementFactory.getPlatformMBeanServer().invoke(
                    new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcHeapInfo",
                    new Object[] {null}, new String[] {String[].class.getName()});
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\[0x([0-9a-f]+), 0x([0-9a-f]+)\\)")
                    .matcher(String.valueOf(info));
            if (!m.find()) {
                return Double.NaN;
            }
            long lo = Long.parseUnsignedLong(m.group(1), 16);
            long hi = Long.parseUnsignedLong(m.group(2), 16);
            long kb = 0;
            boolean inside = false;
            for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
                int dash = line.indexOf('-');
                int space = line.indexOf(' ');
                if (dash > 0 && space > dash && line.substring(0, dash).matches("[0-9a-f]+")) {
                    long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                    long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                    inside = start < hi && end > lo;
                } else if (inside && line.startsWith("Rss:")) {
                    kb += Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
                }
            }
            return kb / 1024.0;
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    /** The Java heap: used and committed, in MB. */
    public static double[] heapMb() {
        Runtime r = Runtime.getRuntime();
        return new double[] {(r.totalMemory() - r.freeMemory()) / 1048576.0, r.totalMemory() / 1048576.0};
    }
}
