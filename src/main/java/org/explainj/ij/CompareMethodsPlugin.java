package org.explainj.ij;

import ij.IJ;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;
import java.io.File;
import org.explainj.command.CompareMethodsCommand;
import org.explainj.evaluate.EvaluationKeys;

/**
 * {@code Plugins › ExplainJ › Compare Methods...}: explains the active image (or a folder) with several methods and
 * ranks them by deletion and insertion AUC ({@link CompareMethodsCommand});
 * {@code run("Compare Methods...", "model=[/models/m.pt] methods=[Grad-CAM,Saliency] steps=20");}.
 */
public class CompareMethodsPlugin implements PlugIn {

    @Override
    public void run(String arg) {
        CompareMethodsCommand cmd = new CompareMethodsCommand();
        cmd.image = WindowManager.getCurrentImage();
        if (Errors.macroWithoutKeys()) {
            Errors.report("No model given: Compare Methods needs model=[/path/to/model.pt] (a macro without keys "
                    + "gets no dialog).");
            return;
        }
        if (!Errors.dialog(() -> readDialog(cmd))) {
            return;
        }
        if (cmd.model == null) {
            Errors.report("No model given: set model=[/path/to/model.pt] (a TorchScript file or a bioimage.io "
                    + "package).");
            return;
        }
        cmd.show = true;
        boolean done = Errors.run(cmd::run);
        if (cmd.image != null && cmd.folder == null) {
            HeatmapSource.reactivate(cmd.image); // not the plot: a macro goes on with the image
        }
        if (done) {
            IJ.showStatus("ExplainJ: best: " + cmd.table.getStringValue("Method", 0));
        }
    }

    private static final String[] LABELS = {"Model", "Folder", "Methods", "Target", "Steps", "Baseline", "Blur",
        "Score", "Scale", "Channels", "Input size", "Mean", "Std"};

    /** Fills the command from the dialog or the macro's keys; false on cancel. */
    private static boolean readDialog(CompareMethodsCommand cmd) {
        DialogFields.refuseUnknownKeys("Compare Methods", java.util.Arrays.stream(LABELS).map(ij.Macro::trimKey)
                .toList());
        GenericDialog gd = new GenericDialog("Compare Methods");
        gd.addFileField("Model", "", 40);
        gd.addDirectoryField("Folder", "", 40);
        gd.addStringField("Methods", "", 40);
        gd.addStringField("Target", "top", 12);
        DialogFields.number(gd, "Steps", 20, 0);
        DialogFields.number(gd, "Baseline", 0, 3);
        DialogFields.number(gd, "Blur", 0, 3);
        gd.addChoice("Score", new String[] {"probability", "logit"}, "probability");
        gd.addChoice("Scale", new String[] {"type", "none", "minmax"}, "type");
        gd.addStringField("Channels", "", 12);
        gd.addStringField("Input size", "", 12);
        gd.addStringField("Mean", "", 12);
        gd.addStringField("Std", "", 12);
        gd.addMessage("Blank methods: all that apply to the model. Blank folder: the active image.");
        gd.showDialog();
        if (gd.wasCanceled()) {
            return false;
        }
        String model = gd.getNextString().trim();
        cmd.model = model.isEmpty() ? null : new File(model);
        String folder = gd.getNextString().trim();
        cmd.folder = folder.isEmpty() ? null : new File(folder);
        cmd.methods = gd.getNextString().trim();
        cmd.target = gd.getNextString().trim();
        cmd.steps = EvaluationKeys.STEPS.parse(DialogFields.nextNumber(gd));
        cmd.baseline = EvaluationKeys.BASELINE.parse(DialogFields.nextNumber(gd));
        cmd.blur = EvaluationKeys.BLUR.parse(DialogFields.nextNumber(gd));
        cmd.score = gd.getNextChoice();
        cmd.scale = gd.getNextChoice();
        cmd.channels = gd.getNextString().trim();
        cmd.input_size = gd.getNextString().trim();
        cmd.mean = gd.getNextString().trim();
        cmd.std = gd.getNextString().trim();
        return true;
    }
}
