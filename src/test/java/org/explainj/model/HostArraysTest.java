package org.explainj.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Java arrays into native arrays: the values arrive, and no direct buffer is left behind per array. */
class HostArraysTest {

    private static BufferPoolMXBean direct() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
    }

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @Test
    void valuesArriveAndTheNativeArrayOwnsItsCopy() {
        try (NDManager m = Engines.pytorch().newBaseManager()) {
            float[] a = random(3 * 224 * 224, 1);
            NDArray x = HostArrays.floats(m, a, new Shape(1, 3, 224, 224));
            // the next upload reuses the staging buffer: x must not change
            NDArray y = HostArrays.floats(m, random(3 * 224 * 224, 2), new Shape(1, 3, 224, 224));
            assertArrayEquals(a, x.toFloatArray());
            assertEquals(new Shape(1, 3, 224, 224), x.getShape());
            assertEquals(DataType.FLOAT32, x.getDataType());
            assertEquals(random(3 * 224 * 224, 2)[7], y.toFloatArray()[7]);
            assertArrayEquals(new long[] {4, -1, 0}, HostArrays.longs(m, new long[] {4, -1, 0}).toLongArray());
            assertEquals(0.5f, HostArrays.scalar(m, 0.5f).getFloat());
        }
    }

    @Test
    void anUploadLargerThanTheStagingBufferIsCopiedAndReleased() {
        int n = HostArrays.MAX_STAGING / Float.BYTES + 1000;
        float[] a = random(n, 3);
        long before = direct().getMemoryUsed();
        try (NDManager m = Engines.pytorch().newBaseManager()) {
            NDArray x = HostArrays.floats(m, a, new Shape(n));
            assertArrayEquals(a, x.toFloatArray());
        }
        assertTrue(direct().getMemoryUsed() < before + HostArrays.MAX_STAGING,
                "the one-off buffer of " + 4L * n + " bytes was not released: direct memory " + before + " -> "
                        + direct().getMemoryUsed());
    }

    @Test
    void repeatedUploadsLeaveNoDirectBuffersBehind() {
        float[] a = random(3 * 224 * 224, 4);
        try (NDManager m = Engines.pytorch().newBaseManager()) {
            HostArrays.floats(m, a, new Shape(a.length)).close(); // the staging buffer of this thread
        }
        long count = direct().getCount();
        long bytes = direct().getMemoryUsed();
        for (int i = 0; i < 200; i++) {
            try (NDManager m = Engines.pytorch().newBaseManager()) {
                HostArrays.floats(m, a, new Shape(a.length));
            }
        }
        // NDManager.create(float[]) would have made 200 direct buffers of 602 KB, freed only by a GC
        assertTrue(direct().getCount() <= count + 1, "direct buffers " + count + " -> " + direct().getCount());
        assertTrue(direct().getMemoryUsed() <= bytes + (1 << 20),
                "direct memory " + bytes + " -> " + direct().getMemoryUsed() + " bytes");
    }
}
