package org.explainj.command;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.Roi;
import ij.measure.ResultsTable;
import ij.plugin.frame.RoiManager;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.explainj.render.HeatmapRegions;
import org.explainj.measure.AttributionMap;
import org.explainj.measure.AttributionMeasures;
import org.explainj.measure.MeasureException;
import org.explainj.measure.Region;
import org.explainj.measure.RoiStatistics;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

/**
 * Measures a heatmap inside ROIs: one row per ROI in a Results table with {@code Label}, {@code Area},
 * {@code Mean}, {@code IntDen}, {@code Max}, {@code Fraction} (share of the map's positive attribution inside the ROI)
 * and {@code Pointing} (1 when the map's maximum lies inside the ROI). Field names are the macro keys of
 * {@code run("Measure Attribution", "heatmap=[title] rois=manager table=Results")}.
 *
 * <p>The numbers come from {@link AttributionMeasures}; this class turns ImageJ ROIs into {@link Region}s and the
 * rows into a {@link ResultsTable}. With {@code rois=selection} it needs no display (the ROI Manager is a window).
 *
 * <p>Stacks (several targets or planes): the selection is measured on the current slice; a ROI Manager ROI on the
 * slice it belongs to (its stack or hyperstack position, as ImageJ's Measure does), else on the current slice. The
 * label then ends with the slice's label, e.g. {@code heat:disk:class 1 (ring cell)}.
 */
@Plugin(type = Command.class, label = "Measure Attribution", headless = true)
public class MeasureAttributionCommand implements Command {

    /** The columns written, in order (after the row label). */
    public static final String[] COLUMNS = {"Area", "Mean", "IntDen", "Max", "Fraction", "Pointing"};

    /** The default table: ImageJ's system Results table. */
    public static final String RESULTS = "Results";

    @Parameter(label = "Heatmap", description = "The heatmap (32-bit, or 8/16-bit greyscale) to measure")
    public ImagePlus heatmap;

    @Parameter(label = "ROIs", choices = {"manager", "selection"},
        description = "manager: every ROI in the ROI Manager (the selection when the manager is empty); "
            + "selection: the heatmap's selection")
    public String rois = "manager";

    @Parameter(label = "Table", required = false, description = "Results table to add the rows to")
    public String table = RESULTS;

    @Parameter(label = "Volume", description = "A heatmap z-stack (a 3-D model's map): measure each ROI as a column "
        + "through every slice, relative to the whole volume (Volume instead of Area)")
    public boolean volume = false;

    @Parameter(type = ItemIO.OUTPUT)
    public ResultsTable results;

    /**
     * The selection to measure with {@code rois=selection} (or when the ROI Manager is empty) instead of the
     * heatmap's own; e.g. a selection drawn on the image the heatmap explains. Null: the heatmap's selection.
     */
    public Roi selection;

    /** The rows added to the table, in order. */
    public List<RoiStatistics> rows;

    /** The notes and warnings written to the Log (without the "ExplainJ: " prefix). */
    public final List<String> messages = new ArrayList<>();

