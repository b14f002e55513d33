package org.explainj.ij;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.Prefs;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.macro.Interpreter;
import ij.plugin.PlugIn;
import java.awt.Choice;
import java.awt.TextField;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import org.explainj.ExplainJException;
import org.explainj.command.ExplainImageCommand;
import org.explainj.explain.CancelledException;
import org.explainj.explain.Method;
import org.explainj.render.Luts;

/**
 * {@code Plugins › ExplainJ › Explain Image...}: dialogs (or macro options) for {@link ExplainImageCommand}. The
 * heatmap becomes the active image. Macro keys equal the command's field names, e.g.
 * {@code run("Explain Image...", "model=[/path/model.pt] method=Grad-CAM layer=layer4 target=top");}. Methods with
 * parameters (SmoothGrad, Integrated Gradients, Occlusion, Score-CAM, CAM, Guided Grad-CAM) ask for them in a
 * second dialog; in a macro all keys go in the same options string.
 */
public class ExplainImagePlugin implements PlugIn {

    private static final String PREFIX = "explainj.explain.";

    @Override
    public void run(String arg) {
        ImagePlus imp = WindowManager.getCurrentImage();
        if (imp == null) {
            Errors.report("No image is open. Open the image to explain first (File › Open...).");
            return;
        }
        ExplainImageCommand cmd = new ExplainImageCommand();
        cmd.image = imp;
        if (!showDialog(cmd) || !showMethodDialog(cmd)) {
            return;
        }
        try {
            IJ.showStatus("ExplainJ: " + cmd.method + " on " + imp.getTitle() + "...");
            cmd.run();
        } catch (CancelledException e) {
            Errors.cancelled(e.getMessage());
            return;
        } catch (ExplainJException e) {
            Errors.report(e.getMessage());
            return;
        } catch (RuntimeException | LinkageError e) {
            Errors.unexpected(e);
            return;
        } finally {
            IJ.showStatus("");
        }
        cmd.heatmap.show();
        if (cmd.overlay) {
            imp.updateAndDraw();
        }
        IJ.showStatus("ExplainJ: " + cmd.method + ", class " + cmd.result.targetClass() + " (score "
                + String.format("%.4g", cmd.result.targetScore()) + ")");
    }

