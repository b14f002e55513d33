package org.explainj.bench;

/** Repeats a piece of work and times each repetition; setup and cleanup run outside the timed region. */
public final class Timer {

    /** One repetition: {@link #prepare} (untimed), {@link #run} (timed), {@link #cleanup} (untimed). */
    public interface Work {
        default void prepare() throws Exception {
        }

        void run() throws Exception;

        default void cleanup() throws Exception {
        }
    }

    /** Work without setup or cleanup. */
    public interface Simple {
        void run() throws Exception;
    }

    private Timer() {
    }

    /**
     * Runs {@code warmups} untimed (the first of them is timed as the first call) and then {@code reps} timed
     * repetitions.
     */
    public static Stats time(int warmups, int reps, Work work) {
        double first = Double.NaN;
        long[] nanos = new long[reps];
        CpuWatch watch = CpuWatch.start();
        try {
            for (int i = 0; i < warmups + reps; i++) {
                work.prepare();
                long t0 = System.nanoTime();
                work.run();
                long dt = System.nanoTime() - t0;
                work.cleanup();
                if (i == 0) {
                    first = dt / 1e6;
                }
                if (i >= warmups) {
                    nanos[i - warmups] = dt;
                }
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return Stats.of(warmups, first, nanos, watch.foreignShare());
    }

    /** Times one call in milliseconds. */
    public static double once(Simple body) {
        long t0 = System.nanoTime();
        try {
            body.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return (System.nanoTime() - t0) / 1e6;
    }
}
