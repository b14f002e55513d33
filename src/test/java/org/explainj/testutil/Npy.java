package org.explainj.testutil;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads little-endian float32 C-order .npy files (the reference data's format). */
public record Npy(long[] shape, float[] data) {

    private static final Pattern SHAPE = Pattern.compile("'shape': \\(([^)]*)\\)");

    public static Npy read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in.readAllBytes(), file.toString());
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    static Npy read(byte[] b, String name) {
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int major = b[6];
        int headerLen = major == 1 ? buf.getShort(8) & 0xffff : buf.getInt(8);
        int offset = major == 1 ? 10 : 12;
        String header = new String(b, offset, headerLen, StandardCharsets.ISO_8859_1);
        if (!header.contains("'descr': '<f4'") || header.contains("'fortran_order': True")) {
            throw new IllegalArgumentException(name + ": only little-endian float32 C-order arrays: " + header);
        }
        Matcher m = SHAPE.matcher(header);
        if (!m.find()) {
            throw new IllegalArgumentException(name + ": no shape in " + header);
        }
        long[] shape = Arrays.stream(m.group(1).split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .mapToLong(Long::parseLong).toArray();
        int n = (int) Arrays.stream(shape).reduce(1, (a, c) -> a * c);
        float[] data = new float[n];
        buf.position(offset + headerLen);
        buf.asFloatBuffer().get(data);
        return new Npy(shape, data);
    }
}
