package org.explainj.bioimage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The processing steps of the bioimage.io spec applied to one sample, as bioimageio.core applies them: statistics in
 * float64 over the named axes of this sample (numpy's linear quantiles), results rounded to float32.
 *
 * <p>A sample is laid out channel first: {@code [channel, (z,) y, x]} (the batch axis dropped). Steps:
 * {@code scale_range} ((x − lower) / (upper − lower + eps)), {@code zero_mean_unit_variance} ((x − mean) / (std +
 * eps), population std), {@code fixed_zero_mean_unit_variance}, {@code scale_linear} (x·gain + offset),
 * {@code clip}, {@code binarize} (x &gt; threshold), {@code sigmoid}, {@code softmax}, {@code ensure_dtype}, with the
 * 0.4 forms ({@code name:}, {@code mode}, axes as letters). Statistics over a whole dataset ({@code per_dataset})
 * cannot be known from one image and are refused.
 */
public final class TensorProcessing {

    /** The step names this class applies. */
    public static final List<String> KNOWN = List.of("scale_range", "zero_mean_unit_variance",
            "fixed_zero_mean_unit_variance", "scale_linear", "clip", "binarize", "sigmoid", "softmax",
            "ensure_dtype");

    private final List<String> ids;
    private final int[] dims;
    private final String tensor;
    private final String file;

    /**
     * @param ids    the sample's axis ids, channel first ({@code channel, y, x})
     * @param dims   their sizes
     * @param tensor the tensor's id (for messages and {@code reference_tensor})
     * @param file   the description's file name (for messages)
     */
    public TensorProcessing(List<String> ids, int[] dims, String tensor, String file) {
        this.ids = List.copyOf(ids);
        this.dims = dims.clone();
        this.tensor = tensor;
        this.file = file;
    }

    /** Refuses a step this class cannot apply, before any work (the message lists what it can). */
    public void check(ProcessingStep step) {
        apply(step, new float[size()], true);
    }

    /** Applies the steps in order to a copy of the values. */
    public float[] apply(List<ProcessingStep> steps, float[] values) {
        float[] v = values.clone();
        for (ProcessingStep s : steps) {
            v = apply(s, v, false);
        }
        return v;
    }

    private int size() {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    private float[] apply(ProcessingStep step, float[] v, boolean checkOnly) {
        Map<String, Object> kw = step.kwargs();
        String mode = kw.get("mode") == null ? null : String.valueOf(kw.get("mode"));
        if ("per_dataset".equals(mode)) {
            throw new PackageException("The package's " + where(step) + " uses statistics of the whole training "
                    + "dataset (mode: per_dataset), which the package does not store and one image cannot give. "
                    + "Ask the model's authors for the dataset's values (then give them as mean=/std=), or use a "
                    + "package with per_sample or fixed preprocessing.");
        }
        String name = step.name();
        if (name.equals("zero_mean_unit_variance") && "fixed".equals(mode)) {
            name = "fixed_zero_mean_unit_variance";
        }
        float[] out = switch (name) {
            case "scale_range" -> scaleRange(step, v);
            case "zero_mean_unit_variance" -> zeroMeanUnitVariance(step, v);
            case "fixed_zero_mean_unit_variance" -> fixedZeroMeanUnitVariance(step, v);
            case "scale_linear" -> scaleLinear(step, v);
            case "clip" -> clip(step, v);
            case "binarize" -> binarize(step, v);
            case "sigmoid" -> map(v, x -> 1 / (1 + Math.exp(-x)));
            case "softmax" -> softmax(step, v);
            case "ensure_dtype" -> ensureDtype(step, v);
            default -> throw new PackageException("The package's " + where(step) + " is not a step ExplainJ knows. "
                    + "It applies " + String.join(", ", KNOWN) + " (bioimage.io spec 0.4 and 0.5). Use a package "
                    + "whose processing uses these, or apply the step yourself and give the result with scale=none.");
        };
        return checkOnly ? v : out;
    }

    private String where(ProcessingStep step) {
        return "processing step \"" + step.name() + "\" of tensor \"" + tensor + "\" (" + file + ")";
    }

    // ------------------------------------------------------------------ steps

    private float[] scaleRange(ProcessingStep step, float[] v) {
        Map<String, Object> kw = step.kwargs();
        Object ref = kw.get("reference_tensor");
        if (ref != null && !String.valueOf(ref).equals(tensor)) {
            throw new PackageException("The package's " + where(step) + " takes its percentiles from another "
                    + "tensor (" + ref + "); ExplainJ explains models with one input and reads the percentiles "
                    + "from it.");
        }
        double lowP = number(kw, "min_percentile", 0, step);
        double highP = number(kw, "max_percentile", 100, step);
        double eps = number(kw, "eps", 1e-6, step);
        int[] groupOf = groups(reduced(kw.get("axes"), step));
        double[][] values = grouped(v, groupOf);
        double[] low = new double[values.length];
        double[] high = new double[values.length];
        for (int g = 0; g < values.length; g++) {
            Arrays.sort(values[g]);
            low[g] = quantile(values[g], lowP / 100);
            high[g] = quantile(values[g], highP / 100);
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            int g = groupOf[i];
            out[i] = (float) ((v[i] - low[g]) / (high[g] - low[g] + eps));
        }
        return out;
    }

    private float[] zeroMeanUnitVariance(ProcessingStep step, float[] v) {
        double eps = number(step.kwargs(), "eps", 1e-6, step);
        int[] groupOf = groups(reduced(step.kwargs().get("axes"), step));
        int n = 1 + Arrays.stream(groupOf).max().orElse(0);
        double[] sum = new double[n];
        long[] count = new long[n];
        for (int i = 0; i < v.length; i++) {
            sum[groupOf[i]] += v[i];
            count[groupOf[i]]++;
        }
        double[] mean = new double[n];
        for (int g = 0; g < n; g++) {
            mean[g] = sum[g] / count[g];
        }
        double[] sq = new double[n];
        for (int i = 0; i < v.length; i++) {
            double d = v[i] - mean[groupOf[i]];
            sq[groupOf[i]] += d * d;
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            int g = groupOf[i];
            out[i] = (float) ((v[i] - mean[g]) / (Math.sqrt(sq[g] / count[g]) + eps));
        }
        return out;
    }

    private float[] fixedZeroMeanUnitVariance(ProcessingStep step, float[] v) {
        double eps = number(step.kwargs(), "eps", 1e-6, step);
        String axis = alongAxis(step);
        double[] mean = values(step, "mean", axis);
        double[] std = values(step, "std", axis);
        int[] at = alongIndex(axis, step, Math.max(mean.length, std.length));
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            double m = mean.length == 1 ? mean[0] : mean[at[i]];
            double s = std.length == 1 ? std[0] : std[at[i]];
            out[i] = (float) ((v[i] - m) / (s + eps));
        }
        return out;
    }

    private float[] scaleLinear(ProcessingStep step, float[] v) {
        String axis = alongAxis(step);
        double[] gain = step.kwargs().containsKey("gain") ? values(step, "gain", axis) : new double[] {1};
        double[] offset = step.kwargs().containsKey("offset") ? values(step, "offset", axis) : new double[] {0};
        int[] at = alongIndex(axis, step, Math.max(gain.length, offset.length));
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            double g = gain.length == 1 ? gain[0] : gain[at[i]];
            double o = offset.length == 1 ? offset[0] : offset[at[i]];
            out[i] = (float) (v[i] * g + o);
        }
        return out;
    }

    private float[] clip(ProcessingStep step, float[] v) {
        Map<String, Object> kw = step.kwargs();
        int[] groupOf = null;
        double[][] sorted = null;
        if (kw.get("min_percentile") != null || kw.get("max_percentile") != null) {
            groupOf = groups(reduced(kw.get("axes"), step));
            sorted = grouped(v, groupOf);
            for (double[] s : sorted) {
                Arrays.sort(s);
            }
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            double x = v[i];
            double lo = kw.get("min") != null ? number(kw, "min", 0, step) : kw.get("min_percentile") != null
                    ? invertedCdf(sorted[groupOf[i]], number(kw, "min_percentile", 0, step) / 100)
                    : Double.NEGATIVE_INFINITY;
            double hi = kw.get("max") != null ? number(kw, "max", 0, step) : kw.get("max_percentile") != null
                    ? invertedCdf(sorted[groupOf[i]], number(kw, "max_percentile", 100, step) / 100)
                    : Double.POSITIVE_INFINITY;
            out[i] = (float) Math.min(Math.max(x, lo), hi);
        }
        return out;
    }

    private float[] binarize(ProcessingStep step, float[] v) {
        String axis = alongAxis(step);
        double[] t = values(step, "threshold", axis);
        int[] at = alongIndex(axis, step, t.length);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] > (t.length == 1 ? t[0] : t[at[i]]) ? 1f : 0f;
        }
        return out;
    }

    private float[] softmax(ProcessingStep step, float[] v) {
        Object a = step.kwargs().get("axis");
        String axis = a == null ? "channel" : String.valueOf(a);
        Set<String> reduce = Set.of(axis);
        reduced(List.of(axis), step); // checks the axis exists
        int[] groupOf = groups(reduce);
        int n = 1 + Arrays.stream(groupOf).max().orElse(0);
        double[] max = new double[n];
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < v.length; i++) {
            max[groupOf[i]] = Math.max(max[groupOf[i]], v[i]);
        }
        double[] sum = new double[n];
        for (int i = 0; i < v.length; i++) {
            sum[groupOf[i]] += Math.exp(v[i] - max[groupOf[i]]);
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (Math.exp(v[i] - max[groupOf[i]]) / sum[groupOf[i]]);
        }
        return out;
    }

    private float[] ensureDtype(ProcessingStep step, float[] v) {
        String dtype = String.valueOf(step.kwargs().getOrDefault("dtype", "float32")).toLowerCase(Locale.ROOT);
        double lo;
        double hi;
        switch (dtype) {
            case "float32", "float64" -> {
                return v;
            }
            case "bool" -> {
                return map(v, x -> x != 0 ? 1 : 0);
            }
            case "uint8" -> {
                lo = 0;
                hi = 255;
            }
            case "uint16" -> {
                lo = 0;
                hi = 65535;
            }
            case "uint32" -> {
                lo = 0;
                hi = 4294967295.0;
            }
            case "int8" -> {
                lo = -128;
                hi = 127;
            }
            case "int16" -> {
                lo = -32768;
                hi = 32767;
            }
            case "int32" -> {
                lo = Integer.MIN_VALUE;
                hi = Integer.MAX_VALUE;
            }
            case "int64", "uint64" -> {
                lo = dtype.startsWith("u") ? 0 : Long.MIN_VALUE;
                hi = Long.MAX_VALUE;
            }
            default -> throw new PackageException("The package's " + where(step) + " asks for dtype " + dtype
                    + ", which the spec does not define.");
        }
        // numpy's astype truncates towards zero; values outside the type's range are clamped here
        return map(v, x -> Math.min(Math.max(x < 0 ? Math.ceil(x) : Math.floor(x), lo), hi));
    }

    // ------------------------------------------------------------------ axes and statistics

    /** The axes a statistic is taken over: the named ones (batch left out: one sample), or all. */
    private Set<String> reduced(Object axes, ProcessingStep step) {
        Set<String> r = new LinkedHashSet<>();
        if (axes == null) {
            r.addAll(ids);
            return r;
        }
        List<String> named = new ArrayList<>();
        if (axes instanceof List<?> l) {
            l.forEach(a -> named.add(String.valueOf(a)));
        } else {
            for (char c : String.valueOf(axes).toCharArray()) {
                named.add(Axis.idOfLetter(c));
            }
        }
        for (String a : named) {
            String id = "c".equals(a) ? "channel" : "b".equals(a) ? "batch" : a;
            if (id.equals("batch")) {
                continue;
            }
            if (!ids.contains(id)) {
                throw new PackageException("The package's " + where(step) + " names the axis \"" + a + "\", which "
                        + "the tensor does not have (its axes: " + String.join(", ", ids) + ").");
            }
            r.add(id);
        }
        return r;
    }

    /** For each value, the index of its group: the position along the axes not reduced over. */
    private int[] groups(Set<String> reduce) {
        int n = size();
        int[] group = new int[n];
        int[] strides = new int[dims.length];
        int s = 1;
        for (int k = dims.length - 1; k >= 0; k--) {
            strides[k] = s;
            s *= dims[k];
        }
        for (int i = 0; i < n; i++) {
            int g = 0;
            for (int k = 0; k < dims.length; k++) {
                if (!reduce.contains(ids.get(k))) {
                    g = g * dims[k] + (i / strides[k]) % dims[k];
                }
            }
            group[i] = g;
        }
        return group;
    }

    private static double[][] grouped(float[] v, int[] groupOf) {
        int n = 1 + Arrays.stream(groupOf).max().orElse(0);
        int[] count = new int[n];
        for (int g : groupOf) {
            count[g]++;
        }
        double[][] out = new double[n][];
        for (int g = 0; g < n; g++) {
            out[g] = new double[count[g]];
        }
        int[] at = new int[n];
        for (int i = 0; i < v.length; i++) {
            out[groupOf[i]][at[groupOf[i]]++] = v[i];
        }
        return out;
    }

    /** numpy.quantile(sorted, q) with method linear. */
    static double quantile(double[] sorted, double q) {
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        double t = h - lo;
        double a = sorted[lo];
        double b = sorted[hi];
        double d = b - a;
        // numpy's _lerp: a + d·t, computed from the upper end when t ≥ 0.5
        return t >= 0.5 ? b - d * (1 - t) : a + d * t;
    }

    /**
     * numpy.quantile(sorted, q) with method inverted_cdf (what bioimageio.core uses for clip's percentiles): the
     * least value whose empirical CDF reaches q.
     */
    static double invertedCdf(double[] sorted, double q) {
        int k = (int) Math.ceil(sorted.length * q) - 1;
        return sorted[Math.min(Math.max(k, 0), sorted.length - 1)];
    }

    /**
     * The axis that per-axis values (lists of mean, std, gain, offset, threshold) run along: 0.5's {@code axis}, or
     * the one axis 0.4's {@code axes} leaves out; null for scalars.
     */
    private String alongAxis(ProcessingStep step) {
        Map<String, Object> kw = step.kwargs();
        if (kw.get("axis") != null) {
            return String.valueOf(kw.get("axis"));
        }
        if (kw.get("axes") != null && !(kw.get("axes") instanceof List<?>)) {
            Set<String> named = reduced(kw.get("axes"), step);
            List<String> rest = new ArrayList<>();
            for (String id : ids) {
                if (!named.contains(id)) {
                    rest.add(id);
                }
            }
            return rest.size() == 1 ? rest.get(0) : null;
        }
        return null;
    }

    private int[] alongIndex(String axis, ProcessingStep step, int count) {
        if (count <= 1) {
            return null;
        }
        if (axis == null || !ids.contains(axis)) {
            throw new PackageException("The package's " + where(step) + " gives " + count + " values but no axis "
                    + "they run along that the tensor has (its axes: " + String.join(", ", ids) + ").");
        }
        int k = ids.indexOf(axis);
        if (dims[k] != count) {
            throw new PackageException("The package's " + where(step) + " gives " + count + " values along "
                    + axis + ", which has " + dims[k] + " entries here. Give the image " + count + " "
                    + (axis.equals("channel") ? "channels (channels=...)" : axis + " positions") + ".");
        }
        int stride = 1;
        for (int j = dims.length - 1; j > k; j--) {
            stride *= dims[j];
        }
        int[] at = new int[size()];
        for (int i = 0; i < at.length; i++) {
            at[i] = (i / stride) % dims[k];
        }
        return at;
    }

    private double[] values(ProcessingStep step, String key, String axis) {
        Object o = step.kwargs().get(key);
        if (o == null) {
            throw new PackageException("The package's " + where(step) + " has no " + key + ".");
        }
        if (o instanceof List<?> l) {
            double[] d = new double[l.size()];
            for (int i = 0; i < d.length; i++) {
                d[i] = toDouble(l.get(i), key, step);
            }
            return d;
        }
        return new double[] {toDouble(o, key, step)};
    }

    private double number(Map<String, Object> kw, String key, double dflt, ProcessingStep step) {
        Object o = kw.get(key);
        return o == null ? dflt : toDouble(o, key, step);
    }

    private double toDouble(Object o, String key, ProcessingStep step) {
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(String.valueOf(o));
        } catch (NumberFormatException e) {
            throw new PackageException("The package's " + where(step) + " has " + key + ": " + o + ", not a "
                    + "number.");
        }
    }

    private static float[] map(float[] v, java.util.function.DoubleUnaryOperator f) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) f.applyAsDouble(v[i]);
        }
        return out;
    }
}
