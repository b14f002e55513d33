package org.explainj.model;

import org.explainj.explain.Options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.explainj.explain.Attribution;
import org.explainj.explain.ExplainOptions;
import org.explainj.explain.GradientPass;
import org.explainj.explain.LayerPass;
import org.explainj.explain.ReluRule;
import org.explainj.explain.Target;
import org.explainj.explain.cam.GradCam;
import org.explainj.tensor.ModelInput;
import org.explainj.testutil.Compare;
import org.explainj.testutil.Npy;
import org.explainj.testutil.Resources;
import org.explainj.testutil.Slow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The layer engine on five unmodified test models (ResNet-18 topology, VGG-style with max pooling, U-Net with skip
 * concatenations, DenseNet-style concatenating block, the demo model), each traced and scripted, against
 * activations, gradients, Grad-CAM maps and ReLU-rule input gradients computed with PyTorch hooks by
 * {@code scripts/make_test_models.py}.
 */
@Slow
class EngineFixturesTest {

    private static final String[] MODELS = {"resnet18n", "vggs", "unet", "densenet", "ringnet"};

    @TempDir
    static Path cache;

    static ModelCache models;
    static JsonObject manifest;

    @BeforeAll
    static void setUp() throws IOException {
        models = new ModelCache(cache);
        manifest = JsonParser.parseString(Files.readString(Resources.path("fixtures/manifest.json")))
                .getAsJsonObject().getAsJsonObject("models");
    }

    @AfterAll
    static void tearDown() {
        models.clear();
    }

    private static JsonObject entry(String model) {
        return manifest.getAsJsonObject(model);
    }

    static TorchScriptModel model(String name, String export) {
        String file = entry(name).getAsJsonObject("files").get(export).getAsString();
        return models.get(Path.of(file));
    }

    static ModelInput input(String name) {
        Npy x = Resources.npy("fixtures/" + name + "/input.npy");
        return new ModelInput(x.data(), (int) x.shape()[0], (int) x.shape()[1], (int) x.shape()[2]);
    }

    static Target target(String name) {
        return Target.index(entry(name).getAsJsonObject("target").get("class").getAsInt());
    }

    static float[] fixture(String name, String file) {
        return Resources.npy("fixtures/" + name + "/" + file).data();
    }

    static Stream<Arguments> layerCases() {
        List<Arguments> cases = new ArrayList<>();
        for (String m : MODELS) {
            for (String export : new String[] {"traced", "scripted"}) {
                for (Map.Entry<String, ?> layer : entry(m).getAsJsonObject("layers").entrySet()) {
                    cases.add(Arguments.of(m, export, layer.getKey()));
                }
            }
        }
        return cases.stream();
    }

    static Stream<Arguments> modelCases() {
        List<Arguments> cases = new ArrayList<>();
        for (String m : MODELS) {
            cases.add(Arguments.of(m, "traced"));
            cases.add(Arguments.of(m, "scripted"));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("layerCases")
    void activationGradientAndGradCamAtEveryFixtureLayer(String name, String export, String layer) {
        TorchScriptModel m = model(name, export);
        assertTrue(m.layersAvailable(), String.valueOf(m.notPreparedReason()));
        String what = name + "/" + export + "/" + layer;
        LayerPass.Result r = LayerPass.activationAndGradient(m, input(name), target(name), layer);
        Compare.assertAgrees(what + " A", r.activations(), fixture(name, layer + "/activation.npy"));
        Compare.assertAgrees(what + " dY/dA", r.gradients(), fixture(name, layer + "/gradient.npy"));
        Attribution cam = new GradCam().explain(m, input(name), target(name),
                ExplainOptions.defaults().with(Options.LAYER, layer).with(Options.NO_RELU, true));
        Compare.assertAgrees(what + " Grad-CAM", cam.values(), fixture(name, layer + "/gradcam_raw.npy"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modelCases")
    void reluRulesMatchHookReferences(String name, String export) {
        TorchScriptModel m = model(name, export);
        String what = name + "/" + export;
        float[] plain = GradientPass.inputGradient(m, input(name), target(name)).gradient();
        Compare.assertAgrees(what + " saliency", plain, fixture(name, "saliency.npy"));
        float[] vanilla = GradientPass.inputGradient(m, input(name), target(name), ReluRule.VANILLA).gradient();
        double rel = Compare.relMaxError(vanilla, plain);
        System.out.printf("%s vanilla rule vs plain gradient: %.2e%n", what, rel);
        assertTrue(rel <= 1e-6, what + " vanilla rule vs plain gradient " + rel);
        Compare.assertAgrees(what + " guided", GradientPass.inputGradient(m, input(name), target(name),
                ReluRule.GUIDED).gradient(), fixture(name, "guided.npy"));
        Compare.assertAgrees(what + " deconvnet", GradientPass.inputGradient(m, input(name), target(name),
                ReluRule.DECONVNET).gradient(), fixture(name, "deconv.npy"));
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("layerCases")
    void aLayerCutInsideTheReluStagesChangesNothingAndGivesTheLayersGradient(String name, String export,
                                                                           String layer) {
        // Guided Grad-CAM's single pass: the layer is one more stage (identity rule) among the ReLU stages.
        TorchScriptModel m = model(name, export);
        String what = name + "/" + export + "/" + layer + " combined pass";
        GradientPass.Staged staged = GradientPass.staged(m, input(name), target(name), ReluRule.GUIDED, layer);
        Compare.assertAgrees(what + " guided", staged.gradient().gradient(), fixture(name, "guided.npy"));
        // The layer's data comes with the pass only when no ReLU runs after it (its gradient is then exact).
        boolean lastBlock = java.util.Set.of("resnet18n/layer4", "unet/dec1", "ringnet/features.relu4")
                .contains(name + "/" + layer);
        assertEquals(lastBlock, staged.layer() != null, what + ": layer data present");
        if (staged.layer() != null) {
            Compare.assertAgrees(what + " A", staged.layer().activations(), fixture(name, layer + "/activation.npy"));
            Compare.assertAgrees(what + " dY/dA", staged.layer().gradients(), fixture(name, layer + "/gradient.npy"));
        }
    }

    @Test
    void preparedModelsAreUsedThroughTheirFeaturesAndHeadMethods() {
        for (String export : new String[] {"traced", "scripted"}) {
            TorchScriptModel m = model("ringnet_prepared", export);
            assertTrue(m.usesPreparedMethods(null), export);
            Attribution cam = new GradCam().explain(m, input("ringnet"), target("ringnet"),
                    ExplainOptions.defaults().with(Options.NO_RELU, true));
            assertEquals("features", cam.layer());
            Compare.assertAgrees("prepared " + export + " Grad-CAM", cam.values(),
                    fixture("ringnet", "features.relu4/gradcam_raw.npy"));
        }
    }

    @Test
    void defaultLayersFollowTheDocumentedRule() {
        Map<String, String> expected = Map.of("resnet18n", "layer4", "vggs", "features", "unet", "dec1",
                "densenet", "final_relu", "ringnet", "features");
        for (String name : MODELS) {
            for (String export : new String[] {"traced", "scripted"}) {
                Npy x = Resources.npy("fixtures/" + name + "/input.npy");
                long[] in = {1, x.shape()[0], x.shape()[1], x.shape()[2]};
                assertEquals(expected.get(name), model(name, export).defaultCamLayer(in), name + " " + export);
            }
        }
    }
}
