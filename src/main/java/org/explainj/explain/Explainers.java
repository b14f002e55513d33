package org.explainj.explain;

import org.explainj.explain.cam.Cam;
import org.explainj.explain.cam.EigenCam;
import org.explainj.explain.cam.GradCam;
import org.explainj.explain.cam.GradCamPlusPlus;
import org.explainj.explain.cam.HiResCam;
import org.explainj.explain.cam.LayerCam;
import org.explainj.explain.cam.ScoreCam;
import org.explainj.explain.cam.XGradCam;
import org.explainj.explain.combine.GuidedGradCam;
import org.explainj.explain.gradient.InputXGradient;
import org.explainj.explain.gradient.IntegratedGradients;
import org.explainj.explain.gradient.SmoothGrad;
import org.explainj.explain.perturb.Occlusion;
import org.explainj.explain.gradient.Deconvnet;
import org.explainj.explain.gradient.GuidedBackprop;
import org.explainj.explain.gradient.Saliency;

/** The explainer for each method. */
public final class Explainers {

    private Explainers() {
    }

    /**
     * The explainer for a method (its options come with each call). It first refuses, with an estimate and what to
     * do, a run that would not fit in memory ({@link MemoryGuard}).
     */
    public static Explainer of(Method method) {
        Explainer inner = unguarded(method);
        return (model, input, target, options) -> {
            MemoryGuard.check(method, model, input, options);
            try {
                return inner.explain(model, input, target, options);
            } catch (ai.djl.engine.EngineException e) {
                // a libtorch failure that no more specific message caught: still an answer, not an "unexpected error"
                throw new org.explainj.model.ModelException(method + " failed in libtorch on an input of shape "
                        + java.util.Arrays.toString(input.shape()) + " with " + model.source().getFileName() + ": "
                        + org.explainj.model.LibtorchErrors.firstLine(e.getMessage()) + ". Check the input size and channels the model expects; if "
                        + "they are right, please report this model.", e);
            }
        };
    }

    /** The explainer without the memory check (for callers that check once for many runs). */
    public static Explainer unguarded(Method method) {
        switch (method) {
            case SALIENCY:
                return new Saliency();
            case GRAD_CAM:
                return new GradCam();
            case GUIDED_BACKPROP:
                return new GuidedBackprop();
            case DECONVNET:
                return new Deconvnet();
            case CAM:
                return new Cam();
            case GRAD_CAM_PLUS_PLUS:
                return new GradCamPlusPlus();
            case GUIDED_GRAD_CAM:
                return new GuidedGradCam();
            case HIRES_CAM:
                return new HiResCam();
            case XGRAD_CAM:
                return new XGradCam();
            case LAYER_CAM:
                return new LayerCam();
            case SCORE_CAM:
                return new ScoreCam();
            case EIGEN_CAM:
                return new EigenCam();
            case SMOOTH_GRAD:
                return new SmoothGrad();
            case INTEGRATED_GRADIENTS:
                return new IntegratedGradients();
            case INPUT_X_GRADIENT:
                return new InputXGradient();
            case OCCLUSION:
                return new Occlusion();
            case ATTENTION_ROLLOUT:
                return new org.explainj.explain.attention.AttentionRollout();
            default:
                throw new IllegalStateException(method.label());
        }
    }
}
