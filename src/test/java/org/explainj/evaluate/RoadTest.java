package org.explainj.evaluate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.explainj.explain.Progress;
import org.explainj.explain.Target;
import org.explainj.model.ModelCache;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;
import org.explainj.testutil.Resources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ROAD against {@code scripts/make_evaluation_references.py}: the same removal sets (numpy percentiles) and the same
 * noise-free linear imputation solved with scipy's sparse solver; the noise is seeded.
 */
class RoadTest {

    private static final Path MODEL = Path.of("test-images/demo/ringnet_traced.pt");

    private static double[] doubles(JsonArray a) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = a.get(i).getAsDouble();
        }
        return d;
    }

    private static Road.Result road(String heatmap, String score, int target, double noise, long seed) {
        TorchScriptModel model = ModelCache.shared().get(MODEL);
        ModelInput x = new ModelInput(Resources.npy("evaluation/input.npy").data(), 1, 96, 96);
        float[] map = Resources.npy("evaluation/" + heatmap).data();
        return Road.run(model, x, UnaryOperator.identity(), map, Target.index(target), target,
                DeletionInsertion.Score.parse(score), noise, seed, DeletionInsertion.options(8, Progress.NONE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"road_smooth_probability", "road_smooth_logit"})
    void noiseFreeRoadEqualsTheIndependentComputation(String name) throws IOException {
        JsonObject c = JsonParser.parseString(Files.readString(Resources.path("evaluation/references.json")))
                .getAsJsonObject().getAsJsonObject("cases").getAsJsonObject(name);
        Road.Result r = road(c.get("heatmap").getAsString(), c.get("score").getAsString(), c.get("target").getAsInt(),
                0, 1);
        double tol = "logit".equals(c.get("score").getAsString()) ? 2e-4 : 2e-5;
        assertArrayEquals(doubles(c.getAsJsonArray("morf")), r.morf(), tol, "MoRF");
        assertArrayEquals(doubles(c.getAsJsonArray("lerf")), r.lerf(), tol, "LeRF");
        assertEquals(c.get("combined").getAsDouble(), r.combined(), tol);
        System.out.printf("%s: ROAD combined %.6f (Python %.6f)%n", name, r.combined(),
                c.get("combined").getAsDouble());
    }

    @Test
    void theNoiseIsSeeded() {
        Road.Result a = road("heatmap_smooth.npy", "probability", 1, 0.01, 42);
        Road.Result b = road("heatmap_smooth.npy", "probability", 1, 0.01, 42);
        Road.Result c = road("heatmap_smooth.npy", "probability", 1, 0.01, 43);
        assertArrayEquals(a.morf(), b.morf(), 0);
        assertNotEquals(a.morf()[4], c.morf()[4]);
    }
}
