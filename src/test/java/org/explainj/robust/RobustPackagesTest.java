package org.explainj.robust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ColorProcessor;
import ij.process.ShortProcessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.explainj.bioimage.PackageException;
import org.explainj.command.ExplainImageCommand;
import org.explainj.model.ModelException;
import org.explainj.testutil.Resources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken and awkward bioimage.io packages ({@code bioimageio/bad/}, made by
 * {@code scripts/make_bioimageio_packages.py}; each a good package with one defect): each refusal names the file or
 * field and says what to do; the package is never written to.
 */
class RobustPackagesTest {

    @TempDir
    Path tmp;

    private static Path bad(String name) {
        return Resources.path("bioimageio/bad/" + name);
    }

    /** A 16×32×32 16-bit z-stack: what vol3d_v05 (and the packages made from it) take. */
    private static ImagePlus volume() {
        ImageStack s = new ImageStack(32, 32);
        for (int z = 0; z < 16; z++) {
            short[] px = new short[32 * 32];
            for (int i = 0; i < px.length; i++) {
                px[i] = (short) (100 + ((i * 7 + z * 13) % 200) * 16);
            }
            s.addSlice(new ShortProcessor(32, 32, px, null));
        }
        ImagePlus imp = new ImagePlus("stack", s);
        imp.setDimensions(1, 16, 1);
        return imp;
    }

    private static ImagePlus plane(int w, int h) {
        short[] px = new short[w * h];
        for (int i = 0; i < px.length; i++) {
            px[i] = (short) (400 + (i * 37) % 3000);
        }
        return new ImagePlus("plane", new ShortProcessor(w, h, px, null));
    }

    private static ExplainImageCommand command(ImagePlus imp, Path pkg, String method) {
        return Fixtures.command(imp, pkg, method);
    }

    @Test
    void aZipWithoutDescriptionIsNeitherPackageNorTorchScript() {
        Survey.error("package: zip without rdf.yaml", ModelException.class, () -> command(volume(),
                bad("no_rdf.zip"), "Saliency").run(), "no_rdf.zip", "not a TorchScript model",
                "not a bioimage.io package", "rdf.yaml");
    }

    @Test
    void aPackageWithoutTorchScriptWeightsListsItsFormatsAndHowToConvert() {
        Survey.error("package: no torchscript weights", PackageException.class, () -> command(volume(),
                bad("no_torchscript"), "Saliency").run(), "no TorchScript weights", "pytorch_state_dict", "onnx",
                "torch.jit.script", "weights: torchscript");
    }

    @Test
    void weightsThatDoNotMatchTheirSha256AreRefusedWithBothChecksums() {
        String msg = Survey.error("package: weights sha256 mismatch", PackageException.class, () -> command(volume(),
                bad("wrong_sha256"), "Saliency").run(), "weights.pt", "sha256",
                "b0a3de7a398c0270db6bd21747cdcfce1e4fcbb0b7eceba9a6e479c8be08b29b", "damaged or was replaced");
        assertEquals(2, msg.split("b0a3de7a398c0270db6bd21747cdcfce1e4fcbb0b7eceba9a6e479c8be08b2", -1).length - 1,
                "both checksums (they differ in the last digit): " + msg);
    }

    @Test
    void aTestTensorThatDoesNotMatchItsSha256IsRefused() {
        Survey.error("package: test tensor sha256 mismatch", PackageException.class, () -> command(volume(),
                bad("wrong_test_sha256"), "Saliency").run(), "test tensor", "test_input.npy",
                "31db7e18d1041007a5568d7b85d841acbb3072c6daa0fe65db5f7e5b710397a1");
    }

    @Test
    void anUnknownPreprocessingStepIsRefusedNotSkipped() {
        Survey.error("package: unknown preprocessing step", PackageException.class, () -> command(volume(),
                bad("unsupported_step"), "Saliency").run(), "\"my_custom_normalizer\"", "scale_range",
                "zero_mean_unit_variance");
    }

