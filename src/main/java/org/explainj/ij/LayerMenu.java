package org.explainj.ij;

import ij.IJ;
import ij.ImagePlus;
import java.awt.Choice;
import java.awt.EventQueue;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.explainj.ExplainJException;
import org.explainj.command.ExplainImageCommand;

/**
 * The dialog's layer list: {@code (automatic)} and the layers a CAM method can use with the chosen model and image,
 * read from the model (loaded once, cached) in the background so the dialog stays responsive.
 */
final class LayerMenu {

    private LayerMenu() {
    }

    /** The items for a model file; just {@code (automatic)} when the file is missing or cannot be read. */
    static List<String> items(ImagePlus image, String modelPath, String inputSize, String channels) {
        List<String> items = new ArrayList<>();
        items.add(ExplainImageCommand.AUTOMATIC);
        if (modelPath == null || modelPath.isBlank() || !new File(modelPath.trim()).exists()) {
            return items;
        }
        ExplainImageCommand probe = new ExplainImageCommand();
        probe.image = image;
        probe.model = new File(modelPath.trim());
        probe.input_size = inputSize;
        probe.channels = channels;
        try {
            ExplainImageCommand.LayerChoices choices = probe.layerChoices();
            items.addAll(choices.layers());
            if (choices.defaultLayer() != null) {
                items.set(0, ExplainImageCommand.AUTOMATIC);
                IJ.showStatus("ExplainJ: default layer " + choices.defaultLayer());
            }
        } catch (ExplainJException e) {
            IJ.showStatus("ExplainJ: " + e.getMessage());
        }
        return items;
    }

    /** Refills a Choice in the background, keeping the selection when it is still offered. */
    static void refill(Choice choice, ImagePlus image, String modelPath, String inputSize, String channels) {
        Thread t = new Thread(() -> {
            List<String> items = items(image, modelPath, inputSize, channels);
            EventQueue.invokeLater(() -> {
                String selected = choice.getSelectedItem();
                choice.removeAll();
                for (String item : items) {
                    choice.add(item);
                }
                if (selected != null && items.contains(selected)) {
                    choice.select(selected);
                }
            });
        }, "ExplainJ layer list");
        t.setDaemon(true);
        t.start();
    }
}
