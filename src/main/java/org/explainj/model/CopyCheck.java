package org.explainj.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Proof, before a prepared copy is used, that it computes what the model computes: on deterministic probe inputs
 * of the image's shape it compares the copy's outputs with the model's own {@code forward} (taps off, with ReLU
 * stages, and with the requested layer cut), the input gradient of a probe score taken through the copy's ReLU
 * stages (vanilla rule) and through the layer cut with the model's own input gradient (or, for a forward that has
 * no derivative, with finite differences of the model's forward), and the layer's activation and dY/dA with and
 * without stages. A copy that differs is refused for the methods that need it, with the check that failed; the
 * plain gradient methods keep working through the model's own forward.
 *
 * <p>Results are kept per input shape and layer, in memory and in the {@link Store} (a file beside the prepared
 * copy), keyed also by the libtorch version, so a copy is checked again after an engine change.
 */
final class CopyCheck {

    /** Where verdicts survive the session. */
    interface Store {
        String get(String key);

        void put(String key, String verdict);
    }

    /** A store that forgets (tests, models without a cache folder). */
    static Store memory() {
        Map<String, String> m = new HashMap<>();
        return new Store() {
            @Override
            public synchronized String get(String key) {
                return m.get(key);
            }

            @Override
            public synchronized void put(String key, String verdict) {
                m.put(key, verdict);
            }
        };
    }

    static final String OK = "ok";
    /** Relative tolerance for outputs and activations of copies that run the same operations. */
    private static final double SAME_OPS = 1e-4;
    /** For copies in which the attention fast path was replaced by other (differentiable) operations. */
    private static final double REPLACED_OPS = 2e-3;

    private final TorchScriptModel model;
    private final Store store;
    private final Map<String, String> verdicts = new HashMap<>();
    private int runs;

    CopyCheck(TorchScriptModel model, Store store) {
        this.model = model;
        this.store = store;
    }

    /** How many checks ran (not found in memory or in the store), for tests. */
    synchronized int runs() {
        return runs;
    }

    /** Whether the copy's check for inputs of this shape (without a layer) already ran, here or in the store. */
    synchronized boolean checked(long[] inputShape) {
        long[] shape = inputShape.clone();
        shape[0] = 1;
        String key = key(shape, TapProtocol.NONE);
        return verdicts.containsKey(key) || store.get(key) != null;
    }

    /** Above this many pixels per plane, the full checks run at a smaller size with the image's aspect. */
    static final long PROXY_PIXELS = 256L * 256;

    /**
     * Checks the copy for inputs of this shape (batch taken as 1) and, when {@code layer >= 0}, that layer cut. For
     * a large input the outputs are compared at its own size and the gradients, stages and cut on inputs of a
     * smaller size with the same aspect (when the model takes that size): the prepared copy's code does not depend
     * on the size, and the full checks would cost a guided backpropagation of the whole image.
     */
    void require(long[] inputShape, int layer, boolean reluStages) {
        long[] shape = inputShape.clone();
        shape[0] = 1;
        verdict(key(shape, TapProtocol.NONE), shape, TapProtocol.NONE);
        if (reluStages && layer < 0) {
            verdict(key(shape, STAGES), shape, STAGES);
        }
        if (layer >= 0) {
            verdict(key(shape, layer), shape, layer); // (a layer's check runs with the ReLU stages)
        }
    }

    /**
     * The check of runs with ReLU stages and no layer (Guided Backprop, Deconvnet): the staged backward costs, on a
     * densely connected model, many ordinary backwards, so it runs only for the methods that use it.
     */
    static final int STAGES = -10;

    /** A smaller input shape with the same aspect (sides multiples of 32), or the shape itself when small. */
    static long[] proxy(long[] shape) {
        int n = shape.length;
        long pixels = shape[n - 1] * shape[n - 2];
        if (pixels <= PROXY_PIXELS) {
            return shape;
        }
        double f = Math.sqrt((double) pixels / PROXY_PIXELS);
        long[] p = shape.clone();
        p[n - 1] = Math.max(32, Math.round(shape[n - 1] / f / 32) * 32);
        p[n - 2] = Math.max(32, Math.round(shape[n - 2] / f / 32) * 32);
        return p;
    }

