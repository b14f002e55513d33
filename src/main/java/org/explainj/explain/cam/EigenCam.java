package org.explainj.explain.cam;

import org.explainj.explain.Method;

/**
 * EigenCAM (Muhammad &amp; Yeasin 2020): the projection of the layer's activations (positions × channels, centred
 * over positions) on their first principal component. It does not depend on the target class, and the sign of a
 * principal component is arbitrary: ExplainJ orients it so that the map correlates positively with the channel
 * sum of the activations. No backward pass.
 */
public final class EigenCam extends BaseCam {

    @Override
    protected Method method() {
        return Method.EIGEN_CAM;
    }

    @Override
    protected boolean needsGradients() {
        return false;
    }

    @Override
    protected float[] channelWeights(LayerData d) {
        int k = d.channels();
        int hw = d.area();
        float[] a = d.activations();
        double[] mean = new double[k];
        for (int c = 0; c < k; c++) {
            mean[c] = channelSum(a, c, hw) / hw;
        }
        // covariance K×K of the centred activations
        double[][] cov = new double[k][k];
        double[] row = new double[k];
        for (int i = 0; i < hw; i++) {
            for (int c = 0; c < k; c++) {
                row[c] = Float.isNaN(a[c * hw + i]) ? 0 : a[c * hw + i] - mean[c];
            }
            for (int c = 0; c < k; c++) {
                double rc = row[c];
                if (rc == 0) {
                    continue;
                }
                double[] cr = cov[c];
                for (int e = c; e < k; e++) {
                    cr[e] += rc * row[e];
                }
            }
        }
        for (int c = 0; c < k; c++) {
            for (int e = 0; e < c; e++) {
                cov[c][e] = cov[e][c];
            }
        }
        double[] v = Eigen.principal(cov);
        // The projection uses the centred activations: Σ_k v_k (A_k − mean_k) = Σ_k v_k A_k − Σ_k v_k mean_k.
        // BaseCam adds Σ_k w_k A_k; the constant is removed in combine() below via the offset.
        double sign = orientation(v, a, mean, k, hw);
        float[] w = new float[k];
        for (int c = 0; c < k; c++) {
            w[c] = (float) (sign * v[c]);
        }
        return w;
    }

    @Override
    float[] combine(LayerData d) {
        float[] w = channelWeights(d);
        int hw = d.area();
        float[] map = new float[hw];
        for (int c = 0; c < d.channels(); c++) {
            double m = channelSum(d.activations(), c, hw) / hw;
            for (int i = 0; i < hw; i++) {
                map[i] += (float) (w[c] * (d.activations()[c * hw + i] - m));
            }
        }
        return map;
    }

    private static double orientation(double[] v, float[] a, double[] mean, int k, int hw) {
        double corr = 0;
        for (int i = 0; i < hw; i++) {
            double proj = 0;
            double total = 0;
            for (int c = 0; c < k; c++) {
                proj += v[c] * (a[c * hw + i] - mean[c]);
                total += a[c * hw + i];
            }
            corr += proj * total;
        }
        return corr < 0 ? -1 : 1;
    }
}
