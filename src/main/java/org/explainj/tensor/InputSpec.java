package org.explainj.tensor;

import java.util.Arrays;
import java.util.Locale;

/**
 * How an image becomes the model's NCHW input: which image channels in which order (1-based; empty = all, in
 * order), an optional resize, a scaling and an optional per-channel mean/std ({@code (v − mean)/std}).
 */
public record InputSpec(int[] channels, int width, int height, Scaling scaling, float[] mean, float[] std) {

    public static InputSpec defaults() {
        return new InputSpec(new int[0], 0, 0, Scaling.TYPE, new float[0], new float[0]);
    }

    public InputSpec {
        channels = channels == null ? new int[0] : channels.clone();
        mean = mean == null ? new float[0] : mean.clone();
        std = std == null ? new float[0] : std.clone();
        if (scaling == null) {
            scaling = Scaling.TYPE;
        }
        if (width < 0 || height < 0) {
            throw new InputException("The input size must be positive, got " + width + "x" + height + ".");
        }
        for (float s : std) {
            if (!(s > 0) || Float.isInfinite(s)) {
                throw new InputException("Every std value must be a positive number, got " + Arrays.toString(std)
                        + ".");
            }
        }
        for (int c : channels) {
            if (c < 1) {
                throw new InputException("Channels are numbered from 1, got " + Arrays.toString(channels) + ".");
            }
        }
    }

    public boolean resizes() {
        return width > 0 && height > 0;
    }

    public InputSpec withChannels(int... c) {
        return new InputSpec(c, width, height, scaling, mean, std);
    }

    public InputSpec withSize(int w, int h) {
        return new InputSpec(channels, w, h, scaling, mean, std);
    }

    public InputSpec withScaling(Scaling s) {
        return new InputSpec(channels, width, height, s, mean, std);
    }

    public InputSpec withNormalization(float[] m, float[] s) {
        return new InputSpec(channels, width, height, scaling, m, s);
    }

    /** Parses "1,2,3" (blank = all channels). */
    public static int[] parseChannels(String s) {
        if (s == null || s.isBlank()) {
            return new int[0];
        }
        try {
            return Arrays.stream(s.trim().split("[,\\s]+")).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new InputException("Channels must be a comma-separated list of channel numbers (from 1), "
                    + "e.g. 1,2,3; got \"" + s + "\".");
        }
    }

    /** The most pixels a resized model input may have (8192×8192: all its channels must fit in one Java array). */
    static final long MAX_PIXELS = 8192L * 8192L;

    /** Parses "224" or "224x200" (width x height); blank = no resize. */
    public static int[] parseSize(String s) {
        if (s == null || s.isBlank() || s.trim().equals("0")) {
            return new int[] {0, 0};
        }
        String[] p = s.trim().toLowerCase(Locale.ROOT).split("[x×*, ]+", -1); // "96x" is refused, not read as 96
        try {
            int w = Integer.parseInt(p[0]);
            int h = p.length > 1 ? Integer.parseInt(p[1]) : w;
            if (w <= 0 || h <= 0 || p.length > 2) {
                throw new NumberFormatException();
            }
            if ((long) w * h > MAX_PIXELS) {
                throw new InputException("input_size=" + s.trim() + " asks for a " + w + "×" + h + " model input ("
                        + String.format(Locale.ROOT, "%.1f", (double) w * h / 1e6) + " million pixels); ExplainJ takes "
                        + "at most " + MAX_PIXELS / 1_000_000 + " million pixels per input (8192×8192). Choose a "
                        + "smaller input size.");
            }
            return new int[] {w, h};
        } catch (NumberFormatException e) {
            throw new InputException("The input size must be like 224 or 224x224 (width x height); got \"" + s
                    + "\".");
        }
    }

    /** Parses "0.485,0.456,0.406" (blank = none). */
    public static float[] parseFloats(String what, String s) {
        if (s == null || s.isBlank()) {
            return new float[0];
        }
        String[] p = s.trim().split("[,\\s]+");
        float[] v = new float[p.length];
        try {
            for (int i = 0; i < p.length; i++) {
                v[i] = Float.parseFloat(p[i]);
                if (!Float.isFinite(v[i])) {
                    throw new NumberFormatException();
                }
            }
        } catch (NumberFormatException e) {
            throw new InputException("The " + what + " must be finite numbers separated by commas, one per channel "
                    + "(e.g. 0.485,0.456,0.406); got \"" + s + "\".");
        }
        return v;
    }
}
