package org.explainj.ij;

import ij.ImagePlus;
import ij.WindowManager;
import ij.macro.Interpreter;
import org.explainj.evaluate.EvaluationException;

/**
 * The explained image and its heatmap for the evaluation commands: the active image is the explained image, or, when
 * it is an ExplainJ heatmap itself, the image its Info names (that image must still be open).
 */
final class HeatmapSource {

    private HeatmapSource() {
    }

    /** {image, heatmap}: the heatmap is null when the active image is not one (the command then finds it). */
    static ImagePlus[] of(ImagePlus active) {
        Object info = active.getProperty("Info");
        if (info instanceof String s && s.startsWith("ExplainJ\n")) {
            for (String line : s.split("\n")) {
                if (line.startsWith("image=")) {
                    String title = line.substring("image=".length()).trim();
                    ImagePlus source = WindowManager.getImage(title);
                    if (source != null && source != active) {
                        return new ImagePlus[] {source, active};
                    }
                    if (source == null) {
                        throw new EvaluationException("The active image \"" + active.getTitle() + "\" is a heatmap "
                                + "made from \"" + title + "\", which is not open: the model needs that image. Open "
                                + "it, or make the explained image active and give heatmap=[" + active.getTitle()
                                + "].");
                    }
                }
            }
        }
        return new ImagePlus[] {active, null};
    }

    /** {@link #of}, or null after reporting why not (the command then stops). */
    static ImagePlus[] orReport(ImagePlus active) {
        try {
            return of(active);
        } catch (EvaluationException e) {
            Errors.report(e.getMessage());
            return null;
        }
    }

    /** Makes the explained image active again after the results were shown (so that a macro can go on with it). */
    static void reactivate(ImagePlus image) {
        if (Interpreter.isBatchMode()) {
            WindowManager.setTempCurrentImage(image);
        } else if (image.getWindow() != null) {
            WindowManager.setCurrentWindow(image.getWindow());
        }
    }
}
