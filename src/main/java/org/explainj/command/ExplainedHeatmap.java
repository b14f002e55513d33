package org.explainj.command;

import ij.ImagePlus;
import ij.WindowManager;
import java.io.File;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.explainj.evaluate.EvaluationException;
import org.explainj.explain.Keys;
import org.explainj.explain.Values;
import org.explainj.render.ImageExplanation;

/**
 * A heatmap made by Explain Image and what its Info says about how it was made (model, method, layer, target,
 * input keys): what Evaluate Explanation and Sanity Check start from.
 */
record ExplainedHeatmap(ImagePlus heatmap, Map<String, String> info) {

    /** The keys of Explain Image that say how the image became the model input (written as key.* in the Info). */
    static final java.util.List<String> INPUT_KEYS = java.util.List.of("scale", "channels", "input_size", "mean", "std",
            "output");

    /**
     * The open image titled {@code title}, else the heatmap given directly (the active one), else the latest heatmap
     * made from {@code image} in this session.
     */
    static ExplainedHeatmap find(ImagePlus image, String title, ImagePlus given) {
        ImagePlus heat = null;
        if (title != null && !title.isBlank()) { // a title given by the user wins over the active heatmap
            heat = WindowManager.getImage(title.trim());
            if (heat == null) {
                throw new EvaluationException("No open image is titled \"" + title.trim() + "\". Give the title "
                        + "of the heatmap to evaluate (Window menu), or leave heatmap blank for the latest heatmap "
                        + "made from \"" + image.getTitle() + "\".");
            }
        }
        if (heat == null) {
            heat = given;
        }
        if (heat == null) {
            heat = ImageExplanation.latestHeatmap(image);
            if (heat == null) {
                throw new EvaluationException("No heatmap was made from \"" + image.getTitle() + "\" in this "
                        + "session. Explain it first (Plugins › ExplainJ › Explain Image...), or give "
                        + "heatmap=[title] of an open heatmap.");
            }
        }
        Map<String, String> info = new LinkedHashMap<>();
        if (heat.getProperty("Info") instanceof String s) {
            for (String line : s.split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    info.putIfAbsent(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                }
            }
        }
        return new ExplainedHeatmap(heat, info);
    }

    /**
     * Explain Image's keys to reproduce the heatmap's input: each given value (non-blank) wins, else the Info's
     * ({@code model=}, {@code target_class=}, {@code key.*}).
     *
     * @param inputKeys values of {@link #INPUT_KEYS} as given (missing or blank: from the Info)
     */
    /**
     * The entry of the heatmap's current slice in a per-slice Info line ({@code key=a,b,...}, one entry per slice),
     * or null when the line is missing or does not fit the stack.
     */
    private String shownEntry(String key) {
        String perSlice = info.get(key);
        if (perSlice == null) {
            return null;
        }
        String[] entries = perSlice.split(",");
        int slice = heatmap.getCurrentSlice();
        return entries.length == heatmap.getStackSize() && slice >= 1 && slice <= entries.length
                ? entries[slice - 1].trim() : null;
    }

    /** The image plane {z, t} the heatmap's current slice explains (Info {@code slice_planes}), or null. */
    int[] shownPlane() {
        String entry = shownEntry("slice_planes");
        if (entry == null) {
            return null;
        }
        String[] zt = entry.split(":");
        try {
            return new int[] {Integer.parseInt(zt[0]), Integer.parseInt(zt[1])};
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The target class of the heatmap's current slice (Info {@code slice_classes}, else {@code target_class}). */
    private String shownClass() {
        String entry = shownEntry("slice_classes");
        return entry != null ? entry : info.getOrDefault("target_class", "top");
    }

    Values values(File model, String target, Map<String, String> inputKeys) {
        Values v = Values.defaults();
        String modelPath = model != null && !model.getPath().isBlank() ? model.getPath() : info.get("model");
        if (modelPath == null || modelPath.isBlank()) {
            throw new EvaluationException("The heatmap \"" + heatmap.getTitle() + "\" does not say which model "
                    + "made it (its Info has no model= line): give model=[/path/to/model.pt] and the input keys it "
                    + "was made with.");
        }
        v = v.parse(Keys.MODEL.key(), modelPath);
        v = v.parse(Keys.TARGET.key(), target != null && !target.isBlank() ? target : shownClass());
        for (String key : INPUT_KEYS) {
            String given = inputKeys.get(key);
            String value = given != null && !given.isBlank() ? given : info.get("key." + key);
            if (value != null && !value.isBlank()) {
                v = v.parse(key, value);
            }
        }
        String dims = info.get("key.model_dims");
        if (dims != null && !dims.isBlank()) {
            v = v.parse(Keys.MODEL_DIMS.key(), dims.toLowerCase(Locale.ROOT));
        }
        return v;
    }
}
