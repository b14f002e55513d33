package org.explainj.bioimage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ShortProcessor;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.explainj.command.ExplainImageCommand;
import org.explainj.model.ModelCache;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.Grid;
import org.explainj.tensor.ModelInput;
import org.explainj.tensor.Padding;
import org.explainj.testutil.Compare;
import org.explainj.testutil.Resources;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * bioimage.io packages made by {@code scripts/make_bioimageio_packages.py} (0.5 U-Net segmenter, 0.4 classifier, 0.5
 * 3-D classifier, 0.5 classifier with fixed mean/std on 16-bit data), with references computed in Python from the
 * raw 16-bit images with the declared preprocessing ({@code ref/}): the preprocessed input, the logits, the input
 * gradient and Grad-CAM at a named layer (forward hooks on the eager model).
 */
class BioimagePackagesTest {

    private static final String DIR = "bioimageio/";

    private static Path pkg(String name, boolean zip) {
        return Resources.path(DIR + name + (zip ? ".zip" : ""));
    }

    private static NpyArray ref(String name, String file) {
        return NpyArray.read(Resources.path(DIR + name + "/ref/" + file));
    }

    private static JsonObject meta(String name) throws IOException {
        return JsonParser.parseString(Files.readString(Resources.path(DIR + name + "/ref/meta.json")))
                .getAsJsonObject();
    }

    /** The raw image as a user opens it: 16-bit, a plane or a z-stack. */
    private static ImagePlus image(NpyArray raw) {
        long[] s = raw.shape();
        int h = (int) s[s.length - 2];
        int w = (int) s[s.length - 1];
        int d = s.length == 3 ? (int) s[0] : 1;
        ImageStack stack = new ImageStack(w, h);
        for (int z = 0; z < d; z++) {
            short[] px = new short[w * h];
            for (int i = 0; i < px.length; i++) {
                px[i] = (short) Math.round(raw.data()[z * w * h + i]);
            }
            stack.addSlice("z" + z, new ShortProcessor(w, h, px, null));
        }
        ImagePlus imp = new ImagePlus("raw.tif", stack);
        imp.setDimensions(1, d, 1);
        return imp;
    }

    private static ModelInput rawInput(NpyArray raw) {
        long[] s = raw.shape();
        return s.length == 3 ? new ModelInput(raw.data(), 1, (int) s[0], (int) s[1], (int) s[2])
                : new ModelInput(raw.data(), 1, (int) s[0], (int) s[1]);
    }

    @ParameterizedTest
    @CsvSource({"unet2d_v05,false", "unet2d_v05,true", "ringnet_classifier_v04,false",
        "ringnet_classifier_v04,true", "vol3d_v05,false", "vol3d_v05,true", "scaled_classifier_v05,false"})
    void thePreprocessingGivesThePythonInput(String name, boolean zip) {
        BioimagePackage p = Packages.open(pkg(name, zip));
        float[] ours = p.preprocess(rawInput(ref(name, "raw.npy"))).data();
        Compare.assertAgrees(name + " preprocessed input", ours, ref(name, "input.npy").data(), 1e-5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"unet2d_v05", "ringnet_classifier_v04", "vol3d_v05", "scaled_classifier_v05"})
    void theTestTensorsAreReproduced(String name) {
        BioimagePackage p = Packages.open(pkg(name, false));
        TorchScriptModel model = ModelCache.shared().get(p.weights());
        TestTensors.Result r = p.test(model);
        assertTrue(r.passed(), name + ": " + r.text());
        assertTrue(r.maxAbsDiff() < 1e-4, r.text());
    }

