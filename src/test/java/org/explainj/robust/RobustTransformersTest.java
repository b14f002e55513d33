package org.explainj.robust;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.process.ColorProcessor;
import java.nio.file.Path;
import org.explainj.command.ExplainImageCommand;
import org.explainj.explain.MethodException;
import org.explainj.model.LayerException;
import org.explainj.explain.OptionException;
import org.explainj.model.ModelException;
import org.explainj.testutil.Resources;
import org.junit.jupiter.api.Test;

/**
 * What a user sees when a method does not apply to a model, through the command (what the ImageJ dialog and a macro
 * show): transformers with ReLU rules, CAM or Attention Rollout where it is not defined, token layers that form no
 * grid, layouts that do not fit, layers that do not feed the explained output, outputs that do not exist.
 */
class RobustTransformersTest {

    private static final Path VIT = Resources.path("families/models/vit_traced.pt");
    private static final Path SWIN = Resources.path("families/models/swin_scripted.pt");
    private static final Path FCN = Resources.path("families/models/fcn_traced.pt");
    private static final Path DICT = Resources.path("constructs/models/dict_output_scripted.pt");

    private static ImagePlus rgb(int side) {
        ColorProcessor cp = new ColorProcessor(side, side);
        for (int i = 0; i < side * side; i++) {
            cp.set(i, (int) ((i * 2654435761L) & 0xffffff));
        }
        return new ImagePlus("rgb " + side, cp);
    }

    private static ExplainImageCommand vit(String method) {
        return Fixtures.command(rgb(32), VIT, method);
    }

    @Test
    void reluRulesOnATransformerSayThereIsNoRelu() {
        Survey.error("transformer: Guided Backprop on a ViT (GELU)", LayerException.class,
                () -> vit("Guided Backprop").run(), "calls no ReLU", "Saliency");
    }

    @Test
    void attentionRolloutWhereItIsNotDefined() {
        Survey.error("transformer: Attention Rollout on a CNN", LayerException.class,
                () -> Fixtures.command(Fixtures.synth(), Fixtures.TINY, "Attention Rollout").run(),
                "no attention probabilities", "vision transformers");
        Survey.error("transformer: Attention Rollout on a Swin (windowed attention)", LayerException.class,
                () -> Fixtures.command(rgb(64), SWIN, "Attention Rollout").run(), "windows", "Swin", "Grad-CAM");
    }

    @Test
    void camOnAViTHasNoClassifierBehindGlobalPooling() {
        String m = Survey.error("transformer: CAM on a ViT", LayerException.class, () -> vit("CAM").run(), "CAM");
        assertTrue(m.contains("Grad-CAM"), m);
    }

    @Test
    void tokenLayersThatFormNoGridAndLayoutsThatDoNotFit() {
        ExplainImageCommand prefix = vit("Grad-CAM");
        prefix.layer = "encoder.layers.encoder_layer_1.ln_1";
        prefix.prefix_tokens = "5";
        Survey.error("transformer: prefix_tokens=5 on a ViT layer of 65 tokens", LayerException.class, prefix::run,
                "65 tokens", "prefix_tokens");
        ExplainImageCommand nhwc = vit("Grad-CAM");
        nhwc.layer = "encoder.layers.encoder_layer_1.ln_1";
        nhwc.layout = "nhwc";
        Survey.error("transformer: layout=nhwc on a token layer", LayerException.class, nhwc::run,
                "[1, 65, 32]", "cannot be read as nhwc");
        ExplainImageCommand unknown = vit("Grad-CAM");
        unknown.layout = "hwc";
        Survey.error("transformer: layout=hwc", OptionException.class, unknown::run, "layout=hwc", "nchw",
                "nhwc", "tokens");
        ExplainImageCommand bad = vit("Grad-CAM");
        bad.prefix_tokens = "one";
        Survey.error("transformer: prefix_tokens=one", org.explainj.tensor.InputException.class, bad::run,
                "prefix_tokens", "\"one\"");
    }

    @Test
    void aLayerThatFeedsAnotherOutputIsNamed() {
        ExplainImageCommand aux = Fixtures.command(rgb(64), FCN, "Grad-CAM");
        aux.layer = "aux_classifier";
        aux.target = "1";
        Survey.error("outputs: Grad-CAM at the auxiliary head of an FCN (explaining 'out')", LayerException.class,
                aux::run, "does not depend on the layer aux_classifier", "output=");
    }

    @Test
    void anOutputThatDoesNotExistIsNamedWithTheKeys() {
        ExplainImageCommand wrong = Fixtures.command(rgb(32), DICT, "Saliency");
        wrong.output = "scores";
        Survey.error("outputs: output=scores of a model returning {logits, aux}", ModelException.class, wrong::run,
                "no output \"scores\"", "logits", "aux");
    }

    @Test
    void aRunThatWouldNotFitInMemoryIsRefusedBeforeItStarts() {
        System.setProperty("explainj.memory.available", Long.toString(1L << 30));
        try {
            ExplainImageCommand big = Fixtures.command(rgb(4000), Resources.path("models/resnet18n_traced.pt"),
                    "Guided Backprop");
            Survey.error("memory: Guided Backprop on a 4000x4000 RGB image with 1 GB available", MethodException.class,
                    big::run, "needs about", "input_size=", "Crop");
        } finally {
            System.clearProperty("explainj.memory.available");
        }
    }
}
