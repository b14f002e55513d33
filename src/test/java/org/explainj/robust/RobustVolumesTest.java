package org.explainj.robust;

import static org.explainj.testutil.Demo3d.command;
import static org.explainj.testutil.Demo3d.shell;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Roi;
import java.io.File;
import org.explainj.command.ExplainImageCommand;
import org.explainj.explain.MethodException;
import org.explainj.model.LayerException;
import org.explainj.model.ModelException;
import org.explainj.tensor.InputException;
import org.explainj.explain.OptionException;
import org.junit.jupiter.api.Test;

/** Bad input for a 3-D model (Conv3d, 1×1×D×H×W): each refusal names the problem and the remedy. */
class RobustVolumesTest {

    @Test
    void aSinglePlaneGivenToA3dModel() {
        ImagePlus plane = new ImagePlus("plane", shell().getStack().getProcessor(8));
        Survey.error("volume: a single plane given to a 3-D model", InputException.class,
                () -> command(plane, "Grad-CAM").run(), "3-D model", "z-stack", "\"plane\"",
                "features.0.weight (8, 1, 3, 3, 3)", "model_dims=2d");
    }

    @Test
    void slicesStoredAsFrames() {
        ImagePlus frames = shell();
        frames.setDimensions(1, 1, 16);
        Survey.error("volume: the z-slices stored as frames", InputException.class,
                () -> command(frames, "Grad-CAM").run(), "16 frames", "Re-order Hyperstack");
    }

    @Test
    void tooFewSlices() {
        ImageStack two = new ImageStack(32, 32);
        two.addSlice("", shell().getStack().getProcessor(7));
        two.addSlice("", shell().getStack().getProcessor(8));
        Survey.error("volume: 2 slices (the network pools depth twice)", ModelException.class,
                () -> command(new ImagePlus("thin", two), "Grad-CAM").run(), "(1, 1, 2, 32, 32)", "2 slices",
                "in z or in x/y");
    }

    @Test
    void aNaNVoxel() {
        ImagePlus imp = shell();
        ImageStack f = new ImageStack(32, 32);
        for (int z = 1; z <= 16; z++) {
            f.addSlice("", imp.getStack().getProcessor(z).convertToFloat());
        }
        f.getProcessor(9).setf(3, 4, Float.NaN);
        Survey.error("volume: a NaN voxel", InputException.class,
                () -> command(new ImagePlus("nan", f), "Saliency").run(), "NaN");
    }

    @Test
    void aLayerWithoutSpatialOutput() {
        ExplainImageCommand cmd = command(shell(), "Grad-CAM");
        cmd.layer = "fc";
        Survey.error("volume: Grad-CAM at the classifier (fc)", LayerException.class, cmd::run, "N×C×D×H×W", "fc");
    }

    @Test
    void aSelectionAsTargetRegion() {
        ImagePlus imp = shell();
        imp.setRoi(new Roi(4, 4, 10, 10));
        ExplainImageCommand cmd = command(imp, "Grad-CAM");
        cmd.region = "selection";
        Survey.error("volume: region=selection with a 3-D classifier", MethodException.class, cmd::run, "region");
    }

    @Test
    void twoChannelsForAOneChannelModel() {
        ImagePlus imp = shell();
        ExplainImageCommand cmd = command(imp, "Saliency");
        cmd.channels = "1,1";
        Survey.error("volume: two channels for a one-channel 3-D model", InputException.class, cmd::run,
                "expects 1 input channel", "2");
    }

    @Test
    void a2dModelForcedToTakeAVolume() {
        ExplainImageCommand cmd = command(shell(), "Grad-CAM");
        cmd.model = new File("test-images/demo/ringnet_traced.pt");
        cmd.model_dims = "3d";
        Survey.error("volume: model_dims=3d for a 2-D model", ModelException.class, cmd::run, "model_dims=2d");
    }

    @Test
    void a3dModelForcedToTakePlanes() {
        ExplainImageCommand cmd = command(shell(), "Grad-CAM");
        cmd.model_dims = "2d";
        Survey.error("volume: model_dims=2d for a 3-D model", ModelException.class, cmd::run, "model_dims=3d");
    }

    @Test
    void anUnknownModelDims() {
        ExplainImageCommand cmd = command(shell(), "Grad-CAM");
        cmd.model_dims = "4d";
        Survey.error("volume: model_dims=4d", OptionException.class, cmd::run, "auto, 2d, 3d", "4d");
    }

    @Test
    void volumeMeasurementOfASinglePlane() {
        org.explainj.command.MeasureAttributionCommand m = new org.explainj.command.MeasureAttributionCommand();
        m.heatmap = new ImagePlus("plane-heatmap", new ij.process.FloatProcessor(32, 32));
        m.rois = "selection";
        m.selection = new Roi(0, 0, 8, 8);
        m.volume = true;
        Survey.error("volume: Measure Attribution volume on a single plane", org.explainj.measure.MeasureException.class,
                m::run, "z-stack", "\"plane-heatmap\"", "without volume");
    }
}
