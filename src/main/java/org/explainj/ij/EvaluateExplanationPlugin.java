package org.explainj.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;
import org.explainj.command.EvaluateExplanationCommand;
import org.explainj.evaluate.EvaluationKeys;
import org.explainj.explain.Option;

/**
 * {@code Plugins › ExplainJ › Evaluate Explanation...}: deletion and insertion curves of a heatmap of the active image
 * ({@link EvaluateExplanationCommand}). The dialog (or the macro's keys) follows {@link EvaluationKeys}:
 * {@code run("Evaluate Explanation...", "heatmap=[ring_cell_1-grad-cam] metric=both steps=50");}. A macro that gives
 * no keys gets no dialog: the latest heatmap of the image, every other key at its default.
 */
public class EvaluateExplanationPlugin implements PlugIn {

    @Override
    public void run(String arg) {
        ImagePlus active = WindowManager.getCurrentImage();
        if (active == null) {
            Errors.report("No image is open. Open the image that was explained (and explain it with Plugins › "
                    + "ExplainJ › Explain Image...), then run Evaluate Explanation.");
            return;
        }
        EvaluateExplanationCommand cmd = new EvaluateExplanationCommand();
        ImagePlus[] pair = HeatmapSource.orReport(active);
        if (pair == null) {
            return;
        }
        cmd.image = pair[0];
        cmd.heatmapImage = pair[1];
        if (!Errors.macroWithoutKeys() && !showDialog(cmd)) {
            return;
        }
        cmd.show = true;
        IJ.showStatus("ExplainJ: evaluating...");
        boolean done = Errors.run(cmd::run);
        HeatmapSource.reactivate(cmd.image);
        if (!done) {
            return;
        }
        IJ.showStatus(cmd.road != null ? String.format("ExplainJ: ROAD combined %.4f", cmd.road.combined())
                : String.format("ExplainJ: deletion AUC %.4f, insertion AUC %.4f", cmd.curves.deletionAuc(),
                cmd.curves.insertionAuc()));
    }

    /** Fills the command from the dialog, or from the macro's keys (GenericDialog reads them). */
    static boolean showDialog(EvaluateExplanationCommand cmd) {
        return Errors.dialog(() -> readDialog(cmd));
    }

    private static boolean readDialog(EvaluateExplanationCommand cmd) {
        DialogFields.refuseUnknownKeys("Evaluate Explanation", DialogFields.keysOf(EvaluationKeys.ALL));
        GenericDialog gd = new GenericDialog("Evaluate Explanation");
        for (Option<?> o : EvaluationKeys.ALL) {
            String label = o.dialogLabel();
            Object d = o.defaultValue();
            if (!o.choices().isEmpty()) {
                gd.addChoice(label, o.choices().toArray(new String[0]), (String) d);
            } else if (Number.class.isAssignableFrom(o.type())) {
                DialogFields.number(gd, label, ((Number) d).doubleValue(), o.type() == Double.class ? 3 : 0);
            } else {
                gd.addStringField(label, d == null ? "" : Option.format(d), o == EvaluationKeys.MODEL
                        || o == EvaluationKeys.HEATMAP ? 30 : 12);
            }
        }
        gd.addMessage("Blank input keys (model, target, scale, ...) are read from the heatmap's Info.");
        gd.showDialog();
        if (gd.wasCanceled()) {
            return false;
        }
        for (Option<?> o : EvaluationKeys.ALL) {
            String text = !o.choices().isEmpty() ? gd.getNextChoice() : Number.class.isAssignableFrom(o.type())
                    ? DialogFields.nextNumber(gd) : gd.getNextString().trim();
            cmd.set(o, text);
        }
        return true;
    }
}
