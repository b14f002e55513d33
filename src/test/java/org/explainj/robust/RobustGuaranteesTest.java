package org.explainj.robust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.ImageRoi;
import ij.gui.OvalRoi;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.gui.TextRoi;
import ij.measure.Calibration;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;
import ij.process.FloatProcessor;
import ij.process.LUT;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.explainj.ExplainJException;
import org.explainj.command.ExplainImageCommand;
import org.explainj.command.MeasureAttributionCommand;
import org.explainj.explain.Method;
import org.explainj.model.ModelCache;
import org.explainj.model.TorchScriptModel;
import org.explainj.testutil.Slow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every command promises: the input image's pixels, calibration, LUT, selection and overlay are bit-identical
 * afterwards (the overlay gains exactly one ImageRoi when an overlay was asked for), also when the command fails;
 * the model file is never modified; native memory does not grow with failed calls.
 */
@Slow
class RobustGuaranteesTest {

    @TempDir
    Path tmp;

    /** A fingerprint of everything a command must not change (pixels of every slice, calibration, LUTs, ...). */
    static String fingerprint(ImagePlus imp, boolean withOverlay) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            ImageStack stack = imp.getStack();
            for (int s = 1; s <= stack.getSize(); s++) {
                Object px = stack.getPixels(s);
                ByteBuffer b;
                if (px instanceof byte[] a) {
                    b = ByteBuffer.wrap(a);
                } else if (px instanceof short[] a) {
                    b = ByteBuffer.allocate(a.length * 2);
                    b.asShortBuffer().put(a);
                } else if (px instanceof float[] a) {
                    b = ByteBuffer.allocate(a.length * 4);
                    b.asFloatBuffer().put(a);
                } else {
                    int[] a = (int[]) px;
                    b = ByteBuffer.allocate(a.length * 4);
                    b.asIntBuffer().put(a);
                }
                d.update(b);
                d.update(String.valueOf(stack.getSliceLabel(s)).getBytes());
            }
            StringBuilder sb = new StringBuilder(HexFormat.of().formatHex(d.digest()));
            Calibration c = imp.getCalibration();
            sb.append(" cal=").append(c).append(c.pixelWidth).append(',').append(c.pixelHeight).append(',')
                    .append(c.pixelDepth).append(',').append(c.xOrigin).append(',').append(c.yOrigin).append(',')
                    .append(c.getUnit()).append(',').append(c.getValueUnit()).append(',').append(c.getFunction())
                    .append(',').append(java.util.Arrays.toString(c.getCoefficients())).append(',')
                    .append(c.frameInterval).append(',').append(c.getInvertY());
            List<LUT> luts = new ArrayList<>();
            if (imp.isComposite()) {
                for (int ch = 1; ch <= imp.getNChannels(); ch++) {
                    luts.add(((CompositeImage) imp).getChannelLut(ch));
                }
            } else {
                luts.add(imp.getProcessor().getLut());
            }
            for (LUT lut : luts) {
                if (lut == null) { // RGB
                    sb.append(" lut=none");
                    continue;
                }
                byte[] r = new byte[256];
                byte[] g = new byte[256];
                byte[] b = new byte[256];
                lut.getReds(r);
                lut.getGreens(g);
                lut.getBlues(b);
                sb.append(" lut=").append(HexFormat.of().formatHex(r)).append(HexFormat.of().formatHex(g))
                        .append(HexFormat.of().formatHex(b));
            }
            sb.append(" inverted=").append(imp.isInvertedLut());
            sb.append(" range=").append(imp.getDisplayRangeMin()).append(',').append(imp.getDisplayRangeMax());
            sb.append(" slice=").append(imp.getCurrentSlice());
            sb.append(" dims=").append(java.util.Arrays.toString(imp.getDimensions()));
            sb.append(" title=").append(imp.getTitle());
            sb.append(" info=").append(imp.getInfoProperty());
            Roi roi = imp.getRoi();
            sb.append(" roi=").append(roi == null ? "none" : roi.getTypeAsString() + roi.getBounds() + roi.getName());
            if (withOverlay) {
                sb.append(" overlay=").append(overlay(imp.getOverlay()));
            }
            return sb.toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String overlay(Overlay o) {
        if (o == null) {
            return "none";
        }
        StringBuilder sb = new StringBuilder(o.size() + ":");
        for (int i = 0; i < o.size(); i++) {
            Roi r = o.get(i);
            sb.append(r.getClass().getSimpleName()).append(r.getBounds()).append(r.getName()).append(';');
        }
        return sb.toString();
    }

