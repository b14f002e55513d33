package org.explainj.explain.combine;

import org.explainj.explain.Attribution;
import org.explainj.explain.ChannelReduction;
import org.explainj.explain.ExplainOptions;
import org.explainj.explain.Explainer;
import org.explainj.explain.GradientPass;
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
 * gradient methods: per pixel the channel value of largest magnitude, |·| unless signed. Cost: a guided
 * backpropagation and a Grad-CAM (two forwards, about one and a half backwards).
 */
public final class GuidedGradCam implements Explainer {

    @Override
    public Attribution explain(TorchScriptModel model, ModelInput input, Target target, ExplainOptions options) {
        Attribution cam = new GradCam().explain(model, input, target, options.withRelu(true));
        float[] map = ChannelReduction.largestMagnitude(attribute(model, input, target, options, cam),
                input.channels(), input.width() * input.height(), options.signed());
        return Attribution.of(map, input.width(), input.height(), Method.GUIDED_GRAD_CAM, cam.layer(),
                cam.targetClass(), cam.scores());
    }

    /** Guided backprop × upsampled ReLU(Grad-CAM), per input value (C×H×W). */
    public static float[] attribute(TorchScriptModel model, ModelInput input, Target target,
                                    ExplainOptions options) {
        return attribute(model, input, target, options,
                new GradCam().explain(model, input, target, options.withRelu(true)));
    }

    private static float[] attribute(TorchScriptModel model, ModelInput input, Target target,
                                     ExplainOptions options, Attribution cam) {
        float[] up = options.nearest()
                ? Resample.nearest(cam.values(), cam.width(), cam.height(), input.width(), input.height())
                : Resample.bilinear(cam.values(), cam.width(), cam.height(), input.width(), input.height());
        float[] guided = GradientPass.inputGradient(model, input, target, ReluRule.GUIDED).gradient();
        int plane = input.width() * input.height();
        float[] out = new float[guided.length];
        for (int i = 0; i < guided.length; i++) {
            out[i] = guided[i] * up[i % plane];
        }
        return out;
    }
}
