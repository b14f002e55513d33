package org.explainj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import org.explainj.testutil.Compare;
import org.explainj.testutil.Npy;
import org.explainj.testutil.Resources;
import org.explainj.testutil.Slow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Slow
class TapEngineTest {

    @TempDir
    Path cache;

    @Test
    void tapsTopLevelLayerOfTinyCnnLikeTheReference() {
        ModelCache models = new ModelCache(cache);
        TorchScriptModel model = models.get(Resources.path("reference/models/tinycnn.pt"));
        try {
            checkTinyCnn(model);
        } finally {
            models.clear();
        }
    }

    private void checkTinyCnn(TorchScriptModel model) {
        assertTrue(model.layersAvailable(), String.valueOf(model.notPreparedReason()));
        Npy x = Resources.npy("reference/inputs/synth_pos0_model_input.npy");
        String dir = "reference/golden/tinycnn/synth_pos0/t1_top/";
        try (NDManager m = model.newManager(); GradScope g = GradScope.open()) {
            NDArray in = m.create(x.data(), new Shape(1, 1, 64, 64));
            TorchScriptModel.Tapped out = model.run(in, "features.relu4", false);
            assertEquals(1, out.taps().outputs().size());
            assertEquals(1, out.taps().records().size());
            assertEquals(TapProtocol.Kind.LAYER_LEAF, out.taps().records().get(0).kind());
            NDArray logits = out.output();
            NDArray a = out.taps().records().get(0).values().get(0);
            float[] refLogits = Resources.npy("reference/golden/tinycnn/synth_pos0/logits.npy").data();
            Compare.assertAgrees("logits", logits.toFloatArray(), refLogits);
            Autograd.backward(logits.get(0, 1), m.ones(new Shape()), false);
            Compare.assertAgrees("A", a.toFloatArray(), Resources.npy(dir + "target_layer_activations.npy").data());
            Compare.assertAgrees("dY/dA", a.getGradient().toFloatArray(),
                    Resources.npy(dir + "target_layer_gradients.npy").data());
        }
    }

    @Test
    void tapsNestedBlockOfResNet18LikeTheReference() {
        Path shared = Resources.sharedReference();
        org.junit.jupiter.api.Assumptions.assumeTrue(shared != null, "shared reference folder with resnet18.pt absent");
        ModelCache models = new ModelCache(cache);
        long t0 = System.nanoTime();
        TorchScriptModel model = models.get(shared.resolve("models/resnet18.pt"));
        System.out.printf("resnet18 load incl. rewrite: %.0f ms%n", (System.nanoTime() - t0) / 1e6);
        try {
            checkResNet(model);
        } finally {
            models.clear();
        }
    }

    private void checkResNet(TorchScriptModel model) {
        assertTrue(model.layersAvailable(), String.valueOf(model.notPreparedReason()));
        Npy x = Resources.npy("reference/inputs/chelsea_224_model_input.npy");
        Path dir = Resources.sharedReference().resolve("golden/resnet18/chelsea_224/t633_top");
        for (String layer : new String[] {"layer4", "layer4.1"}) {
            try (NDManager m = model.newManager(); GradScope g = GradScope.open()) {
                TorchScriptModel.Tapped out = model.run(m.create(x.data(), new Shape(1, 3, 224, 224)), layer, false);
                Autograd.backward(out.output().get(0, 633), m.ones(new Shape()), false);
                NDArray a = out.taps().of(TapProtocol.Kind.LAYER_LEAF).get(0).values().get(0);
                Compare.assertAgrees(layer + " A", a.toFloatArray(),
                        Npy.read(dir.resolve("target_layer_activations.npy")).data());
                Compare.assertAgrees(layer + " dY/dA", a.getGradient().toFloatArray(),
                        Npy.read(dir.resolve("target_layer_gradients.npy")).data());
            }
        }
    }
}
