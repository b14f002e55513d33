package org.explainj.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Java arrays into native arrays without leaving memory for the garbage collector.
 *
 * <p>DJL's {@code NDManager.create(float[])} copies the values into a new direct {@link ByteBuffer} that the native
 * array keeps using; the buffer's memory comes back only when the GC collects it, long after the array is closed. In
 * a session that explains image after image this made the process grow by 2–4 MB per call. Here the values go
 * through one staging buffer per thread (reused), and the native array gets its own copy (libtorch's memory, freed
 * when the array is closed); the view on the staging buffer is closed before the buffer is used again. Staging needs
 * larger than {@link #MAX_STAGING} bytes get a buffer of their own, released explicitly right after the copy.
 */
public final class HostArrays {

    /** Largest staging buffer kept between calls (bytes). */
    static final int MAX_STAGING = 32 << 20;

    private static final ThreadLocal<ByteBuffer> STAGING = new ThreadLocal<>();
    private static final Method INVOKE_CLEANER;
    private static final Object UNSAFE;

    static {
        Method m = null;
        Object u = null;
        try {
            Class<?> c = Class.forName("sun.misc.Unsafe");
            java.lang.reflect.Field f = c.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            u = f.get(null);
            m = c.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException ignored) {
            // without it, one-off buffers are left to the GC (a slower release, the same result)
        }
        INVOKE_CLEANER = m;
        UNSAFE = u;
    }

    private HostArrays() {
    }

    /** A native float32 array of the given shape holding a copy of {@code data}, owned by {@code manager}. */
    public static NDArray floats(NDManager manager, float[] data, Shape shape) {
        if (data.length != shape.size()) {
            throw new IllegalArgumentException(data.length + " values for shape " + shape);
        }
        int bytes = Math.multiplyExact(data.length, Float.BYTES);
        ByteBuffer buf = staging(bytes);
        buf.asFloatBuffer().put(data);
        return upload(manager, buf, bytes, shape, DataType.FLOAT32);
    }

    /** A native int64 vector holding a copy of {@code data}, owned by {@code manager}. */
    public static NDArray longs(NDManager manager, long[] data) {
        int bytes = Math.multiplyExact(data.length, Long.BYTES);
        ByteBuffer buf = staging(bytes);
        buf.asLongBuffer().put(data);
        return upload(manager, buf, bytes, new Shape(data.length), DataType.INT64);
    }

    /** A native float32 scalar, made by libtorch (no Java buffer). */
    public static NDArray scalar(NDManager manager, float value) {
        return manager.full(new Shape(), value, DataType.FLOAT32);
    }

    private static NDArray upload(NDManager manager, ByteBuffer buf, int bytes, Shape shape, DataType type) {
        try {
            ByteBuffer view = buf.duplicate().order(ByteOrder.nativeOrder());
            view.position(0).limit(bytes);
            try (NDArray onStaging = manager.create(view.slice().order(ByteOrder.nativeOrder()), shape, type)) {
                return onStaging.duplicate();
            }
        } finally {
            if (buf.capacity() > MAX_STAGING) {
                release(buf);
            }
        }
    }

    private static ByteBuffer staging(int bytes) {
        if (bytes > MAX_STAGING) {
            return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        ByteBuffer b = STAGING.get();
        if (b == null || b.capacity() < bytes) {
            if (b != null) {
                release(b);
            }
            b = ByteBuffer.allocateDirect(Math.max(bytes, 1 << 16)).order(ByteOrder.nativeOrder());
            STAGING.set(b);
        }
        b.clear();
        return b;
    }

    private static void release(ByteBuffer b) {
        if (INVOKE_CLEANER != null) {
            try {
                INVOKE_CLEANER.invoke(UNSAFE, b);
            } catch (ReflectiveOperationException | RuntimeException ignored) {
                // left to the GC
            }
        }
    }
}
