package org.explainj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.process.FloatProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import net.imagej.patcher.LegacyEnvironment;
import org.explainj.testutil.Compare;
import org.explainj.testutil.Npy;
import org.explainj.testutil.Resources;
import org.explainj.testutil.Slow;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model families through the path users take: {@code run("Explain Image...", ...)} in an ImageJ 1.x macro on
 * an image made of the reference input (a 32-bit channel stack, {@code scale=none}), the heatmaps saved by the macro
 * compared with the eager PyTorch references: Grad-CAM at a token layer of a ViT (automatic and with
 * {@code layout=tokens prefix_tokens=1}), at a channels-last Swin stage, Saliency of a ViT traced under no_grad and of
 * a segmentation model that returns a dict, Attention Rollout of a DeiT, and Guided Backprop of a model whose ReLUs
 * are in-place statements.
 */
@Slow
class ModelFamiliesMacroTest {

    @TempDir
    static Path out;

    private static String log;
    private static JsonObject families;
    private static JsonObject constructs;

    private static final String[][] RUNS = {
        // model, image, output file, keys
        {"families/models/vit_traced.pt", "vit", "vit-gradcam.tif",
            "method=Grad-CAM layer=encoder.layers.encoder_layer_1.ln_1 no_relu layer_resolution"},
        {"families/models/vit_traced.pt", "vit", "vit-gradcam-keys.tif",
            "method=Grad-CAM layer=encoder.layers.encoder_layer_1.ln_1 layout=tokens prefix_tokens=1 no_relu "
                + "layer_resolution"},
        {"families/models/vit_traced.pt", "vit", "vit-gradcam-auto.tif", "method=Grad-CAM layer=[] "
            + "layer_resolution"},
        {"families/models/swin_scripted.pt", "swin", "swin-gradcam.tif",
            "method=Grad-CAM layer=features.5 no_relu layer_resolution"},
        {"families/models/vit_nograd_traced.pt", "vit", "vitnograd-saliency.tif", "method=Saliency signed"},
        {"families/models/fcn_traced.pt", "fcn", "fcn-saliency.tif", "method=Saliency signed target=1"},
        {"families/models/deit_traced.pt", "deit", "deit-rollout.tif", "method=[Attention Rollout] "
            + "layer_resolution"},
        {"constructs/models/inplace_relu_stmt_scripted.pt", "constructs:inplace_relu_stmt", "inplace-guided.tif",
            "method=[Guided Backprop] signed target=2"},
    };

