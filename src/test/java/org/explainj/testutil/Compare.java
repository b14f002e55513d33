package org.explainj.testutil;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Agreement figures between a computed map and a reference: Pearson r and max error relative to max|ref|. */
public final class Compare {

    private Compare() {
    }

    public static double pearson(float[] a, float[] b) {
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < a.length; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= a.length;
        mb /= b.length;
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        if (saa == 0 && sbb == 0) {
            return 1;
        }
        return sab / Math.sqrt(saa * sbb);
    }

    /** max|a − b| / max|b|. */
    public static double relMaxError(float[] ours, float[] ref) {
        double maxErr = 0;
        double maxRef = 0;
        for (int i = 0; i < ours.length; i++) {
            maxErr = Math.max(maxErr, Math.abs(ours[i] - ref[i]));
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
        }
        return maxRef == 0 ? maxErr : maxErr / maxRef;
    }

    /** The project's agreement criterion: r ≥ 0.999 and max error ≤ 1e-3·max|ref|. Returns a report line. */
    public static String assertAgrees(String what, float[] ours, float[] ref) {
        return assertAgrees(what, ours, ref, 1e-3);
    }

    /** As above with another bound on max error / max|ref| (each use says why). */
    public static String assertAgrees(String what, float[] ours, float[] ref, double maxRelError) {
        assertEquals(ref.length, ours.length, what + ": size");
        double r = pearson(ours, ref);
        double e = relMaxError(ours, ref);
        String line = String.format("%s: r=%.7f maxErr/max|ref|=%.2e", what, r, e);
        System.out.println(line);
        assertTrue(r >= 0.999, line);
        assertTrue(e <= maxRelError, line);
        return line;
    }
}
