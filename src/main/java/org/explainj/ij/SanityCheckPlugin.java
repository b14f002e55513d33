package org.explainj.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.explainj.command.SanityCheckCommand;
import org.explainj.evaluate.EvaluationKeys;
import org.explainj.explain.Method;

/**
 * {@code Plugins › ExplainJ › Sanity Check...}: cascading parameter randomisation for the method of a heatmap of the
 * active image ({@link SanityCheckCommand}); {@code run("Sanity Check...", "heatmap=[ring_cell_1-grad-cam]
 * seed=1234");}. A macro that gives no keys gets no dialog (the latest heatmap of the image, its method).
 */
public class SanityCheckPlugin implements PlugIn {

    static final String FROM_HEATMAP = "(as the heatmap)";

    @Override
    public void run(String arg) {
        ImagePlus active = WindowManager.getCurrentImage();
        if (active == null) {
            Errors.report("No image is open. Open the image that was explained (and explain it with Plugins › "
                    + "ExplainJ › Explain Image...), then run Sanity Check.");
            return;
        }
        SanityCheckCommand cmd = new SanityCheckCommand();
        ImagePlus[] pair = HeatmapSource.orReport(active);
        if (pair == null) {
            return;
        }
        cmd.image = pair[0];
        cmd.heatmapImage = pair[1];
        if (!Errors.macroWithoutKeys() && !Errors.dialog(() -> readDialog(cmd))) {
            return;
        }
        cmd.show = true;
        boolean done = Errors.run(cmd::run);
        HeatmapSource.reactivate(cmd.image);
        if (done) {
            IJ.showStatus("ExplainJ: sanity check done, " + (cmd.steps.size() - 1) + " steps");
        }
    }

    /** Fills the command from the dialog or the macro's keys; false on cancel. */
    private static boolean readDialog(SanityCheckCommand cmd) {
        DialogFields.refuseUnknownKeys("Sanity Check", List.of("heatmap", "method", "model", "seed"));
        GenericDialog gd = new GenericDialog("Sanity Check");
        gd.addStringField("Heatmap", "", 30);
        List<String> methods = new ArrayList<>(List.of(FROM_HEATMAP));
        for (Method m : Method.values()) {
            methods.add(m.label());
        }
        gd.addChoice("Method", methods.toArray(new String[0]), FROM_HEATMAP);
        gd.addStringField("Model", "", 30);
        DialogFields.number(gd, "Seed", 1234, 0);
        gd.addMessage("The model's parameters are re-initialised module by module, from the output side, in a\n"
                + "copy held in memory; the map is made again after each step. Blank fields: as the heatmap.");
        gd.showDialog();
        if (gd.wasCanceled()) {
            return false;
        }
        cmd.heatmap = gd.getNextString().trim();
        String m = gd.getNextChoice();
        cmd.method = FROM_HEATMAP.equals(m) ? "" : m;
        String model = gd.getNextString().trim();
        cmd.model = model.isEmpty() ? null : new File(model);
        cmd.seed = EvaluationKeys.SEED.parse(DialogFields.nextNumber(gd));
        return true;
    }
}
