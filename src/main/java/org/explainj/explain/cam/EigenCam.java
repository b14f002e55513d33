package org.explainj.explain.cam;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.explainj.explain.Method;
import org.explainj.model.HostArrays;

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
    protected NDArray channelWeights(LayerData d) {
        throw new IllegalStateException("EigenCAM projects the centred activations");
    }

    /**
     * The projection Σ_k v_k (A_k − mean_k) on the principal component v of the K×K covariance of the centred
     * activations (NaN activations count as the mean), oriented to correlate positively with Σ_k A_k. The covariance
     * and the projection are computed in float64 by libtorch, the principal component in Java.
     */
    @Override
    NDArray combine(LayerData d) {
        int k = d.channels();
        NDArray a = d.activations().toType(DataType.FLOAT64, false);
        NDArray centred = a.sub(a.mean(POSITIONS, true));
        centred = NDArrays.where(a.isNaN().logicalNot(), centred, d.scalar(0f).toType(DataType.FLOAT64, false));
        double[] flat = centred.matMul(centred.transpose()).toDoubleArray();
        double[][] cov = new double[k][k];
        for (int c = 0; c < k; c++) {
            System.arraycopy(flat, c * k, cov[c], 0, k);
        }
        double[] v = Eigen.principal(cov);
        float[] w = new float[k];
        for (int c = 0; c < k; c++) {
            w[c] = (float) v[c];
        }
        NDArray weights = HostArrays.floats(d.manager(), w, new Shape(1, k)).toType(DataType.FLOAT64, false);
        NDArray projection = weights.matMul(centred).reshape(d.area());
        double corr = projection.mul(a.sum(CHANNELS)).sum().getDouble();
        if (corr < 0) {
            projection = projection.neg();
        }
        return projection.toType(DataType.FLOAT32, false);
    }
}
