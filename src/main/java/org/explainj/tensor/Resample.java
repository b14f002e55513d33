package org.explainj.tensor;

/**
 * Bilinear resampling with half-pixel centres and edge clamping: the convention of OpenCV's INTER_LINEAR and of
 * PyTorch's {@code interpolate(mode="bilinear", align_corners=False)} (no antialiasing), which pytorch-grad-cam and
 * Captum use to bring layer maps to the input size; its trilinear extension for volumes (3-D models), nearest
 * neighbour, and the corner-aligned variant Score-CAM uses for its masks.
 */
public final class Resample {

    private Resample() {
    }

    public static float[] bilinear(float[] src, int w, int h, int nw, int nh) {
        if (w == nw && h == nh) {
            return src.clone();
        }
        float[] dst = new float[nw * nh];
        double sx = (double) w / nw;
        double sy = (double) h / nh;
        int[] x0 = new int[nw];
        int[] x1 = new int[nw];
        float[] fx = new float[nw];
        for (int x = 0; x < nw; x++) {
            double fxs = Math.max((x + 0.5) * sx - 0.5, 0);
            int i0 = Math.min((int) fxs, w - 1);
            x0[x] = i0;
            x1[x] = Math.min(i0 + 1, w - 1);
            fx[x] = (float) (fxs - i0);
        }
        for (int y = 0; y < nh; y++) {
            double fys = Math.max((y + 0.5) * sy - 0.5, 0);
            int y0 = Math.min((int) fys, h - 1);
            int y1 = Math.min(y0 + 1, h - 1);
            float fy = (float) (fys - y0);
            int r0 = y0 * w;
            int r1 = y1 * w;
            int o = y * nw;
            for (int x = 0; x < nw; x++) {
                float top = src[r0 + x0[x]] + (src[r0 + x1[x]] - src[r0 + x0[x]]) * fx[x];
                float bottom = src[r1 + x0[x]] + (src[r1 + x1[x]] - src[r1 + x0[x]]) * fx[x];
                dst[o + x] = top + (bottom - top) * fy;
            }
        }
        return dst;
    }

    /**
     * Bilinear resampling of one plane of {@code src} (starting at {@code offset}) with corners aligned
     * (PyTorch's {@code align_corners=True}, {@code UpsamplingBilinear2d}).
     */
    public static float[] bilinearAlignCorners(float[] src, int offset, int w, int h, int nw, int nh) {
        float[] dst = new float[nw * nh];
        double sx = nw > 1 ? (double) (w - 1) / (nw - 1) : 0;
        double sy = nh > 1 ? (double) (h - 1) / (nh - 1) : 0;
        for (int y = 0; y < nh; y++) {
            double fys = y * sy;
            int y0 = Math.min((int) fys, h - 1);
            int y1 = Math.min(y0 + 1, h - 1);
            float fy = (float) (fys - y0);
            for (int x = 0; x < nw; x++) {
                double fxs = x * sx;
                int x0 = Math.min((int) fxs, w - 1);
                int x1 = Math.min(x0 + 1, w - 1);
                float fx = (float) (fxs - x0);
                float top = src[offset + y0 * w + x0] + (src[offset + y0 * w + x1] - src[offset + y0 * w + x0]) * fx;
                float bottom = src[offset + y1 * w + x0]
                        + (src[offset + y1 * w + x1] - src[offset + y1 * w + x0]) * fx;
                dst[y * nw + x] = top + (bottom - top) * fy;
            }
        }
        return dst;
    }

    /** Nearest-neighbour resampling (PyTorch's {@code interpolate(mode="nearest")}: source = floor(dst·in/out)). */
    public static float[] nearest(float[] src, int w, int h, int nw, int nh) {
        float[] dst = new float[nw * nh];
        for (int y = 0; y < nh; y++) {
            int sy = Math.min((int) Math.floor(y * ((double) h / nh)), h - 1);
            for (int x = 0; x < nw; x++) {
                int sx = Math.min((int) Math.floor(x * ((double) w / nw)), w - 1);
                dst[y * nw + x] = src[sy * w + sx];
            }
        }
        return dst;
    }

    /**
     * Linear resampling between grids of the same kind with half-pixel centres: bilinear for planes (as
     * {@link #bilinear}), trilinear for volumes (PyTorch's {@code interpolate(mode="trilinear",
     * align_corners=False)}), done separably: each slice bilinearly in x and y, then linearly along z.
     */
    public static float[] linear(float[] src, Grid from, Grid to) {
        if (!from.isVolume()) {
            return bilinear(src, from.width(), from.height(), to.width(), to.height());
        }
        int fp = from.planeSize();
        float[][] slices = new float[from.depth()][];
        for (int z = 0; z < from.depth(); z++) {
            float[] slice = java.util.Arrays.copyOfRange(src, z * fp, (z + 1) * fp);
            slices[z] = bilinear(slice, from.width(), from.height(), to.width(), to.height());
        }
        double sz = (double) from.depth() / to.depth();
        return alongZ(slices, to, z -> Math.max((z + 0.5) * sz - 0.5, 0));
    }

    /**
     * Linear interpolation along z between slices already resampled in-plane: output slice z lies at source
     * position {@code source(z)} (clamped to the last slice).
     */
    private static float[] alongZ(float[][] slices, Grid to, java.util.function.IntToDoubleFunction source) {
        int tp = to.planeSize();
        int last = slices.length - 1;
        float[] dst = new float[to.size()];
        for (int z = 0; z < to.depth(); z++) {
            double fzs = source.applyAsDouble(z);
            int z0 = Math.min((int) fzs, last);
            int z1 = Math.min(z0 + 1, last);
            float fz = (float) (fzs - z0);
            float[] a = slices[z0];
            float[] b = slices[z1];
            for (int i = 0; i < tp; i++) {
                dst[z * tp + i] = a[i] + (b[i] - a[i]) * fz;
            }
        }
        return dst;
    }

    /**
     * Linear resampling with corners aligned of one channel of {@code src} (starting at {@code offset}):
     * bilinear for planes ({@link #bilinearAlignCorners}), trilinear for volumes ({@code align_corners=True}).
     */
    public static float[] linearAlignCorners(float[] src, int offset, Grid from, Grid to) {
        if (!from.isVolume()) {
            return bilinearAlignCorners(src, offset, from.width(), from.height(), to.width(), to.height());
        }
        int fp = from.planeSize();
        float[][] slices = new float[from.depth()][];
        for (int z = 0; z < from.depth(); z++) {
            slices[z] = bilinearAlignCorners(src, offset + z * fp, from.width(), from.height(), to.width(),
                    to.height());
        }
        double sz = to.depth() > 1 ? (double) (from.depth() - 1) / (to.depth() - 1) : 0;
        return alongZ(slices, to, z -> z * sz);
    }

    /** Nearest-neighbour resampling between grids of the same kind (source = floor(dst·in/out) on every axis). */
    public static float[] nearest(float[] src, Grid from, Grid to) {
        if (!from.isVolume()) {
            return nearest(src, from.width(), from.height(), to.width(), to.height());
        }
        int fp = from.planeSize();
        int tp = to.planeSize();
        float[] dst = new float[to.size()];
        for (int z = 0; z < to.depth(); z++) {
            int sz = Math.min((int) Math.floor(z * ((double) from.depth() / to.depth())), from.depth() - 1);
            float[] slice = nearest(java.util.Arrays.copyOfRange(src, sz * fp, (sz + 1) * fp), from.width(),
                    from.height(), to.width(), to.height());
            System.arraycopy(slice, 0, dst, z * tp, tp);
        }
        return dst;
    }
}
