package org.explainj.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.explainj.command.ExplainImageCommand;
import org.explainj.command.SanityCheckCommand;
import org.explainj.model.ModelCache;
import org.explainj.model.TorchScriptModel;
import org.junit.jupiter.api.Test;

/**
 * The sanity check of Adebayo et al. on the demo model: one row per cascade step; Grad-CAM's map decorrelates
 * (final Spearman below 0.5), Guided Backprop's much less; the same seed gives the same figures; the model other
 * commands use is untouched.
 */
class SanityCheckCommandTest {

    private static final Path MODEL = Path.of("test-images/demo/ringnet_traced.pt");

    private static SanityCheckCommand check(String method, ImagePlus image) {
        ExplainImageCommand explain = new ExplainImageCommand();
        explain.image = image;
        explain.model = new File(MODEL.toString());
        explain.method = method;
        explain.run();
        SanityCheckCommand cmd = new SanityCheckCommand();
        cmd.image = image;
        cmd.run();
        return cmd;
    }

    @Test
    void gradCamDecorrelatesAndGuidedBackpropMuchLess() throws IOException {
        ImagePlus image = IJ.openImage("test-images/demo/ring_cell_1.tif");
        TorchScriptModel shared = ModelCache.shared().get(MODEL);
        float before = shared.parameters().get("fc.weight").toFloatArray()[0];
        int modules = CascadingRandomisation.cascade(shared).size();

        SanityCheckCommand cam = check("Grad-CAM", image);
        SanityCheckCommand guided = check("Guided Backprop", image);
        assertEquals(modules + 1, cam.steps.size(), "one row per cascade step plus the original");
        assertEquals(modules + 1, guided.steps.size());
        assertEquals(1.0, cam.steps.get(0).spearman(), 1e-9);
        double camFinal = cam.steps.get(modules).spearman();
        double guidedFinal = guided.steps.get(modules).spearman();
        for (CascadingRandomisation.Step s : cam.steps) {
            System.out.printf("Grad-CAM step %d %-16s Spearman %.3f |.| %.3f SSIM %.3f; Guided Backprop %.3f %.3f "
                    + "%.3f%n", s.step(), s.randomised(), s.spearman(), s.spearmanAbs(), s.ssim(),
                    guided.steps.get(s.step()).spearman(), guided.steps.get(s.step()).spearmanAbs(),
                    guided.steps.get(s.step()).ssim());
        }
        assertTrue(camFinal < 0.5, "Grad-CAM final Spearman " + camFinal);
        assertTrue(guidedFinal > camFinal, "Guided Backprop " + guidedFinal + " vs Grad-CAM " + camFinal);
        double camMean = 0;
        double guidedMean = 0;
        for (int k = 1; k <= modules; k++) {
            camMean += cam.steps.get(k).spearman() / modules;
            guidedMean += guided.steps.get(k).spearman() / modules;
        }
        assertTrue(guidedMean > camMean + 0.2, "mean over the cascade: Guided Backprop " + guidedMean
                + ", Grad-CAM " + camMean);
        assertEquals(modules + 1, cam.maps.getStackSize());
        assertEquals(before, ModelCache.shared().get(MODEL).parameters().get("fc.weight").toFloatArray()[0], 0f,
                "the shared model must not change");

        SanityCheckCommand again = new SanityCheckCommand();
        again.image = image;
        again.method = "Grad-CAM";
        again.run(); // the latest heatmap is Guided Backprop's; method= overrides it
        List<CascadingRandomisation.Step> a = cam.steps;
        List<CascadingRandomisation.Step> b = again.steps;
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).spearman(), b.get(i).spearman(), 1e-12, "same seed, same figures");
        }
        Path shots = Files.createDirectories(Path.of("target", "screenshots"));
        new ij.io.FileSaver(cam.plot.getImagePlus()).saveAsPng(shots.resolve("sanity-check-plot.png").toString());
    }
}
