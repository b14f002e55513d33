package org.explainj.bioimage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.explainj.tensor.Grid;
import org.explainj.tensor.ModelInput;
import org.explainj.tensor.Padding;
import org.junit.jupiter.api.Test;

/** Sizes a package accepts, and the mirror padding that reaches them. */
class PaddingTest {

    @Test
    void minStepSizesFitUpwards() {
        Axis.Size s = Axis.Size.minStep(16, 16);
        assertEquals(16, s.fit(3));
        assertEquals(64, s.fit(64));
        assertEquals(80, s.fit(65));
        assertEquals(96, s.fit(90));
        assertEquals(64, Axis.Size.fixed(64).fit(96));
        assertEquals(71, Axis.Size.FREE.fit(71));
    }

    /** numpy.pad([1, 2, 3], (0, 4), mode="reflect") = [1, 2, 3, 2, 1, 2, 3]. */
    @Test
    void padEndMirrorsLikeNumpysReflectAndCropUndoesIt() {
        ModelInput in = new ModelInput(new float[] {1, 2, 3, 4, 5, 6}, 1, 2, 3);
        ModelInput padded = Padding.padEnd(in, Grid.plane(7, 3));
        assertArrayEquals(new float[] {1, 2, 3, 2, 1, 2, 3, 4, 5, 6, 5, 4, 5, 6, 1, 2, 3, 2, 1, 2, 3},
                padded.data());
        assertArrayEquals(in.data(), Padding.cropStart(padded.data(), Grid.plane(7, 3), Grid.plane(3, 2)));
    }
}
