package org.explainj.model;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;

/** Backward passes through libtorch's autograd, with its failures translated ({@link LibtorchErrors}). */
public final class Autograd {

    private Autograd() {
    }

    /** Back-propagates {@code target} with the given upstream gradient, keeping the graph for more passes. */
    public static void backward(NDArray target, NDArray upstream, boolean keepGraph) {
        try (GradScope grad = GradScope.open()) {
            JniUtils.backward((ai.djl.pytorch.engine.PtNDArray) target, (ai.djl.pytorch.engine.PtNDArray) upstream,
                    keepGraph, false);
        } catch (ai.djl.engine.EngineException e) {
            String first = LibtorchErrors.firstLine(e.getMessage());
            if (first.contains("derivative for") && first.contains("is not implemented")) {
                throw LibtorchErrors.noDerivative(first, e);
            }
            throw e;
        }
    }

    /**
     * Back-propagates {@code target} with the given upstream gradient, keeping the graph; returns false (and does
     * nothing) when {@code target} has no autograd graph, i.e. does not depend on anything that takes gradients.
     */
    public static boolean backwardIfConnected(NDArray target, NDArray upstream) {
        return backwardIfConnected(target, upstream, true);
    }

    /** {@link #backwardIfConnected(NDArray, NDArray)}, keeping the graph or not. */
    public static boolean backwardIfConnected(NDArray target, NDArray upstream, boolean keepGraph) {
        try {
            backward(target, upstream, keepGraph);
            return true;
        } catch (ai.djl.engine.EngineException e) {
            if (e.getMessage() != null && e.getMessage().contains("does not require grad")) {
                return false;
            }
            throw e;
        }
    }
}
