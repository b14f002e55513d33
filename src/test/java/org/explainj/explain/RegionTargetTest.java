package org.explainj.explain;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.explainj.model.ModelCache;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;
import org.explainj.testutil.Compare;
import org.explainj.testutil.Npy;
import org.explainj.testutil.Resources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Targets on a segmentation output (the test U-Net, output 2×64×64): a class's logits summed in a region. */
class RegionTargetTest {

    @TempDir
    Path cache;

    private ModelCache models;
    private TorchScriptModel unet;
    private ModelInput input;

    @BeforeEach
    void load() {
        models = new ModelCache(cache);
        unet = models.get(Path.of("src/test/resources/models/unet_traced.pt"));
        Npy x = Resources.npy("fixtures/unet/input.npy");
        input = new ModelInput(x.data(), 1, 64, 64);
    }

    @AfterEach
    void close() {
        models.clear();
    }

    private float[] gradient(Target t) {
        return GradientPass.inputGradient(unet, input, t).gradient();
    }

    @Test
    void theWholeImageAsRegionIsTheSummedClassScore() {
        float[] all = new float[64 * 64];
        java.util.Arrays.fill(all, 1);
        Compare.assertAgrees("region = whole output", gradient(Target.index(1).inRegion(all, 64, 64)),
                Resources.npy("fixtures/unet/saliency.npy").data());
    }

    @Test
    void disjointRegionsAddUp() {
        // the gradient is linear in the summed score: region A + region B = region A ∪ B
        float[] a = new float[64 * 64];
        float[] b = new float[64 * 64];
        float[] both = new float[64 * 64];
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                boolean inA = x >= 10 && x < 30 && y >= 12 && y < 40;
                boolean inB = x >= 40 && x < 60 && y >= 30 && y < 50;
                a[y * 64 + x] = inA ? 1 : 0;
                b[y * 64 + x] = inB ? 1 : 0;
                both[y * 64 + x] = inA || inB ? 1 : 0;
            }
        }
        float[] ga = gradient(Target.index(1).inRegion(a, 64, 64));
        float[] gb = gradient(Target.index(1).inRegion(b, 64, 64));
        float[] gab = gradient(Target.index(1).inRegion(both, 64, 64));
        float[] sum = new float[ga.length];
        for (int i = 0; i < sum.length; i++) {
            sum[i] = ga[i] + gb[i];
        }
        Compare.assertAgrees("grad(A) + grad(B) vs grad(A ∪ B)", sum, gab);
        // a region given at another size (e.g. the image's, 128x128) is resampled to the output's
        float[] big = new float[128 * 128];
        for (int i = 0; i < big.length; i++) {
            big[i] = a[((i / 128) / 2) * 64 + (i % 128) / 2];
        }
        Compare.assertAgrees("region at 2x size", gradient(Target.index(1).inRegion(big, 128, 128)), ga);
    }

    @Test
    void aCamMethodExplainsTheRegionAndAnEmptyRegionIsRefused() {
        float[] a = new float[64 * 64];
        for (int i = 0; i < 64 * 20; i++) {
            a[i] = 1;
        }
        Attribution cam = Explainers.of(Method.GRAD_CAM).explain(unet, input, Target.index(0).inRegion(a, 64, 64),
                ExplainOptions.defaults().with(Options.LAYER, "dec1").with(Options.NO_RELU, true));
        boolean nonZero = false;
        for (float v : cam.values()) {
            nonZero |= v != 0;
        }
        assertTrue(nonZero);
        MethodException e = assertThrows(MethodException.class,
                () -> Target.index(0).inRegion(new float[64 * 64], 64, 64));
        assertTrue(e.getMessage().contains("region is empty"), e.getMessage());
    }
}