    @BeforeAll
    static void runMacro() throws Exception {
        families = JsonParser.parseString(Files.readString(Resources.path("families/manifest.json")))
                .getAsJsonObject().getAsJsonObject("models");
        constructs = JsonParser.parseString(Files.readString(Resources.path("constructs/manifest.json")))
                .getAsJsonObject().getAsJsonObject("models");
        StringBuilder macro = new StringBuilder("setBatchMode(true);\n");
        for (String[] run : RUNS) {
            Path image = image(run[1]);
            macro.append("open(\"").append(image).append("\");\n")
                    .append("run(\"Explain Image...\", \"model=[").append(Resources.path(run[0]))
                    .append("] scale=none ").append(run[3]).append("\");\n")
                    .append("saveAs(\"Tiff\", \"").append(out.resolve(run[2])).append("\");\n")
                    .append("close(\"*\");\n");
        }
        Path classes = Path.of(ExplainImagePlugin.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        LegacyEnvironment ij = new LegacyEnvironment(new MacroTest.SharedDependencies(classes,
                ModelFamiliesMacroTest.class.getClassLoader()), true);
        ij.disableIJ1PluginDirs();
        ij.addPluginClasspath(classes.toFile());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread runner = new Thread(() -> {
            try {
                ij.runMacro(macro.toString(), "");
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "ModelFamiliesMacroTest");
        runner.setDaemon(true);
        runner.start();
        runner.join(300_000);
        Object logText = ij.getClassLoader().loadClass("ij.IJ").getMethod("getLog").invoke(null);
        log = logText == null ? "" : logText.toString();
        assertTrue(!runner.isAlive(), "the macro did not finish within 300 s; log:\n" + log);
        if (failure.get() != null) {
            throw new AssertionError("the macro failed; log:\n" + log, failure.get());
        }
    }

    /** A 32-bit image (one slice per channel) holding a reference input exactly. */
    private static Path image(String name) throws IOException {
        String rel = name.startsWith("constructs:") ? "constructs/" + name.substring(11) + "/input.npy"
                : "families/" + name + "/input.npy";
        Npy x = Resources.npy(rel);
        int c = (int) x.shape()[0];
        int h = (int) x.shape()[1];
        int w = (int) x.shape()[2];
        ImageStack stack = new ImageStack(w, h);
        for (int k = 0; k < c; k++) {
            float[] plane = new float[w * h];
            System.arraycopy(x.data(), k * w * h, plane, 0, w * h);
            stack.addSlice("c" + (k + 1), new FloatProcessor(w, h, plane));
        }
        ImagePlus imp = new ImagePlus(name.replace(':', '-'), stack);
        imp.setDimensions(c, 1, 1);
        Path p = out.resolve(name.replace(':', '-') + ".tif");
        IJ.saveAsTiff(c > 1 ? new ij.CompositeImage(imp, ij.CompositeImage.GRAYSCALE) : imp, p.toString());
        return p;
    }

    private static float[] saved(String file) {
        ImagePlus imp = IJ.openImage(out.resolve(file).toString());
        assertNotNull(imp, file + " was not saved; log:\n" + log);
        return (float[]) imp.getProcessor().getPixels();
    }

    private static float[] fixture(String rel) {
        return Resources.npy(rel).data();
    }

    /** An input-attribution reference C×H×W reduced as ExplainJ shows it: the signed value of largest magnitude. */
    private static float[] reduced(String rel) {
        Npy g = Resources.npy(rel);
        int c = (int) g.shape()[0];
        int n = (int) (g.shape()[1] * g.shape()[2]);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            float best = 0;
            for (int k = 0; k < c; k++) {
                float v = g.data()[k * n + i];
                if (Math.abs(v) > Math.abs(best)) {
                    best = v;
                }
            }
            out[i] = best;
        }
        return out;
    }

    @Test
    void gradCamAtAViTTokenLayerEqualsTheReference() {
        float[] ref = fixture("families/vit/encoder.layers.encoder_layer_1.ln_1/gradcam_raw.npy");
        Compare.assertAgrees("macro ViT Grad-CAM (automatic layout)", saved("vit-gradcam.tif"), ref);
        Compare.assertAgrees("macro ViT Grad-CAM (layout=tokens prefix_tokens=1)", saved("vit-gradcam-keys.tif"), ref);
        // the automatic layer of a ViT is its last block's ln_1 (the later token layers feed only the class token)
        float[] relu = ref.clone();
        for (int i = 0; i < relu.length; i++) {
            relu[i] = Math.max(relu[i], 0);
        }
        Compare.assertAgrees("macro ViT Grad-CAM at the automatic layer", saved("vit-gradcam-auto.tif"), relu);
    }

    @Test
    void gradCamAtAChannelsLastSwinStageEqualsTheReference() {
        Compare.assertAgrees("macro Swin Grad-CAM features.5", saved("swin-gradcam.tif"),
                fixture("families/swin/features.5/gradcam_raw.npy"));
    }

    @Test
    void saliencyOfAViTTracedUnderNoGradEqualsTheReference() {
        assertTrue(families.getAsJsonObject("vit_nograd").getAsJsonObject("exports").getAsJsonObject("traced")
                .get("backward").getAsString().startsWith("raises"), "the fixture's own backward fails in torch");
        Compare.assertAgrees("macro no_grad ViT saliency", saved("vitnograd-saliency.tif"),
                reduced("families/vit/saliency.npy"));
    }

    @Test
    void saliencyOfADictOutputSegmentationModelEqualsTheReference() {
        assertEquals(1, families.getAsJsonObject("fcn").getAsJsonObject("target").get("class").getAsInt());
        Compare.assertAgrees("macro FCN saliency of class 1 ('out')", saved("fcn-saliency.tif"),
                reduced("families/fcn/saliency.npy"));
        Object info = IJ.openImage(out.resolve("fcn-saliency.tif").toString()).getProperty("Info");
        assertTrue(String.valueOf(info).contains("output=output \"out\""), "the Info names the output: " + info);
    }

    @Test
    void attentionRolloutOfADeiTEqualsTheReference() {
        Compare.assertAgrees("macro DeiT attention rollout", saved("deit-rollout.tif"),
                fixture("families/deit/rollout.npy"));
    }

    @Test
    void guidedBackpropWithInPlaceReluStatementsEqualsTheReference() {
        assertEquals(2, constructs.getAsJsonObject("inplace_relu_stmt").getAsJsonArray("references").get(0)
                .getAsJsonObject().getAsJsonObject("target").get("class").getAsInt());
        Compare.assertAgrees("macro guided backprop, in-place ReLU statements", saved("inplace-guided.tif"),
                reduced("constructs/inplace_relu_stmt/guided.npy"));
    }
}
