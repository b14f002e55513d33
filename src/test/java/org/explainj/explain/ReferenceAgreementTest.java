package org.explainj.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.explainj.model.ModelCache;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;
import org.explainj.testutil.Compare;
import org.explainj.testutil.Npy;
import org.explainj.testutil.Resources;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Saliency and Grad-CAM against the reference outputs of Captum 0.8.0 and pytorch-grad-cam (torch 1.13), on the
 * exact model inputs the references used: Pearson r ≥ 0.999 and max|ours − ref| ≤ 1e-3·max|ref|.
 */
class ReferenceAgreementTest {

    @TempDir
    static Path cache;

    static ModelCache models;

    @BeforeAll
    static void cache() {
        models = new ModelCache(cache);
    }

    @AfterAll
    static void close() {
        models.clear();
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("tinycnn", "synth_pos0", "t1_top", 1, 64, "features.relu4"),
                Arguments.of("tinycnn", "synth_pos0", "t0_other", 1, 64, "features.relu4"),
                Arguments.of("tinycnn", "cell_64_gray", "t1_top", 1, 64, "features.relu4"),
                Arguments.of("tinycnn", "synth_neg0", "t0_top", 1, 64, "features.relu4"),
                Arguments.of("resnet18", "chelsea_224", "t633_top", 3, 224, "layer4.1"),
                Arguments.of("resnet18", "chelsea_224", "t281_other", 3, 224, "layer4.1"));
    }

    static Stream<Arguments> oneChannelCases() {
        return cases().filter(a -> (int) a.get()[3] == 1);
    }

    private static TorchScriptModel model(String name) {
        return model(models, name);
    }

    /** A reference model from a cache; ResNet-18 (47 MB) comes from the shared folder, skipped where it is absent. */
    static TorchScriptModel model(ModelCache cache, String name) {
        if (name.equals("resnet18")) {
            Path shared = Resources.sharedReference();
            assumeTrue(shared != null, "resnet18.pt (47 MB) is read from the shared reference folder; absent here");
            return cache.get(shared.resolve("models/resnet18.pt"));
        }
        return cache.get(Resources.path("reference/models/" + name + ".pt"));
    }

    static ModelInput input(String name, int channels, int size) {
        Npy x = Resources.npy("reference/inputs/" + name + "_model_input.npy");
        return new ModelInput(x.data(), channels, size, size);
    }

    static Target target(String dir) {
        return Target.index(Integer.parseInt(dir.substring(1, dir.indexOf('_'))));
    }

    /** Reference data; ResNet-18's is read from the shared folder with its model. */
    static float[] ref(String model, String input, String dir, String file) {
        String rel = "golden/" + model + "/" + input + "/" + dir + "/" + file + ".npy";
        if (model.equals("resnet18")) {
            return Npy.read(Resources.sharedReference().resolve(rel)).data();
        }
        return Resources.npy("reference/" + rel).data();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void saliencyMatchesCaptum(String model, String input, String dir, int channels, int size, String layer) {
        Attribution a = new org.explainj.explain.gradient.Saliency().explain(model(model), input(input, channels,
                size), target(dir), ExplainOptions.defaults());
        assertEquals(target(dir).classIndex(), a.targetClass());
        // One-channel models have no channel reduction, so the reference is Saliency_abs.
        Compare.assertAgrees(model + "/" + input + "/" + dir + " Saliency |grad| max over C", a.values(),
                ref(model, input, dir, channels == 1 ? "Saliency_abs" : "Saliency_abs_maxC"));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("oneChannelCases")
    void signedSaliencyOfOneChannelModelIsTheGradient(String model, String input, String dir, int channels,
                                                      int size, String layer) {
        // signed saliency equals the plain gradient only for one input channel
        Attribution a = new org.explainj.explain.gradient.Saliency().explain(model(model), input(input, channels,
                size), target(dir), ExplainOptions.defaults().with(Options.SIGNED, true));
        Compare.assertAgrees(model + "/" + input + "/" + dir + " signed saliency", a.values(),
                ref(model, input, dir, "Saliency_signed"));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void gradCamMatchesPytorchGradCam(String model, String input, String dir, int channels, int size,
                                      String layer) {
        ExplainOptions options = ExplainOptions.defaults().with(Options.LAYER, layer);
        // The reference's raw map is Σ_k α_k A^k before the ReLU.
        Attribution noRelu = new org.explainj.explain.cam.GradCam().explain(model(model), input(input, channels,
                size), target(dir), options.with(Options.NO_RELU, true));
        float[] raw = ref(model, input, dir, "GradCAM_raw");
        Compare.assertAgrees(model + "/" + input + "/" + dir + " Grad-CAM before ReLU", noRelu.values(), raw);
        Attribution a = new org.explainj.explain.cam.GradCam().explain(model(model), input(input, channels, size),
                target(dir), options);
        float[] relu = raw.clone();
        for (int i = 0; i < relu.length; i++) {
            relu[i] = Math.max(relu[i], 0f);
        }
        Compare.assertAgrees(model + "/" + input + "/" + dir + " Grad-CAM", a.values(), relu);
        // pytorch-grad-cam's default output: min-max, OpenCV bilinear resize, min-max. Ours: resize then min-max,
        // which is the same because bilinear interpolation commutes with an affine rescaling.
        float[] resized = a.valuesAt(size, size);
        Compare.assertAgrees(model + "/" + input + "/" + dir + " Grad-CAM upsampled+normalised",
                minMax(resized), ref(model, input, dir, "GradCAM_final"));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void guidedBackpropAndDeconvnetMatchCaptum(String model, String input, String dir, int channels, int size,
                                               String layer) {
        TorchScriptModel m = model(model);
        ModelInput x = input(input, channels, size);
        float[] guided = GradientPass.inputGradient(m, x, target(dir), ReluRule.GUIDED).gradient();
        Compare.assertAgrees(model + "/" + input + "/" + dir + " guided backprop (Captum)", guided,
                ref(model, input, dir, "GuidedBackprop"));
        Compare.assertAgrees(model + "/" + input + "/" + dir + " guided backprop (pytorch-grad-cam)", guided,
                ref(model, input, dir, "GuidedBackprop_pgc"));
        float[] deconv = GradientPass.inputGradient(m, x, target(dir), ReluRule.DECONVNET).gradient();
        Compare.assertAgrees(model + "/" + input + "/" + dir + " deconvnet (Captum)", deconv,
                ref(model, input, dir, "Deconvolution"));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void vanillaRuleThroughReluStagesIsThePlainGradient(String model, String input, String dir, int channels,
                                                       int size, String layer) {
        TorchScriptModel m = model(model);
        ModelInput x = input(input, channels, size);
        float[] plain = GradientPass.inputGradient(m, x, target(dir)).gradient();
        float[] staged = GradientPass.inputGradient(m, x, target(dir), ReluRule.VANILLA).gradient();
        double rel = Compare.relMaxError(staged, plain);
        System.out.printf("%s/%s/%s vanilla staged vs plain: max rel error %.2e%n", model, input, dir, rel);
        org.junit.jupiter.api.Assertions.assertTrue(rel <= 1e-6, "relative error " + rel);
    }

    static float[] minMax(float[] v) {
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float f : v) {
            lo = Math.min(lo, f);
            hi = Math.max(hi, f);
        }
        float[] o = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            o[i] = (v[i] - lo) / (1e-7f + hi - lo);
        }
        return o;
    }
}
