package org.explainj.model;

import org.explainj.explain.Options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.explainj.explain.Attribution;
import org.explainj.explain.ExplainOptions;
import org.explainj.explain.Explainers;
import org.explainj.explain.GradientPass;
import org.explainj.explain.LayerPass;
import org.explainj.explain.Method;
import org.explainj.explain.ReluRule;
import org.explainj.explain.Target;
import org.explainj.explain.cam.GradCam;
import org.explainj.tensor.ModelInput;
import org.explainj.testutil.Compare;
import org.explainj.testutil.Resources;
import org.explainj.testutil.Slow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real architecture families as researchers export them (torchvision classes at small widths, random weights,
 * traced and scripted; a ViT also traced under torch.no_grad()), made by {@code scripts/make_family_models.py}
 * with eager references: Saliency, Guided Backprop with the rule at every ReLU call, and at named layers A, dY/dA
 * and the raw Grad-CAM in pytorch-grad-cam's channels-first convention (tokens without their prefix tokens reshaped
 * to the patch grid, channels-last transposed), attention rollout for the ViTs. Each layer's layout must be found
 * automatically, and Grad-CAM at the automatic layer must give a map.
 */
@Slow
class FamilyModelsTest {

    @TempDir
    static Path cache;

    static ModelCache models;
    static JsonObject manifest;

    @BeforeAll
    static void setUp() throws IOException {
        models = new ModelCache(cache);
        manifest = JsonParser.parseString(Files.readString(Resources.path("families/manifest.json")))
                .getAsJsonObject().getAsJsonObject("models");
    }

    @AfterAll
    static void tearDown() {
        models.clear();
    }

    static Stream<Arguments> exports() throws IOException {
        JsonObject m = JsonParser.parseString(Files.readString(Resources.path("families/manifest.json")))
                .getAsJsonObject().getAsJsonObject("models");
        List<Arguments> out = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : m.entrySet()) {
            JsonObject files = e.getValue().getAsJsonObject().getAsJsonObject("files");
            for (String kind : new String[] {"traced", "scripted"}) {
                if (files.has(kind) && !files.get(kind).isJsonNull()) {
                    out.add(Arguments.of(e.getKey(), kind));
                }
            }
        }
        return out.stream();
    }

    private static float[] npy(String rel) {
        return Resources.npy("families/" + rel).data();
    }

    static TorchScriptModel model(String name, String kind) {
        String file = manifest.getAsJsonObject(name).getAsJsonObject("files").get(kind).getAsString();
        return models.get(Resources.path(file.substring("src/test/resources/".length())));
    }

    static ModelInput input(String name) {
        JsonObject m = manifest.getAsJsonObject(name);
        JsonArray shape = m.getAsJsonArray("input_shape");
        return new ModelInput(npy(m.getAsJsonObject("files").getAsJsonObject("fixtures").get("input").getAsString()),
                shape.get(1).getAsInt(), shape.get(2).getAsInt(), shape.get(3).getAsInt());
    }

    static Target target(String name) {
        return Target.index(manifest.getAsJsonObject(name).getAsJsonObject("target").get("class").getAsInt());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("exports")
    void everyMethodAgreesWithTheEagerReferences(String name, String kind) {
        JsonObject m = manifest.getAsJsonObject(name);
        JsonObject fx = m.getAsJsonObject("files").getAsJsonObject("fixtures");
        TorchScriptModel model = model(name, kind);
        assertTrue(model.layersAvailable(), name + " " + kind + ": " + model.notPreparedReason());
        ModelInput input = input(name);
        Target target = target(name);
        String what = name + "/" + kind;

        GradientPass.Result saliency = GradientPass.inputGradient(model, input, target);
        Compare.assertAgrees(what + " scores", outputScores(model, input, target, fx), expectedScores(m, fx));
        Compare.assertAgrees(what + " saliency", saliency.gradient(), npy(fx.get("saliency").getAsString()));
        if (fx.has("guided")) {
            Compare.assertAgrees(what + " guided", GradientPass.inputGradient(model, input, target,
                    ReluRule.GUIDED).gradient(), npy(fx.get("guided").getAsString()));
        }
        JsonObject layers = m.getAsJsonObject("layers");
        if (layers.size() == 0 && m.has("fixtures_from")) {
            // the same weights exported another way (a ViT traced under no_grad): the other export's layers
            layers = manifest.getAsJsonObject(m.get("fixtures_from").getAsString()).getAsJsonObject("layers");
        }
        for (String layer : layers.keySet()) {
            JsonObject l = layers.getAsJsonObject(layer);
            LayerPass.Result raw = LayerPass.activationAndGradient(model, input, target, layer);
            LayerLayout layout = model.layerLayout(layer, raw.shape(), input.shape(), null, -1);
            assertNotNull(layout, what + " " + layer + " " + java.util.Arrays.toString(raw.shape()));
            assertEquals(l.get("layout").getAsString(), layout.kind().name().toLowerCase(Locale.ROOT),
                    what + " " + layer + " layout found automatically");
            if (layout.kind() == LayerLayout.Kind.TOKENS) {
                assertEquals(l.get("prefix_tokens").getAsInt(), layout.prefixTokens(), what + " " + layer);
            }
            LayerPass.Result r = raw.inLayout(layout);
            JsonObject lf = l.getAsJsonObject("files");
            Compare.assertAgrees(what + " " + layer + " A (" + layout.describe() + ")", r.activations(),
                    npy(lf.get("activation").getAsString()));
            Compare.assertAgrees(what + " " + layer + " dY/dA", r.gradients(), npy(lf.get("gradient").getAsString()));
            Compare.assertAgrees(what + " " + layer + " Grad-CAM", new GradCam().explain(model, input, target,
                    ExplainOptions.defaults().with(Options.LAYER, layer).with(Options.NO_RELU, true)).values(),
                    npy(lf.get("gradcam_raw").getAsString()));
        }
        if (fx.has("rollout") && !fx.get("rollout").isJsonNull()) {
            Attribution rollout = Explainers.of(Method.ATTENTION_ROLLOUT).explain(model, input, target,
                    ExplainOptions.defaults());
            Compare.assertAgrees(what + " attention rollout", rollout.values(), npy(fx.get("rollout").getAsString()));
        }
        // the automatic layer gives a map that is not empty (before the final ReLU: random weights may make it all
        // negative)
        Attribution auto = new GradCam().explain(model, input, target, ExplainOptions.defaults().with(Options.NO_RELU, true));
        float max = 0;
        for (float v : auto.values()) {
            assertTrue(Float.isFinite(v), what + " automatic layer " + auto.layer());
            max = Math.max(max, Math.abs(v));
        }
        assertTrue(max > 0, what + ": Grad-CAM at the automatic layer " + auto.layer() + " is all zero");
        System.out.println(what + ": automatic layer " + auto.layer());
    }

    private static float[] outputScores(TorchScriptModel model, ModelInput input, Target target, JsonObject fx) {
        return GradientPass.resolve(model, input, target).scores();
    }

    /** The logits, or for a segmentation output its per-class pixel sums. */
    private static float[] expectedScores(JsonObject m, JsonObject fx) {
        JsonObject t = m.getAsJsonObject("target");
        if (t.has("pixel_sums")) {
            JsonArray s = t.getAsJsonArray("pixel_sums");
            float[] out = new float[s.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = s.get(i).getAsFloat();
            }
            return out;
        }
        return npy(fx.get("output").getAsString());
    }
}
