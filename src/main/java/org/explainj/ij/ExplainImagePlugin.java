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
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.explainj.ExplainJException;
import org.explainj.command.ExplainImageCommand;
import org.explainj.explain.Keys;
import org.explainj.explain.Method;
import org.explainj.explain.Option;
import org.explainj.explain.Option.Section;
import org.explainj.explain.Options;
import org.explainj.explain.Values;

/**
 * {@code Plugins › ExplainJ › Explain Image...}: dialogs (or macro options) for {@link ExplainImageCommand}, made
 * from the key definitions ({@link Keys}): one field per key, labelled so that ImageJ's macro key is the key's name,
 * e.g. {@code run("Explain Image...", "model=[/path/model.pt] method=Grad-CAM layer=layer4 target=top");}. The options
 * of the chosen method that belong to it alone (Integrated Gradients' steps, Occlusion's window...) come in a second
 * dialog; in a macro all keys go in the same options string. The heatmap becomes the active image.
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
        try {
            if (!showDialog(cmd) || !showMethodDialog(cmd)) {
                return;
            }
        } catch (ExplainJException e) {
            Errors.report(e.getMessage());
            return;
        }
        IJ.showStatus("ExplainJ: " + cmd.method + " on " + imp.getTitle() + "...");
        boolean done = Errors.run(cmd::run);
        IJ.showStatus("");
        if (!done) {
            return;
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
        if (Errors.macroWithoutKeys()) {
            return true; // a macro that gives no keys never waits on a dialog: the defaults (which need a model)
        }
        boolean macro = Macro.getOptions() != null;
        DialogFields.refuseUnknownKeys("Explain Image", DialogFields.keysOf(Keys.ALL));
        Form form = new Form(new GenericDialog("Explain Image"), macro, remembered(macro, cmd));
        for (Option<?> o : Keys.ALL) {
            if (o.section() != Section.METHOD) {
                form.add(o, cmd);
            }
        }
        form.flushFlags();
        form.addModelListener(cmd);
        form.gd.showDialog();
        if (form.gd.wasCanceled()) {
            return false;
        }
        Values v = form.read();
        cmd.setValues(v);
        if (!macro) {
            remember(v, Section.METHOD, false);
        }
        return true;
    }

    /**
     * The second dialog with the chosen method's own options (none for most methods). Returns false on cancel or an
     * unknown method (reported).
     */
    static boolean showMethodDialog(ExplainImageCommand cmd) {
        Method m;
        try {
            m = Method.parse(cmd.method);
        } catch (ExplainJException e) {
            Errors.report(e.getMessage());
            return false;
        }
        List<Option<?>> own = m.options().stream().filter(o -> o.section() == Section.METHOD).toList();
        if (own.isEmpty() || Errors.macroWithoutKeys()) {
            return true;
        }
        boolean macro = Macro.getOptions() != null;
        Form form = new Form(new GenericDialog(m.label() + " options"), macro, cmd.values());
        for (Option<?> o : own) {
            form.add(o, cmd);
        }
        form.flushFlags();
        form.gd.showDialog();
        if (form.gd.wasCanceled()) {
            return false;
        }
        try {
            cmd.setValues(form.read());
        } catch (ExplainJException e) {
            Errors.report(e.getMessage());
            return false;
        }
        if (!macro) {
            remember(cmd.values(), Section.METHOD, true);
        }
        return true;
    }

    /**
     * A dialog built key by key: every field added registers how it is read back, so the reading follows the adding
     * (no parallel list of getNext calls). Flags that follow each other share a two-column checkbox group.
     */
    private static final class Form {
        final GenericDialog gd;
        final boolean macro;
        final Values start;
        final List<Function<Values, Values>> readers = new ArrayList<>();
        final List<Option<?>> flags = new ArrayList<>();
        TextField modelField;
        java.awt.Component modelLabel;
        TextField channelsField;
        TextField sizeField;
        Choice layerChoice;

        Form(GenericDialog gd, boolean macro, Values start) {
            this.gd = gd;
            this.macro = macro;
            this.start = start;
        }

        void add(Option<?> o, ExplainImageCommand cmd) {
            if (o.isFlag()) {
                flags.add(o);
                return;
            }
            flushFlags();
            String label = o.dialogLabel();
            Object value = start.get(o);
            String text = value == null ? "" : Option.format(value);
            if (o == Keys.MODEL && !macro) {
                // (ij1-patcher's headless dialog has no file fields: a macro gets a string field)
                gd.addFileField(label, text, 40);
                modelField = lastString();
                readers.add(v -> v.parse(o.key(), gd.getNextString()));
                gd.addMessage(ModelLabel.describe(text));
                modelLabel = gd.getMessage();
            } else if (o == Options.LAYER && !macro) {
                List<String> layers = LayerMenu.items(cmd.image, start.get(Keys.MODEL) == null ? ""
                        : start.get(Keys.MODEL).getPath(), start.get(Keys.INPUT_SIZE), start.get(Keys.CHANNELS));
                String last = text.isBlank() ? ExplainImageCommand.AUTOMATIC : text;
                gd.addChoice(label, layers.toArray(new String[0]), layers.contains(last) ? last : layers.get(0));
                layerChoice = (Choice) gd.getChoices().lastElement();
                readers.add(v -> v.parse(o.key(), gd.getNextChoice()));
            } else if (o == Keys.TARGET && !macro && !targets().isEmpty()) {
                List<String> items = targets();
                gd.addChoice(label, items.toArray(new String[0]), items.contains(text) ? text : items.get(0));
                readers.add(v -> v.parse(o.key(), gd.getNextChoice()));
            } else if (o == Keys.REGION && !macro) {
                String[] regions = regionChoices(cmd.image);
                gd.addChoice(label, regions, regions[0]);
                readers.add(v -> v.parse(o.key(), gd.getNextChoice()));
            } else if (!o.choices().isEmpty()) {
                gd.addChoice(label, o.choices().toArray(new String[0]), text);
                readers.add(v -> v.parse(o.key(), gd.getNextChoice()));
            } else if (Number.class.isAssignableFrom(o.type())) {
                if (o == Keys.OPACITY && !macro) {
                    gd.addSlider(label, 0, 1, ((Number) value).doubleValue(), 0.05);
                } else {
                    DialogFields.number(gd, label, ((Number) value).doubleValue(), o.type() == Double.class ? 3 : 0);
                }
                readers.add(v -> v.parse(o.key(), DialogFields.nextNumber(gd)));
            } else {
                gd.addStringField(label, text, o.type() == java.io.File.class ? 30 : 12);
                if (o == Keys.CHANNELS) {
                    channelsField = lastString();
                } else if (o == Keys.INPUT_SIZE) {
                    sizeField = lastString();
                }
                readers.add(v -> v.parse(o.key(), gd.getNextString()));
            }
        }

        private List<String> targets() {
            return macro ? List.of() : TargetMenu.items(start.get(Keys.MODEL) == null ? ""
                    : start.get(Keys.MODEL).getPath());
        }

        private TextField lastString() {
            java.util.Vector<?> fields = gd.getStringFields();
            return fields == null || fields.isEmpty() ? null : (TextField) fields.lastElement();
        }

        void flushFlags() {
            if (flags.isEmpty()) {
                return;
            }
            String[] labels = new String[flags.size()];
            boolean[] states = new boolean[flags.size()];
            for (int i = 0; i < labels.length; i++) {
                Option<?> o = flags.get(i);
                labels[i] = o.dialogLabel();
                states[i] = (Boolean) start.get(o);
                readers.add(v -> v.parse(o.key(), Boolean.toString(gd.getNextBoolean())));
            }
            gd.addCheckboxGroup((labels.length + 1) / 2, 2, labels, states);
            flags.clear();
        }

        /** A new model file refills the layer list (a real dialog only). */
        void addModelListener(ExplainImageCommand cmd) {
            if (macro || modelField == null || layerChoice == null) {
                return;
            }
            gd.addDialogListener((dialog, event) -> {
                if (event != null && event.getSource() == modelField) {
                    if (modelLabel instanceof java.awt.Label l) {
                        l.setText(ModelLabel.describe(modelField.getText()));
                    }
                    LayerMenu.refill(layerChoice, cmd.image, modelField.getText(),
                            sizeField == null ? "" : sizeField.getText(),
                            channelsField == null ? "" : channelsField.getText());
                }
                return true;
            });
        }

        Values read() {
            Values v = start;
            for (Function<Values, Values> r : readers) {
                v = r.apply(v);
            }
            return v;
        }
    }

    /**
     * Where the dialog starts: the defaults in a macro; otherwise the last values (every key but the flags, which
     * start off, except all_slices for a stack).
     */
    private static Values remembered(boolean macro, ExplainImageCommand cmd) {
        Values v = Values.defaults();
        boolean stack = cmd.image != null && cmd.image.getNSlices() * cmd.image.getNFrames() > 1;
        if (macro) {
            return v;
        }
        for (Option<?> o : Keys.ALL) {
            String saved = Prefs.get(PREFIX + o.key(), null);
            if (saved != null && !o.isFlag()) {
                try {
                    v = v.parse(o.key(), saved);
                } catch (ExplainJException e) {
                    // a remembered value that no longer fits: the default
                }
            }
        }
        return v.with(Keys.ALL_SLICES, stack);
    }

    private static void remember(Values v, Section section, boolean only) {
        for (Option<?> o : Keys.ALL) {
            if (!o.isFlag() && (o.section() == section) == only) {
                Object value = v.get(o);
                Prefs.set(PREFIX + o.key(), value == null ? "" : Option.format(value));
            }
        }
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

    /** Whether ImageJ runs without its window (batch macro, headless). */
    static boolean batch() {
        return IJ.getInstance() == null || Interpreter.isBatchMode();
    }
}