    private String key(long[] shape, int layer) {
        return "libtorch " + Engine.getEngine("PyTorch").getVersion() + " " + model.rewriteInfo().entry() + " shape "
                + Arrays.toString(shape).replace(" ", "") + (layer == STAGES ? " relu stages" : " layer " + layer);
    }

    private void verdict(String key, long[] shape, int layer) {
        String v;
        synchronized (this) {
            v = verdicts.get(key);
            if (v == null) {
                v = store.get(key);
            }
        }
        if (v == null) {
            model.lock().lock();
            try {
                v = layer == STAGES ? checkStagesAtSize(shape) : layer < 0 ? checkCopyAtSize(shape)
                        : checkLayerAtSize(shape, layer);
            } finally {
                model.lock().unlock();
            }
            synchronized (this) {
                runs++;
                verdicts.put(key, v);
            }
            store.put(key, v);
        } else {
            synchronized (this) {
                verdicts.put(key, v);
            }
        }
        if (!v.equals(OK)) {
            throw new LayerException(v);
        }
    }

    private double tolerance() {
        return model.rewriteInfo().onlyCopyDifferentiable() ? REPLACED_OPS : SAME_OPS;
    }

    /** Probe inputs: uniform in [0, 1) and standard normal, from fixed seeds. */
    private static float[] probe(long[] shape, int which) {
        int n = (int) new Shape(shape).size();
        float[] v = new float[n];
        SplittableRandom r = new SplittableRandom(which == 0 ? 0x5EED0001L : 0x5EED0002L);
        for (int i = 0; i < n; i++) {
            if (which == 0) {
                v[i] = (float) r.nextDouble();
            } else {
                // Box-Muller; one value per pair is enough here
                double u = Math.max(r.nextDouble(), 1e-12);
                v[i] = (float) (Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble()));
            }
        }
        return v;
    }

    /** The fixed weights of the probe score Σ w·y over every float output (uniform in [-1, 1]). */
    private static NDArray scoreOf(List<NDArray> outputs, NDManager m) {
        NDArray score = null;
        SplittableRandom r = new SplittableRandom(0x5C0BEL);
        for (NDArray y : outputs) {
            if (y.getDataType() != DataType.FLOAT32 && y.getDataType() != DataType.FLOAT64) {
                continue;
            }
            float[] w = new float[(int) y.getShape().size()];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (2 * r.nextDouble() - 1);
            }
            NDArray term = y.mul(HostArrays.floats(m, w, y.getShape()).toType(y.getDataType(), false)).sum();
            score = score == null ? term : score.add(term);
        }
        return score;
    }

    /** {@link #checkCopy} at the input's size, or its outputs there and the rest at {@link #proxy} size. */
    private String checkCopyAtSize(long[] shape) {
        long[] small = proxy(shape);
        if (small == shape) {
            return checkCopy(shape);
        }
        try (NDManager m = model.newManager()) {
            NDArray x = HostArrays.floats(m, probe(shape, 0), new Shape(shape));
            ModelOutputs.Named ref = model.own(x, false);
            String failure;
            try {
                failure = compareOutputs("the outputs with taps off", ref, copyOutputs(m, x, TapProtocol.NONE,
                        false), shape);
            } catch (RuntimeException e) {
                failure = "the copy failed on the probe input (" + e.getMessage() + ")";
            }
            if (failure != null) {
                return refusal(failure, null);
            }
        }
        return accepts(small) ? checkCopy(small) : checkCopy(shape); // a model that takes one size only
    }

    /** {@link #checkStages} at the {@link #proxy} size when the model takes it, else at the input's size. */
    private String checkStagesAtSize(long[] shape) {
        long[] small = proxy(shape);
        return small != shape && accepts(small) ? checkStages(small) : checkStages(shape);
    }

    /** {@link #checkLayer} at the {@link #proxy} size when the model takes it, else at the input's size. */
    private String checkLayerAtSize(long[] shape, int layer) {
        long[] small = proxy(shape);
        return small != shape && accepts(small) ? checkLayer(small, layer) : checkLayer(shape, layer);
    }

    /** Whether the model's forward runs on inputs of this shape. */
    private boolean accepts(long[] shape) {
        try (NDManager m = model.newManager()) {
            model.own(m.zeros(new Shape(shape)), false);
            return true;
        } catch (ModelException e) {
            return false;
        }
    }

    /** What one probe input must pass: null, or what differs. */
    private interface ProbeCheck {
        String failure(NDManager m, NDArray x, ModelOutputs.Named ref);
    }

    /** Runs {@code check} on both probe inputs of this shape, with the model's own outputs as the reference. */
    private String onProbes(long[] shape, ProbeCheck check) {
        for (int which = 0; which < 2; which++) {
            try (NDManager m = model.newManager()) {
                NDArray x = HostArrays.floats(m, probe(shape, which), new Shape(shape));
                ModelOutputs.Named ref = model.own(x, false);
                String failure;
                try {
                    failure = check.failure(m, x, ref);
                } catch (RuntimeException e) {
                    failure = "the copy failed on the probe input (" + e.getMessage() + ")";
                }
                if (failure != null) {
                    return refusal(failure, null);
                }
            }
        }
        return OK;
    }

    /** The copy without a layer: its outputs with taps off (and its input gradient where only the copy has one). */
    private String checkCopy(long[] shape) {
        return onProbes(shape, (m, x, ref) -> {
            String failure = compareOutputs("the outputs with taps off", ref, copyOutputs(m, x, TapProtocol.NONE,
                    false), shape);
            if (failure == null && model.rewriteInfo().onlyCopyDifferentiable()) {
                float[] gradRef = referenceGradient(m, x);
                NDArray xg = x.duplicate();
                xg.setRequiresGradient(true);
                TorchScriptModel.Tapped t = model.runCopy(xg, TapProtocol.NONE, false, false, null);
                try (GradScope g = GradScope.open()) {
                    NDArray s = scoreOf(model.copyOutputs(xg, t.taps().outputs()).arrays(), m);
                    Autograd.backward(s, m.ones(s.getShape()), false);
                }
                failure = compareGradient("the input gradient", gradRef, xg, m, x, shape);
            }
            return failure;
        });
    }

    /** The copy with ReLU stages: its outputs, and the input gradient the staged backward gives. */
    private String checkStages(long[] shape) {
        return onProbes(shape, (m, x, ref) -> {
            float[] gradRef = referenceGradient(m, x);
            NDArray xg = x.duplicate();
            xg.setRequiresGradient(true);
            TorchScriptModel.Tapped t = model.runCopy(xg, TapProtocol.NONE, true, false, null);
            ModelOutputs.Named copy = model.copyOutputs(xg, t.taps().outputs());
            String failure = compareOutputs("the outputs with ReLU stages", ref, copy, shape);
            if (failure == null) {
                try (GradScope g = GradScope.open()) {
                    NDArray s = scoreOf(copy.arrays(), m);
                    Autograd.backward(s, m.ones(s.getShape()), true);
                    StagedBackward.run(StagedBackward.stages(t.taps()), StagedBackward.VANILLA);
                }
                failure = compareGradient("the input gradient through the ReLU stages", gradRef, xg, m, x, shape);
            }
            return failure;
        });
    }

    /** A layer cut: outputs, the staged input gradient through it, and its A and dY/dA with and without stages. */
    private String checkLayer(long[] shape, int layer) {
        String name = layerPath(layer);
        try (NDManager m = model.newManager()) {
            NDArray x = HostArrays.floats(m, probe(shape, 0), new Shape(shape));
            ModelOutputs.Named ref = model.own(x, false);
            float[] gradRef = referenceGradient(m, x);
            String failure;
            try {
                NDArray xg = x.duplicate();
                xg.setRequiresGradient(true);
                TorchScriptModel.Tapped staged = model.runCopy(xg, layer, true, false, null);
                ModelOutputs.Named copy = model.copyOutputs(xg, staged.taps().outputs());
                failure = compareOutputs("the outputs with the layer cut and ReLU stages", ref, copy, shape);
                TapProtocol.Record cut1 = lastOf(staged.taps(), TapProtocol.Kind.LAYER_STAGE, layer);
                if (failure == null && cut1 == null) {
                    return OK; // the layer does not run: the method says so itself
                }
                float[] a1 = null;
                float[] g1 = null;
                if (failure == null) {
                    try (GradScope g = GradScope.open()) {
                        NDArray s = scoreOf(copy.arrays(), m);
                        Autograd.backward(s, m.ones(s.getShape()), true);
                        StagedBackward.run(StagedBackward.stages(staged.taps()), StagedBackward.VANILLA);
                        // complete only now: later stages pass their part of dY/dA down to the cut
                        a1 = cut1.values().get(1).toFloatArray();
                        g1 = cut1.values().get(1).getGradient().toFloatArray();
                    }
                    failure = compareGradient("the input gradient through the cut", gradRef, xg, m, x, shape);
                }
                if (failure == null) {
                    TorchScriptModel.Tapped plain = model.runCopy(x, layer, false, false, null);
                    ModelOutputs.Named copy0 = model.copyOutputs(x, plain.taps().outputs());
                    failure = compareOutputs("the outputs with the layer cut", ref, copy0, shape);
                    TapProtocol.Record cut0 = lastOf(plain.taps(), TapProtocol.Kind.LAYER_LEAF, layer);
                    if (failure == null && cut0 == null) {
                        failure = "the layer cut records nothing without ReLU stages";
                    }
                    if (failure == null) {
                        try (GradScope g = GradScope.open()) {
                            NDArray s = scoreOf(copy0.arrays(), m);
                            Autograd.backward(s, m.ones(s.getShape()), false);
                        }
                        failure = compare("the layer's activation", a1, cut0.values().get(0).toFloatArray(),
                                tolerance(), shape);
                        if (failure == null) {
                            failure = compare("the layer's gradient dY/dA", g1,
                                    cut0.values().get(0).getGradient().toFloatArray(), tolerance(), shape);
                        }
                    }
                }
            } catch (RuntimeException e) {
                failure = "the copy failed on the probe input (" + e.getMessage() + ")";
            }
            return failure == null ? OK : refusal(failure, name);
        }
    }

    private String layerPath(int id) {
        for (ModuleTree.Node n : model.tree().nodes()) {
            if (n.id() == id) {
                return n.path();
            }
        }
        return "#" + id;
    }

    private static TapProtocol.Record lastOf(TapProtocol.Result taps, TapProtocol.Kind kind, int module) {
        TapProtocol.Record last = null;
        for (TapProtocol.Record r : taps.of(kind)) {
            if (r.module() == module) {
                last = r;
            }
        }
        return last;
    }

    private ModelOutputs.Named copyOutputs(NDManager m, NDArray x, int selection, boolean relu) {
        TorchScriptModel.Tapped t = model.runCopy(x, selection, relu, false, null);
        return model.copyOutputs(x, t.taps().outputs());
    }

    /** The model's own input gradient of the probe score; null when its forward has no derivative. */
    private float[] referenceGradient(NDManager m, NDArray x) {
        NDArray xg = x.duplicate();
        xg.setRequiresGradient(true);
        try (GradScope g = GradScope.open()) {
            NDArray s = scoreOf(model.own(xg, true).arrays(), m);
            Autograd.backward(s, m.ones(s.getShape()), false);
            return xg.getGradient().toFloatArray();
        } catch (ModelException e) {
            if (model.rewriteInfo().onlyCopyDifferentiable() && String.valueOf(e.getMessage()).contains("cannot differentiate")) {
                return null;
            }
            throw e;
        }
    }

    private String compareOutputs(String what, ModelOutputs.Named ref, ModelOutputs.Named copy, long[] shape) {
        if (ref.arrays().size() != copy.arrays().size()) {
            return what + ": the copy returns " + copy.arrays().size() + " outputs, the model "
                    + ref.arrays().size();
        }
        for (int i = 0; i < ref.arrays().size(); i++) {
            NDArray a = ref.arrays().get(i);
            NDArray b = copy.arrays().get(i);
            if (!a.getShape().equals(b.getShape())) {
                return what + ": output " + ref.names().get(i) + " has shape " + b.getShape() + " in the copy, "
                        + a.getShape() + " in the model";
            }
            if (a.getDataType() != DataType.FLOAT32) {
                continue;
            }
            String f = compare(what + (ref.arrays().size() > 1 ? " (output " + ref.names().get(i) + ")" : ""),
                    a.toFloatArray(), b.toFloatArray(), tolerance(), shape);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    private String compareGradient(String what, float[] ref, NDArray xg, NDManager m, NDArray x, long[] shape) {
        float[] g = xg.getGradient().toFloatArray();
        if (ref != null) {
            return compare(what, ref, g, Math.max(1e-3, tolerance()), shape);
        }
        // no reference gradient: central differences of the model's own forward along fixed directions
        SplittableRandom r = new SplittableRandom(0xD1EL);
        float[] xs = x.toFloatArray();
        for (int dir = 0; dir < 2; dir++) {
            float[] d = new float[xs.length];
            double gd = 0;
            for (int i = 0; i < d.length; i++) {
                d[i] = r.nextBoolean() ? 1f : -1f;
                gd += g[i] * d[i];
            }
            double h = 1e-2;
            double fd = (probeScore(m, xs, d, h, shape) - probeScore(m, xs, d, -h, shape)) / (2 * h);
            if (Math.abs(gd - fd) > 0.05 * Math.max(Math.abs(fd), Math.abs(gd)) + 1e-3) {
                return what + ": along a fixed direction it gives " + (float) gd + ", finite differences of the "
                        + "model's forward give " + (float) fd + " (input shape " + Arrays.toString(shape) + ")";
            }
        }
        return null;
    }

    private double probeScore(NDManager m, float[] x, float[] d, double h, long[] shape) {
        float[] v = new float[x.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (x[i] + h * d[i]);
        }
        try (NDManager sub = m.newSubManager()) {
            NDArray in = HostArrays.floats(sub, v, new Shape(shape));
            NDArray s = scoreOf(model.own(in, false).arrays(), sub);
            return s.toType(DataType.FLOAT64, false).getDouble();
        }
    }

    /** null when {@code b} equals {@code a} within {@code tol} of a's largest magnitude, else what differs. */
    static String compare(String what, float[] a, float[] b, double tol, long[] shape) {
        if (a.length != b.length) {
            return what + ": " + b.length + " values in the copy, " + a.length + " in the model";
        }
        double max = 0;
        double diff = 0;
        int at = -1;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i]));
            double d = Math.abs((double) a[i] - b[i]);
            if (!(d <= diff)) { // NaN counts as a difference
                diff = d;
                at = i;
            }
        }
        if (Double.isNaN(diff) || diff > tol * max + 1e-7) {
            return what + " differ by up to " + String.format(java.util.Locale.ROOT, "%.3g", diff)
                    + (max > 0 ? String.format(java.util.Locale.ROOT, " (%.3g of their largest value)", diff / max)
                    : "") + " on a probe input of shape " + Arrays.toString(shape);
        }
        return null;
    }

    private String refusal(String failure, String layer) {
        RewriteInfo info = model.rewriteInfo();
        String refused = layer == null
                ? "layer methods (Grad-CAM and the other CAM methods) and the ReLU rules (Guided Backprop, "
                + "Deconvnet, Guided Grad-CAM)" + (info.onlyCopyDifferentiable() ? ", and the gradient methods, "
                + "which need the copy because the model's own forward has no derivative" : "")
                : "layer methods at " + layer;
        String works = info.onlyCopyDifferentiable() && layer == null ? "Occlusion and Score-CAM need no gradient "
                + "and still work" : "Saliency, Input x Gradient, SmoothGrad, Integrated Gradients and Occlusion still "
                + "work through the model's own forward";
        return "ExplainJ's prepared copy of " + model.source().getFileName() + " does not compute what the model "
                + "computes: " + failure + ". So it refuses " + refused + " for this model; " + works + "."
                + (info.constructs().isEmpty() ? "" : " Constructs the rewriter changed: "
                + String.join("; ", info.constructs()) + ".")
                + " Please report this model.";
    }
}
