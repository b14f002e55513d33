package org.explainj.ij;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.explainj.ExplainJException;
import org.explainj.explain.OpenModel;

/** The dialog's target list when the model has class names: top, top3, all, then "index: name" per class. */
final class TargetMenu {

    private static final int MAX_CLASSES = 1000;

    private TargetMenu() {
    }

    /** The items, or an empty list when the model is unknown or has no labels (the dialog then offers a text field). */
    static List<String> items(String modelPath) {
        if (modelPath == null || modelPath.isBlank() || !new File(modelPath.trim()).exists()) {
            return List.of();
        }
        List<String> labels;
        try {
            labels = OpenModel.open(new File(modelPath.trim()).toPath()).labels();
        } catch (ExplainJException e) {
            return List.of();
        }
        if (labels.isEmpty()) {
            return List.of();
        }
        List<String> items = new ArrayList<>(List.of("top", "top3", "all"));
        for (int i = 0; i < Math.min(labels.size(), MAX_CLASSES); i++) {
            items.add(i + ": " + labels.get(i));
        }
        return items;
    }
}
