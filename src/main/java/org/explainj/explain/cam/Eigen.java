package org.explainj.explain.cam;

/** The principal eigenvector of a symmetric positive semi-definite matrix, by power iteration. */
final class Eigen {

    private Eigen() {
    }

    static double[] principal(double[][] m) {
        int n = m.length;
        double[] v = new double[n];
        // start from the diagonal (never orthogonal to the principal vector of a PSD matrix with non-zero trace)
        for (int i = 0; i < n; i++) {
            v[i] = m[i][i] + 1e-12 * (i + 1);
        }
        normalize(v);
        double[] next = new double[n];
        for (int it = 0; it < 5000; it++) {
            for (int i = 0; i < n; i++) {
                double s = 0;
                double[] row = m[i];
                for (int j = 0; j < n; j++) {
                    s += row[j] * v[j];
                }
                next[i] = s;
            }
            double norm = normalize(next);
            if (norm == 0) {
                return v;
            }
            double change = 0;
            for (int i = 0; i < n; i++) {
                change = Math.max(change, Math.abs(next[i] - v[i]));
            }
            System.arraycopy(next, 0, v, 0, n);
            if (change < 1e-10) {
                break;
            }
        }
        return v;
    }

    private static double normalize(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        double norm = Math.sqrt(s);
        if (norm > 0) {
            for (int i = 0; i < v.length; i++) {
                v[i] /= norm;
            }
        }
        return norm;
    }
}
