package org.explainj.evaluate;

import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;

/**
 * How alike two maps are, as the sanity-check paper measures it (Adebayo et al. 2018): Spearman's rank correlation
 * (ties get their average rank) of the values and of their absolute values, and SSIM of the maps each scaled to
 * [0, 1] (scikit-image's structural_similarity defaults: 7×7 uniform window, K1 0.01, K2 0.03, sample covariance,
 * the mean over the positions the window fits).
 */
public final class MapSimilarity {

    private MapSimilarity() {
    }

    public static double spearman(float[] a, float[] b) {
        return new SpearmansCorrelation().correlation(doubles(a, false), doubles(b, false));
    }

    public static double spearmanAbs(float[] a, float[] b) {
        return new SpearmansCorrelation().correlation(doubles(a, true), doubles(b, true));
    }

    private static double[] doubles(float[] v, boolean abs) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = abs ? Math.abs(v[i]) : v[i];
        }
        return d;
    }

    /** SSIM of two w×h maps after min-max scaling each to [0, 1] (a constant map becomes 0). */
    public static double ssim(float[] a, float[] b, int w, int h) {
        double[] x = scaled(a);
        double[] y = scaled(b);
        int win = Math.min(7, Math.min(w, h) | 1);
        if (win > Math.min(w, h)) {
            win -= 2;
        }
        if (win < 1) {
            return Double.NaN;
        }
        int n = win * win;
        double c1 = Math.pow(0.01, 2);
        double c2 = Math.pow(0.03, 2);
        double cov = n > 1 ? n / (n - 1.0) : 1;
        double sum = 0;
        int count = 0;
        int r = win / 2;
        for (int cy = r; cy < h - r; cy++) {
            for (int cx = r; cx < w - r; cx++) {
                double mx = 0;
                double my = 0;
                double mxx = 0;
                double myy = 0;
                double mxy = 0;
                for (int dy = -r; dy <= r; dy++) {
                    int row = (cy + dy) * w;
                    for (int dx = -r; dx <= r; dx++) {
                        double p = x[row + cx + dx];
                        double q = y[row + cx + dx];
                        mx += p;
                        my += q;
                        mxx += p * p;
                        myy += q * q;
                        mxy += p * q;
                    }
                }
                mx /= n;
                my /= n;
                double vx = cov * (mxx / n - mx * mx);
                double vy = cov * (myy / n - my * my);
                double vxy = cov * (mxy / n - mx * my);
                sum += ((2 * mx * my + c1) * (2 * vxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
                count++;
            }
        }
        return sum / count;
    }

    private static double[] scaled(float[] v) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (float f : v) {
            lo = Math.min(lo, f);
            hi = Math.max(hi, f);
        }
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = hi > lo ? (v[i] - lo) / (hi - lo) : 0;
        }
        return d;
    }
}
