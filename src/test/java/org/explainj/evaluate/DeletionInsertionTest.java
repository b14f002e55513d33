package org.explainj.evaluate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Deletion and insertion against {@code scripts/make_evaluation_references.py}: the same protocol computed in
 * PyTorch (numpy's lexsort for the order, scipy's gaussian_filter for the blurred start) on the demo model, with
 * heatmaps that tie on many pixels.
 */
class DeletionInsertionTest {

    private static JsonObject references() throws IOException {
        return JsonParser.parseString(Files.readString(Resources.path("evaluation/references.json")))
                .getAsJsonObject().getAsJsonObject("cases");
    }

    private static double[] doubles(JsonArray a) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = a.get(i).getAsDouble();
        }
        return d;
    }

    @ParameterizedTest
    @ValueSource(strings = {"smooth_probability", "smooth_logit_blur", "reversed_probability_baseline",
        "smooth_other_class"})
    void curvesAndAreasEqualTheIndependentComputation(String name) throws IOException {
        JsonObject c = references().getAsJsonObject(name);
        TorchScriptModel model = ModelCache.shared().get(Path.of("test-images/demo/ringnet_traced.pt"));
        ModelInput x = new ModelInput(Resources.npy("evaluation/input.npy").data(), 1, 96, 96);
        float[] map = Resources.npy("evaluation/" + c.get("heatmap").getAsString()).data();
        int target = c.get("target").getAsInt();
        DeletionInsertion.Settings s = new DeletionInsertion.Settings(DeletionInsertion.Metric.BOTH,
                c.get("steps").getAsInt(), c.get("baseline").getAsDouble(), c.get("blur").getAsDouble(),
                DeletionInsertion.Score.parse(c.get("score").getAsString()));
        DeletionInsertion.Curves r = DeletionInsertion.run(model, x, UnaryOperator.identity(), map,
                Target.index(target), target, s, DeletionInsertion.options(7, Progress.NONE));
        double tol = "logit".equals(c.get("score").getAsString()) ? 1e-4 : 1e-5;
        assertArrayEquals(doubles(c.getAsJsonArray("deletion")), r.deletion(), tol, name + " deletion");
        assertArrayEquals(doubles(c.getAsJsonArray("insertion")), r.insertion(), tol, name + " insertion");
        assertEquals(c.get("deletion_auc").getAsDouble(), r.deletionAuc(), tol);
        assertEquals(c.get("insertion_auc").getAsDouble(), r.insertionAuc(), tol);
        System.out.printf("%s: deletion AUC %.6f (Python %.6f), insertion AUC %.6f (Python %.6f)%n", name,
                r.deletionAuc(), c.get("deletion_auc").getAsDouble(), r.insertionAuc(),
                c.get("insertion_auc").getAsDouble());
    }
}