    @Test
    void perDatasetStatisticsAreRefusedWithTheReason() {
        Survey.error("package: per_dataset preprocessing (0.4)", PackageException.class, () -> command(plane(96, 96),
                bad("per_dataset"), "Saliency").run(), "per_dataset", "training dataset", "mean=");
    }

    @Test
    void aFixedSizeThatTheImageDoesNotHaveIsRefusedAndInputSizeFitsIt() {
        Survey.error("package: fixed input size 64x64, image 96x96", PackageException.class, () -> command(
                plane(96, 96), bad("fixed_size_64"), "Saliency").run(), "fixed size", "64", "96",
                "input_size=64x64");
        ExplainImageCommand resized = command(plane(96, 96), bad("fixed_size_64"), "Saliency");
        resized.input_size = "64";
        resized.run();
        assertEquals(96, resized.heatmap.getWidth());
        assertEquals(64, resized.result.width());
        Survey.record("package: fixed input size 64x64 with input_size=64", "explained; heatmap 96x96, map 64x64");
    }

    @Test
    void twoInputTensorsAreRefused() {
        Survey.error("package: two input tensors", PackageException.class, () -> command(volume(),
                bad("two_inputs"), "Saliency").run(), "2 input tensors", "one input");
    }

    @Test
    void aPackageThatDoesNotReproduceItsTestOutputIsExplainedWithAWarning() {
        ExplainImageCommand cmd = command(volume(), bad("not_reproducing"), "Grad-CAM");
        cmd.run();
        String warning = cmd.messages.stream().filter(m -> m.startsWith("WARNING")).findFirst().orElse("");
        Survey.record("package: test output not reproduced", warning);
        Survey.mentions(warning, "does NOT reproduce", "largest difference 0.05", "2 of 2 values");
        assertTrue(((String) cmd.heatmap.getProperty("Info")).contains("package_test=FAILED"));
    }

    @Test
    void theImageMustFitTheAxes() {
        Survey.error("package: 3-D package, 2-D image", org.explainj.tensor.InputException.class, () -> command(
                plane(32, 32), Resources.path("bioimageio/vol3d_v05"), "Saliency").run(), "3-D model", "z-stack");
        Survey.error("package: 1-channel package, RGB image", PackageException.class, () -> command(
                new ImagePlus("rgb", new ColorProcessor(96, 96)), Resources.path("bioimageio/scaled_classifier_v05"),
                "Saliency").run(), "1 channel(s) (raw)", "gives 3", "channels=1");
    }

    @Test
    void aZipWithItsPackageInAFolderIsAccepted() {
        ExplainImageCommand cmd = command(volume(), bad("nested_dir.zip"), "Saliency");
        cmd.target = "shell";
        cmd.run();
        assertEquals(1, cmd.result.targetClass());
        Survey.record("package: zip with the package in a top folder (pkg/rdf.yaml)", "explained, target shell = 1");
    }

    /** Given scale/mean/std replace the package's preprocessing, and the Log says so. */
    @Test
    void givenNormalizationReplacesThePackagesWithANote() {
        ExplainImageCommand cmd = command(volume(), Resources.path("bioimageio/vol3d_v05"), "Saliency");
        cmd.mean = "0";
        cmd.std = "4096";
        cmd.scale = "none";
        cmd.run();
        Survey.mentions(String.join(" ", cmd.messages), "replace the package's preprocessing", "scale_linear");
        assertTrue(((String) cmd.heatmap.getProperty("Info")).contains("package_preprocessing_replaced_by="));
    }

    /** A package folder and zip are only read: nothing changes in them or beside them. */
    @Test
    void thePackageIsNeverWritten() throws IOException {
        Path zip = Files.copy(Resources.path("bioimageio/vol3d_v05.zip"), tmp.resolve("vol3d.zip"));
        String before = Survey.sha256(zip);
        ExplainImageCommand cmd = command(volume(), zip, "Grad-CAM");
        cmd.run();
        assertEquals(before, Survey.sha256(zip));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(zip), s.toList(), "nothing written beside the zip");
        }
        Survey.record("package: zip never written", "same sha256, nothing beside it (extracted into the cache)");
    }
}
