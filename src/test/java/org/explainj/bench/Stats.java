package org.explainj.bench;

import java.util.Arrays;

/**
 * Wall-clock timings of one measured item: the first call (the first warm-up, or the first repetition when there
 * is no warm-up), and median, minimum, maximum and mean over the repetitions after the warm-ups (milliseconds);
 * {@code foreignCpu}: the share of the machine's CPU that other processes used meanwhile (NaN: not watched).
 */
public record Stats(int warmups, int reps, double firstMs, double medianMs, double minMs, double maxMs,
                    double meanMs, double foreignCpu) {

    /** Statistics of repetition times in nanoseconds. */
    public static Stats of(int warmups, double firstMs, long[] nanos) {
        return of(warmups, firstMs, nanos, Double.NaN);
    }

    /** As above, with the CPU share used by other processes during the measurement. */
    public static Stats of(int warmups, double firstMs, long[] nanos, double foreignCpu) {
        double[] ms = new double[nanos.length];
        double sum = 0;
        for (int i = 0; i < nanos.length; i++) {
            ms[i] = nanos[i] / 1e6;
            sum += ms[i];
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n == 0 ? Double.NaN
                : n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
        return new Stats(warmups, n, firstMs, median, n == 0 ? Double.NaN : sorted[0],
                n == 0 ? Double.NaN : sorted[n - 1], n == 0 ? Double.NaN : sum / n, foreignCpu);
    }

    /** A single timed call (no repetitions), e.g. a first-call cost. */
    public static Stats once(double ms) {
        return new Stats(0, 1, ms, ms, ms, ms, ms, Double.NaN);
    }

    /** The same timings after {@code extraWarmups} more warm-ups were run before them, with another first call. */
    public Stats withFirst(int totalWarmups, double first) {
        return new Stats(totalWarmups, reps, first, medianMs, minMs, maxMs, meanMs, foreignCpu);
    }

    /** A figure that is a sum of measured medians (e.g. an ideal made of several batches). */
    public static Stats derived(double ms) {
        return new Stats(0, 0, Double.NaN, ms, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
}
