package org.explainj.explain;

import org.explainj.explain.cam.GradCam;
import org.explainj.explain.gradient.Deconvnet;
import org.explainj.explain.gradient.GuidedBackprop;
import org.explainj.explain.gradient.Saliency;

/** The explainer for each method. */
public final class Explainers {

    private Explainers() {
    }

    public static Explainer of(Method method) {
        switch (method) {
            case SALIENCY:
                return new Saliency();
            case GRAD_CAM:
                return new GradCam();
            case GUIDED_BACKPROP:
                return new GuidedBackprop();
            case DECONVNET:
                return new Deconvnet();
            default:
                throw new MethodException("The method " + method + " is not available in this version.");
        }
    }
}
