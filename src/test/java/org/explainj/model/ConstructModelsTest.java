package org.explainj.model;

import org.explainj.explain.Options;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.util.Map;
import java.util.stream.Stream;
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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Models made to break each construct a rewriter of TorchScript code can get wrong (in-place ReLU statements,
 * functional ReLU with a run-time inplace flag, ignored results of in-place modules, in-place ReLU on a view,
 * nested receivers, names that collide with the generated ones, ReLUs in free functions, loops and branches, in-place
 * ops after a cut, tuple and dict outputs, channels-last layers, shape-dependent branches, GELU/SiLU models, modules
 * called twice or shared), made by {@code scripts/make_construct_models.py} with eager references (hooks, the
 * guided rule at every ReLU call). Every export and input size: the explained output's scores, Saliency (the
 * model's own forward), Guided Backprop (the copy's ReLU stages), and at every recorded layer A, dY/dA and the raw
 * Grad-CAM (the copy's cut) agree with the references.
 */
@Slow
class ConstructModelsTest {

    @TempDir
    static Path cache;

    static ModelCache models;
    static JsonObject manifest;

    @BeforeAll
    static void setUp() throws IOException {
        models = new ModelCache(cache);
        manifest = JsonParser.parseString(Files.readString(Resources.path("constructs/manifest.json")))
                .getAsJsonObject();
    }

    @AfterAll
    static void tearDown() {
        models.clear();
    }

    static Stream<Arguments> cases() throws IOException {
        JsonObject m = JsonParser.parseString(Files.readString(Resources.path("constructs/manifest.json")))
                .getAsJsonObject().getAsJsonObject("models");
        List<Arguments> out = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : m.entrySet()) {
            JsonObject exports = e.getValue().getAsJsonObject().getAsJsonObject("exports");
            for (String kind : exports.keySet()) {
                JsonArray refs = e.getValue().getAsJsonObject().getAsJsonArray("references");
                for (int r = 0; r < refs.size(); r++) {
                    out.add(Arguments.of(e.getKey(), kind, r));
                }
            }
        }
        return out.stream();
    }

    private static float[] npy(String rel) {
        return Resources.npy("constructs/" + rel).data();
    }

    @ParameterizedTest(name = "{0} {1} input {2}")
    @MethodSource("cases")
    void explanationsAgreeWithTheEagerReferences(String name, String kind, int refIndex) {
        JsonObject model = manifest.getAsJsonObject("models").getAsJsonObject(name);
        JsonObject export = model.getAsJsonObject("exports").getAsJsonObject(kind);
        JsonObject ref = model.getAsJsonArray("references").get(refIndex).getAsJsonObject();
        JsonArray shape = ref.getAsJsonArray("input_shape");
        TorchScriptModel m = models.get(Resources.path("constructs/" + export.get("file").getAsString()));
        JsonObject files = ref.getAsJsonObject("files");
        if (name.equals("submodule_argument")) {
            // a submodule passed through a torch.jit.interface parameter: refused by name, Saliency still right
            assertFalse(m.layersAvailable());
            assertTrue(m.notPreparedReason().contains("SubmoduleArgument.run")
                    && m.notPreparedReason().contains("interface"), m.notPreparedReason());
            ModelInput in = new ModelInput(npy(files.get("input").getAsString()), shape.get(1).getAsInt(),
                    shape.get(2).getAsInt(), shape.get(3).getAsInt());
            Compare.assertAgrees(name + " saliency", GradientPass.inputGradient(m, in, Target.index(ref
                    .getAsJsonObject("target").get("class").getAsInt())).gradient(),
                    npy(files.get("saliency").getAsString()));
            return;
        }
        assertTrue(m.layersAvailable(), name + " " + kind + ": " + m.notPreparedReason());
        ModelInput input = new ModelInput(npy(files.get("input").getAsString()), shape.get(1).getAsInt(),
                shape.get(2).getAsInt(), shape.get(3).getAsInt());
        Target target = Target.index(ref.getAsJsonObject("target").get("class").getAsInt());
        String what = name + "/" + kind + "/" + shape.get(3).getAsInt();

        GradientPass.Result saliency = GradientPass.inputGradient(m, input, target);
        Compare.assertAgrees(what + " logits", saliency.scores(), npy(files.get("output").getAsString()));
        Compare.assertAgrees(what + " saliency", saliency.gradient(), npy(files.get("saliency").getAsString()));
        if (model.get("relu_rules_apply").getAsBoolean()) {
            // the copy's ReLU stages with the vanilla rule give the same gradient
            Compare.assertAgrees(what + " vanilla stages", GradientPass.inputGradient(m, input, target,
                    ReluRule.VANILLA).gradient(), npy(files.get("saliency").getAsString()));
            Compare.assertAgrees(what + " guided", GradientPass.inputGradient(m, input, target, ReluRule.GUIDED)
                    .gradient(), npy(files.get("guided").getAsString()));
            Compare.assertAgrees(what + " deconv", GradientPass.inputGradient(m, input, target,
                    ReluRule.DECONVNET).gradient(), npy(files.get("deconv").getAsString()));
        } else {
            LayerException e = assertThrows(LayerException.class, () -> GradientPass.inputGradient(m, input,
                    target, ReluRule.GUIDED));
            assertTrue(e.getMessage().contains("no ReLU"), e.getMessage());
        }
        JsonObject layers = ref.getAsJsonObject("layers");
        for (String eagerPath : layers.keySet()) {
            JsonObject l = layers.getAsJsonObject(eagerPath);
            for (Map.Entry<String, JsonObject> e : callsByPath(eagerPath, l, kind).entrySet()) {
                String layer = e.getKey();
                JsonObject lf = e.getValue();
                if (lf == null) { // not called for this input (a branch not taken)
                    LayerException notRun = assertThrows(LayerException.class,
                            () -> LayerPass.activationAndGradient(m, input, target, layer));
                    assertTrue(notRun.getMessage().contains("did not run"), notRun.getMessage());
                    continue;
                }
                if (offPath(l)) { // feeds another output: no gradient reaches it from the explained one
                    LayerException off = assertThrows(LayerException.class,
                            () -> LayerPass.activationAndGradient(m, input, target, layer));
                    assertTrue(off.getMessage().contains("does not depend on the layer " + layer),
                            off.getMessage());
                    continue;
                }
                LayerPass.Result raw = LayerPass.activationAndGradient(m, input, target, layer);
                LayerLayout layout = m.layerLayout(layer, raw.shape(), input.shape(), null, -1);
                assertNotNull(layout, what + " " + layer + ": no layout for "
                        + java.util.Arrays.toString(raw.shape()));
                LayerPass.Result r = raw.inLayout(layout);
                Compare.assertAgrees(what + " " + layer + " A (" + layout.describe() + ")", r.activations(),
                        npy(lf.get("activation").getAsString()));
                Compare.assertAgrees(what + " " + layer + " dY/dA", r.gradients(),
                        npy(lf.get("gradient").getAsString()));
                if (r.shape()[2] * r.shape()[3] == 1) {
                    // a 1x1 layer (global pooling): CAM methods refuse it, A and dY/dA are right
                    LayerException one = assertThrows(LayerException.class, () -> new GradCam().explain(m, input,
                            target, ExplainOptions.defaults().with(Options.LAYER, layer)));
                    assertTrue(one.getMessage().contains("spatial"), one.getMessage());
                    continue;
                }
                float[] cam = new GradCam().explain(m, input, target, ExplainOptions.defaults().with(Options.LAYER, layer)
                        .with(Options.NO_RELU, true)).values();
                Compare.assertAgrees(what + " " + layer + " Grad-CAM", cam,
                        npy(lf.get("gradcam_raw").getAsString()));
            }
        }
    }

    private static boolean offPath(JsonObject layer) {
        JsonArray calls = layer.getAsJsonArray("recorded_calls");
        JsonElement hook = calls == null || calls.isEmpty() ? null
                : calls.get(calls.size() - 1).getAsJsonObject().get("tensor_hook");
        return hook != null && hook.isJsonPrimitive() && hook.getAsString().startsWith("no gradient reached");
    }

    /**
     * The module paths of this export that run the eager layer, each with the reference files of its last call:
     * the layer itself (its last call), or, where one module object sits under several attribute paths
     * ({@code ts_path_calls}), each path with the calls it makes in this export.
     */
    private static Map<String, JsonObject> callsByPath(String eagerPath, JsonObject layer, String kind) {
        Map<String, JsonObject> out = new java.util.LinkedHashMap<>();
        if (!layer.has("ts_path_calls")) {
            JsonElement f = layer.get("files");
            out.put(eagerPath, f == null || f.isJsonNull() ? null : f.getAsJsonObject());
            return out;
        }
        JsonElement byKind = layer.getAsJsonObject("ts_path_calls").get(kind);
        if (byKind == null || !byKind.isJsonObject()) {
            out.put(eagerPath, layer.getAsJsonObject("files"));
            return out;
        }
        JsonObject paths = byKind.getAsJsonObject();
        JsonArray recorded = layer.getAsJsonArray("recorded_calls");
        for (String path : paths.keySet()) {
            JsonArray calls = paths.getAsJsonArray(path);
            if (calls.size() > 0) {
                int last = calls.get(calls.size() - 1).getAsInt();
                out.put(path, recorded.get(last).getAsJsonObject().getAsJsonObject("files"));
            }
        }
        return out;
    }

}