    /** Fills the command from the main dialog, or from the macro options when a macro runs this plugin. */
    static boolean showDialog(ExplainImageCommand cmd) {
        boolean macro = Macro.getOptions() != null;
        GenericDialog gd = new GenericDialog("Explain Image");
        if (macro) {
            // same key; ij1-patcher's HeadlessGenericDialog (Fiji --headless) ignores addFileField entirely
            gd.addStringField("Model", "", 40);
        } else {
            gd.addFileField("Model", Prefs.get(PREFIX + "model", ""), 40);
        }
        gd.addChoice("Method", Method.labels().toArray(new String[0]), remembered(macro, "method", cmd.method));
        Choice layerChoice = null;
        if (macro) {
            gd.addStringField("Layer", cmd.layer, 20);
        } else {
            List<String> layers = LayerMenu.items(cmd.image, Prefs.get(PREFIX + "model", ""),
                    Prefs.get(PREFIX + "input_size", ""), Prefs.get(PREFIX + "channels", ""));
            String last = Prefs.get(PREFIX + "layer", ExplainImageCommand.AUTOMATIC);
            gd.addChoice("Layer", layers.toArray(new String[0]), layers.contains(last) ? last : layers.get(0));
            layerChoice = (Choice) gd.getChoices().lastElement();
        }
        List<String> targets = macro ? List.of() : TargetMenu.items(Prefs.get(PREFIX + "model", ""));
        if (targets.isEmpty()) {
            gd.addStringField("Target", remembered(macro, "target", cmd.target), 12);
        } else {
            String last = Prefs.get(PREFIX + "target", cmd.target);
            gd.addChoice("Target", targets.toArray(new String[0]), targets.contains(last) ? last : targets.get(0));
        }
        if (macro) {
            gd.addStringField("Region", cmd.region, 12);
        } else {
            String[] regions = regionChoices(cmd.image);
            gd.addChoice("Region", regions, regions[0]);
        }
        gd.addChoice("Scale", new String[] {"type", "none", "minmax"}, remembered(macro, "scale", cmd.scale));
        gd.addChoice("Model_dims", new String[] {"auto", "2d", "3d"}, remembered(macro, "model_dims",
                cmd.model_dims));
        gd.addStringField("Channels", remembered(macro, "channels", cmd.channels), 12);
        gd.addStringField("Input_size", remembered(macro, "input_size", cmd.input_size), 12);
        if (!macro) {
            // (the headless dialog of ij1-patcher has no fields: only the real dialog gets a listener)
            java.util.Vector<?> fields = gd.getStringFields();
            TextField modelField = (TextField) fields.get(0);
            TextField channelsField = (TextField) fields.get(fields.size() - 2);
            TextField sizeField = (TextField) fields.get(fields.size() - 1);
            Choice layers = layerChoice;
            gd.addDialogListener((dialog, event) -> {
                if (event != null && event.getSource() == modelField) {
                    LayerMenu.refill(layers, cmd.image, modelField.getText(), sizeField.getText(),
                            channelsField.getText());
                }
                return true;
            });
        }
        gd.addStringField("Mean", remembered(macro, "mean", cmd.mean), 20);
        gd.addStringField("Std", remembered(macro, "std", cmd.std), 20);
        gd.addStringField("Output", remembered(macro, "output", cmd.output), 12);
        gd.addChoice("Layout", new String[] {"auto", "nchw", "nhwc", "tokens"}, remembered(macro, "layout",
                cmd.layout));
        gd.addStringField("Prefix_tokens", remembered(macro, "prefix_tokens", cmd.prefix_tokens), 6);
        gd.addStringField("Labels", remembered(macro, "labels", ""), 30);
        gd.addChoice("LUT", Luts.NAMES.toArray(new String[0]), remembered(macro, "lut", cmd.lut));
        boolean stack = cmd.image != null && cmd.image.getNSlices() * cmd.image.getNFrames() > 1;
        gd.addCheckboxGroup(4, 2, new String[] {"Counterfactual", "Signed", "No_ReLU", "Normalize",
            "Layer_resolution", "All_slices", "Calibration_bar", "Overlay"}, new boolean[] {cmd.counterfactual,
                cmd.signed, cmd.no_relu, cmd.normalize, cmd.layer_resolution, macro ? cmd.all_slices : stack,
                cmd.calibration_bar, cmd.overlay});
        gd.addSlider("Opacity", 0, 1, cmd.opacity, 0.05);
        gd.showDialog();
        if (gd.wasCanceled()) {
            return false;
        }
        String model = gd.getNextString().trim();
        cmd.model = model.isEmpty() ? null : new File(model);
        cmd.method = gd.getNextChoice();
        cmd.layer = (macro ? gd.getNextString() : gd.getNextChoice()).trim();
        cmd.target = (targets.isEmpty() ? gd.getNextString() : gd.getNextChoice()).trim();
        cmd.region = (macro ? gd.getNextString() : gd.getNextChoice()).trim();
        cmd.scale = gd.getNextChoice();
        cmd.model_dims = gd.getNextChoice();
        cmd.channels = gd.getNextString().trim();
        cmd.input_size = gd.getNextString().trim();
        cmd.mean = gd.getNextString().trim();
        cmd.std = gd.getNextString().trim();
        cmd.output = gd.getNextString().trim();
        cmd.layout = gd.getNextChoice();
        cmd.prefix_tokens = gd.getNextString().trim();
        String labels = gd.getNextString().trim();
        cmd.labels = labels.isEmpty() ? null : new File(labels);
        cmd.lut = gd.getNextChoice();
        cmd.counterfactual = gd.getNextBoolean();
        cmd.signed = gd.getNextBoolean();
        cmd.no_relu = gd.getNextBoolean();
        cmd.normalize = gd.getNextBoolean();
        cmd.layer_resolution = gd.getNextBoolean();
        cmd.all_slices = gd.getNextBoolean();
        cmd.calibration_bar = gd.getNextBoolean();
        cmd.overlay = gd.getNextBoolean();
        cmd.opacity = gd.getNextNumber();
        if (!macro) {
            Prefs.set(PREFIX + "model", model);
            Prefs.set(PREFIX + "method", cmd.method);
            Prefs.set(PREFIX + "layer", cmd.layer);
            Prefs.set(PREFIX + "target", cmd.target);
            Prefs.set(PREFIX + "scale", cmd.scale);
            Prefs.set(PREFIX + "model_dims", cmd.model_dims);
            Prefs.set(PREFIX + "channels", cmd.channels);
            Prefs.set(PREFIX + "input_size", cmd.input_size);
            Prefs.set(PREFIX + "mean", cmd.mean);
            Prefs.set(PREFIX + "std", cmd.std);
            Prefs.set(PREFIX + "output", cmd.output);
            Prefs.set(PREFIX + "layout", cmd.layout);
            Prefs.set(PREFIX + "prefix_tokens", cmd.prefix_tokens);
            Prefs.set(PREFIX + "labels", labels);
            Prefs.set(PREFIX + "lut", cmd.lut);
        }
        return true;
    }

