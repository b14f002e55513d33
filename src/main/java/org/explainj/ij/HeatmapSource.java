package org.explainj.ij;

import ij.ImagePlus;
import ij.WindowManager;
import ij.macro.Interpreter;

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
                    ImagePlus source = WindowManager.getImage(line.substring("image=".length()).trim());
                    if (source != null && source != active) {
                        return new ImagePlus[] {source, active};
                    }
                }
            }
        }
        return new ImagePlus[] {active, null};
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
