package org.explainj.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.explainj.explain.cam.Cam;
import org.explainj.explain.cam.GradCam;
import org.explainj.explain.cam.GradCamPlusPlus;
import org.explainj.explain.cam.LayerCam;
import org.explainj.explain.cam.ScoreCam;
import org.explainj.model.ModelCache;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.Grid;
import org.explainj.tensor.ModelInput;
import org.explainj.testutil.Compare;
import org.explainj.testutil.Npy;
import org.explainj.testutil.Resources;
import org.explainj.testutil.Slow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A 3-D model (Conv3d, input 1×1×16×32×32): every method on volumes against references computed in eager PyTorch
 * by {@code scripts/make_3d_models.py} (hooks; Captum's and pytorch-grad-cam's rules written over three spatial
 * axes), for the traced and the scripted export and two inputs.
 */
@Slow
class VolumeModelTest {

    /** Bound on max error / max|ref| (measured: at most 8.3e-7, occlusion; most maps agree to 3e-7 or exactly). */
    private static final double TOL = 1e-5;

    @TempDir
    static Path cache;

    static ModelCache models;

    @BeforeAll
    static void setUp() {
        models = new ModelCache(cache);
    }

    @AfterAll
    static void tearDown() {
        models.clear();
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String export : new String[] {"traced", "scripted"}) {
            for (String input : new String[] {"shell", "ball"}) {
                cases.add(Arguments.of(export, input));
            }
        }
        return cases.stream();
    }

    static TorchScriptModel model(String export) {
        return models.get(Resources.path("models/vol3d_" + export + ".pt"));
    }

    static ModelInput input(String name) {
        Npy x = Resources.npy("fixtures3d/" + name + "/input.npy");
        long[] s = x.shape();
        return new ModelInput(x.data(), (int) s[0], (int) s[1], (int) s[2], (int) s[3]);
    }

    static float[] ref(String input, String file) {
        return Resources.npy("fixtures3d/" + input + "/" + file + ".npy").data();
    }

    static float[] relu(float[] v) {
        float[] r = v.clone();
        for (int i = 0; i < r.length; i++) {
            r[i] = Math.max(r[i], 0f);
        }
        return r;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void gradientMethodsMatchTheReference(String export, String input) {
        TorchScriptModel m = model(export);
        ModelInput x = input(input);
        ExplainOptions signed = ExplainOptions.defaults().with(Options.SIGNED, true);
        Attribution s = Explainers.of(Method.SALIENCY).explain(m, x, Target.TOP, signed);
        assertEquals(Grid.volume(32, 32, 16), s.grid());
        assertEquals(3, s.map().numDimensions());
        Compare.assertAgrees(export + "/" + input + " saliency", s.values(), ref(input, "saliency"), TOL);
        Compare.assertAgrees(export + "/" + input + " guided", Explainers.of(Method.GUIDED_BACKPROP)
                .explain(m, x, Target.TOP, signed).values(), ref(input, "guided"), TOL);
        Compare.assertAgrees(export + "/" + input + " deconvnet", Explainers.of(Method.DECONVNET)
                .explain(m, x, Target.TOP, signed).values(), ref(input, "deconv"), TOL);
        Compare.assertAgrees(export + "/" + input + " IG riemann_right 20", Explainers.of(
                Method.INTEGRATED_GRADIENTS).explain(m, x, Target.TOP, signed.with(Options.STEPS, 20).with(Options.INTEGRATION, "riemann_right").with(Options.BASELINE, (double) (0)))
                .values(), ref(input, "ig_riemann_right_20"), TOL);
        Attribution occ = Explainers.of(Method.OCCLUSION).explain(m, x, Target.TOP, signed.with(Options.WINDOW, 4).with(Options.STRIDE, 2).with(Options.BASELINE, (double) (0)));
        assertEquals(7 * 15 * 15, occ.diagnostics().get("windows"));
        Compare.assertAgrees(export + "/" + input + " occlusion 4³ stride 2", occ.values(),
                ref(input, "occlusion_w4_s2"), TOL);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void camMethodsMatchTheReferenceAtBothLayers(String export, String input) {
        TorchScriptModel m = model(export);
        ModelInput x = input(input);
        for (String layer : new String[] {"features", "features.6"}) {
            String p = layer + "/";
            ExplainOptions raw = ExplainOptions.defaults().with(Options.LAYER, layer).with(Options.NO_RELU, true);
            Attribution g = new GradCam().explain(m, x, Target.TOP, raw);
            Compare.assertAgrees(export + "/" + input + " " + layer + " Grad-CAM raw", g.values(),
                    ref(input, p + "gradcam_raw"), TOL);
            Attribution relu = new GradCam().explain(m, x, Target.TOP, raw.with(Options.NO_RELU, false));
            // trilinear, half-pixel centres: F.interpolate(mode="trilinear", align_corners=False)
            Compare.assertAgrees(export + "/" + input + " " + layer + " Grad-CAM upsampled", relu.valuesAt(x.grid()),
                    ref(input, p + "gradcam_up"), TOL);
            Compare.assertAgrees(export + "/" + input + " " + layer + " Grad-CAM++ raw", new GradCamPlusPlus()
                    .explain(m, x, Target.TOP, raw).values(), ref(input, p + "gradcampp_raw"), TOL);
            Compare.assertAgrees(export + "/" + input + " " + layer + " LayerCAM raw", new LayerCam()
                    .explain(m, x, Target.TOP, raw).values(), ref(input, p + "layercam_raw"), TOL);
        }
        ExplainOptions last = ExplainOptions.defaults().with(Options.LAYER, "features");
        Attribution cam = new Cam().explain(m, x, Target.TOP, last.with(Options.NO_RELU, true));
        Compare.assertAgrees(export + "/" + input + " CAM raw", cam.values(), ref(input, "features/cam_raw"), TOL);
        Compare.assertAgrees(export + "/" + input + " Score-CAM", new ScoreCam().explain(m, x, Target.TOP, last)
                .values(), ref(input, "features/scorecam"), TOL);
    }

    @Test
    void camIsGradCamTimesTheNumberOfVoxelsForAGlobalAveragePoolingHead() {
        TorchScriptModel m = model("traced");
        ModelInput x = input("shell");
        ExplainOptions o = ExplainOptions.defaults().with(Options.LAYER, "features").with(Options.NO_RELU, true);
        float[] cam = new Cam().explain(m, x, Target.TOP, o).values();
        Attribution g = new GradCam().explain(m, x, Target.TOP, o);
        assertEquals(Grid.volume(8, 8, 4), g.grid());
        float[] scaled = cam.clone();
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] /= g.grid().size();
        }
        Compare.assertAgrees("CAM / (d·h·w) vs Grad-CAM", scaled, g.values(), TOL);
    }

    @Test
    void guidedGradCamIsGuidedBackpropTimesTheNearestUpsampledGradCamVoxelByVoxel() {
        TorchScriptModel m = model("traced");
        ModelInput x = input("shell");
        ExplainOptions o = ExplainOptions.defaults().with(Options.LAYER, "features").with(Options.SIGNED, true);
        float[] ggc = Explainers.of(Method.GUIDED_GRAD_CAM).explain(m, x, Target.TOP, o).values();
        float[] guided = ref("shell", "guided");
        float[] cam = relu(ref("shell", "features/gradcam_raw"));
        // 16×32×32 from 4×8×8: nearest = the layer voxel (z/4, y/4, x/4)
        float[] expected = new float[guided.length];
        for (int z = 0; z < 16; z++) {
            for (int y = 0; y < 32; y++) {
                for (int xx = 0; xx < 32; xx++) {
                    int i = (z * 32 + y) * 32 + xx;
                    expected[i] = guided[i] * cam[((z / 4) * 8 + y / 4) * 8 + xx / 4];
                }
            }
        }
        Compare.assertAgrees("Guided Grad-CAM (nearest) on a volume", ggc, expected, TOL);
    }

    /** A crop of the shell volume with W ≠ H ≠ D (28×20×12), so x, y and z cannot be mixed up unnoticed. */
    static ModelInput crop() {
        float[] v = input("shell").data();
        int w = 28;
        int h = 20;
        int d = 12;
        float[] c = new float[w * h * d];
        for (int z = 0; z < d; z++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    c[(z * h + y) * w + x] = v[((z + 2) * 32 + y + 6) * 32 + x + 2];
                }
            }
        }
        return new ModelInput(c, 1, d, h, w);
    }

    @Test
    void aNonCubicVolumeKeepsItsAxes() {
        TorchScriptModel m = model("traced");
        ModelInput x = crop();
        assertArrayEquals(new long[] {1, 1, 12, 20, 28}, x.shape());
        Attribution g = new GradCam().explain(m, x, Target.index(1), ExplainOptions.defaults().with(Options.LAYER, "features"));
        assertEquals(Grid.volume(7, 5, 3), g.grid());
        assertEquals(7, g.map().dimension(0));
        assertEquals(3, g.map().dimension(2));
        // Occlusion with window = stride = 2: each voxel lies in one window, so its value is f(x) − f(x without
        // that window); checked by direct forward passes at voxels that tell x, y and z apart
        Attribution occ = Explainers.of(Method.OCCLUSION).explain(m, x, Target.index(1),
                ExplainOptions.defaults().with(Options.SIGNED, true).with(Options.WINDOW, 2).with(Options.STRIDE, 2).with(Options.BASELINE, (double) (0)));
        assertEquals(14 * 10 * 6, occ.diagnostics().get("windows"));
        assertEquals(Grid.volume(28, 20, 12), occ.grid());
        float full = GradientPass.resolve(m, x, Target.index(1)).scores()[1];
        float largest = 0;
        for (int[] p : new int[][] {{25, 3, 1}, {3, 17, 10}, {12, 8, 6}, {27, 19, 11}}) {
            float[] masked = x.data().clone();
            int x0 = p[0] / 2 * 2;
            int y0 = p[1] / 2 * 2;
            int z0 = p[2] / 2 * 2;
            for (int z = z0; z < z0 + 2; z++) {
                for (int y = y0; y < y0 + 2; y++) {
                    for (int xx = x0; xx < x0 + 2; xx++) {
                        masked[(z * 20 + y) * 28 + xx] = 0;
                    }
                }
            }
            float without = GradientPass.resolve(m, x.withData(masked), Target.index(1)).scores()[1];
            assertEquals(full - without, occ.values()[(p[2] * 20 + p[1]) * 28 + p[0]], 1e-5,
                    "voxel x=" + p[0] + " y=" + p[1] + " z=" + p[2]);
            largest = Math.max(largest, Math.abs(full - without));
        }
        assertTrue(largest > 1e-3, "the checked windows barely change the score: " + largest);
    }

    @Test
    void theDefaultLayerIsTheLastVolumetricBlockAndEveryMethodGivesAVolume() {
        TorchScriptModel m = model("scripted");
        ModelInput x = input("shell");
        assertEquals(3, m.spatialDims());
        assertEquals(1, m.inputChannels());
        assertEquals("features", m.defaultCamLayer(x.shape()));
        ExplainOptions o = ExplainOptions.defaults().with(Options.SAMPLES, 4).with(Options.NOISE, (double) (0.15)).with(Options.SEED, (long) (7)).with(Options.STEPS, 8).with(Options.INTEGRATION, "gausslegendre").with(Options.BASELINE, (double) (0)).with(Options.WINDOW, 8).with(Options.STRIDE, 8).with(Options.BASELINE, (double) (0));
        for (Method method : org.explainj.testutil.CnnMethods.all()) {
            Attribution a = Explainers.of(method).explain(m, x, Target.TOP, o);
            Grid expected = method.usesLayer() && method != Method.GUIDED_GRAD_CAM ? Grid.volume(8, 8, 4)
                    : x.grid();
            assertEquals(expected, a.grid(), method.label());
            assertEquals(1, a.targetClass(), method.label());
            float max = Float.NEGATIVE_INFINITY;
            for (float v : a.values()) {
                assertTrue(Float.isFinite(v), method.label());
                max = Math.max(max, v);
            }
            assertTrue(max > 0, method.label() + " gives an all-zero or negative map");
        }
        org.explainj.model.LayerException rollout = org.junit.jupiter.api.Assertions.assertThrows(
                org.explainj.model.LayerException.class, () -> Explainers.of(Method.ATTENTION_ROLLOUT).explain(m, x,
                Target.TOP, o));
        assertTrue(rollout.getMessage().contains("2-D vision transformers"), rollout.getMessage());
    }

    @Test
    void gradCamPutsItsMaximumOnTheShellNotOnTheDistractors() {
        // the reference map's maximum is the evidence location; ours must agree on the voxel
        ModelInput x = input("shell");
        Attribution a = new GradCam().explain(model("traced"), x, Target.TOP,
                ExplainOptions.defaults().with(Options.LAYER, "features"));
        float[] up = a.valuesAt(x.grid());
        assertEquals(argMax(ref("shell", "features/gradcam_up")), argMax(up));
        assertArrayEquals(new int[] {16, 32, 32}, new int[] {x.depth(), x.height(), x.width()});
    }

    static int argMax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
