package org.explainj.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How much CPU other processes used while something was measured: the machine's busy time (/proc/stat) minus this
 * process's (/proc/self/stat), as a share of all cores over the elapsed time. A benchmark on a shared machine flags
 * the rows where this is not small.
 */
public final class CpuWatch {

    private static final double TICKS_PER_SECOND = 100.0;

    private final long busy0;
    private final long self0;
    private final long t0;

    private CpuWatch() {
        busy0 = machineBusy();
        self0 = selfTicks();
        t0 = System.nanoTime();
    }

    public static CpuWatch start() {
        return new CpuWatch();
    }

    /** Share (0–1) of the machine's cores used by other processes since {@link #start()}; NaN if unknown. */
    public double foreignShare() {
        long busy = machineBusy();
        long self = selfTicks();
        if (busy < 0 || self < 0 || busy0 < 0 || self0 < 0) {
            return Double.NaN;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (seconds <= 0.05) {
            return Double.NaN;
        }
        double foreign = ((busy - busy0) - (self - self0)) / TICKS_PER_SECOND;
        return Math.max(0, foreign / (seconds * Runtime.getRuntime().availableProcessors()));
    }

    /** The 1-minute load average. */
    public static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static long machineBusy() {
        try {
            String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = line.trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...
            long busy = 0;
            int[] fields = {1, 2, 3, 6, 7, 8};
            for (int i : fields) {
                if (i < f.length) {
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long selfTicks() {
        try {
            String s = Files.readString(Path.of("/proc/self/stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split("\\s+");
            // after the command name: state(0) ppid(1) ... utime(11) stime(12)
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
