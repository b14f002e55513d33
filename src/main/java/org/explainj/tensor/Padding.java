package org.explainj.tensor;

/**
 * Pads a model input at its end (bottom, right, back) to a larger size by mirroring, and crops a map back: what
 * lets a model that accepts only some sizes (a U-Net's multiples of 16) explain an image of any size.
 */
public final class Padding {

    private Padding() {
    }

    /** The input mirrored at its end to the grid {@code to} (each size at least the input's). */
    public static ModelInput padEnd(ModelInput in, Grid to) {
        Grid from = in.grid();
        int d0 = Math.max(from.slices(), 1);
        int d1 = Math.max(to.slices(), 1);
        float[] out = new float[in.channels() * to.size()];
        for (int c = 0; c < in.channels(); c++) {
            for (int z = 0; z < d1; z++) {
                int sz = mirror(z, d0);
                for (int y = 0; y < to.height(); y++) {
                    int sy = mirror(y, from.height());
                    int src = c * from.size() + (sz * from.height() + sy) * from.width();
                    int dst = c * to.size() + (z * to.height() + y) * to.width();
                    for (int x = 0; x < to.width(); x++) {
                        out[dst + x] = in.data()[src + mirror(x, from.width())];
                    }
                }
            }
        }
        return new ModelInput(out, in.channels(), to.depth(), to.height(), to.width());
    }

    /** Index {@code i} reflected into {@code [0, n)} without repeating the edge (numpy's "reflect"), any length. */
    static int mirror(int i, int n) {
        if (n == 1) {
            return 0;
        }
        int period = 2 * (n - 1);
        int k = i % period;
        return k < n ? k : period - k;
    }

    /** The part of a map on {@code from} that covers {@code to}'s extent from the origin. */
    public static float[] cropStart(float[] map, Grid from, Grid to) {
        float[] out = new float[to.size()];
        int d = Math.max(to.slices(), 1);
        for (int z = 0; z < d; z++) {
            for (int y = 0; y < to.height(); y++) {
                System.arraycopy(map, (z * from.height() + y) * from.width(), out,
                        (z * to.height() + y) * to.width(), to.width());
            }
        }
        return out;
    }
}
