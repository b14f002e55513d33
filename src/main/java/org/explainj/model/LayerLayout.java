package org.explainj.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How a layer's output holds its channels and positions, and how to read it channels first ([1, C, h, w]) the way
 * pytorch-grad-cam's {@code reshape_transform} does:
 * <ul>
 * <li>{@link Kind#NCHW}: channels first (convolutional layers; also N×C×D×H×W of 3-D models), read as is;</li>
 * <li>{@link Kind#NHWC}: channels last, [1, h, w, C] (Swin stages, ConvNeXt block internals), transposed;</li>
 * <li>{@link Kind#TOKENS}: a token sequence [1, T, C] (ViT), whose first {@code prefixTokens} tokens (the class
 * token; DeiT's distillation token too) are dropped and the other h·w reshaped to the patch grid.</li>
 * </ul>
 * The layout is found from the output's shape and the input's: a grid (h, w) fits an H×W input when one stride s
 * gives h = H/s and w = W/s (rounded down or up), or when the layer upsamples by an integer factor. Where two
 * readings fit, the layer is read channels first unless the model shows channels-last layers elsewhere; then the
 * user says which with {@code layout=}.
 */
public record LayerLayout(Kind kind, int prefixTokens, int height, int width, boolean sequenceFirst) {

    /** The three layouts. */
    public enum Kind {
        NCHW, NHWC, TOKENS;

        /** {@code auto} (null), {@code nchw}, {@code nhwc} or {@code tokens}. */
        public static Kind parse(String s) {
            String k = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
            switch (k) {
                case "", "auto":
                    return null;
                case "nchw", "channels_first":
                    return NCHW;
                case "nhwc", "channels_last":
                    return NHWC;
                case "tokens", "nlc":
                    return TOKENS;
                default:
                    throw new LayerException("Unknown layout \"" + s + "\": use auto, nchw (channels first), nhwc "
                            + "(channels last) or tokens (a sequence [1, tokens, channels]).");
            }
        }
    }

    /** The most prefix tokens tried when they are found automatically. */
    static final int MAX_PREFIX = 8;

    public static final LayerLayout CHANNELS_FIRST = new LayerLayout(Kind.NCHW, 0, -1, -1, false);

    /** The channels-first shape of a raw output in this layout. */
    public long[] channelsFirst(long[] raw) {
        switch (kind) {
            case NHWC:
                return new long[] {raw[0], raw[3], raw[1], raw[2]};
            case TOKENS:
                return new long[] {1, raw[2], height, width};
            default:
                return raw;
        }
    }

    /** A raw output (batch 1, C order) rearranged channels first. */
    public float[] toChannelsFirst(float[] raw, long[] rawShape) {
        if (kind == Kind.NCHW) {
            return raw;
        }
        int c = (int) rawShape[rawShape.length - 1];
        int positions = kind == Kind.NHWC ? (int) (rawShape[1] * rawShape[2]) : height * width;
        float[] out = new float[c * positions];
        // tokens batch-first: [1, T, C]; sequence-first: [T, 1, C] is the same memory order for batch 1
        int skip = kind == Kind.TOKENS ? prefixTokens : 0;
        for (int p = 0; p < positions; p++) {
            int src = (p + skip) * c;
            for (int k = 0; k < c; k++) {
                out[k * positions + p] = raw[src + k];
            }
        }
        return out;
    }

    /** E.g. {@code tokens (1 prefix token dropped, grid 14x14)}, for messages and the heatmap's Info. */
    public String describe() {
        switch (kind) {
            case NHWC:
                return "channels last";
            case TOKENS:
                return "tokens (" + prefixTokens + " prefix token" + (prefixTokens == 1 ? "" : "s") + " dropped, grid "
                        + width + "x" + height + (sequenceFirst ? ", sequence first" : "") + ")";
            default:
                return "channels first";
        }
    }

    /** Whether a grid h×w fits an H×W input: one stride (rounded either way), or an integer upsampling. */
    static boolean fits(long h, long w, long inH, long inW) {
        if (h < 1 || w < 1) {
            return false;
        }
        for (long s = 1; s <= Math.max(inH, inW); s++) {
            boolean hy = h == inH / s || h == (inH + s - 1) / s;
            boolean wx = w == inW / s || w == (inW + s - 1) / s;
            if (hy && wx) {
                return true;
            }
        }
        for (long k = 2; k <= 8; k++) {
            if (h == inH * k && w == inW * k) {
                return true;
            }
        }
        return false;
    }

    /**
     * The layout of a layer's output for a 2-D model's input, or null when the output is not a map of positions.
     *
     * @param raw               the output shape (batch included)
     * @param input             the model input's shape [1, C, H, W]
     * @param requested         the layout asked for, or null for automatic
     * @param prefix            prefix tokens asked for, or -1 for automatic
     * @param channelsLastModel whether other layers of the model are channels last or tokens (then a layer that
     *                          fits both ways is not read channels first silently)
     * @param hint              the layout the module's type (or the module before it with the same output shape)
     *                          says, for a layer that fits both ways: Linear and LayerNorm work on the last axis,
     *                          convolutions, batch norms and pooling on the second; or null
     * @param layer             the layer's name, for messages
     */
    public static LayerLayout detect(long[] raw, long[] input, Kind requested, int prefix, boolean channelsLastModel,
                                     Kind hint, String layer) {
        if (input.length != 4) {
            return raw.length == input.length && requested != Kind.NHWC && requested != Kind.TOKENS
                    ? CHANNELS_FIRST : null;
        }
        long inH = input[2];
        long inW = input[3];
        if (raw.length == 4 && requested != Kind.TOKENS) {
            boolean first = fits(raw[2], raw[3], inH, inW);
            boolean last = fits(raw[1], raw[2], inH, inW);
            if (requested == Kind.NCHW || (requested == null && !last)) {
                return CHANNELS_FIRST;
            }
            if (requested == Kind.NHWC || !first || (requested == null && hint == Kind.NHWC)) {
                return new LayerLayout(Kind.NHWC, 0, (int) raw[1], (int) raw[2], false);
            }
            if (!channelsLastModel || hint == Kind.NCHW) {
                return CHANNELS_FIRST;
            }
            throw new LayerException("The layer " + layer + " has output shape " + Arrays.toString(raw) + ", which "
                    + "fits the " + inW + "x" + inH + " input both channels first (" + raw[1] + " channels, " + raw[3]
                    + "x" + raw[2] + ") and channels last (" + raw[3] + " channels, " + raw[2] + "x" + raw[1]
                    + "), and this model has channels-last layers. Say which with layout=nchw or layout=nhwc.");
        }
        if (raw.length == 3 && requested != Kind.NCHW && requested != Kind.NHWC) {
            boolean seqFirst = raw[0] != 1 && raw[1] == 1;
            if (raw[0] != 1 && !seqFirst) {
                return null;
            }
            long tokens = seqFirst ? raw[0] : raw[1];
            List<long[]> found = new ArrayList<>();
            int from = prefix >= 0 ? prefix : 0;
            int to = prefix >= 0 ? prefix : MAX_PREFIX;
            for (int p = from; p <= to && p < tokens; p++) {
                long n = tokens - p;
                for (long h = 1; h <= n; h++) {
                    if (n % h == 0 && fits(h, n / h, inH, inW)) {
                        found.add(new long[] {p, h, n / h});
                    }
                }
            }
            if (found.size() == 1) {
                long[] f = found.get(0);
                return new LayerLayout(Kind.TOKENS, (int) f[0], (int) f[1], (int) f[2], seqFirst);
            }
            if (found.isEmpty()) {
                if (requested == Kind.TOKENS || prefix >= 0) {
                    throw new LayerException("The layer " + layer + " outputs " + tokens + " tokens, which do not "
                            + "form a patch grid of a " + inW + "x" + inH + " input" + (prefix >= 0 ? " after "
                            + prefix + " prefix tokens" : " after 0 to " + MAX_PREFIX + " prefix tokens")
                            + ". Choose another layer" + (prefix >= 0 ? " or another prefix_tokens" : "") + ".");
                }
                return null;
            }
            StringBuilder options = new StringBuilder();
            for (long[] f : found) {
                options.append(options.length() == 0 ? "" : ", ").append(f[0]).append(" prefix + ").append(f[2])
                        .append("x").append(f[1]);
            }
            throw new LayerException("The layer " + layer + " outputs " + tokens + " tokens, which can be read as "
                    + "more than one patch grid of the " + inW + "x" + inH + " input (" + options + "). Say how many "
                    + "tokens come before the patches with prefix_tokens=N (1 for a class token, 2 with DeiT's "
                    + "distillation token).");
        }
        if (requested != null) {
            throw new LayerException("The layer " + layer + " has output shape " + Arrays.toString(raw) + ", which "
                    + "cannot be read as " + requested.name().toLowerCase(Locale.ROOT) + " ("
                    + (requested == Kind.TOKENS ? "[1, tokens, channels]" : "4 axes") + ").");
        }
        return null;
    }
}
