package org.explainj.robust;

import ij.IJ;
import ij.ImagePlus;
import ij.measure.Calibration;
import java.io.File;
import java.nio.file.Path;
import org.explainj.command.ExplainImageCommand;
import org.explainj.tensor.ModelInput;
import org.explainj.testutil.Npy;
import org.explainj.testutil.Resources;

/** Models, images and commands shared by the robustness tests. */
final class Fixtures {

    /** 1 channel, 64x64, two poolings, GAP + fc (2 classes), features.relu4 is the last conv block. */
    static final Path TINY = Resources.path("reference/models/tinycnn.pt");
    /** The demo model (1 channel, 96x96, labels "blobs only", "ring cell" beside it). */
    static final Path RINGNET = Path.of("test-images/demo/ringnet_traced.pt").toAbsolutePath();
    /** 3 channels, VGG-style: AdaptiveAvgPool2d((2, 2)), then Linear(256, 64)-ReLU-Dropout-Linear(64, 5). */
    static final Path VGGS = Resources.path("models/vggs_traced.pt");
    static final Path TWO_INPUTS = Resources.path("models/refused/two_inputs_scripted.pt");
    static final Path FLAT_OUTPUT = Resources.path("robust/models/flat_output_scripted.pt");
    static final Path SEQ_OUTPUT = Resources.path("robust/models/seq_output_traced.pt");
    static final Path DEEP_POOL = Resources.path("robust/models/deep_pool_traced.pt");
    static final Path STATE_DICT = Resources.path("robust/models/state_dict.pt");
    static final Path EAGER_PICKLE = Resources.path("robust/models/eager_pickle.pt");

    private Fixtures() {
    }

    /** The 64x64 16-bit test image of tinycnn's references, with a 0.5 x 0.25 um calibration. */
    static ImagePlus synth() {
        ImagePlus imp = IJ.openImage(Resources.path("reference/inputs/synth_pos0_u16.tif").toString());
        Calibration cal = imp.getCalibration();
        cal.pixelWidth = 0.5;
        cal.pixelHeight = 0.25;
        cal.setUnit("um");
        return imp;
    }

    /** The demo image ring_cell_1 (96x96, 16-bit). */
    static ImagePlus ringCell() {
        return IJ.openImage(Path.of("test-images/demo/ring_cell_1.tif").toString());
    }

    static ModelInput synthInput() {
        Npy x = Resources.npy("reference/inputs/synth_pos0_model_input.npy");
        return new ModelInput(x.data(), 1, 64, 64);
    }

    static ExplainImageCommand command(ImagePlus imp, Path model, String method) {
        ExplainImageCommand cmd = new ExplainImageCommand();
        cmd.image = imp;
        cmd.model = model == null ? null : new File(model.toString());
        cmd.method = method;
        return cmd;
    }
}
