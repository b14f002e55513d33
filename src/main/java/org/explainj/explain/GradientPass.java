package org.explainj.explain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.TreeSet;
import org.explainj.model.GradScope;
import org.explainj.model.LayerException;
import org.explainj.model.StagedBackward;
import org.explainj.model.TapProtocol;
import org.explainj.model.Autograd;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;

/** Input gradients of the target score: the building block of the gradient methods. */
public final class GradientPass {

    /** d(score)/d(input) in the input's NCHW layout, with the target it was computed for. */
    public record Result(float[] gradient, int targetClass, float[] scores) {
    }

    private GradientPass() {
    }

    /** Receives the input gradient of sample {@code index} at {@code grad[offset ..]} (C×H×W values). */
    public interface SampleGradients {
        void accept(int index, float[] grad, int offset);
    }

    /** The target class and class scores of the unperturbed input (one forward pass, no backward). */
    public static Result resolve(TorchScriptModel model, ModelInput input, Target target) {
        try (ModelPass pass = ModelPass.run(model, input, target, null, false, false)) {
            return new Result(null, pass.targetClass(), pass.scores());
        }
    }

    /** The explained score of a resolved input: the class score, negated for counterfactual targets. */
    public static double targetScore(Result clean, Target target) {
        float s = clean.scores()[clean.targetClass()];
        return target.isNegated() ? -s : s;
    }

    /**
     * Input gradients of the target score for {@code count} variants of the input, {@link MemoryGuard#batchSize}
     * per forward/backward pass (the samples are independent: BatchNorm is in eval mode).
     */
    public static void batchGradients(TorchScriptModel model, ModelInput input, Target target, int targetClass,
                                      int count, ExplainOptions options, BatchedForward.Perturbation variant,
                                      SampleGradients sink) {
        int size = MemoryGuard.batchSize(model, input, options);
        Progress progress = options.progress();
        int sample = input.sampleSize();
        BatchedForward.NativePerturbation batches = BatchedForward.uploaded(input, variant);
        model.lock().lock();
        try (NDManager m = model.newManager(); GradScope grad = GradScope.open()) {
            for (int start = 0; start < count; start += size) {
                progress.check();
                progress.update(start, count);
                int n = Math.min(size, count - start);
                try (NDManager bm = m.newSubManager()) {
                    NDArray x = batches.batch(bm, start, n);
                    x.setRequiresGradient(true);
                    NDArray out = model.forward(x, target.output());
                    NDArray score = TargetScores.batchSum(out, target, targetClass);
                    Autograd.backward(score, bm.ones(score.getShape()), false);
                    float[] g = x.getGradient().toFloatArray();
                    for (int b = 0; b < n; b++) {
                        sink.accept(start + b, g, b * sample);
                    }
                }
            }
        } finally {
            model.lock().unlock();
        }
    }

    /** The plain input gradient: one forward, one backward. */
    public static Result inputGradient(TorchScriptModel model, ModelInput input, Target target) {
        try (ModelPass pass = ModelPass.run(model, input, target, null, false, true)) {
            pass.backwardTarget(false);
            return new Result(pass.input().getGradient().toFloatArray(), pass.targetClass(), pass.scores());
        }
    }

    /**
     * The input "gradient" with a ReLU rule, by staged vector–Jacobian products: the prepared model cuts the graph
     * at every ReLU call r (input z_r, leaf output t_r); after the backward of the score, for each r in reverse
     * execution order the rule maps t_r's gradient to z_r's, which is back-propagated down to the previous cuts.
     * Every segment is walked once, so the cost is about one ordinary backward. With {@link ReluRule#VANILLA} the
     * result is the plain gradient (a test checks this).
     */
    public static Result inputGradient(TorchScriptModel model, ModelInput input, Target target, ReluRule rule) {
        return staged(model, input, target, rule, null).gradient();
    }

    /**
     * The input gradient with a ReLU rule and, when a layer was asked for and no ReLU runs after the layer's last
     * call (so the gradient reaching it is the true dY/dA), that layer's A and dY/dA; else {@code layer} is null.
     */
    public record Staged(Result gradient, LayerPass.Result layer) {
    }

    /**
     * The staged backward of {@link #inputGradient(TorchScriptModel, ModelInput, Target, ReluRule)}; with a layer
     * the same single pass also cuts that layer's output (a stage with the identity rule), so its A and dY/dA come
     * with the ReLU-rule gradient (Guided Grad-CAM in one forward and one backward).
     */
    public static Staged staged(TorchScriptModel model, ModelInput input, Target target, ReluRule rule,
                                String layer) {
        if (!model.rewriteInfo().unreachedRelus().isEmpty()) {
            throw new LayerException("The model " + model.source().getFileName() + " calls a ReLU that ExplainJ "
                    + "cannot reach (" + String.join(", ", new TreeSet<>(model.rewriteInfo().unreachedRelus()))
                    + "), so the " + (rule == ReluRule.GUIDED ? "guided backpropagation" : "deconvnet") + " rule "
                    + "would skip it and give a wrong map. Use Saliency or a layer method, or call the ReLU in a "
                    + "module (nn.ReLU, or F.relu inside a forward or method).");
        }
        if (model.rewriteInfo().available() && model.rewriteInfo().reluSites() == 0) {
            throw new LayerException("The model " + model.source().getFileName() + " calls no ReLU, so the "
                    + (rule == ReluRule.GUIDED ? "guided backpropagation" : "deconvnet") + " rule has nothing to "
                    + "modify. Use Saliency (the plain gradient) instead.");
        }
        try (ModelPass pass = ModelPass.run(model, input, target, layer, true, true)) {
            // stages in execution order: ReLU calls (z, t) and the layer's cuts (value before, leaf)
            List<TapProtocol.Record> stages = StagedBackward.stages(pass.taps());
            if (layer != null && stages.stream().noneMatch(st -> st.kind() == TapProtocol.Kind.LAYER_STAGE)) {
                throw new LayerException("The layer " + layer + " did not run in the model's forward pass (it is "
                        + "defined but not called). Choose a layer that the forward uses.");
            }
            pass.backwardTarget(true);
            // Only when the layer's cut is the last stage does no ReLU rule touch its gradient.
            LayerPass.Result layerData = null;
            TapProtocol.Record last = stages.isEmpty() ? null : stages.get(stages.size() - 1);
            if (layer != null && last.kind() == TapProtocol.Kind.LAYER_STAGE) {
                NDArray a = last.values().get(1);
                layerData = new LayerPass.Result(a.toFloatArray(), a.getGradient().toFloatArray(),
                        a.getShape().getShape(), pass.targetClass(), pass.scores());
            }
            StagedBackward.run(stages, rule::apply);
            Result r = new Result(pass.input().getGradient().toFloatArray(), pass.targetClass(), pass.scores());
            return new Staged(r, layerData);
        }
    }

}