    @Override
    public void run() {
        messages.clear();
        if (volume) {
            measureVolume();
            return;
        }
        AttributionMap current = HeatmapRegions.attributionMap(heatmap);
        List<Roi> list = new ArrayList<>();
        List<String> names = new ArrayList<>();
        boolean fromManager = collectRois(list, names);
        int stackSize = heatmap.getStackSize();
        Map<Integer, AttributionMap> maps = new LinkedHashMap<>();
        maps.put(heatmap.getCurrentSlice(), current);
        List<Region> regions = new ArrayList<>();
        List<RoiStatistics> measured = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            ImagePlus drawnOn = list.get(i).getImage();
            if (drawnOn != null && drawnOn != heatmap && (drawnOn.getWidth() != heatmap.getWidth()
                    || drawnOn.getHeight() != heatmap.getHeight())) {
                throw new MeasureException("ROI \"" + names.get(i) + "\" was drawn on \"" + drawnOn.getTitle()
                        + "\" (" + drawnOn.getWidth() + "x" + drawnOn.getHeight() + "), but the heatmap \""
                        + heatmap.getTitle() + "\" is " + heatmap.getWidth() + "x" + heatmap.getHeight() + ": ROIs "
                        + "are pixel coordinates. Draw it on the heatmap (or an image of its size), or make the "
                        + "heatmap at the image's size (without layer_resolution).");
            }
            Region r = HeatmapRegions.region(list.get(i), names.get(i));
            // like ImageJ's Measure from the ROI Manager: a ROI tied to a slice is measured there
            int index = fromManager ? HeatmapRegions.stackIndex(heatmap, list.get(i), r.name()) : heatmap.getCurrentSlice();
            AttributionMap map = maps.computeIfAbsent(index, k -> HeatmapRegions.attributionMap(heatmap, k));
            String label = map.name() + ":" + r.name() + (stackSize > 1 ? ":" + sliceName(heatmap, index) : "");
            regions.add(r);
            measured.add(AttributionMeasures.measure(map, r, label));
        }
        // every ROI measured: now the warnings (none are written when a ROI fails)
        for (Region r : regions) {
            if (r.exceeds(current.width(), current.height())) {
                log("ROI \"" + r.name() + "\" (bounds " + r.boundsText() + ") reaches beyond the heatmap \""
                        + current.name() + "\" (" + current.width() + "x" + current.height() + "); only the part "
                        + "inside is measured. Was it drawn on an image of another size?");
            }
        }
        for (Map.Entry<Integer, AttributionMap> e : maps.entrySet()) {
            if (!e.getValue().hasPositive()) {
                log("the heatmap \"" + heatmap.getTitle() + "\"" + (stackSize > 1 ? " (" + sliceName(heatmap,
                        e.getKey()) + ")" : "") + " has no positive values, so Fraction is 0 for every ROI on it.");
            }
        }
        rows = measured;
        results = write(measured, table, "Area");
    }

    /**
     * {@code volume}: every ROI is a column through all z-slices of its channel and frame (its position, else the
     * current ones); Fraction and Pointing refer to that whole volume.
     */
    private void measureVolume() {
        HeatmapRegions.checkHeatmap(heatmap);
        if (heatmap.getNSlices() < 2) {
            throw new MeasureException("volume measures a heatmap z-stack (a 3-D model's map), but \""
                    + heatmap.getTitle() + "\" has " + heatmap.getNSlices() + " z-slice" + (heatmap.getNFrames() > 1
                    ? " and " + heatmap.getNFrames() + " frames" : "") + ". Measure without volume, or open the "
                    + "heatmap z-stack.");
        }
        List<Roi> list = new ArrayList<>();
        List<String> names = new ArrayList<>();
        collectRois(list, names);
        int[] current = heatmap.convertIndexToPosition(heatmap.getCurrentSlice());
        Map<Integer, AttributionMap> volumes = new LinkedHashMap<>();
        List<RoiStatistics> measured = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Roi roi = list.get(i);
            int c = roi.hasHyperStackPosition() && roi.getCPosition() > 0 ? roi.getCPosition() : current[0];
            int t = roi.hasHyperStackPosition() && roi.getTPosition() > 0 ? roi.getTPosition() : current[2];
            if (c > heatmap.getNChannels() || t > heatmap.getNFrames()) {
                throw new MeasureException("ROI \"" + names.get(i) + "\" belongs to c=" + c + ", t=" + t
                        + ", but the heatmap \"" + heatmap.getTitle() + "\" has " + heatmap.getNChannels()
                        + " channel(s) and " + heatmap.getNFrames() + " frame(s).");
            }
            AttributionMap map = volumes.computeIfAbsent(heatmap.getStackIndex(c, 1, t),
                    k -> HeatmapRegions.volumeMap(heatmap, c, t));
            String where = heatmap.getNChannels() * heatmap.getNFrames() > 1 ? ":c=" + c + ",t=" + t : "";
            measured.add(AttributionMeasures.measure(map, HeatmapRegions.region(roi, names.get(i)), map.name() + ":"
                    + names.get(i) + ":volume" + where));
        }
        for (AttributionMap m : volumes.values()) {
            if (!m.hasPositive()) {
                log("the heatmap \"" + heatmap.getTitle() + "\" has no positive values, so Fraction is 0 for every "
                        + "ROI on it.");
            }
        }
        rows = measured;
        results = write(measured, table, "Volume");
    }

    /** The slice's label (e.g. the explained class), or "slice n". */
    private static String sliceName(ImagePlus imp, int index) {
        String label = imp.getStack().getShortSliceLabel(index);
        return label != null && !label.isBlank() ? label : "slice " + index;
    }

    /** The ROIs to measure and their names, from the ROI Manager (returns true) or the selection. */
    private boolean collectRois(List<Roi> list, List<String> names) {
        String mode = rois == null || rois.isBlank() ? "manager" : rois.trim().toLowerCase(Locale.ROOT);
        if (!mode.equals("manager") && !mode.equals("selection")) {
            throw new MeasureException("rois=" + rois + " is not known: use rois=manager (the ROIs in the ROI "
                    + "Manager) or rois=selection (the selection on the heatmap).");
        }
        Roi sel = selection != null ? selection : heatmap.getRoi();
        if (mode.equals("manager")) {
            RoiManager rm = Manager.instance();
            if (rm != null && rm.getCount() > 0) {
                Roi[] all = rm.getRoisAsArray();
                for (int i = 0; i < all.length; i++) {
                    list.add(all[i]);
                    String name = rm.getName(i);
                    names.add(name != null ? name : all[i].getName() != null ? all[i].getName() : "roi" + (i + 1));
                }
                return true;
            }
            if (sel == null) {
                throw new MeasureException("No ROIs to measure: the ROI Manager is empty and \"" + heatmap.getTitle()
                        + "\" has no selection. Add ROIs to the ROI Manager (draw a selection, then Analyze › Tools "
                        + "› ROI Manager... › Add, or press T), or draw a selection on the heatmap.");
            }
            // the ROI Manager is empty: the selection, silently, like ImageJ's Measure
        } else if (sel == null) {
            throw new MeasureException("rois=selection needs a selection on \"" + heatmap.getTitle() + "\": draw "
                    + "one (rectangle, oval, freehand...), or use rois=manager with ROIs in the ROI Manager.");
        }
        list.add(sel);
        names.add(sel.getName() != null && !sel.getName().isBlank() ? sel.getName() : "selection");
        return false;
    }

    /** Adds the rows to the named table (ImageJ's Results table by default) and shows it when there is a display. */
    private static ResultsTable write(List<RoiStatistics> measured, String name, String areaColumn) {
        String title = name == null || name.isBlank() ? RESULTS : name.trim();
        boolean system = title.equals(RESULTS);
        ResultsTable rt = system ? ResultsTable.getResultsTable() : ResultsTable.getResultsTable(title);
        if (rt == null) {
            rt = new ResultsTable();
        }
        for (RoiStatistics s : measured) {
            rt.incrementCounter();
            rt.addLabel(s.label());
            List<Number> v = s.values();
            for (int i = 0; i < v.size(); i++) {
                rt.addValue(i == 0 ? areaColumn : RoiStatistics.COLUMNS.get(i), v.get(i).doubleValue());
            }
        }
        rt.show(title);
        if (!system) {
            // a new table window shows a copy: keep adding to (and return) the table the window shows
            ResultsTable shown = ResultsTable.getResultsTable(title);
            if (shown != null) {
                rt = shown;
            }
        }
        return rt;
    }

    private void log(String message) {
        messages.add(message);
        IJ.log("ExplainJ: " + message);
    }

    /** The ROI Manager, only touched with rois=manager (its class is an AWT window). */
    private static final class Manager {

        static RoiManager instance() {
            return RoiManager.getInstance();
        }
    }
}
