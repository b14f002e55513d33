package org.explainj.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.Prefs;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.gui.Roi;
import ij.plugin.PlugIn;
import ij.plugin.frame.RoiManager;
import java.util.Arrays;
import java.util.List;
import org.explainj.command.MeasureAttributionCommand;

/**
 * {@code Plugins › ExplainJ › Measure Attribution}: a dialog (or macro options) for
 * {@link MeasureAttributionCommand}. Macro keys equal the command's field names:
 * {@code run("Measure Attribution", "heatmap=[img-grad-cam] rois=manager table=Results");} (all optional: the
 * active image, the ROI Manager, the Results table). Like Analyze › Measure, a macro that gives no keys gets no
 * dialog.
 */
public class MeasureAttributionPlugin implements PlugIn {

    private static final String PREFIX = "explainj.measure.";
    private static final String[] ROI_SOURCES = {"manager", "selection"};

    @Override
    public void run(String arg) {
        ImagePlus active = WindowManager.getCurrentImage();
        if (active == null) {
            Errors.report("No image is open. Open a heatmap (File › Open...) or make one with Plugins › ExplainJ › "
                    + "Explain Image..., then run Measure Attribution.");
            return;
        }
        MeasureAttributionCommand cmd = new MeasureAttributionCommand();
        if (!showDialog(cmd, active)) {
            return;
        }
        if (!Errors.run(cmd::run)) {
            return;
        }
        IJ.showStatus("ExplainJ: measured " + cmd.rows.size() + " ROI" + (cmd.rows.size() == 1 ? "" : "s") + " on "
                + cmd.heatmap.getTitle());
    }

    /**
     * Fills the command from the dialog, or from the macro options when a macro runs this plugin. Returns false on
     * cancel or an unknown heatmap title (reported).
     */
    static boolean showDialog(MeasureAttributionCommand cmd, ImagePlus active) {
        if (Errors.macroWithoutKeys()) {
            // run("Measure Attribution") in a macro: the defaults (active image, ROI Manager, Results), no dialog
            cmd.heatmap = active;
            return true;
        }
        boolean macro = Macro.getOptions() != null;
        if (!Errors.dialog(() -> {
            DialogFields.refuseUnknownKeys("Measure Attribution", List.of("heatmap", "rois", "table", "volume"));
            return true;
        })) {
            return false;
        }
        GenericDialog gd = new GenericDialog("Measure Attribution");
        if (macro) {
            // string fields: an unknown title or source gets ExplainJ's message, not GenericDialog's choice error
            gd.addStringField("Heatmap", active.getTitle(), 30);
            gd.addStringField("ROIs", cmd.rois, 12);
            gd.addStringField("Table", cmd.table, 20);
            gd.addCheckbox("Volume", false);
        } else {
            String[] titles = WindowManager.getImageTitles();
            if (titles.length == 0) {
                titles = new String[] {active.getTitle()};
            }
            String last = Prefs.get(PREFIX + "rois", cmd.rois);
            gd.addChoice("Heatmap", titles, Arrays.asList(titles).contains(active.getTitle()) ? active.getTitle()
                    : titles[0]);
            gd.addChoice("ROIs", ROI_SOURCES, Arrays.asList(ROI_SOURCES).contains(last) ? last : ROI_SOURCES[0]);
            gd.addStringField("Table", Prefs.get(PREFIX + "table", cmd.table), 20);
            gd.addCheckbox("Volume", active.getNSlices() > 1 && Prefs.get(PREFIX + "volume", false));
            RoiManager rm = RoiManager.getInstance();
            int n = rm == null ? 0 : rm.getCount();
            gd.addMessage("ROI Manager: " + n + " ROI" + (n == 1 ? "" : "s") + (n == 0 ? " (the selection is "
                    + "measured)" : "") + ". Rows are added to the table.");
        }
        gd.showDialog();
        if (gd.wasCanceled()) {
            return false;
        }
        String title = (macro ? gd.getNextString() : gd.getNextChoice()).trim();
        cmd.rois = (macro ? gd.getNextString() : gd.getNextChoice()).trim();
        cmd.table = gd.getNextString().trim();
        cmd.volume = gd.getNextBoolean();
        if (!macro) {
            Prefs.set(PREFIX + "rois", cmd.rois);
            Prefs.set(PREFIX + "table", cmd.table);
            Prefs.set(PREFIX + "volume", cmd.volume);
        }
        ImagePlus heatmap = title.isEmpty() || title.equals(active.getTitle()) ? active
                : WindowManager.getImage(title);
        if (heatmap == null) {
            Errors.report("No open image is called \"" + title + "\". heatmap= takes the title of an open image "
                    + "(see the Window menu); without it the active image is measured.");
            return false;
        }
        cmd.heatmap = heatmap;
        // a selection drawn on the active image (e.g. the explained image) serves when the heatmap has none
        Roi own = heatmap.getRoi();
        Roi other = active.getRoi();
        if (own == null && heatmap != active && other != null) {
            cmd.selection = other;
        }
        return true;
    }
}