    /**
     * The second dialog with the chosen method's parameters (none for most methods). Returns false on cancel or
     * an unknown method (reported).
     */
    static boolean showMethodDialog(ExplainImageCommand cmd) {
        Method m;
        try {
            m = Method.parse(cmd.method);
        } catch (ExplainJException e) {
            Errors.report(e.getMessage());
            return false;
        }
        boolean macro = Macro.getOptions() != null;
        GenericDialog gd = new GenericDialog(m.label() + " options");
        switch (m) {
            case CAM:
                gd.addStringField("CAM_weights", remembered(macro, "cam_weights", cmd.cam_weights), 20);
                gd.addMessage("Blank: the classifier weight of shape [classes, channels] is found automatically.");
                break;
            case SCORE_CAM:
                gd.addNumericField("Batch_size", cmd.batch_size, 0);
                break;
            case SMOOTH_GRAD:
                gd.addNumericField("Samples", cmd.samples, 0);
                gd.addNumericField("Noise", cmd.noise, 3, 6, "× (max − min)");
                gd.addNumericField("Seed", cmd.seed, 0);
                gd.addNumericField("Batch_size", cmd.batch_size, 0);
                break;
            case INTEGRATED_GRADIENTS:
                gd.addNumericField("Steps", cmd.steps, 0);
                gd.addChoice("Integration", new String[] {"gausslegendre", "riemann_right", "riemann_left",
                    "riemann_middle", "riemann_trapezoid"}, cmd.integration);
                gd.addNumericField("Baseline", cmd.baseline, 3);
                gd.addNumericField("Batch_size", cmd.batch_size, 0);
                break;
            case OCCLUSION:
                gd.addNumericField("Window", cmd.window, 0, 6, "pixels");
                gd.addNumericField("Stride", cmd.stride, 0, 6, "pixels");
                gd.addNumericField("Baseline", cmd.baseline, 3);
                gd.addNumericField("Batch_size", cmd.batch_size, 0);
                break;
            case GUIDED_GRAD_CAM:
                gd.addChoice("Interpolation", new String[] {"nearest", "bilinear"}, cmd.interpolation);
                break;
            default:
                return true;
        }
        gd.showDialog();
        if (gd.wasCanceled()) {
            return false;
        }
        switch (m) {
            case CAM:
                cmd.cam_weights = gd.getNextString().trim();
                break;
            case SCORE_CAM:
                cmd.batch_size = (int) gd.getNextNumber();
                break;
            case SMOOTH_GRAD:
                cmd.samples = (int) gd.getNextNumber();
                cmd.noise = gd.getNextNumber();
                cmd.seed = (long) gd.getNextNumber();
                cmd.batch_size = (int) gd.getNextNumber();
                break;
            case INTEGRATED_GRADIENTS:
                cmd.steps = (int) gd.getNextNumber();
                cmd.integration = gd.getNextChoice();
                cmd.baseline = gd.getNextNumber();
                cmd.batch_size = (int) gd.getNextNumber();
                break;
            case OCCLUSION:
                cmd.window = (int) gd.getNextNumber();
                cmd.stride = (int) gd.getNextNumber();
                cmd.baseline = gd.getNextNumber();
                cmd.batch_size = (int) gd.getNextNumber();
                break;
            default:
                cmd.interpolation = gd.getNextChoice();
        }
        if (gd.invalidNumber()) {
            Errors.report("A number in the " + m.label() + " options is not valid.");
            return false;
        }
        return true;
    }

    /** none, selection (when the image has an area selection), and the open images of the same size. */
    private static String[] regionChoices(ImagePlus image) {
        List<String> items = new ArrayList<>();
        items.add("none");
        if (image != null && image.getRoi() != null && image.getRoi().isArea()) {
            items.add("selection");
        }
        int[] ids = WindowManager.getIDList();
        if (ids != null && image != null) {
            for (int id : ids) {
                ImagePlus other = WindowManager.getImage(id);
                if (other != null && other != image && other.getWidth() == image.getWidth()
                        && other.getHeight() == image.getHeight()) {
                    items.add(other.getTitle());
                }
            }
        }
        return items.toArray(new String[0]);
    }

    private static String remembered(boolean macro, String key, String dflt) {
        return macro ? dflt : Prefs.get(PREFIX + key, dflt);
    }

    /** Whether ImageJ runs without its window (batch macro, headless). */
    static boolean batch() {
        return IJ.getInstance() == null || Interpreter.isBatchMode();
    }
}
