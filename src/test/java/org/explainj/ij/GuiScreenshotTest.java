package org.explainj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.GenericDialog;
import ij.gui.ImageRoi;
import ij.gui.ImageWindow;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.plugin.Zoom;
import java.awt.Button;
import java.awt.Checkbox;
import java.awt.Choice;
import java.awt.Component;
import java.awt.Container;
import java.awt.EventQueue;
import java.awt.GraphicsEnvironment;
import java.awt.Label;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.TextField;
import java.awt.Toolkit;
import java.awt.Window;
import java.awt.event.ActionEvent;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.explainj.command.ExplainImageCommand;
import org.explainj.testutil.Gui;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The plugin on a real (virtual) screen: the dialog, and an image window with the heatmap overlay next to the
 * heatmap window. Screenshots go to {@code target/screenshots/} for a person (or a reviewer) to look at; the test
 * checks what can be checked automatically (fields, overlay, unchanged pixels, that the screenshots are not blank).
 *
 * <p>Needs a display: run under {@code xvfb-run -a mvn -B test}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@Gui
class GuiScreenshotTest {

    private static final Path SHOTS = Path.of("target", "screenshots");
    private static final Path DEMO = Path.of("test-images", "demo");

    private static Robot robot;

    private final List<Window> toClose = new ArrayList<>();
    private final List<ImagePlus> imagesToClose = new ArrayList<>();

    @BeforeAll
    static void needsDisplay() throws Exception {
        if (GraphicsEnvironment.isHeadless()) {
            fail("GuiScreenshotTest needs a display (java.awt.headless is true or DISPLAY is unset): run the tests "
                    + "under a virtual X server, e.g. `xvfb-run -a mvn -B test`.");
        }
        robot = new Robot();
        Files.createDirectories(SHOTS);
    }

    @AfterEach
    void closeWindows() throws Exception {
        for (ImagePlus imp : imagesToClose) {
            imp.changes = false;
            imp.close();
        }
        EventQueue.invokeAndWait(() -> toClose.forEach(Window::dispose));
    }

