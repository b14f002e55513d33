package org.explainj.model;

import org.explainj.explain.Options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Models whose structure the rewriter ({@link TapRewriter}) refuses or could misread, made by
 * {@code scripts/make_refused_models.py} with hook-based references in {@code models/refused/<model>/}: for each, the
 * engine must either give the right numbers or refuse with a message that names the construct and says what to do;
 * Saliency must keep working wherever the forward can run.
 */
class RefusedModelsTest {

    private static final String DIR = "models/refused/";

    @TempDir
    static Path cache;

    static ModelCache models;
    static JsonObject manifest;

    @BeforeAll
    static void setUp() throws IOException {
        models = new ModelCache(cache);
        manifest = JsonParser.parseString(Files.readString(Resources.path(DIR + "manifest.json"))).getAsJsonObject()
                .getAsJsonObject("models");
    }

    @AfterAll
    static void tearDown() {
        models.clear();
    }

    // ------------------------------------------------------------------ helpers

    static TorchScriptModel model(String name) {
        return models.get(Path.of(manifest.getAsJsonObject(name).get("file").getAsString()));
    }

    static ModelInput input() {
        Npy x = Resources.npy(DIR + "input.npy");
        return new ModelInput(x.data(), (int) x.shape()[0], (int) x.shape()[1], (int) x.shape()[2]);
    }

    static Target target(String name) {
        return Target.index(manifest.getAsJsonObject(name).get("target").getAsInt());
    }

    static float[] fixture(String name, String file) {
        return Resources.npy(DIR + name + "/" + file).data();
    }

    /** The message of the expected exception, printed, after checking that it contains every part (any case). */
    static String message(Class<? extends Throwable> type, Executable run, String... parts) {
        Throwable t = assertThrows(type, run);
        return assertMentions(t.getMessage(), parts);
    }

    static String assertMentions(String text, String... parts) {
        System.out.println("message: " + text);
        assertTrue(text != null, "no message");
        for (String p : parts) {
            assertTrue(text.toLowerCase(Locale.ROOT).contains(p.toLowerCase(Locale.ROOT)),
                    "\"" + p + "\" not in: " + text);
        }
        return text;
    }

    static void assertGradCam(TorchScriptModel m, String name, String layer) {
        Attribution cam = new GradCam().explain(m, input(), target(name),
                ExplainOptions.defaults().with(Options.LAYER, layer).with(Options.NO_RELU, true));
        Compare.assertAgrees(name + " Grad-CAM " + layer, cam.values(), fixture(name, layer + "/gradcam_raw.npy"));
    }

    static void assertLayerPass(TorchScriptModel m, String name, String layer) {
        LayerPass.Result r = LayerPass.activationAndGradient(m, input(), target(name), layer);
        Compare.assertAgrees(name + " A " + layer, r.activations(), fixture(name, layer + "/activation.npy"));
        Compare.assertAgrees(name + " dY/dA " + layer, r.gradients(), fixture(name, layer + "/gradient.npy"));
    }

    static void assertSaliency(TorchScriptModel m, String name) {
        GradientPass.Result g = GradientPass.inputGradient(m, input(), target(name));
        Compare.assertAgrees(name + " logits", g.scores(), fixture(name, "output.npy"));
        Compare.assertAgrees(name + " saliency", g.gradient(), fixture(name, "saliency.npy"));
    }

    static void assertGuided(TorchScriptModel m, String name) {
        float[] guided = GradientPass.inputGradient(m, input(), target(name), ReluRule.GUIDED).gradient();
        Compare.assertAgrees(name + " guided", guided, fixture(name, "guided.npy"));
    }

    // ------------------------------------------------------------------ signature and return type

