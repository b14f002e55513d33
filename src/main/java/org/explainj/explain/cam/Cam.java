package org.explainj.explain.cam;

import org.explainj.explain.Options;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.explainj.explain.Method;
import org.explainj.model.HostArrays;
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
    protected NDArray channelWeights(LayerData d) {
        String weightName = d.options().get(Options.CAM_WEIGHTS) == null || d.options().get(Options.CAM_WEIGHTS).isBlank() ? null
                : d.options().get(Options.CAM_WEIGHTS).trim();
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
                    weightName = p.getKey();
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
        checkGapLinearHead(d, weightName, all, params);
        float[] w = new float[d.channels()];
        System.arraycopy(all, d.targetClass() * d.channels(), w, 0, d.channels());
        return HostArrays.floats(d.manager(), w, new Shape(w.length));
    }

    /**
     * CAM's weights are only meaningful when the scores are W · GAP(A) + b. Checks that identity on this input for
     * every class (b: the parameter named like the weight with "bias", else 0).
     */
    private static void checkGapLinearHead(LayerData d, String weightName, float[] w, Map<String, NDArray> params) {
        int k = d.channels();
        float[] pooled = d.activations().mean(POSITIONS).toFloatArray();
        NDArray biasArray = weightName.endsWith("weight")
                ? params.get(weightName.substring(0, weightName.length() - "weight".length()) + "bias") : null;
        float[] bias = biasArray != null && biasArray.getShape().dimension() == 1
                && biasArray.getShape().get(0) == d.scores().length ? biasArray.toFloatArray() : null;
        double worst = 0;
        double scale = 1;
        for (int cls = 0; cls < d.scores().length; cls++) {
            double y = bias == null ? 0 : bias[cls];
            for (int c = 0; c < k; c++) {
                y += (double) w[cls * k + c] * pooled[c];
            }
            worst = Math.max(worst, Math.abs(y - d.scores()[cls]));
            scale = Math.max(scale, Math.abs(d.scores()[cls]));
        }
        if (worst > 1e-3 * scale) {
            throw new LayerException("CAM needs global average pooling and one linear layer right after the layer "
                    + d.layer() + ", but " + weightName + " applied to the layer's averaged channels does not give "
                    + "the model's scores (off by " + String.format(java.util.Locale.ROOT, "%.3g", worst) + "). "
                    + "Use Grad-CAM, which works with any head, or choose the layer just before global pooling.");
        }
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
