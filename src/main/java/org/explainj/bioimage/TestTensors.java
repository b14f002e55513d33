package org.explainj.bioimage;

import org.explainj.model.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.explainj.ExplainJException;
import org.explainj.model.TorchScriptModel;
import org.explainj.tensor.ModelInput;

/**
 * Runs a package's test input through its preprocessing, the model and its postprocessing, and compares the result
 * with the package's test output within its reproducibility tolerance (an element is mismatched when
 * |out − test| &gt; absolute + relative·|test|).
 */
public final class TestTensors {

    /**
     * @param status     {@code passed}, {@code FAILED} or {@code not run}
     * @param text       one line for the Log and the Info
     * @param maxAbsDiff the largest difference (NaN when not run)
     */
    public record Result(String status, String text, double maxAbsDiff) {

        public boolean passed() {
            return "passed".equals(status);
        }

        public boolean failed() {
            return "FAILED".equals(status);
        }
    }

    private TestTensors() {
    }

    static Result run(BioimagePackage pkg, Path root, TorchScriptModel model) {
        TensorDescription in = pkg.input();
        TensorDescription out = pkg.output();
        if (in.testSource() == null || out.testSource() == null) {
            return new Result("not run", "the package has no test tensors", Double.NaN);
        }
        NpyArray x;
        NpyArray expected;
        try {
            x = NpyArray.read(PackageFiles.resolve(root, in.testSource(), "test input"));
            expected = NpyArray.read(PackageFiles.resolve(root, out.testSource(), "test output"));
        } catch (PackageException e) {
            return new Result("not run", e.getMessage(), Double.NaN);
        }
        long[] s = x.shape();
        boolean volume = pkg.volume();
        if (s.length != (volume ? 5 : 4) || s[0] != 1) {
            return new Result("not run", "the test input has shape " + Arrays.toString(s) + ", not one sample laid "
                    + "out as " + in.axesText(), Double.NaN);
        }
        ModelInput raw = volume ? new ModelInput(x.data(), (int) s[1], (int) s[2], (int) s[3], (int) s[4])
                : new ModelInput(x.data(), (int) s[1], (int) s[2], (int) s[3]);
        float[] got;
        long[] gotShape;
        try {
            ModelInput prepared = pkg.preprocess(raw);
            model.lock().lock();
            try (NDManager m = model.newManager()) {
                NDArray o = model.forwardNoGrad(HostArrays.floats(m, prepared.data(), new Shape(prepared.shape())));
                got = o.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
                gotShape = o.getShape().getShape();
            } finally {
                model.lock().unlock();
            }
            if (!out.processing().isEmpty()) {
                List<String> ids = out.axisIds();
                if (!ids.isEmpty() && "batch".equals(out.axes().get(0).type())) {
                    ids = ids.subList(1, ids.size());
                }
                int[] dims = new int[gotShape.length - 1];
                for (int k = 1; k < gotShape.length; k++) {
                    dims[k - 1] = (int) gotShape[k];
                }
                if (ids.size() != dims.length) {
                    return new Result("not run", "the model's output has shape " + Arrays.toString(gotShape)
                            + " but the package declares axes " + out.axesText(), Double.NaN);
                }
                for (ProcessingStep step : out.processing()) {
                    if (!TensorProcessing.KNOWN.contains(step.name())) {
                        return new Result("not run", "its postprocessing step " + step.name() + " is not one "
                                + "ExplainJ applies", Double.NaN);
                    }
                }
                got = new TensorProcessing(ids, dims, out.id(), pkg.description().file()).apply(out.processing(),
                        got);
            }
        } catch (ExplainJException | ai.djl.engine.EngineException e) {
            return new Result("FAILED", "the model failed on the test input: " + e.getMessage(), Double.NaN);
        }
        if (got.length != expected.size()) {
            return new Result("FAILED", "the output has shape " + Arrays.toString(gotShape) + " but the test output "
                    + Arrays.toString(expected.shape()), Double.NaN);
        }
        PackageDescription.Tolerance tol = pkg.description().tolerance();
        double maxDiff = 0;
        double maxRel = 0;
        long mismatched = 0;
        for (int i = 0; i < got.length; i++) {
            double t = expected.data()[i];
            double d = Math.abs(got[i] - t);
            if (!(d <= tol.absolute() + tol.relative() * Math.abs(t))) {
                mismatched++;
            }
            maxDiff = Math.max(maxDiff, Double.isNaN(d) ? Double.POSITIVE_INFINITY : d);
            maxRel = Math.max(maxRel, d / Math.max(Math.abs(t), 1e-12));
        }
        double perMillion = mismatched * 1e6 / got.length;
        String figures = String.format(Locale.ROOT, "largest difference %.3g, %d of %d values differ by more than "
                + "%.3g + %.3g × the test value", maxDiff, mismatched, got.length, tol.absolute(), tol.relative());
        if (perMillion <= tol.mismatchedPerMillion()) {
            return new Result("passed", "reproduces its test output (" + figures + ")", maxDiff);
        }
        return new Result("FAILED", "does NOT reproduce its test output: " + figures + (tol.declared() ? ""
                + " (the package's tolerance)" : " (default tolerance)") + ". Its maps explain what this model "
                + "computes here, which differs from what its authors recorded.", maxDiff);
    }

}