    private static float[] noise(int n, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat();
        }
        return v;
    }

    /** Test images: each has a calibration, a selection and an overlay of its own. */
    static Map<String, ImagePlus> images() {
        Map<String, ImagePlus> m = new LinkedHashMap<>();
        m.put("16-bit calibrated", Fixtures.synth());
        ByteProcessor bp = new ByteProcessor(64, 64);
        for (int i = 0; i < 64 * 64; i++) {
            bp.set(i, (i * 7) & 0xff);
        }
        bp.invertLut();
        m.put("8-bit inverted LUT", new ImagePlus("inverted", bp));
        ColorProcessor cp = new ColorProcessor(64, 64);
        for (int i = 0; i < 64 * 64; i++) {
            cp.set(i, i * 2654435761L > 0 ? (int) (i * 2654435761L) : i);
        }
        m.put("RGB", new ImagePlus("rgb", cp));
        ImageStack stack = new ImageStack(64, 64);
        for (int c = 0; c < 2; c++) {
            for (int z = 0; z < 2; z++) {
                stack.addSlice("c" + c + "z" + z, new FloatProcessor(64, 64, noise(4096, 10 * c + z)));
            }
        }
        ImagePlus hyper = new ImagePlus("hyper", stack);
        hyper.setDimensions(2, 2, 1);
        CompositeImage composite = new CompositeImage(hyper, CompositeImage.COMPOSITE);
        composite.reset(); // creates the channel LUTs
        m.put("32-bit 2-channel 2-slice composite", composite);
        for (ImagePlus imp : m.values()) {
            Calibration cal = imp.getCalibration();
            cal.pixelWidth = 0.3;
            cal.pixelHeight = 0.4;
            cal.xOrigin = 5;
            cal.setUnit("um");
            imp.setRoi(new OvalRoi(10, 12, 20, 18));
            Overlay o = new Overlay(new Roi(1, 2, 3, 4));
            o.add(new TextRoi(5, 5, "note"));
            imp.setOverlay(o);
        }
        return m;
    }

    /** Commands run on each image (some fail on purpose). */
    static Map<String, Consumer<ExplainImageCommand>> variants(boolean allMethods) {
        Map<String, Consumer<ExplainImageCommand>> v = new LinkedHashMap<>();
        for (Method m : allMethods ? org.explainj.testutil.CnnMethods.all() : new Method[] {Method.SALIENCY, Method.GRAD_CAM,
            Method.OCCLUSION}) {
            v.put(m.label(), c -> {
                c.method = m.label();
                c.samples = 8;
                c.steps = 16;
            });
        }
        v.put("Grad-CAM normalize layer_resolution calibration_bar", c -> {
            c.method = "Grad-CAM";
            c.normalize = true;
            c.layer_resolution = true;
            c.calibration_bar = true;
        });
        v.put("Saliency scale=minmax mean/std input_size=32 all_slices", c -> {
            c.method = "Saliency";
            c.scale = "minmax";
            c.mean = "0.5";
            c.std = "0.25";
            c.input_size = "32";
            c.all_slices = true;
        });
        v.put("Saliency scale=none signed top2", c -> {
            c.method = "Saliency";
            c.scale = "none";
            c.signed = true;
            c.target = "top2";
        });
        v.put("failing: unknown layer", c -> {
            c.method = "Grad-CAM";
            c.layer = "features.relu9";
        });
        v.put("failing: class 7", c -> {
            c.method = "Saliency";
            c.target = "7";
        });
        return v;
    }

    @Test
    void everyCommandLeavesTheImageBitIdenticalUnlessAnOverlayIsAsked() {
        List<String> changed = new ArrayList<>();
        int runs = 0;
        for (Map.Entry<String, ImagePlus> e : images().entrySet()) {
            ImagePlus imp = e.getValue();
            boolean all = e.getKey().startsWith("16-bit");
            for (Map.Entry<String, Consumer<ExplainImageCommand>> v : variants(all).entrySet()) {
                for (boolean overlay : new boolean[] {false, true}) {
                    if (overlay && v.getKey().startsWith("failing")) {
                        continue;
                    }
                    String before = fingerprint(imp, true);
                    String beforeOverlay = overlay(imp.getOverlay());
                    ExplainImageCommand cmd = Fixtures.command(imp, Fixtures.TINY, "Saliency");
                    if (imp.getType() == ImagePlus.COLOR_RGB || imp.getNChannels() > 1) {
                        cmd.channels = "1";
                    }
                    v.getValue().accept(cmd);
                    cmd.overlay = overlay;
                    try {
                        cmd.run();
                    } catch (ExplainJException ex) {
                        assertTrue(v.getKey().startsWith("failing"), v.getKey() + ": " + ex.getMessage());
                    }
                    runs++;
                    String what = e.getKey() + " / " + v.getKey() + (overlay ? " / overlay" : "");
                    if (!before.replaceAll(" overlay=.*", "").equals(fingerprint(imp, false))) {
                        changed.add(what + ": pixels, calibration, LUT or selection changed");
                    }
                    String after = overlay(imp.getOverlay());
                    if (!overlay && !after.equals(beforeOverlay)) {
                        changed.add(what + ": the overlay changed without overlay=true");
                    }
                    if (overlay) {
                        // one ImageRoi per explained plane, after the ROIs that were there
                        int planes = cmd.all_slices ? imp.getNSlices() * imp.getNFrames() : 1;
                        Overlay o = imp.getOverlay();
                        int had = before.contains(" overlay=none") ? 0 : Integer.parseInt(beforeOverlay.substring(0,
                                beforeOverlay.indexOf(':')));
                        boolean ok = o != null && o.size() == had + planes && after.startsWith(o.size() + ":"
                                + beforeOverlay.substring(beforeOverlay.indexOf(':') + 1));
                        for (int i = had; ok && i < o.size(); i++) {
                            ok = o.get(i) instanceof ImageRoi;
                        }
                        if (!ok) {
                            changed.add(what + ": the overlay did not just gain " + planes + " ImageRoi(s): "
                                    + beforeOverlay + " -> " + after);
                        }
                        while (o != null && o.size() > had) { // back to the original overlay for the next command
                            o.remove(o.size() - 1);
                        }
                    }
                }
            }
        }
        Survey.record("guarantee: image unchanged (" + runs + " commands on 4 images, with and without overlay)",
                changed.isEmpty() ? "pixels, calibration, LUT, selection, overlay bit-identical (overlay=true: + one "
                        + "ImageRoi per explained plane)" : String.join("; ", changed));
        assertTrue(changed.isEmpty(), String.join("\n", changed));
    }

    @Test
    void measureAttributionLeavesTheHeatmapUnchanged() {
        ImagePlus heat = new ImagePlus("heat", new FloatProcessor(40, 30, noise(1200, 3)));
        heat.getCalibration().pixelWidth = 0.5;
        heat.setRoi(new Roi(3, 4, 10, 8));
        heat.setOverlay(new Overlay(new Roi(1, 1, 2, 2)));
        String before = fingerprint(heat, true);
        for (String rois : new String[] {"selection", "manager"}) {
            MeasureAttributionCommand cmd = new MeasureAttributionCommand();
            cmd.heatmap = heat;
            cmd.rois = rois;
            cmd.run();
        }
        MeasureAttributionCommand outside = new MeasureAttributionCommand();
        outside.heatmap = heat;
        outside.rois = "selection";
        outside.selection = new Roi(100, 100, 5, 5);
        try {
            outside.run();
        } catch (ExplainJException expected) {
            // fails, and must not change anything either
        }
        ij.measure.ResultsTable.getResultsTable().reset();
        assertEquals(before, fingerprint(heat, true));
        Survey.record("guarantee: heatmap unchanged by Measure Attribution", "bit-identical");
    }

    @Test
    void theModelFileIsNeverModified() throws Exception {
        Path file = Files.copy(Fixtures.TINY, tmp.resolve("tiny.pt"));
        String sha = Survey.sha256(file);
        var mtime = Files.getLastModifiedTime(file);
        ModelCache cache = new ModelCache(tmp.resolve("cache"));
        try {
            for (Method m : org.explainj.testutil.CnnMethods.all()) {
                ExplainImageCommand cmd = Fixtures.command(Fixtures.synth(), file, m.label());
                cmd.samples = 8;
                cmd.steps = 8;
                cmd.run();
            }
            TorchScriptModel direct = cache.get(file);
            direct.catalogue(new long[] {1, 1, 64, 64});
            ExplainImageCommand bad = Fixtures.command(Fixtures.synth(), file, "Grad-CAM");
            bad.layer = "nope";
            try {
                bad.run();
            } catch (ExplainJException expected) {
                // a failure must not touch the file either
            }
        } finally {
            cache.clear();
        }
        assertEquals(sha, Survey.sha256(file), "the model file's content changed");
        assertEquals(mtime, Files.getLastModifiedTime(file), "the model file's time stamp changed");
        assertFalse(Files.list(tmp).anyMatch(p -> p.getFileName().toString().startsWith("tiny.pt.")),
                "no files were written beside the model");
        Survey.record("guarantee: model file never modified (16 methods, layer catalogue, a failure)",
                "SHA-256 and time stamp unchanged, nothing written beside it");
    }

    /**
     * 1,000 failed explanations of each kind (class index out of range, for Saliency and Grad-CAM; an input libtorch
     * rejects; an unknown layer) in a child JVM with a pre-touched fixed heap: resident memory grows by at most 50 MB.
     */
    @Test
    void nativeMemoryDoesNotGrowWithFailedCalls() throws Exception {
        Survey.Child c = Survey.child(120, List.of("-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch",
                "-Dexplainj.threads=1"), "rss", Fixtures.TINY.toString(), tmp.resolve("rss").toString());
        assertEquals(0, c.exit(), c.out() + c.err());
        List<String> lines = c.out().lines().filter(l -> l.startsWith("RSS ")).toList();
        assertEquals(5, lines.size(), c.out());
        StringBuilder seen = new StringBuilder();
        for (String l : lines) {
            String[] f = l.split(" ");
            long growth = (Long.parseLong(f[3]) - Long.parseLong(f[2])) / 1024;
            seen.append(f[1]).append(": ").append(growth).append(" MB; ");
            assertTrue(growth <= 50, l + ": RSS grew by " + growth + " MB");
        }
        Survey.record("guarantee: RSS after 4 x 1,000 failed calls (child JVM)", seen.toString());
    }
}
