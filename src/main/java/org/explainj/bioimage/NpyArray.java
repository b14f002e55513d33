package org.explainj.bioimage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A NumPy {@code .npy} array (format 1.0 to 3.0, C order) read as float32 values: the test tensors of a package.
 * Floating and integer types of either byte order and booleans are read; others are refused.
 *
 * @param shape the array's shape
 * @param data  the values in C order
 * @param dtype the array's type as NumPy writes it ({@code <f4}, {@code |u1}, ...)
 */
public record NpyArray(long[] shape, float[] data, String dtype) {

    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*True");
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /** Reads a file; a file that is not a readable array is refused with its name and the reason. */
    public static NpyArray read(Path file) {
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new PackageException("Cannot read " + file.getFileName() + ": " + e.getMessage(), e);
        }
        return read(b, file.getFileName().toString());
    }

    /** Reads the bytes of a {@code .npy} file; {@code name} is used in messages. */
    public static NpyArray read(byte[] b, String name) {
        if (b.length < 12 || b[0] != (byte) 0x93 || !"NUMPY".equals(new String(b, 1, 5, StandardCharsets.US_ASCII))) {
            throw new PackageException(name + " is not a NumPy .npy file (no \\x93NUMPY magic).");
        }
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int major = b[6];
        long headerLen = major == 1 ? buf.getShort(8) & 0xffff : buf.getInt(8) & 0xffffffffL;
        int offset = major == 1 ? 10 : 12;
        if (offset + headerLen > b.length) {
            throw new PackageException(name + ": the .npy header is longer than the file.");
        }
        String header = new String(b, offset, (int) headerLen, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !s.find()) {
            throw new PackageException(name + ": unreadable .npy header " + header.trim());
        }
        if (FORTRAN.matcher(header).find()) {
            throw new PackageException(name + " is stored in Fortran order; save it in C order "
                    + "(numpy.ascontiguousarray).");
        }
        long[] shape = Arrays.stream(s.group(1).split(",")).map(String::trim).filter(x -> !x.isEmpty())
                .mapToLong(Long::parseLong).toArray();
        long n = 1;
        for (long v : shape) {
            n = Math.multiplyExact(n, v);
        }
        if (n > MAX_ELEMENTS) {
            throw new PackageException(name + " has " + n + " elements: too many to read.");
        }
        String dtype = d.group(1);
        char order = dtype.charAt(0);
        char kind = dtype.charAt(1);
        int size = Integer.parseInt(dtype.substring(2));
        ByteBuffer data = ByteBuffer.wrap(b, offset + (int) headerLen, b.length - offset - (int) headerLen)
                .slice().order(order == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        if ((long) size * n > data.remaining()) {
            throw new PackageException(name + " is shorter than its header says (" + n + " values of " + dtype + ").");
        }
        float[] out = new float[(int) n];
        for (int i = 0; i < out.length; i++) {
            int at = i * size;
            out[i] = switch (kind) {
                case 'f' -> size == 4 ? data.getFloat(at) : size == 8 ? (float) data.getDouble(at)
                        : unsupported(name, dtype);
                case 'i' -> switch (size) {
                    case 1 -> data.get(at);
                    case 2 -> data.getShort(at);
                    case 4 -> data.getInt(at);
                    case 8 -> data.getLong(at);
                    default -> unsupported(name, dtype);
                };
                case 'u' -> switch (size) {
                    case 1 -> data.get(at) & 0xff;
                    case 2 -> data.getShort(at) & 0xffff;
                    case 4 -> data.getInt(at) & 0xffffffffL;
                    case 8 -> (float) unsignedLong(data.getLong(at));
                    default -> unsupported(name, dtype);
                };
                case 'b' -> data.get(at) != 0 ? 1f : 0f;
                default -> unsupported(name, dtype);
            };
        }
        return new NpyArray(shape, out, dtype);
    }

    private static double unsignedLong(long v) {
        return v >= 0 ? v : (v >>> 1) * 2.0 + (v & 1);
    }

    private static float unsupported(String name, String dtype) {
        throw new PackageException(name + " holds values of type " + dtype + ", which ExplainJ does not read; "
                + "save it as float32.");
    }

    /** The number of values. */
    public int size() {
        return data.length;
    }
}
