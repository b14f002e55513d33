package org.explainj.evaluate;

import ai.djl.ndarray.NDArray;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.explainj.explain.Attribution;
import org.explainj.explain.ExplainOptions;
import org.explainj.explain.Explainers;
import org.explainj.explain.Method;
import org.explainj.explain.Target;
import org.explainj.model.ModelCache;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;

/**
 * Cascading model-parameter randomisation (Adebayo et al. 2018, "Sanity Checks for Saliency Maps"): the parameters
 * are re-initialised module by module from the output side inward (a module = the parameters that share a path
 * prefix, e.g. {@code features.conv4}); after each step the method explains the same input and target again and
 * the map is compared with the original one ({@link MapSimilarity}). Weights are drawn from a normal distribution
 * with mean 0 and the trained tensor's standard deviation (so the activations keep their scale and BatchNorm's
 * running statistics still apply), 1-D weights become 1 and biases 0 (PyTorch's BatchNorm defaults); the generator
 * is seeded.
 *
 * <p>Works on a second instance of the model loaded for this check and closed after it: the user's file and the
 * model other commands use are never changed.
 */
public final class CascadingRandomisation {

    /** One step: what was randomised up to now (the last module), the map and its similarity to the original. */
    public record Step(int step, String randomised, Attribution map, double spearman, double spearmanAbs,
                       double ssim) {
    }

    private CascadingRandomisation() {
    }

    /** Module paths in the order a cascade randomises them: the output side first. */
    public static List<String> cascade(TorchScriptModel m) {
        Map<String, Boolean> modules = new LinkedHashMap<>();
        for (String name : m.parameters().keySet()) {
            int dot = name.lastIndexOf('.');
            modules.put(dot < 0 ? "" : name.substring(0, dot), true);
        }
        List<String> order = new ArrayList<>(modules.keySet());
        java.util.Collections.reverse(order);
        return order;
    }

    /**
     * Runs the cascade on a fresh instance of {@code modelFile}: step 0 is the original map, then one step per
     * module.
     */
    public static List<Step> run(Path modelFile, Method method, ModelInput input, Target target,
                                 ExplainOptions options, long seed) {
        ModelCache own = new ModelCache(ModelCache.defaultCacheDir());
        try {
            TorchScriptModel copy = own.get(modelFile);
            List<String> modules = cascade(copy);
            if (modules.isEmpty()) {
                throw new EvaluationException("The model " + modelFile.getFileName() + " has no parameters to "
                        + "randomise.");
            }
            Attribution original = Explainers.of(method).explain(copy, input, target, options);
            List<Step> steps = new ArrayList<>();
            steps.add(step(0, "none", original, original));
            for (int k = 0; k < modules.size(); k++) {
                options.progress().check();
                options.progress().update(k, modules.size());
                randomise(copy, modules.get(k), new Random(seed + 31L * k));
                Attribution a = Explainers.of(method).explain(copy, input, target, options);
                steps.add(step(k + 1, modules.get(k).isEmpty() ? "(root)" : modules.get(k), a, original));
            }
            return steps;
        } finally {
            own.clear();
        }
    }

    private static Step step(int k, String module, Attribution a, Attribution original) {
        float[] v = a.values();
        float[] o = original.values();
        double ssim = a.grid().isVolume() ? Double.NaN : MapSimilarity.ssim(o, v, a.width(), a.height());
        return new Step(k, module, a, MapSimilarity.spearman(o, v), MapSimilarity.spearmanAbs(o, v), ssim);
    }

    private static double std(float[] w) {
        double mean = 0;
        for (float f : w) {
            mean += f;
        }
        mean /= w.length;
        double ss = 0;
        for (float f : w) {
            ss += (f - mean) * (f - mean);
        }
        return Math.sqrt(ss / w.length);
    }

    /** Re-initialises the parameters of one module in place. */
    static void randomise(TorchScriptModel m, String module, Random random) {
        for (Map.Entry<String, NDArray> e : m.parameters().entrySet()) {
            String name = e.getKey();
            int dot = name.lastIndexOf('.');
            if (!(dot < 0 ? "" : name.substring(0, dot)).equals(module)) {
                continue;
            }
            NDArray p = e.getValue();
            float[] v = new float[(int) p.size()];
            if (p.getShape().dimension() > 1) {
                double std = std(p.toFloatArray());
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (random.nextGaussian() * std);
                }
            } else if (name.endsWith("weight")) {
                java.util.Arrays.fill(v, 1f);
            }
            p.set(v);
        }
    }
}
