package org.explainj.evaluate;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.DMatrixSparseCSC;
import org.ejml.data.DMatrixSparseTriplet;
import org.ejml.interfaces.linsol.LinearSolverSparse;
import org.ejml.ops.DConvertMatrixStruct;
import org.ejml.sparse.FillReducing;
import org.ejml.sparse.csc.factory.LinearSolverFactory_DSCC;
import org.explainj.explain.BatchedForward;
import org.explainj.explain.ExplainOptions;
import org.explainj.explain.Target;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;

/**
 * ROAD (Rong et al. 2022, "A Consistent and Efficient Evaluation Strategy for Attribution Methods") as pytorch-grad-cam
 * defines it: for each percentile p (10, 20, …, 90) the pixels whose map value is at least the map's p-th percentile
 * (MoRF: most relevant first; numpy's linear percentile) or at least the p-th percentile of the negated map (LeRF:
 * least relevant first) are removed and filled by noisy linear imputation — each removed pixel equals the weighted
 * mean of its in-image neighbours (1/6 for the 4 edge neighbours, 1/12 for the 4 diagonal ones), one sparse linear
 * system per channel (solved with EJML's sparse LU), plus Gaussian noise of standard deviation {@code noise}. The
 * score is the change of the target's score against the unperturbed input; MoRF and LeRF are averaged over the
 * percentiles and the combined score is (LeRF − MoRF) / 2 (higher: more faithful).
 */
public final class Road {

    /** The percentiles pytorch-grad-cam averages over. */
    public static final int[] PERCENTILES = {10, 20, 30, 40, 50, 60, 70, 80, 90};
    private static final int[][] OFFSETS = {{1, 1}, {0, 1}, {-1, 1}, {1, -1}, {0, -1}, {-1, -1}, {1, 0}, {-1, 0}};
    private static final double[] WEIGHTS = {1 / 12.0, 1 / 6.0, 1 / 12.0, 1 / 12.0, 1 / 6.0, 1 / 12.0, 1 / 6.0,
        1 / 6.0};

    /** Per percentile: the score changes with the most and the least relevant pixels removed; the averages. */
    public record Result(int[] percentiles, double[] morf, double[] lerf, double morfMean, double lerfMean,
                         double combined) {
    }

    private Road() {
    }

    /**
     * Runs ROAD on a 2-D input.
     *
     * @param x0      model-input values at the map's resolution (C × H × W)
     * @param toModel turns them into the model input (identity when the sizes agree)
     * @param noise   standard deviation of the noise added to imputed values (pytorch-grad-cam: 0.01)
     * @param seed    the noise generator's seed
     */
    public static Result run(TorchScriptModel model, ModelInput x0, UnaryOperator<ModelInput> toModel, float[] map,
                             Target target, int targetClass, DeletionInsertion.Score score, double noise, long seed,
                             ExplainOptions options) {
        if (x0.grid().isVolume()) {
            throw new EvaluationException("ROAD works on 2-D images.");
        }
        int w = x0.width();
        int h = x0.height();
        if (map.length != w * h) {
            throw new EvaluationException("The heatmap has " + map.length + " values but the image " + (w * h)
                    + " pixels.");
        }
        int n = PERCENTILES.length;
        float[][] inputs = new float[2 * n + 1][];
        inputs[0] = x0.data();
        float[] negated = new float[map.length];
        for (int i = 0; i < map.length; i++) {
            negated[i] = -map[i];
        }
        Random random = new Random(seed);
        for (int k = 0; k < n; k++) {
            inputs[1 + k] = impute(x0, removed(map, PERCENTILES[k]), noise, random);
            inputs[1 + n + k] = impute(x0, removed(negated, PERCENTILES[k]), noise, random);
        }
        ModelInput probe = toModel.apply(x0);
        java.util.function.Function<NDArray, float[]> f = out -> DeletionInsertion.score(out, target, targetClass,
                score);
        float[] s = BatchedForward.scores(model, inputs.length, options, probe, target, f, (index, out) -> {
            float[] m = toModel.apply(x0.withData(inputs[index])).data();
            System.arraycopy(m, 0, out, 0, out.length);
        });
        double[] morf = new double[n];
        double[] lerf = new double[n];
        double morfMean = 0;
        double lerfMean = 0;
        for (int k = 0; k < n; k++) {
            morf[k] = s[1 + k] - s[0];
            lerf[k] = s[1 + n + k] - s[0];
            morfMean += morf[k] / n;
            lerfMean += lerf[k] / n;
        }
        return new Result(PERCENTILES.clone(), morf, lerf, morfMean, lerfMean, (lerfMean - morfMean) / 2);
    }