    @Test
    void twoInputModelIsRefusedWithItsSignatureAndHowToWrapIt() {
        TorchScriptModel m = model("two_inputs");
        assertFalse(m.layersAvailable());
        assertMentions(m.notPreparedReason(), "forward takes 2 inputs", "x: Tensor, y: Tensor", "one image input",
                "Wrap the model in a module whose forward takes a single tensor");
        // every layer method says why
        message(LayerException.class, () -> new GradCam().explain(m, input(), Target.index(0),
                ExplainOptions.defaults().with(Options.LAYER, "conv_x")), "two_inputs_scripted.pt", "takes 2 inputs");
        message(LayerException.class, () -> new GradCam().explain(m, input(), Target.index(0),
                ExplainOptions.defaults()), "takes 2 inputs");
        message(LayerException.class, () -> GradientPass.inputGradient(m, input(), Target.index(0),
                ReluRule.GUIDED), "takes 2 inputs");
        // the forward cannot run on one tensor: Saliency fails with libtorch's reason (the missing argument)
        message(ModelException.class, () -> GradientPass.inputGradient(m, input(), Target.index(0)),
                "argument 'y'");
    }

    @Test
    void optionalSecondArgumentKeepsItsDefaultAndIsHandled() {
        TorchScriptModel m = model("optional_arg");
        assertTrue(m.layersAvailable(), String.valueOf(m.notPreparedReason()));
        assertSaliency(m, "optional_arg"); // forward(x) runs: scale keeps its default
        assertGradCam(m, "optional_arg", "conv");
        assertGuided(m, "optional_arg");
    }

    /** The same network returned as (logits, features), {"logits", "features"} and (features, logits). */
    private static final String[] WRAPPINGS = {"tuple_output", "dict_output", "tuple_features_first"};

    @Test
    void tupleAndDictOutputsAreExplainedThroughTheirLogits() {
        float[] first = null;
        for (String name : WRAPPINGS) {
            TorchScriptModel m = model(name);
            assertTrue(m.layersAvailable(), name + ": " + m.notPreparedReason());
            // by default the [1, classes] output: the tuple's logits wherever they are, the dict's only 2-D entry
            assertSaliency(m, name);
            LayerPass.Result r = LayerPass.activationAndGradient(m, input(), target(name), "conv2");
            Compare.assertAgrees(name + " scores with the layer cut", r.scores(), fixture(name, "output.npy"));
            float[] map = new GradCam().explain(m, input(), target(name), ExplainOptions.defaults()
                    .with(Options.LAYER, "conv2")).values();
            if (first == null) {
                first = map;
            } else {
                // the wrapping changes nothing: the same Grad-CAM from every form
                Compare.assertAgrees(name + " Grad-CAM = tuple_output's", map, first);
            }
            // the staged vanilla rule through the copy reproduces the saliency reference
            Compare.assertAgrees(name + " vanilla stages", GradientPass.inputGradient(m, input(), target(name),
                    ReluRule.VANILLA).gradient(), fixture(name, "saliency.npy"));
        }
    }

    @Test
    void anOutputIsChosenByKeyOrIndexAndAWrongOneIsNamed() {
        TorchScriptModel dict = model("dict_output");
        GradientPass.Result logits = GradientPass.inputGradient(dict, input(), target("dict_output")
                .fromOutput("logits"));
        Compare.assertAgrees("output=logits", logits.gradient(), fixture("dict_output", "saliency.npy"));
        // the features [1, 6, 16, 16] explained as a map output: 6 "classes", the channel summed over pixels
        GradientPass.Result features = GradientPass.inputGradient(dict, input(), Target.index(2)
                .fromOutput("features"));
        assertEquals(6, features.scores().length);
        message(ModelException.class, () -> GradientPass.inputGradient(dict, input(), Target.index(0)
                .fromOutput("aux")), "no output \"aux\"", "logits", "features", "output=");
        TorchScriptModel tuple = model("tuple_features_first");
        Compare.assertAgrees("output=1", GradientPass.inputGradient(tuple, input(), target("tuple_features_first")
                .fromOutput("1")).gradient(), fixture("tuple_features_first", "saliency.npy"));
        message(ModelException.class, () -> GradientPass.inputGradient(tuple, input(), Target.index(0)
                .fromOutput("2")), "no output \"2\"", "index from 0 to 1");
    }

    @Test
    void twoInputSaliencyFailureSaysToWrapTheModel() {
        // today: "... forward() is missing value for argument 'y' ... Check the input size and channel count"
        message(ModelException.class, () -> GradientPass.inputGradient(model("two_inputs"), input(),
                Target.index(0)), "argument 'y'", "single tensor");
    }

