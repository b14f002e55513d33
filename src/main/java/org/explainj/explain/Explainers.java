package org.explainj.explain;


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
        return method.newExplainer();
    }
}
