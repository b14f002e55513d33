package org.explainj.robust;

import org.explainj.command.ExplainImageCommand;
import org.explainj.explain.MethodException;
import org.explainj.model.LayerException;
import org.junit.jupiter.api.Test;

/** Layers and targets a user may get wrong, through the command (what the ImageJ dialog or the Log shows). */
class RobustLayersTest {

    private static ExplainImageCommand tiny(String method, String layer) {
        ExplainImageCommand cmd = Fixtures.command(Fixtures.synth(), Fixtures.TINY, method);
        cmd.layer = layer;
        return cmd;
    }

    @Test
    void unknownLayerSuggestsTheClosestNames() {
        Survey.error("layer: unknown (features.relu9)", LayerException.class, () -> tiny("Grad-CAM", "features.relu9")
                .run(), "\"features.relu9\"", "Closest:", "features.relu4", "named_modules");
        Survey.error("layer: unknown, wrong case (Features.ReLU4)", LayerException.class, () -> tiny("Grad-CAM",
                "Features.ReLU4").run(), "features.relu4");
    }

    @Test
    void nonSpatialLayerIsRefusedForCamMethods() {
        Survey.error("layer: non-spatial output (fc, [1, 2]) for Grad-CAM", LayerException.class, () -> tiny(
                "Grad-CAM", "fc").run(), "fc", "(1, 2)", "spatial", "convolutional layer");
    }

    /**
     * The global average pooling's output is [1, 64, 1, 1]: a "map" of one pixel, upsampled to a constant image,
     * says nothing about where the evidence is. The layer catalogue already calls such layers non-spatial (H·W &gt;
     * 1); BaseCam only refuses H·W &lt; 1.
     */
    @Test
    void oneByOneLayerIsRefusedForCamMethods() {
        Survey.error("layer: 1x1 output (gap, [1, 64, 1, 1]) for Grad-CAM", LayerException.class, () -> tiny(
                "Grad-CAM", "gap").run(), "gap", "1", "spatial");
    }

    /**
     * vggs: features → AdaptiveAvgPool2d((2, 2)) → flatten → Linear(256, 64) → ReLU → Linear(64, 5). Its last
     * conv block has 64 channels and the LAST linear weight is [5, 64], so CAM's "2-D weight of shape [classes,
     * channels]" search finds classifier.3.weight, which is not applied to the pooled layer.
     */
    @Test
    void camWithoutAGapLinearHeadIsRefused() {
        ExplainImageCommand cmd = Fixtures.command(new ij.ImagePlus("rgb", new ij.process.ColorProcessor(64, 64)),
                Fixtures.VGGS, "CAM");
        cmd.layer = "features";
        Survey.error("layer: CAM on a model without GAP+linear head (vggs)", LayerException.class, cmd::run,
                "global", "linear", "Grad-CAM");
    }

    /** tinycnn's features.conv3 also has 64 channels, like fc.weight [2, 64] expects, but bn3-relu3-conv4 follow. */
    @Test
    void camAtALayerNotFollowedByTheHeadIsRefused() {
        Survey.error("layer: CAM at features.conv3 (not before the GAP+fc head)", LayerException.class, () -> tiny(
                "CAM", "features.conv3").run(), "features.conv3", "Grad-CAM");
    }

    @Test
    void camWithAnUnknownWeightNameListsTheCandidates() {
        ExplainImageCommand cmd = tiny("CAM", "features.relu4");
        cmd.cam_weights = "classifier.weight";
        Survey.error("layer: CAM with an unknown cam_weights", LayerException.class, cmd::run,
                "\"classifier.weight\"", "fc.weight");
    }

    @Test
    void classIndexOutOfRangeNamesTheRange() {
        ExplainImageCommand cmd = tiny("Grad-CAM", "features.relu4");
        cmd.target = "7";
        Survey.error("target: class index out of range (7 of 2)", MethodException.class, cmd::run, "7",
                "2 classes", "0..1");
    }

    @Test
    void negativeClassIndexIsRefused() {
        ExplainImageCommand cmd = tiny("Saliency", "");
        cmd.target = "-1";
        Survey.error("target: negative class index", MethodException.class, cmd::run, "-1", "0 or larger");
    }

    @Test
    void classNameNotInTheLabelsListsTheClasses() {
        ExplainImageCommand cmd = Fixtures.command(Fixtures.ringCell(), Fixtures.RINGNET, "Grad-CAM");
        cmd.target = "mitosis";
        Survey.error("target: class name not in the labels", MethodException.class, cmd::run, "\"mitosis\"",
                "blobs only", "ring cell");
    }

    /**
     * labels= belongs to one run: the model is cached between runs, and a labels file given to the first must not
     * name the classes of the second.
     */
    @Test
    void aLabelsFileAffectsOnlyTheRunThatNamesIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        ExplainImageCommand first = withLabels(dir, "cat\ndog\n", "dog");
        first.run();
        org.junit.jupiter.api.Assertions.assertEquals(1, first.result.targetClass());

        ExplainImageCommand second = tiny("Saliency", "");
        second.target = "dog";
        Survey.error("target: class name from an earlier run's labels", MethodException.class, second::run,
                "\"dog\"", "labels.txt");

        ExplainImageCommand third = withLabels(dir, "cat\ndog\n", "cat");
        third.run();
        org.junit.jupiter.api.Assertions.assertEquals(0, third.result.targetClass());
    }

    @Test
    void classNameWithoutALabelsFileSaysWhereToPutOne() {
        ExplainImageCommand cmd = tiny("Saliency", "");
        cmd.target = "cat";
        Survey.error("target: class name, model without labels", MethodException.class, cmd::run, "\"cat\"",
                "labels.txt", "class index");
    }

    /** A labels file with another number of names than the model has classes: every name could be another class's. */
    @Test
    void labelsThatDoNotMatchTheClassesAreRefused(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        ExplainImageCommand cmd = withLabels(dir, "a\nb\nc\nd\ne\n", "b");
        Survey.error("target: a labels file of 5 names for a model of 2 classes", org.explainj.model.ModelException.class,
                cmd::run, "are 5", "2 class scores", "one name per class");
    }

    /** A Saliency run of the tiny model with a labels file of these names and this target. */
    private static ExplainImageCommand withLabels(java.nio.file.Path dir, String names, String target)
            throws java.io.IOException {
        java.nio.file.Path labels = java.nio.file.Files.writeString(dir.resolve("labels-" + names.hashCode()
                + ".txt"), names);
        ExplainImageCommand cmd = tiny("Saliency", "");
        cmd.labels = labels.toFile();
        cmd.target = target;
        return cmd;
    }
}