    // ------------------------------------------------------------------ activations

    @Test
    void modelWithoutReluRefusesReluRulesAndKeepsSaliencyAndGradCam() {
        TorchScriptModel m = model("no_relu");
        assertTrue(m.layersAvailable(), String.valueOf(m.notPreparedReason()));
        assertEquals(0, m.rewriteInfo().reluSites());
        assertTrue(m.rewriteInfo().otherActivations().stream().anyMatch(a -> a.startsWith("gelu")),
                m.rewriteInfo().otherActivations().toString());
        message(LayerException.class, () -> GradientPass.inputGradient(m, input(), target("no_relu"),
                ReluRule.GUIDED), "no_relu_traced.pt", "no ReLU", "guided backpropagation", "Use Saliency");
        message(LayerException.class, () -> GradientPass.inputGradient(m, input(), target("no_relu"),
                ReluRule.DECONVNET), "no ReLU", "deconvnet", "Use Saliency");
        assertSaliency(m, "no_relu");
        assertGradCam(m, "no_relu", "conv2");
        assertGradCam(m, "no_relu", "act2");
        assertLayerPass(m, "no_relu", "act2");
    }

    @Test
    void mixedReluAndGeluModelNamesGeluAndAppliesTheRuleAtItsRelus() {
        TorchScriptModel m = model("gelu_mixed");
        assertTrue(m.layersAvailable(), String.valueOf(m.notPreparedReason()));
        RewriteInfo info = m.rewriteInfo();
        assertTrue(info.otherActivations().contains("gelu in GELU"), info.otherActivations().toString());
        assertEquals(1, info.otherActivations().size(), info.otherActivations().toString());
        assertEquals(2, info.reluSites()); // nn.ReLU relu1 and F.relu in the forward
        assertSaliency(m, "gelu_mixed");
        // reference: the guided rule at both ReLU calls, GELU back-propagated as it is
        assertGuided(m, "gelu_mixed");
        assertGradCam(m, "gelu_mixed", "gelu");
    }

    // ------------------------------------------------------------------ control flow and containers

    @Test
    void loopModelRunsAndIsExplainedOutsideItsModuleList() {
        TorchScriptModel m = model("loop");
        assertTrue(m.layersAvailable(), String.valueOf(m.notPreparedReason()));
        assertTrue(m.layerPaths().containsAll(java.util.List.of("blocks.0", "blocks.1.0", "blocks.2.1")),
                m.layerPaths().toString());
        assertSaliency(m, "loop");
        assertGradCam(m, "loop", "stem");
        // blocks.2 is skipped by the data-dependent if for this input (manifest: blocks_run = [0, 1])
        message(LayerException.class, () -> new GradCam().explain(m, input(), target("loop"),
                ExplainOptions.defaults().with(Options.LAYER, "blocks.2")), "blocks.2", "did not run");
        // the ModuleList itself is never called
        message(LayerException.class, () -> new GradCam().explain(m, input(), target("loop"),
                ExplainOptions.defaults().with(Options.LAYER, "blocks")), "blocks");
    }

    @Test
    void layersAndRelusInsideAModuleListAreReached() {
        // items reached through a local alias (blocks = self.blocks; _1 = getattr(blocks, "1"); (_1).forward(x))
        layersRight("loop", "ModuleList", "blocks.1", "blocks.1.0");
        layersRight("modulelist", "ModuleList", "blocks.1");
    }

    @Test
    void layersAndRelusInsideAModuleDictAreReached() {
        // (stem = stages.stem; (stem).forward(x)); both ReLUs sit in the dict
        layersRight("moduledict", "ModuleDict", "stages.mid");
    }

    private static void layersRight(String name, String construct, String... layers) {
        TorchScriptModel m = model(name);
        assertTrue(m.layersAvailable(), name + ": " + m.notPreparedReason());
        for (String layer : layers) {
            assertGradCam(m, name, layer);
            assertLayerPass(m, name, layer);
        }
        assertGuided(m, name);
        // the container itself is never called: say so and list its modules
        String container = layers[0].substring(0, layers[0].indexOf('.'));
        message(LayerException.class, () -> new GradCam().explain(m, input(), target(name),
                ExplainOptions.defaults().with(Options.LAYER, container)), container, construct, layers[0]);
    }