    /**
     * Saliency and Grad-CAM through Explain Image with {@code model=} the package and no input keys: the maps equal
     * the Python references (Saliency = |input gradient|; Grad-CAM at the layer's resolution = ReLU(Σ α A)).
     */
    @ParameterizedTest
    @CsvSource({"unet2d_v05,false,nucleus", "unet2d_v05,true,nucleus", "ringnet_classifier_v04,true,0",
        "vol3d_v05,false,shell", "vol3d_v05,true,shell", "scaled_classifier_v05,false,ring_cell"})
    void saliencyAndGradCamEqualTheReferences(String name, boolean zip, String target) throws IOException {
        JsonObject meta = meta(name);
        int index = meta.getAsJsonObject("target").get("index").getAsInt();
        String layer = meta.getAsJsonObject("layer").get("name").getAsString();
        ImagePlus imp = image(ref(name, "raw.npy"));

        ExplainImageCommand sal = command(imp, pkg(name, zip), "Saliency", target);
        sal.run();
        assertEquals(index, sal.result.targetClass());
        float[] grad = ref(name, "saliency_grad.npy").data();
        float[] abs = new float[grad.length];
        for (int i = 0; i < grad.length; i++) {
            abs[i] = Math.abs(grad[i]);
        }
        Compare.assertAgrees(name + " Saliency", sal.result.values(), abs, 1e-3);
        assertTrue(Compare.pearson(sal.result.values(), abs) >= 0.999);

        ExplainImageCommand cam = command(imp, pkg(name, zip), "Grad-CAM", target);
        cam.layer = layer;
        cam.run();
        float[] raw = ref(name, "gradcam_raw.npy").data();
        float[] relu = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
            relu[i] = Math.max(0, raw[i]);
        }
        Compare.assertAgrees(name + " Grad-CAM at " + layer, cam.result.values(), relu, 1e-3);
        String info = (String) cam.heatmap.getProperty("Info");
        assertTrue(info.contains("package=ExplainJ test") && info.contains("package_test=passed")
                && info.contains("package_license=") && info.contains("package_preprocessing="), info);
        assertTrue(cam.messages.stream().anyMatch(m -> m.contains("reproduces its test output")), cam.messages
                .toString());
        assertEquals(imp.getWidth(), cam.heatmap.getWidth());
    }

    private static ExplainImageCommand command(ImagePlus imp, Path model, String method, String target) {
        ExplainImageCommand cmd = new ExplainImageCommand();
        cmd.image = imp;
        cmd.model = new File(model.toString());
        cmd.method = method;
        cmd.target = target;
        return cmd;
    }

    /**
     * A 70×90 image for a U-Net that takes 16 + n·16: the preprocessing uses the image's own statistics, the input
     * is mirrored at its end to 80×96, and the logits cropped back equal Python's (numpy.pad mode reflect).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void anImageOfAnotherSizeIsPaddedAndTheMapCroppedBack(boolean zip) {
        String name = "unet2d_v05";
        BioimagePackage p = Packages.open(pkg(name, zip));
        NpyArray raw = ref(name, "raw_pad.npy");
        ModelInput in = p.preprocess(rawInput(raw));
        Compare.assertAgrees("padded image's preprocessed input", in.data(), ref(name, "input_pad.npy").data(),
                1e-5);
        Grid fitted = p.fit(in.grid());
        assertEquals(Grid.plane(96, 80), fitted);
        ModelInput padded = Padding.padEnd(in, fitted);
        TorchScriptModel model = ModelCache.shared().get(p.weights());
        float[] logits;
        try (NDManager m = model.newManager()) {
            NDArray out = model.forwardNoGrad(m.create(padded.data(), new Shape(padded.shape())));
            float[] all = out.toFloatArray();
            logits = new float[2 * 70 * 90];
            for (int c = 0; c < 2; c++) {
                float[] plane = java.util.Arrays.copyOfRange(all, c * 96 * 80, (c + 1) * 96 * 80);
                System.arraycopy(Padding.cropStart(plane, fitted, in.grid()), 0, logits, c * 70 * 90, 70 * 90);
            }
        }
        Compare.assertAgrees("cropped logits", logits, ref(name, "logits_pad_end_reflect.npy").data(), 1e-4);

        ExplainImageCommand cmd = command(image(raw), pkg(name, zip), "Saliency", "nucleus");
        cmd.run();
        assertArrayEquals(new int[] {90, 70}, new int[] {cmd.heatmap.getWidth(), cmd.heatmap.getHeight()});
        assertTrue(cmd.messages.stream().anyMatch(m -> m.contains("padded from 90x70 to 96x80")),
                cmd.messages.toString());
    }
}
