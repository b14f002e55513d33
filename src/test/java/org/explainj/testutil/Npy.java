package org.explainj.testutil;

import java.nio.file.Path;
import org.explainj.bioimage.NpyArray;

/** Reads little-endian float32 C-order .npy files (the reference data's format); other types are refused. */
public record Npy(long[] shape, float[] data) {

    public static Npy read(Path file) {
        NpyArray a = NpyArray.read(file);
        if (!"<f4".equals(a.dtype())) {
            throw new IllegalArgumentException(file + ": reference data must be little-endian float32, not "
                    + a.dtype());
        }
        return new Npy(a.shape(), a.data());
    }
}