    @Test
    void modulesListAndDictModelsStillGiveSaliencyAndOutsideLayers() {
        assertSaliency(model("modulelist"), "modulelist");
        assertSaliency(model("moduledict"), "moduledict");
    }

    @Test
    void scriptedSequentialRootIsHandled() {
        TorchScriptModel m = model("sequential_root");
        assertTrue(m.layersAvailable(), String.valueOf(m.notPreparedReason()));
        assertSaliency(m, "sequential_root");
        assertGuided(m, "sequential_root");
        assertGradCam(m, "sequential_root", "2");
        assertGradCam(m, "sequential_root", "3");
    }

    @Test
    void blockReturningATupleIsExplainedInsideAndRefusedAsALayer() {
        TorchScriptModel m = model("tuple_block");
        assertTrue(m.layersAvailable(), String.valueOf(m.notPreparedReason()));
        assertSaliency(m, "tuple_block");
        assertGuided(m, "tuple_block");
        assertGradCam(m, "tuple_block", "block.conv");
        message(LayerException.class, () -> new GradCam().explain(m, input(), target("tuple_block"),
                ExplainOptions.defaults().with(Options.LAYER, "block")), "block");
    }

    @Test
    void layerReturningATupleSaysSo() {
        // today: "The layer block did not run in the model's forward pass (it is defined but not called)"
        TorchScriptModel m = model("tuple_block");
        message(LayerException.class, () -> new GradCam().explain(m, input(), target("tuple_block"),
                ExplainOptions.defaults().with(Options.LAYER, "block")), "block", "Tuple[Tensor, Tensor]");
    }

    // ------------------------------------------------------------------ interfaces and free functions

    @Test
    void interfaceAndFreeFunctionModelsKeepSaliency() {
        for (String name : new String[] {"helper_arg", "interface_attr", "free_function_relu"}) {
            assertSaliency(model(name), name);
        }
        assertGradCam(model("free_function_relu"), "free_function_relu", "conv2");
    }

    @Test
    void submodulePassedToAHelperThroughAnInterfaceIsRefusedByName() {
        // (self).apply_block(block, x) with apply_block(self, m: BlockInterface, x): the interface type hides which
        // module runs, so its layers and ReLUs cannot be followed
        TorchScriptModel m = model("helper_arg");
        assertFalse(m.layersAvailable());
        assertMentions(m.notPreparedReason(), "apply_block", "interface");
        message(LayerException.class, () -> GradientPass.inputGradient(m, input(), target("helper_arg"),
                ReluRule.GUIDED), "apply_block", "interface");
    }

    @Test
    void interfaceTypedSubmoduleIsRefusedByName() {
        // block : __torch__.BlockInterface (a ModuleInterface, not a Module): absent from the module tree
        TorchScriptModel m = model("interface_attr");
        assertFalse(m.layersAvailable());
        assertMentions(m.notPreparedReason(), "block", "interface");
    }

    @Test
    void reluInAFreeFunctionIsStaged() {
        // activate(self, x) returns __torch__.shifted_relu(x): the free function gets a copy with the ReLU staged
        TorchScriptModel m = model("free_function_relu");
        assertTrue(m.layersAvailable(), String.valueOf(m.notPreparedReason()));
        assertTrue(m.rewriteInfo().unreachedRelus().isEmpty(), m.rewriteInfo().unreachedRelus().toString());
        float[] guided = GradientPass.inputGradient(m, input(), target("free_function_relu"), ReluRule.GUIDED)
                .gradient();
        Compare.assertAgrees("free_function_relu guided", guided, fixture("free_function_relu", "guided.npy"));
    }

    // ------------------------------------------------------------------ Saliency wherever the forward runs

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"optional_arg", "tuple_output", "no_relu", "gelu_mixed", "loop", "modulelist",
            "moduledict", "helper_arg", "interface_attr", "free_function_relu", "tuple_block", "sequential_root"})
    void saliencyMatchesTheReferenceOnEveryModelWhoseForwardRuns(String name) {
        assertSaliency(model(name), name);
    }
}
