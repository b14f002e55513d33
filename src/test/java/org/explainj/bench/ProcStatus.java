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

    /** The Java heap: used and committed, in MB. */
    public static double[] heapMb() {
        Runtime r = Runtime.getRuntime();
        return new double[] {(r.totalMemory() - r.freeMemory()) / 1048576.0, r.totalMemory() / 1048576.0};
    }
}
