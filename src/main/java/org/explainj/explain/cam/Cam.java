package org.explainj.explain.cam;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import org.explainj.explain.Method;
import org.explainj.model.LayerException;

/**
 * CAM (Zhou et al. 2016): w_k = W[c, k], the weights of the linear classifier that follows global average pooling
 * of the layer. The classifier weight is the last 2-D parameter of shape [classes, K] (e.g. {@code fc.weight}),
 * or the parameter named by the {@code cam_weights} option. For such heads CAM = Grad-CAM × H·W. No backward pass.
 */
public final class Cam extends BaseCam {

    @Override
    protected Method method() {
        return Method.CAM;
    }

    @Override
    protected boolean needsGradients() {
        return false;
    }

    @Override
    protected float[] channelWeights(LayerData d) {
        String weightName = d.options().camWeights() == null || d.options().camWeights().isBlank() ? null
                : d.options().camWeights().trim();
        Map<String, NDArray> params = d.model().parameters();
        int classes = d.scores().length;
        NDArray weight = null;
        if (weightName != null) {
            weight = params.get(weightName);
            if (weight == null) {
                throw new LayerException("The model has no parameter \"" + weightName + "\" for CAM. 2-D parameters: "
                        + twoDimensional(params) + ".");
            }
        } else {
            for (Map.Entry<String, NDArray> p : params.entrySet()) {
                long[] s = p.getValue().getShape().getShape();
                if (s.length == 2 && s[0] == classes && s[1] == d.channels()) {
                    weight = p.getValue();
                }
            }
            if (weight == null) {
                throw new LayerException("CAM needs a global-average-pooling + linear head after the layer "
                        + d.layer() + ": no 2-D weight of shape [" + classes + ", " + d.channels() + "] was found "
                        + "(2-D parameters: " + twoDimensional(params) + "). Use Grad-CAM, which equals CAM up to "
                        + "a factor for such heads and works for any head, or name the weight with cam_weights.");
            }
        }
        long[] s = weight.getShape().getShape();
        if (s.length != 2 || s[0] != classes || s[1] != d.channels()) {
            throw new LayerException("The CAM weight has shape " + weight.getShape() + " but the model has "
                    + classes + " classes and the layer " + d.layer() + " has " + d.channels() + " channels.");
        }
        float[] all = weight.toFloatArray();
        float[] w = new float[d.channels()];
        System.arraycopy(all, d.targetClass() * d.channels(), w, 0, d.channels());
        return w;
    }

    private static String twoDimensional(Map<String, NDArray> params) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, NDArray> p : params.entrySet()) {
            if (p.getValue().getShape().dimension() == 2) {
                sb.append(sb.length() == 0 ? "" : ", ").append(p.getKey()).append(' ').append(p.getValue().getShape());
            }
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }
}
