package org.explainj.explain;

import org.explainj.model.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;

/**
 * Many perturbed copies of one input through the model without autograd, in batches: the building block of
 * Score-CAM and Occlusion. The batch size is the user's {@code batch_size}, or the one {@link MemoryGuard#batchSize}
 * chooses from the model's activation memory.
 */
public final class BatchedForward {

    /** Writes perturbed input number {@code index} (C×H×W) into {@code out}. */
    public interface Perturbation {
        void fill(int index, float[] out);
    }

    /**
     * Makes perturbed inputs {@code start} to {@code start + n − 1} in libtorch: one native batch [n, C, H, W] (or
     * [n, C, D, H, W]) owned by {@code manager}, which is closed after the batch's forward pass.
     */
    public interface NativePerturbation {
        NDArray batch(NDManager manager, int start, int n);
    }

    private BatchedForward() {
    }

    /**
     * The target score (class logit, or a segmentation class's summed logits) for {@code count} perturbed inputs.
     */
    public static float[] targetScores(TorchScriptModel model, int count, ExplainOptions options, ModelInput input,
                                       Target target, int targetClass, Perturbation perturbation) {
        return targetScores(model, count, options, input, target, targetClass, uploaded(input, perturbation));
    }

    /** As above, with the perturbed inputs made in libtorch. */
    public static float[] targetScores(TorchScriptModel model, int count, ExplainOptions options, ModelInput input,
                                       Target target, int targetClass, NativePerturbation perturbation) {
        return scores(model, count, options, input, target, out -> TargetScores.perSample(out, target, targetClass),
                perturbation);
    }

    /** A score per perturbed input, read from each batch's output by {@code score} ([N, ...] to N values). */
    public static float[] scores(TorchScriptModel model, int count, ExplainOptions options, ModelInput input,
                                 Target target, java.util.function.Function<NDArray, float[]> score,
                                 Perturbation perturbation) {
        return scores(model, count, options, input, target, score, uploaded(input, perturbation));
    }

    private static float[] scores(TorchScriptModel model, int count, ExplainOptions options, ModelInput input,
                                  Target target, java.util.function.Function<NDArray, float[]> score,
                                  NativePerturbation perturbation) {
        int batchSize = MemoryGuard.batchSize(model, input, options);
        Progress progress = options.progress();
        float[] scores = new float[count];
        model.lock().lock();
        try (NDManager m = model.newManager()) {
            for (int start = 0; start < count; start += batchSize) {
                progress.check();
                progress.update(start, count);
                int n = Math.min(batchSize, count - start);
                try (NDManager bm = m.newSubManager()) {
                    NDArray x = perturbation.batch(bm, start, n);
                    NDArray out = model.forwardNoGrad(x, target.output());
                    float[] s = score.apply(out);
                    System.arraycopy(s, 0, scores, start, n);
                }
            }
        } finally {
            model.lock().unlock();
        }
        return scores;
    }

    /** Java-made perturbations, each batch uploaded to libtorch at once. */
    static NativePerturbation uploaded(ModelInput input, Perturbation perturbation) {
        int sample = input.sampleSize();
        float[] one = new float[sample];
        return (manager, start, n) -> {
            float[] batch = new float[n * sample];
            for (int b = 0; b < n; b++) {
                perturbation.fill(start + b, one);
                System.arraycopy(one, 0, batch, b * sample, sample);
            }
            return HostArrays.floats(manager, batch, new Shape(input.grid().tensorShape(n, input.channels())));
        };
    }
}
