package org.explainj.model;

import org.explainj.explain.Options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.explainj.explain.ExplainOptions;
import org.explainj.explain.GradientPass;
import org.explainj.explain.ReluRule;
import org.explainj.explain.Target;
import org.explainj.explain.cam.GradCam;
import org.explainj.tensor.ModelInput;
import org.explainj.testutil.Compare;
import org.explainj.testutil.Resources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guarantee that no prepared copy is used unless it computes what the model computes. A prepared copy in the
 * cache is made wrong the way the earlier regex rewriter was (its in-place ReLU helper out of place, so a statement
 * {@code torch.relu_(y)} no longer rectifies y), as a copy left by a faulty rewriter version would be: the check
 * finds it, layer methods and ReLU rules are refused with the check that failed, and Saliency, which never runs the
 * copy, still agrees with the reference.
 */
class CopyCheckTest {

    @TempDir
    Path cache;

    private static final String MODEL = "constructs/models/inplace_relu_stmt_scripted.pt";

    private static ModelInput input() {
        return new ModelInput(Resources.npy("constructs/inplace_relu_stmt/input.npy").data(), 3, 32, 32);
    }

    private static Target target() throws IOException {
        JsonObject m = JsonParser.parseString(Files.readString(Resources.path("constructs/manifest.json")))
                .getAsJsonObject().getAsJsonObject("models").getAsJsonObject("inplace_relu_stmt");
        return Target.index(m.getAsJsonArray("references").get(0).getAsJsonObject().getAsJsonObject("target")
                .get("class").getAsInt());
    }

    private Path preparedCopy() throws IOException {
        try (Stream<Path> s = Files.list(cache.resolve("prepared"))) {
            return s.filter(p -> p.toString().endsWith(".pt")).findFirst().orElseThrow();
        }
    }

    /** Rewrites the cached copy with its in-place ReLU helper out of place and forgets the checks made. */
    private void breakInPlaceRelu() throws IOException {
        Path prepared = preparedCopy();
        TorchScriptArchive archive = TorchScriptArchive.read(prepared);
        Map<String, String> code = new HashMap<>();
        for (Map.Entry<String, String> e : archive.codeFiles().entrySet()) {
            String broken = e.getValue().replace("ej_r = ej_z.copy_(ej_t)", "ej_r = torch.clone(ej_t)")
                    .replace("ej_r = torch.relu_(ej_z)", "ej_r = torch.relu(ej_z)");
            if (!broken.equals(e.getValue())) {
                code.put(e.getKey(), broken);
            }
        }
        assertEquals(1, code.size(), "the in-place helper is in one file");
        Path tmp = Files.createTempFile(cache, "broken", ".pt");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            archive.writeWithCode(code, out);
        }
        Files.move(tmp, prepared, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (Stream<Path> s = Files.list(cache.resolve("prepared"))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".checks")).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void aCopyThatComputesSomethingElseIsRefusedAndSaliencyStaysRight() throws IOException {
        ModelCache first = new ModelCache(cache);
        TorchScriptModel good = first.get(Resources.path(MODEL));
        // the right copy passes its checks
        new GradCam().explain(good, input(), target(), ExplainOptions.defaults().with(Options.LAYER, "bn2"));
        first.clear();
        breakInPlaceRelu();

        ModelCache second = new ModelCache(cache);
        TorchScriptModel m = second.get(Resources.path(MODEL));
        assertEquals(0, second.rewrites(), "the cached (broken) copy is used");
        assertTrue(m.layersAvailable());
        LayerException cam = assertThrows(LayerException.class, () -> new GradCam().explain(m, input(), target(),
                ExplainOptions.defaults().with(Options.LAYER, "bn2")));
        assertTrue(cam.getMessage().contains("does not compute what the model computes")
                && cam.getMessage().contains("the outputs with taps off differ by up to")
                && cam.getMessage().contains("Saliency, Input x Gradient, SmoothGrad, Integrated Gradients and "
                + "Occlusion still work"), cam.getMessage());
        System.out.println("refusal of a copy that differs: " + cam.getMessage());
        LayerException guided = assertThrows(LayerException.class, () -> GradientPass.inputGradient(m, input(),
                target(), ReluRule.GUIDED));
        assertEquals(cam.getMessage(), guided.getMessage());
        // Saliency runs the model's own forward
        Compare.assertAgrees("saliency with a broken copy", GradientPass.inputGradient(m, input(), target())
                .gradient(), Resources.npy("constructs/inplace_relu_stmt/saliency.npy").data());
        // the verdict is kept with the copy: a new session refuses without checking again
        second.clear();
        ModelCache third = new ModelCache(cache);
        TorchScriptModel again = third.get(Resources.path(MODEL));
        assertThrows(LayerException.class, () -> new GradCam().explain(again, input(), target(),
                ExplainOptions.defaults().with(Options.LAYER, "bn2")));
        assertEquals(0, again.check().runs(), "the stored verdict is used");
        third.clear();
    }

    @Test
    void checksRunOncePerShapeAndLayerAndAreKeptAcrossSessions() throws IOException {
        ModelCache first = new ModelCache(cache);
        TorchScriptModel m = first.get(Resources.path(MODEL));
        ExplainOptions bn2 = ExplainOptions.defaults().with(Options.LAYER, "bn2");
        new GradCam().explain(m, input(), target(), bn2);
        assertEquals(2, m.check().runs(), "the copy at this shape, and the cut at bn2");
        new GradCam().explain(m, input(), target(), bn2);
        assertEquals(2, m.check().runs(), "nothing checked twice");
        GradientPass.inputGradient(m, input(), target(), ReluRule.GUIDED);
        GradientPass.inputGradient(m, input(), target(), ReluRule.DECONVNET);
        assertEquals(3, m.check().runs(), "the ReLU stages, checked once, when a method first uses them");
        ModelInput larger = new ModelInput(new float[3 * 40 * 40], 3, 40, 40);
        GradientPass.inputGradient(m, larger, Target.index(0), ReluRule.GUIDED);
        assertEquals(5, m.check().runs(), "a new input shape: the copy and its ReLU stages are checked");
        first.clear();
        ModelCache second = new ModelCache(cache);
        TorchScriptModel again = second.get(Resources.path(MODEL));
        new GradCam().explain(again, input(), target(), bn2);
        assertEquals(0, again.check().runs(), "verdicts are kept with the prepared copy");
        second.clear();
    }
}
