package org.explainj.model;

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
                ExplainOptions.defaults().withLayer(layer).withRelu(false));
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
                ExplainOptions.defaults().withLayer("conv_x")), "two_inputs_scripted.pt", "takes 2 inputs");
        message(LayerException.class, () -> new GradCam().explain(m, input(), Target.index(0),
                ExplainOptions.defaults()), "takes 2 inputs");
        message(LayerException.class, () -> GradientPass.inputGradient(m, input(), Target.index(0),
                ReluRule.GUIDED), "takes 2 inputs");
        // the forward cannot run on one tensor: Saliency fails with libtorch's reason (the missing argument)
        message(ModelException.class, () -> GradientPass.inputGradient(m, input(), Target.index(0)),
                "argument 'y'");
    }

    @Test
    void optionalSecondArgumentIsEitherRefusedByNameOrHandled() {
        TorchScriptModel m = model("optional_arg");
        assertSaliency(m, "optional_arg"); // forward(x) runs: scale keeps its default
        if (m.layersAvailable()) {
            assertGradCam(m, "optional_arg", "conv");
            assertGuided(m, "optional_arg");
        } else {
            assertMentions(m.notPreparedReason(), "2 inputs", "scale: float", "single tensor");
        }
    }

    @Test
    void tupleOutputIsRefusedByItsReturnTypeAndSaliencyExplainsTheFirstElement() {
        TorchScriptModel m = model("tuple_output");
        assertFalse(m.layersAvailable());
        assertMentions(m.notPreparedReason(), "returns Tuple[Tensor, Tensor]", "not a single tensor",
                "class scores (logits) as one tensor");
        message(LayerException.class, () -> new GradCam().explain(m, input(), target("tuple_output"),
                ExplainOptions.defaults().withLayer("conv2")), "Tuple[Tensor, Tensor]");
        message(LayerException.class, () -> new GradCam().explain(m, input(), target("tuple_output"),
                ExplainOptions.defaults()), "cannot be listed", "Tuple[Tensor, Tensor]");
        message(LayerException.class, () -> GradientPass.inputGradient(m, input(), target("tuple_output"),
                ReluRule.GUIDED), "Tuple[Tensor, Tensor]");
        // DJL flattens the tuple into [logits, features]; ModelPass explains element 0, the logits
        assertSaliency(m, "tuple_output");
    }

    @Test
    void dictAndFeaturesFirstOutputsAreRefusedByTheirReturnType() {
        assertMentions(model("dict_output").notPreparedReason(), "returns Dict[str, Tensor]", "not a single tensor");
        assertFalse(model("dict_output").layersAvailable());
        assertMentions(model("tuple_features_first").notPreparedReason(), "returns Tuple[Tensor, Tensor]");
        assertFalse(model("tuple_features_first").layersAvailable());
    }

    @Test
    void saliencyOfADictOutputRefusesOrExplainsTheLogits() {
        // DJL turns a dict output into a list in ConcurrentHashMap order: "features" comes before "logits", and
        // ModelPass explains channel `target` of the features as if it were a segmentation output.
        saliencyRefusedOrOfTheLogits("dict_output", "dict");
    }

    @Test
    void saliencyOfATupleWithFeaturesFirstRefusesOrExplainsTheLogits() {
        saliencyRefusedOrOfTheLogits("tuple_features_first", "tensors");
    }

    private static void saliencyRefusedOrOfTheLogits(String name, String word) {
        TorchScriptModel m = model(name);
        GradientPass.Result g;
        try {
            g = GradientPass.inputGradient(m, input(), target(name));
        } catch (RuntimeException e) {
            assertMentions(e.getMessage(), word, "wrap the model");
            return;
        }
        assertEquals(3, g.scores().length, name + ": scores of " + g.scores().length + " \"classes\"");
        assertSaliency(m, name);
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
                ExplainOptions.defaults().withLayer("blocks.2")), "blocks.2", "did not run");
        // the ModuleList itself is never called
        message(LayerException.class, () -> new GradCam().explain(m, input(), target("loop"),
                ExplainOptions.defaults().withLayer("blocks")), "blocks");
    }

    @Test
    void layersAndRelusInsideAModuleListAreReached() {
        // Scripted and traced code reach ModuleList items through a local alias (blocks = self.blocks;
        // _1 = getattr(blocks, "1"); (_1).forward(x)), which the rewriter does not follow: the items are never
        // tapped ("did not run") and their ReLUs are not staged (guided backprop is silently wrong).
        layersRightOrRefused("loop", "ModuleList", "blocks.1", "blocks.1.0");
        layersRightOrRefused("modulelist", "ModuleList", "blocks.1");
    }

    @Test
    void layersAndRelusInsideAModuleDictAreReached() {
        // (stem = stages.stem; (stem).forward(x)): same as the ModuleList; and since both ReLUs sit in the dict,
        // guided backprop is refused with "calls no ReLU".
        layersRightOrRefused("moduledict", "ModuleDict", "stages.mid");
    }

    private static void layersRightOrRefused(String name, String construct, String... layers) {
        TorchScriptModel m = model(name);
        if (!m.layersAvailable()) {
            assertMentions(m.notPreparedReason(), construct);
            return;
        }
        for (String layer : layers) {
            assertGradCam(m, name, layer);
            assertLayerPass(m, name, layer);
        }
        assertGuided(m, name);
        // the container itself is never called: say so and list its modules (today: "did not run ... not called")
        String container = layers[0].substring(0, layers[0].indexOf('.'));
        message(LayerException.class, () -> new GradCam().explain(m, input(), target(name),
                ExplainOptions.defaults().withLayer(container)), container, construct, layers[0]);
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
                ExplainOptions.defaults().withLayer("block")), "block");
    }

    @Test
    void layerReturningATupleSaysSo() {
        // today: "The layer block did not run in the model's forward pass (it is defined but not called)"
        TorchScriptModel m = model("tuple_block");
        message(LayerException.class, () -> new GradCam().explain(m, input(), target("tuple_block"),
                ExplainOptions.defaults().withLayer("block")), "block", "Tuple[Tensor, Tensor]");
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
    void submodulePassedToAHelperIsFollowedOrRefused() {
        // (self).apply_block(block, x) with apply_block(self, m: BlockInterface, x): the helper is not copied, so
        // block is never tapped ("did not run") and its ReLU is not staged (guided backprop silently wrong).
        TorchScriptModel m = model("helper_arg");
        if (!m.layersAvailable()) {
            assertMentions(m.notPreparedReason(), "apply_block", "interface");
            return;
        }
        assertGradCam(m, "helper_arg", "block");
        assertGradCam(m, "helper_arg", "block.conv");
        assertGradCam(m, "helper_arg", "stem");
        assertGuided(m, "helper_arg");
    }

    @Test
    void interfaceTypedSubmoduleIsFollowedOrRefused() {
        // block : __torch__.BlockInterface (a ModuleInterface, not a Module): absent from the module tree, its ReLU
        // not staged (guided backprop silently wrong).
        TorchScriptModel m = model("interface_attr");
        if (!m.layersAvailable()) {
            assertMentions(m.notPreparedReason(), "block", "interface");
            return;
        }
        assertGuided(m, "interface_attr");
        assertGradCam(m, "interface_attr", "stem");
        assertTrue(m.layerPaths().contains("block.conv"), m.layerPaths().toString());
    }

    @Test
    void reluInAFreeFunctionIsStagedOrReluRulesAreRefused() {
        // activate(self, x) returns __torch__.shifted_relu(x): the rewriter copies methods only (and not even
        // activate, which calls no submodule or ReLU itself), so that ReLU keeps its plain gradient
        TorchScriptModel m = model("free_function_relu");
        float[] guided;
        try {
            guided = GradientPass.inputGradient(m, input(), target("free_function_relu"), ReluRule.GUIDED)
                    .gradient();
        } catch (LayerException e) {
            assertMentions(e.getMessage(), "shifted_relu", "Saliency");
            return;
        }
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
