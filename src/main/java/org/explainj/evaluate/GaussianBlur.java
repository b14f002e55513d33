package org.explainj.evaluate;

/**
 * A Gaussian blur along every spatial axis, as {@code scipy.ndimage.gaussian_filter(x, sigma, mode="reflect",
 * truncate=4.0)} computes it per channel: a normalised kernel of radius round(4σ), edges mirrored with the edge
 * pixel repeated.
 */
public final class GaussianBlur {

    private GaussianBlur() {
    }

    /**
     * Blurs each channel of a C×(D×)H×W array in place.
     *
     * @param dims the spatial sizes, slowest first ({@code [H, W]} or {@code [D, H, W]})
     */
    public static void blur(float[] values, int channels, int[] dims, double sigma) {
        if (sigma <= 0) {
            return;
        }
        double[] kernel = kernel(sigma);
        int size = 1;
        for (int d : dims) {
            size *= d;
        }
        for (int c = 0; c < channels; c++) {
            for (int axis = 0; axis < dims.length; axis++) {
                along(values, c * size, dims, axis, kernel);
            }
        }
    }

    static double[] kernel(double sigma) {
        int radius = (int) (4.0 * sigma + 0.5);
        double[] k = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) {
            k[i + radius] = Math.exp(-0.5 * i * i / (sigma * sigma));
            sum += k[i + radius];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        return k;
    }

    private static void along(float[] v, int offset, int[] dims, int axis, double[] kernel) {
        int n = dims[axis];
        int stride = 1;
        for (int a = dims.length - 1; a > axis; a--) {
            stride *= dims[a];
        }
        int total = 1;
        for (int d : dims) {
            total *= d;
        }
        int radius = kernel.length / 2;
        double[] line = new double[n];
        for (int start = 0; start < total; start++) {
            if ((start / stride) % n != 0) {
                continue; // not the first element of a line along this axis
            }
            for (int i = 0; i < n; i++) {
                line[i] = v[offset + start + i * stride];
            }
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int k = -radius; k <= radius; k++) {
                    s += kernel[k + radius] * line[reflect(i + k, n)];
                }
                v[offset + start + i * stride] = (float) s;
            }
        }
    }

    /** scipy's "reflect": d c b a | a b c d | d c b a. */
    static int reflect(int i, int n) {
        int period = 2 * n;
        int k = Math.floorMod(i, period);
        return k < n ? k : period - 1 - k;
    }
}