    /** The pixels at or above the map's p-th percentile (numpy's linear percentile). */
    static boolean[] removed(float[] map, int p) {
        double[] sorted = new double[map.length];
        for (int i = 0; i < map.length; i++) {
            sorted[i] = map[i];
        }
        Arrays.sort(sorted);
        double h = (sorted.length - 1) * (p / 100.0);
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        double t = h - lo;
        double d = sorted[hi] - sorted[lo];
        double threshold = t >= 0.5 ? sorted[hi] - d * (1 - t) : sorted[lo] + d * t;
        boolean[] out = new boolean[map.length];
        for (int i = 0; i < map.length; i++) {
            out[i] = !(map[i] < threshold);
        }
        return out;
    }

    /**
     * The removed pixels of every channel replaced by the solution of the neighbour-mean system plus noise; the
     * other pixels unchanged.
     */
    static float[] impute(ModelInput x0, boolean[] removed, double noise, Random random) {
        int w = x0.width();
        int h = x0.height();
        int size = w * h;
        int channels = x0.channels();
        int[] variable = new int[size];
        Arrays.fill(variable, -1);
        int count = 0;
        for (int i = 0; i < size; i++) {
            if (removed[i]) {
                variable[i] = count++;
            }
        }
        float[] out = x0.data().clone();
        if (count == 0) {
            return out;
        }
        DMatrixSparseTriplet a = new DMatrixSparseTriplet(count, count, count * 9);
        DMatrixRMaj b = new DMatrixRMaj(count, channels);
        for (int i = 0; i < size; i++) {
            int row = variable[i];
            if (row < 0) {
                continue;
            }
            int y = i / w;
            int x = i % w;
            double diagonal = 0;
            for (int k = 0; k < OFFSETS.length; k++) {
                int yy = y + OFFSETS[k][0];
                int xx = x + OFFSETS[k][1];
                if (yy < 0 || xx < 0 || yy >= h || xx >= w) {
                    continue;
                }
                diagonal += WEIGHTS[k];
                int j = yy * w + xx;
                if (variable[j] >= 0) {
                    a.addItem(row, variable[j], WEIGHTS[k]);
                } else {
                    for (int c = 0; c < channels; c++) {
                        b.add(row, c, -WEIGHTS[k] * x0.data()[c * size + j]);
                    }
                }
            }
            a.addItem(row, row, -diagonal);
        }
        DMatrixSparseCSC csc = DConvertMatrixStruct.convert(a, (DMatrixSparseCSC) null);
        LinearSolverSparse<DMatrixSparseCSC, DMatrixRMaj> solver = LinearSolverFactory_DSCC.lu(FillReducing.NONE);
        if (!solver.setA(csc)) {
            throw new EvaluationException("ROAD's imputation system is singular for this map (an isolated region "
                    + "of removed pixels with no known neighbour?).");
        }
        DMatrixRMaj solution = new DMatrixRMaj(count, channels);
        solver.solve(b, solution);
        for (int i = 0; i < size; i++) {
            int row = variable[i];
            if (row < 0) {
                continue;
            }
            for (int c = 0; c < channels; c++) {
                out[c * size + i] = (float) (solution.get(row, c) + noise * random.nextGaussian());
            }
        }
        return out;
    }
}
