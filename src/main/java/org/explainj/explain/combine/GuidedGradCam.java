package org.explainj.explain.combine;

import org.explainj.explain.Options;
import org.explainj.explain.Attribution;
import org.explainj.explain.ChannelReduction;
import org.explainj.explain.ExplainOptions;
import org.explainj.explain.Explainer;
import org.explainj.explain.GradientPass;
import org.explainj.explain.LayerPass;
import org.explainj.explain.Method;
import org.explainj.explain.ReluRule;
import org.explainj.explain.Target;
import org.explainj.explain.cam.GradCam;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;
import org.explainj.tensor.Resample;

/**
 * Guided Grad-CAM (Selvaraju et al. 2017): guided backpropagation multiplied, per input channel, by the ReLU'd
 * Grad-CAM map upsampled to the input size — by nearest neighbour (Captum's default) or bilinearly. Shown like the
 * gradient methods: per pixel the channel value of largest magnitude, |·| unless signed. Cost: one forward and
 * about one backward when no ReLU runs after the layer (the usual last convolutional block); otherwise a guided
 * backpropagation and a separate Grad-CAM.
 */
public final class GuidedGradCam implements Explainer {

    @Override
    public Attribution explain(TorchScriptModel model, ModelInput input, Target target, ExplainOptions options) {
        Parts p = parts(model, input, target, options);
        float[] map = ChannelReduction.largestMagnitude(p.product(), input.channels(), input.grid().size(),
                options.get(Options.SIGNED));
        return Attribution.of(map, input.grid(), Method.GUIDED_GRAD_CAM, p.cam().layer(),
                p.cam().targetClass(), p.cam().scores());
    }

    /** Guided backprop × upsampled ReLU(Grad-CAM), per input value (C×H×W). */
    public static float[] attribute(TorchScriptModel model, ModelInput input, Target target,
                                    ExplainOptions options) {
        return parts(model, input, target, options).product();
    }

    private record Parts(float[] product, Attribution cam) {
    }

    /**
     * One forward with every ReLU and the layer cut, one staged backward: the guided gradient and, when no ReLU runs
     * after the layer (the usual last convolutional block), the layer's A and dY/dA together. Otherwise, and for a
     * prepared model (features/head methods), Grad-CAM takes its own pass.
     */
    private static Parts parts(TorchScriptModel model, ModelInput input, Target target, ExplainOptions options) {
        String layer = LayerPass.layerOrDefault(model, input, target, options.layer(), Method.GRAD_CAM);
        Attribution cam;
        float[] guided;
        if (model.usesPreparedMethods(layer)) {
            cam = new GradCam().explain(model, input, target, options.with(Options.NO_RELU, false).with(Options.LAYER, layer));
            guided = GradientPass.inputGradient(model, input, target, ReluRule.GUIDED).gradient();
        } else {
            GradientPass.Staged staged = GradientPass.staged(model, input, target, ReluRule.GUIDED, layer);
            cam = staged.layer() != null
                    ? new GradCam().fromLayer(model, input, target, layer, staged.layer(), options.with(Options.NO_RELU, false))
                    : new GradCam().explain(model, input, target, options.with(Options.NO_RELU, false).with(Options.LAYER, layer));
            guided = staged.gradient().gradient();
        }
        return new Parts(combine(input, options, cam, guided), cam);
    }

    private static float[] combine(ModelInput input, ExplainOptions options, Attribution cam, float[] guided) {
        float[] up = options.get(Options.INTERPOLATION).equals("nearest")
                ? Resample.nearest(cam.values(), cam.grid(), input.grid())
                : Resample.linear(cam.values(), cam.grid(), input.grid());
        int plane = input.grid().size();
        float[] out = new float[guided.length];
        for (int i = 0; i < guided.length; i++) {
            out[i] = guided[i] * up[i % plane];
        }
        return out;
    }
}