    @Test
    void dialogShowsTheFieldsAndCancels() throws Exception {
        ExplainImageCommand cmd = new ExplainImageCommand();
        // The dialog remembers the last model and lists that model's layers for the active image.
        ij.Prefs.set("explainj.explain.model", Path.of("test-images/demo/ringnet_traced.pt").toAbsolutePath()
                .toString());
        cmd.image = ij.IJ.openImage("test-images/demo/ring_cell_1.tif");
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = openDialog(cmd, result);
        GenericDialog gd = waitForWindow(GenericDialog.class, "Explain Image");
        toClose.add(gd);
        BufferedImage shot = capture(gd);
        save(shot, "explain-image-dialog.png");
        assertNotBlank(shot, "dialog screenshot");

        List<Component> all = new ArrayList<>();
        EventQueue.invokeAndWait(() -> collect(gd, all));
        List<String> labels = all.stream().filter(c -> c instanceof Label).map(c -> ((Label) c).getText()).toList();
        List<String> checkboxes = all.stream().filter(c -> c instanceof Checkbox)
                .map(c -> ((Checkbox) c).getLabel()).toList();
        List<String> buttons = all.stream().filter(c -> c instanceof Button).map(c -> ((Button) c).getLabel())
                .toList();
        System.out.println("dialog " + gd.getWidth() + "x" + gd.getHeight() + " labels " + labels + " checkboxes "
                + checkboxes + " buttons " + buttons);
        for (String label : new String[] {"Model", "Method", "Layer", "Target", "Scale", "Channels", "Input size",
                "Mean", "Std", "LUT", "Opacity"}) {
            assertTrue(labels.contains(label), "no field \"" + label + "\" in the dialog; labels: " + labels);
        }
        for (String box : new String[] {"Signed", "Normalize", "Overlay"}) {
            assertTrue(checkboxes.contains(box), "no checkbox \"" + box + "\"; checkboxes: " + checkboxes);
        }
        assertTrue(buttons.contains("Browse"), "the Model field has no Browse button; buttons: " + buttons);

        @SuppressWarnings("unchecked")
        List<Choice> choices = new ArrayList<>(gd.getChoices());
        Choice layerChoice = choices.get(1);
        List<String> layerItems = new ArrayList<>();
        for (int i = 0; i < layerChoice.getItemCount(); i++) {
            layerItems.add(layerChoice.getItem(i));
        }
        assertTrue(layerItems.contains("features.relu4") && layerItems.get(0).equals("(automatic)"),
                "layer list " + layerItems);
        Choice method = choices.get(0);
        List<String> methods = new ArrayList<>();
        for (int i = 0; i < method.getItemCount(); i++) {
            methods.add(method.getItem(i));
        }
        assertTrue(methods.contains("Grad-CAM") && methods.contains("Saliency"),
                "the Method choice lists " + methods);
        assertEquals("Grad-CAM", method.getSelectedItem(), "default method");
        @SuppressWarnings("unchecked")
        List<TextField> strings = new ArrayList<>(gd.getStringFields());
        assertTrue(strings.size() >= 1 && strings.get(0).getColumns() >= 40,
                "the first text field should be the Model file field (40 columns)");

        // nothing may be cut off: every label and checkbox got at least its preferred width
        for (Component c : all) {
            if ((c instanceof Label || c instanceof Checkbox) && c.isVisible()) {
                assertTrue(c.getWidth() >= c.getPreferredSize().width,
                        "cut off: " + c + " is " + c.getWidth() + " px wide, needs " + c.getPreferredSize().width);
            }
        }
        assertTrue(gd.getWidth() <= Toolkit.getDefaultToolkit().getScreenSize().width
                && gd.getHeight() <= Toolkit.getDefaultToolkit().getScreenSize().height, "dialog larger than screen");

        Button cancel = gd.getButtons()[1];
        assertNotNull(cancel, "no Cancel button");
        EventQueue.invokeAndWait(() -> gd.actionPerformed(
                new ActionEvent(cancel, ActionEvent.ACTION_PERFORMED, cancel.getLabel())));
        t.join(10_000);
        assertFalse(t.isAlive(), "showDialog did not return after Cancel");
        if (result.get() instanceof Throwable e) {
            throw new AssertionError("showDialog failed", e);
        }
        assertEquals(Boolean.FALSE, result.get(), "showDialog must return false on Cancel");
        assertNull(cmd.model, "Cancel must leave the command untouched");
    }

