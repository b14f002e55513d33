package org.explainj.tensor;

import java.util.ArrayList;
import java.util.List;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

/**
 * Turns the channels of an image (ImgLib2) into the model's input tensor: 2-D channels (x, y) give N×C×H×W, 3-D
 * channels (x, y, z: a volume for a 3-D model) give N×C×D×H×W.
 */
public final class ImageTensors {

    private ImageTensors() {
    }

    /**
     * @param imageChannels one 2-D image (or 3-D volume) per channel, all of the same size; a resize acts in x and y
     *                      (every slice of a volume), never along z
     * @param spec          channel mapping, resize, scaling, mean/std
     */
    public static ModelInput toTensor(List<? extends RandomAccessibleInterval<? extends RealType<?>>> imageChannels,
                                      InputSpec spec) {
        if (imageChannels.isEmpty()) {
            throw new InputException("The image has no channels.");
        }
        RandomAccessibleInterval<? extends RealType<?>> first = imageChannels.get(0);
        if (first.numDimensions() != 2 && first.numDimensions() != 3) {
            throw new InputException("Each channel must be a 2-D image or a 3-D volume, got "
                    + first.numDimensions() + " dimensions.");
        }
        int w = (int) first.dimension(0);
        int h = (int) first.dimension(1);
        int depth = first.numDimensions() == 3 ? (int) first.dimension(2) : 0;
        Grid in = new Grid(w, h, depth);
        int[] order = spec.channels();
        if (order.length == 0) {
            order = new int[imageChannels.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i + 1;
            }
        }
        for (int c : order) {
            if (c > imageChannels.size()) {
                throw new InputException("Channel " + c + " was asked for, but the image has "
                        + imageChannels.size() + " channel(s). Use channels between 1 and " + imageChannels.size()
                        + ".");
            }
        }
        if (spec.mean().length != 0 && spec.mean().length != 1 && spec.mean().length != order.length) {
            throw new InputException("The mean has " + spec.mean().length + " values but the model input has "
                    + order.length + " channel(s): give one value per channel, or one for all.");
        }
        if (spec.std().length != 0 && spec.std().length != 1 && spec.std().length != order.length) {
            throw new InputException("The std has " + spec.std().length + " values but the model input has "
                    + order.length + " channel(s): give one value per channel, or one for all.");
        }
        int ow = spec.resizes() ? spec.width() : w;
        int oh = spec.resizes() ? spec.height() : h;
        Grid grid = in.withSize(ow, oh, depth);
        float[] out = new float[order.length * grid.size()];
        List<float[]> cache = new ArrayList<>();
        for (int i = 0; i < imageChannels.size(); i++) {
            cache.add(null);
        }
        for (int k = 0; k < order.length; k++) {
            int c = order[k] - 1;
            if (cache.get(c) == null) {
                cache.set(c, scaled(imageChannels.get(c), in.size(), spec.scaling()));
            }
            float[] plane = spec.resizes() ? Resample.linear(cache.get(c), in, in.withSize(ow, oh, depth))
                    : cache.get(c);
            float mean = pick(spec.mean(), k, 0f);
            float std = pick(spec.std(), k, 1f);
            int off = k * grid.size();
            if (mean == 0f && std == 1f) {
                System.arraycopy(plane, 0, out, off, plane.length);
            } else {
                for (int i = 0; i < plane.length; i++) {
                    out[off + i] = (plane[i] - mean) / std;
                }
            }
        }
        for (float v : out) {
            if (!Float.isFinite(v)) {
                throw new InputException("The image contains NaN or infinite values. Replace them first "
                        + "(e.g. Process > Math > Remove NaNs...).");
            }
        }
        return new ModelInput(out, order.length, depth, oh, ow);
    }

    private static float pick(float[] v, int k, float dflt) {
        return v.length == 0 ? dflt : v.length == 1 ? v[0] : v[k];
    }

    private static float[] scaled(RandomAccessibleInterval<? extends RealType<?>> channel, int size,
                                  Scaling scaling) {
        float[] v = new float[size];
        int i = 0;
        RealType<?> type = null;
        for (RealType<?> t : Views.flatIterable(channel)) {
            v[i++] = t.getRealFloat();
            type = t;
        }
        switch (scaling) {
            case NONE:
                break;
            case TYPE:
                if (type instanceof IntegerType) {
                    float max = (float) type.getMaxValue();
                    for (int j = 0; j < v.length; j++) {
                        v[j] /= max;
                    }
                }
                break;
            case MINMAX:
                MinMax.normalizeInPlace(v);
                break;
            default:
                throw new IllegalStateException(scaling.toString());
        }
        return v;
    }
}
