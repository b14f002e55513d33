package org.explainj.render;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import java.util.ArrayList;
import java.util.List;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import org.explainj.tensor.InputException;

/**
 * ImageJ 1.x images as ImgLib2 images and back, sharing pixel arrays where the types allow (no copy of 8-, 16- and
 * 32-bit planes).
 */
public final class ImageBridge {

    private ImageBridge() {
    }

    /**
     * The channels of the image's current plane (current slice and frame), each as a 2-D ImgLib2 image of the
     * image's pixel type: one for greyscale, three (R, G, B) for RGB, all channels of a multi-channel image.
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    public static List<RandomAccessibleInterval<? extends RealType<?>>> channels(ImagePlus imp) {
        if (imp == null || imp.getProcessor() == null) {
            throw new InputException("No image: open an image first.");
        }
        int[] czt = imp.convertIndexToPosition(imp.getCurrentSlice());
        return channels(imp, czt[1], czt[2]);
    }

    /** The channels of one plane (slice z, frame t; 1-based) of the image. */
    public static List<RandomAccessibleInterval<? extends RealType<?>>> channels(ImagePlus imp, int z, int t) {
        if (imp == null || imp.getProcessor() == null) {
            throw new InputException("No image: open an image first.");
        }
        int w = imp.getWidth();
        int h = imp.getHeight();
        List<RandomAccessibleInterval<? extends RealType<?>>> out = new ArrayList<>();
        if (imp.getType() == ImagePlus.COLOR_RGB) {
            ColorProcessor cp = (ColorProcessor) (imp.getStackSize() > 1
                    ? imp.getStack().getProcessor(imp.getStackIndex(1, z, t)) : imp.getProcessor());
            byte[] r = new byte[w * h];
            byte[] g = new byte[w * h];
            byte[] b = new byte[w * h];
            cp.getRGB(r, g, b);
            out.add((RandomAccessibleInterval) ArrayImgs.unsignedBytes(r, w, h));
            out.add((RandomAccessibleInterval) ArrayImgs.unsignedBytes(g, w, h));
            out.add((RandomAccessibleInterval) ArrayImgs.unsignedBytes(b, w, h));
            return out;
        }
        int nc = imp.getNChannels();
        for (int c = 1; c <= nc; c++) {
            ImageProcessor ip = imp.getStackSize() == 1 ? imp.getProcessor()
                    : imp.getStack().getProcessor(imp.getStackIndex(c, z, t));
            out.add((RandomAccessibleInterval) wrap(ip, w, h));
        }
        return out;
    }

    /**
     * The channels of one frame t (1-based) as volumes: each channel's z-slices stacked into a 3-D ImgLib2 image
     * (x, y, z), for 3-D models. RGB images give three volumes (R, G, B). The pixels are copied (one array per
     * volume); the image is not changed.
     */
    @SuppressWarnings({"rawtypes", "unchecked"})
    public static List<RandomAccessibleInterval<? extends RealType<?>>> volumeChannels(ImagePlus imp, int t) {
        if (imp == null || imp.getProcessor() == null) {
            throw new InputException("No image: open an image first.");
        }
        int w = imp.getWidth();
        int h = imp.getHeight();
        int nz = imp.getNSlices();
        int plane = w * h;
        List<RandomAccessibleInterval<? extends RealType<?>>> out = new ArrayList<>();
        if (imp.getType() == ImagePlus.COLOR_RGB) {
            byte[][] rgb = new byte[3][plane * nz];
            byte[][] one = new byte[3][plane];
            for (int z = 1; z <= nz; z++) {
                ColorProcessor cp = (ColorProcessor) imp.getStack().getProcessor(imp.getStackIndex(1, z, t));
                cp.getRGB(one[0], one[1], one[2]);
                for (int k = 0; k < 3; k++) {
                    System.arraycopy(one[k], 0, rgb[k], (z - 1) * plane, plane);
                }
            }
            for (int k = 0; k < 3; k++) {
                out.add((RandomAccessibleInterval) ArrayImgs.unsignedBytes(rgb[k], w, h, nz));
            }
            return out;
        }
        for (int c = 1; c <= imp.getNChannels(); c++) {
            Object first = imp.getStack().getPixels(imp.getStackIndex(c, 1, t));
            Object volume = java.lang.reflect.Array.newInstance(first.getClass().getComponentType(), plane * nz);
            for (int z = 1; z <= nz; z++) {
                System.arraycopy(imp.getStack().getPixels(imp.getStackIndex(c, z, t)), 0, volume, (z - 1) * plane,
                        plane);
            }
            out.add((RandomAccessibleInterval) wrap(volume, w, h, nz));
        }
        return out;
    }

    private static ArrayImg<?, ?> wrap(ImageProcessor ip, int w, int h) {
        return wrap(ip.getPixels(), w, h);
    }

    /** A pixel array (8-, 16- or 32-bit) as an ImgLib2 image of the given dimensions, sharing the array. */
    private static ArrayImg<?, ?> wrap(Object pixels, long... dims) {
        if (pixels instanceof byte[]) {
            return ArrayImgs.unsignedBytes((byte[]) pixels, dims);
        } else if (pixels instanceof short[]) {
            return ArrayImgs.unsignedShorts((short[]) pixels, dims);
        } else if (pixels instanceof float[]) {
            return ArrayImgs.floats((float[]) pixels, dims);
        }
        throw new InputException("Unsupported pixel type " + pixels.getClass().getSimpleName()
                + "; convert the image to 8-, 16- or 32-bit.");
    }

    /** Whether the image is a multi-channel (composite or hyperstack with channels) image. */
    public static boolean isMultiChannel(ImagePlus imp) {
        return imp instanceof CompositeImage || imp.getNChannels() > 1;
    }
}