    /** showDialog is modal: it blocks its thread until the dialog closes. */
    private static Thread openDialog(ExplainImageCommand cmd, AtomicReference<Object> result) {
        Thread t = new Thread(() -> {
            try {
                result.set(ExplainImagePlugin.showDialog(cmd));
            } catch (Throwable e) {
                result.set(e);
            }
        }, "ExplainJ dialog");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** A bioimage.io package as the model: the dialog names it and lists its layers. */
    @Test
    void dialogNamesAPackageAndListsItsLayers() throws Exception {
        ExplainImageCommand cmd = new ExplainImageCommand();
        ij.Prefs.set("explainj.explain.model", Path.of("src/test/resources/bioimageio/unet2d_v05.zip")
                .toAbsolutePath().toString());
        cmd.image = new ij.ImagePlus("nuclei", new ij.process.ShortProcessor(80, 64));
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = openDialog(cmd, result);
        GenericDialog gd = waitForWindow(GenericDialog.class, "Explain Image");
        toClose.add(gd);
        BufferedImage shot = capture(gd);
        save(shot, "explain-image-dialog-package.png");
        List<Component> all = new ArrayList<>();
        EventQueue.invokeAndWait(() -> collect(gd, all));
        List<String> texts = all.stream().filter(c -> c instanceof Label).map(c -> ((Label) c).getText()).toList();
        assertTrue(texts.stream().anyMatch(l -> l.startsWith("bioimage.io package: ExplainJ test U-Net 2D")
                && l.contains("0.5.4")), "no package line in " + texts);
        @SuppressWarnings("unchecked")
        List<Choice> choices = new ArrayList<>(gd.getChoices());
        List<String> layers = new ArrayList<>();
        for (int i = 0; i < choices.get(1).getItemCount(); i++) {
            layers.add(choices.get(1).getItem(i));
        }
        assertTrue(layers.contains("dec1") && layers.contains("enc1"), "layer list " + layers);
        Button cancel = gd.getButtons()[1];
        EventQueue.invokeAndWait(() -> gd.actionPerformed(
                new ActionEvent(cancel, ActionEvent.ACTION_PERFORMED, cancel.getLabel())));
        t.join(10_000);
        assertFalse(t.isAlive(), "showDialog did not return after Cancel");
    }

    @Test
    void overlayOnImageWindowAndHeatmapWindow() throws Exception {
        Path image = DEMO.resolve("ring_cell_1.tif");
        Path model = DEMO.resolve("ringnet_traced.pt");
        assertTrue(Files.isRegularFile(image), "missing " + image.toAbsolutePath());
        assertTrue(Files.isRegularFile(model), "missing " + model.toAbsolutePath());
        ImagePlus imp = IJ.openImage(image.toString());
        assertNotNull(imp, "cannot open " + image);
        imagesToClose.add(imp);
        long before = checksum(imp);

        ImageWindow.setNextLocation(20, 20);
        imp.show();
        ImageWindow win = imp.getWindow();
        assertNotNull(win, "no ImageWindow");

        ExplainImageCommand cmd = new ExplainImageCommand();
        cmd.image = imp;
        cmd.model = model.toFile();
        cmd.overlay = true;
        cmd.calibration_bar = true;
        cmd.run();
        imp.updateAndDraw();
        ImagePlus heat = cmd.heatmap;
        imagesToClose.add(heat);
        System.out.printf("%s: class %d score %.4f layer %s, map %dx%d, heatmap max %.4g%n", cmd.method,
                cmd.result.targetClass(), cmd.result.targetScore(), cmd.result.layer(), cmd.result.width(),
                cmd.result.height(), heat.getProcessor().getMax());

        Overlay overlay = imp.getOverlay();
        assertNotNull(overlay, "no overlay on the image");
        assertEquals(1, overlay.size(), "overlay elements");
        Roi roi = overlay.get(0);
        assertTrue(roi instanceof ImageRoi, "the overlay holds a " + roi.getClass().getSimpleName());
        Rectangle bounds = roi.getBounds();
        assertEquals(new Rectangle(0, 0, imp.getWidth(), imp.getHeight()), bounds, "overlay covers the image");
        assertEquals(before, checksum(imp), "the image's pixels changed");

        Zoom.set(imp, 4.0);
        int gap = 40;
        ImageWindow.setNextLocation(win.getX() + win.getWidth() + gap, win.getY());
        heat.show();
        ImageWindow heatWin = heat.getWindow();
        assertNotNull(heatWin, "no heatmap window");
        Zoom.set(heat, 4.0);
        // keep the two windows apart (each screenshot must show one window only)
        EventQueue.invokeAndWait(() -> {
            heatWin.setLocation(win.getX() + win.getWidth() + gap, win.getY());
        });
        assertEquals(4.0, win.getCanvas().getMagnification(), 1e-9, "image zoom");
        assertEquals(4.0, heatWin.getCanvas().getMagnification(), 1e-9, "heatmap zoom");

        BufferedImage overlayShot = capture(win);
        save(overlayShot, "overlay.png");
        BufferedImage heatShot = capture(heatWin);
        save(heatShot, "heatmap.png");
        assertNotBlank(overlayShot, "overlay screenshot");
        assertNotBlank(heatShot, "heatmap screenshot");
        // a grey 16-bit image only shows colour through the heatmap overlay (Fire LUT)
        assertTrue(colourFraction(overlayShot, win.getCanvas()) > 0.05,
                "the image window shows (almost) no colour: overlay not drawn?");
        assertTrue(colourFraction(heatShot, heatWin.getCanvas()) > 0.05, "the heatmap window shows no colour");
        assertEquals(before, checksum(imp), "the image's pixels changed");
    }

    // ------------------------------------------------------------------------------------------------------------

    private static <T extends Window> T waitForWindow(Class<T> type, String title) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (Window w : Window.getWindows()) {
                if (type.isInstance(w) && w.isShowing() && title.equals(((java.awt.Dialog) w).getTitle())) {
                    return type.cast(w);
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no visible " + type.getSimpleName() + " \"" + title + "\" after 20 s");
    }

    /** Lets AWT lay out and paint, then grabs the window's screen area. */
    private static BufferedImage capture(Window w) throws Exception {
        EventQueue.invokeAndWait(() -> {
            w.toFront();
            w.repaint();
        });
        // (no Robot.waitForIdle(): with a modal dialog up it can stall for seconds)
        for (int i = 0; i < 3; i++) {
            EventQueue.invokeAndWait(() -> { });
            Toolkit.getDefaultToolkit().sync();
            Thread.sleep(150);
        }
        AtomicReference<Rectangle> r = new AtomicReference<>();
        EventQueue.invokeAndWait(() -> r.set(new Rectangle(w.getLocationOnScreen(), w.getSize())));
        return robot.createScreenCapture(r.get());
    }

    private static void save(BufferedImage img, String name) throws IOException {
        Path file = SHOTS.resolve(name);
        ImageIO.write(img, "png", file.toFile());
        System.out.println("screenshot " + file.toAbsolutePath() + " " + img.getWidth() + "x" + img.getHeight());
    }

    private static void assertNotBlank(BufferedImage img, String what) {
        int first = img.getRGB(0, 0);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if (img.getRGB(x, y) != first) {
                    return;
                }
            }
        }
        fail(what + " is a single colour: nothing was drawn");
    }

    /** Fraction of the canvas area (in the screenshot of its window) with clearly non-grey pixels. */
    private static double colourFraction(BufferedImage shot, Component canvas) throws Exception {
        AtomicReference<Rectangle> r = new AtomicReference<>();
        EventQueue.invokeAndWait(() -> {
            java.awt.Point p = canvas.getLocationOnScreen();
            java.awt.Point q = ((Window) javax.swing.SwingUtilities.getWindowAncestor(canvas)).getLocationOnScreen();
            r.set(new Rectangle(p.x - q.x, p.y - q.y, canvas.getWidth(), canvas.getHeight()));
        });
        Rectangle c = r.get().intersection(new Rectangle(0, 0, shot.getWidth(), shot.getHeight()));
        long coloured = 0;
        for (int y = c.y; y < c.y + c.height; y++) {
            for (int x = c.x; x < c.x + c.width; x++) {
                int rgb = shot.getRGB(x, y);
                int red = (rgb >> 16) & 255;
                int green = (rgb >> 8) & 255;
                int blue = rgb & 255;
                if (Math.max(red, Math.max(green, blue)) - Math.min(red, Math.min(green, blue)) > 24) {
                    coloured++;
                }
            }
        }
        double f = (double) coloured / ((long) c.width * c.height);
        System.out.printf("coloured fraction of canvas %s: %.3f%n", c, f);
        return f;
    }

    private static void collect(Container c, List<Component> out) {
        for (Component child : c.getComponents()) {
            out.add(child);
            if (child instanceof Container cc) {
                collect(cc, out);
            }
        }
    }

    private static long checksum(ImagePlus imp) {
        Object pixels = imp.getProcessor().getPixels();
        CRC32 crc = new CRC32();
        if (pixels instanceof short[] s) {
            ByteBuffer b = ByteBuffer.allocate(s.length * 2);
            b.asShortBuffer().put(s);
            crc.update(b.array());
        } else if (pixels instanceof byte[] b) {
            crc.update(b);
        } else if (pixels instanceof float[] f) {
            ByteBuffer b = ByteBuffer.allocate(f.length * 4);
            b.asFloatBuffer().put(f);
            crc.update(b.array());
        } else if (pixels instanceof int[] i) {
            ByteBuffer b = ByteBuffer.allocate(i.length * 4);
            b.asIntBuffer().put(i);
            crc.update(b.array());
        } else {
            fail("unexpected pixel array " + pixels);
        }
        return crc.getValue();
    }
}
