package org.explainj.explain;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ij.IJ;
import ij.ImagePlus;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.explainj.model.ModelCache;
import org.explainj.model.TorchScriptModel;
import org.explainj.render.ImageBridge;
import org.explainj.tensor.ImageTensors;
import org.explainj.tensor.InputSpec;
import org.explainj.tensor.ModelInput;
import org.explainj.testutil.Compare;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model-parameter randomisation test (Adebayo et al. 2018, "Sanity checks for saliency maps") on the demo model:
 * after re-initialising the top layers (fc, features.conv4, features.bn4), a map that depends on what the model
 * learned must change. Grad-CAM and Saliency must fall below a Spearman rank correlation of 0.5 with their
 * original maps; every method's figure is printed (guided backpropagation is known to fail this check).
 */
class SanityCheckTest {

    @TempDir
    Path cache;

    private static final List<String> TOP = List.of("fc.weight", "fc.bias", "features.conv4.weight",
            "features.bn4.weight", "features.bn4.bias");

    @Test
    void mapsChangeWhenTheTopLayersAreRandomised() {
        Map<Method, float[]> before = new LinkedHashMap<>();
        ModelInput input = input();
        ModelCache trained = new ModelCache(cache.resolve("a"));
        try {
            TorchScriptModel m = trained.get(Path.of("test-images/demo/ringnet_traced.pt"));
            for (Method method : org.explainj.testutil.CnnMethods.all()) {
                before.put(method, map(m, method, input));
            }
        } finally {
            trained.clear();
        }
        ModelCache randomised = new ModelCache(cache.resolve("b"));
        Map<Method, Double> rho = new LinkedHashMap<>();
        try {
            TorchScriptModel m = randomised.get(Path.of("test-images/demo/ringnet_traced.pt"));
            randomise(m);
            for (Method method : org.explainj.testutil.CnnMethods.all()) {
                rho.put(method, spearman(before.get(method), map(m, method, input)));
            }
        } finally {
            randomised.clear();
        }
        System.out.println("Sanity check (demo model, ring_cell_1, top layers re-initialised):");
        rho.forEach((method, r) -> System.out.printf("  %-22s Spearman %.3f %s%n", method.label(), r,
                r < 0.5 ? "changed" : "barely changed"));
        assertTrue(rho.get(Method.GRAD_CAM) < 0.5, "Grad-CAM Spearman " + rho.get(Method.GRAD_CAM));
        assertTrue(rho.get(Method.SALIENCY) < 0.5, "Saliency Spearman " + rho.get(Method.SALIENCY));
    }

    private static ModelInput input() {
        ImagePlus imp = IJ.openImage("test-images/demo/ring_cell_1.tif");
        return ImageTensors.toTensor(ImageBridge.channels(imp), InputSpec.defaults());
    }

    private static float[] map(TorchScriptModel m, Method method, ModelInput input) {
        // the class the trained model found (ring cell), so both maps explain the same score
        return Explainers.of(method).explain(m, input, Target.index(1), ExplainOptions.defaults()).values();
    }

    /** Re-initialises the top layers in place (Kaiming-normal scale for weights, zeros/ones for BatchNorm). */
    private static void randomise(TorchScriptModel m) {
        Random random = new Random(7);
        for (String name : TOP) {
            NDArray p = m.parameters().get(name);
            float[] v = new float[(int) p.size()];
            long fanIn = p.getShape().dimension() > 1 ? p.size() / p.getShape().get(0) : 1;
            for (int i = 0; i < v.length; i++) {
                v[i] = name.contains("bn4") ? (name.endsWith("weight") ? 1f : 0f)
                        : (float) (random.nextGaussian() * Math.sqrt(2.0 / fanIn));
            }
            p.set(v);
        }
    }

    static double spearman(float[] a, float[] b) {
        return Compare.pearson(ranks(a), ranks(b));
    }

    private static float[] ranks(float[] v) {
        Integer[] idx = new Integer[v.length];
        for (int i = 0; i < v.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (x, y) -> Float.compare(v[x], v[y]));
        float[] r = new float[v.length];
        int i = 0;
        while (i < v.length) {
            int j = i;
            while (j + 1 < v.length && v[idx[j + 1]] == v[idx[i]]) {
                j++;
            }
            float avg = (i + j) / 2f;
            for (int k = i; k <= j; k++) {
                r[idx[k]] = avg;
            }
            i = j + 1;
        }
        return r;
    }
}
