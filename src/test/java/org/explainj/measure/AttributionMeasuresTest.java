package org.explainj.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The per-region numbers on small hand-made maps, against values worked out by hand (in the comments), and on random
 * maps against a brute-force computation over a full-size mask.
 */
class AttributionMeasuresTest {

    private static final double EPS = 1e-12;

    /*
     * 4 x 3, pixel 0.5 x 0.25 (area 0.125):
     *   y0:  1  -2   3   0
     *   y1:  4   5  -1   2
     *   y2: -3   5   0   1
     * positive total 1+3+4+5+2+5+1 = 21; maximum 5 at (1,1) and (1,2): the first in raster order is (1,1).
     */
    private static final float[] V = {
        1, -2, 3, 0,
        4, 5, -1, 2,
        -3, 5, 0, 1};

    private static AttributionMap map() {
        return new AttributionMap("m", V, 4, 3, 0.5, 0.25);
    }

    @Test
    void mapTotalsAndFirstMaximum() {
        AttributionMap m = map();
        assertEquals(21, m.totalPositive(), EPS);
        assertEquals(5, m.maxIndex());
        assertEquals(1, m.maxX());
        assertEquals(1, m.maxY());
        assertEquals(0.125, m.pixelArea(), EPS);
    }

    @Test
    void rectangleWithCalibration() {
        // (1,1)=5 (2,1)=-1 (1,2)=5 (2,2)=0: 4 px, sum 9, positive 10
        RoiStatistics s = AttributionMeasures.measure(map(), Region.rectangle("a", 1, 1, 2, 2));
        assertEquals("a", s.label());
        assertEquals(4, s.pixelCount());
        assertEquals(4 * 0.125, s.area(), EPS);
        assertEquals(9 / 4.0, s.mean(), EPS);
        assertEquals(9 * 0.125, s.intDen(), EPS);
        assertEquals(s.area() * s.mean(), s.intDen(), EPS, "IntDen = Area x Mean");
        assertEquals(9, s.rawSum(), EPS);
        assertEquals(5, s.max(), EPS);
        assertEquals(10 / 21.0, s.fraction(), EPS);
        assertEquals(1, s.pointing());
    }

    @Test
    void tiedMaximumLaterInRasterOrderDoesNotPoint() {
        // only (1,2) = 5, the second of the two maxima
        RoiStatistics s = AttributionMeasures.measure(map(), Region.rectangle("tie", 1, 2, 1, 1));
        assertEquals(5, s.max(), EPS);
        assertEquals(0, s.pointing());
        assertEquals(5 / 21.0, s.fraction(), EPS);
    }

    @Test
    void negativeValuesCountInMeanButNotInFraction() {
        // (0,0)..(1,0): 1, -2 -> mean -0.5, positive 1
        RoiStatistics s = AttributionMeasures.measure(map(), Region.rectangle("neg", 0, 0, 2, 1));
        assertEquals(-0.5, s.mean(), EPS);
        assertEquals(-1 * 0.125, s.intDen(), EPS);
        assertEquals(1, s.max(), EPS);
        assertEquals(1 / 21.0, s.fraction(), EPS);
        assertEquals(0, s.pointing());
    }

    @Test
    void maskSelectsPixelsWithinTheRectangle() {
        // bounds (0,0) 2x2, mask diagonal: (0,0)=1 and (1,1)=5
        Region r = Region.masked("diag", 0, 0, 2, 2, new boolean[] {true, false, false, true});
        RoiStatistics s = AttributionMeasures.measure(map(), r);
        assertEquals(2, s.pixelCount());
        assertEquals(0.25, s.area(), EPS);
        assertEquals(3, s.mean(), EPS);
        assertEquals(6 * 0.125, s.intDen(), EPS);
        assertEquals(5, s.max(), EPS);
        assertEquals(6 / 21.0, s.fraction(), EPS);
        assertEquals(1, s.pointing());
    }

    @Test
    void regionPartlyOutsideIsClipped() {
        // bounds x 2..5, y -1..1: inside (2,0)=3 (3,0)=0 (2,1)=-1 (3,1)=2
        Region r = Region.rectangle("edge", 2, -1, 4, 3);
        assertTrue(r.exceeds(4, 3));
        RoiStatistics s = AttributionMeasures.measure(map(), r);
        assertEquals(4, s.pixelCount());
        assertEquals(0.5, s.area(), EPS);
        assertEquals(1, s.mean(), EPS);
        assertEquals(4 * 0.125, s.intDen(), EPS);
        assertEquals(3, s.max(), EPS);
        assertEquals(5 / 21.0, s.fraction(), EPS);
        assertEquals(0, s.pointing());
    }

    @Test
    void maskedRegionPartlyOutsideUsesTheMaskAtTheRightOffset() {
        // bounds (-1,1) 3x2, mask row0: F T T, row1: T T F -> on the map: (0,1)=4 (1,1)=5 (0,2)=-3; (-1,2) is off
        Region r = Region.masked("m", -1, 1, 3, 2, new boolean[] {false, true, true, true, true, false});
        RoiStatistics s = AttributionMeasures.measure(map(), r);
        assertEquals(3, s.pixelCount());
        assertEquals(2, s.mean(), EPS);
        assertEquals(5, s.max(), EPS);
        assertEquals(9 / 21.0, s.fraction(), EPS);
        assertEquals(1, s.pointing());
    }

    @Test
    void regionEntirelyOutsideIsAnErrorNamingIt() {
        MeasureException e = assertThrows(MeasureException.class,
                () -> AttributionMeasures.measure(map(), Region.rectangle("far away", 10, 0, 2, 2)));
        assertTrue(e.getMessage().contains("\"far away\"") && e.getMessage().contains("entirely outside"),
                e.getMessage());
        // bounds overlap the map, but every masked pixel is off it
        Region offMask = Region.masked("corner", -1, -1, 2, 2, new boolean[] {true, false, false, false});
        assertThrows(MeasureException.class, () -> AttributionMeasures.measure(map(), offMask));
    }

    @Test
    void mapWithoutPositiveValuesGivesFractionZero() {
        float[] v = {-1, -0.5f, -2, -0.5f};
        AttributionMap m = new AttributionMap("neg", v, 2, 2);
        assertFalse(m.hasPositive());
        RoiStatistics s = AttributionMeasures.measure(m, Region.rectangle("all", 0, 0, 2, 2));
        assertEquals(0, s.fraction(), 0);
        assertEquals(-1, s.mean(), EPS);
        assertEquals(-0.5, s.max(), EPS);
        assertEquals(1, s.pointing(), "the maximum -0.5 first at (1,0)");
        assertEquals(0, AttributionMeasures.measure(m, Region.rectangle("b", 1, 1, 1, 1)).pointing(),
                "(1,1) ties with (1,0) but comes later");
    }

    @Test
    void constantMapPointsAtTheFirstPixel() {
        AttributionMap m = new AttributionMap("flat", new float[] {2, 2, 2, 2, 2, 2}, 3, 2);
        assertEquals(0, m.maxIndex());
        assertEquals(1, AttributionMeasures.measure(m, Region.rectangle("tl", 0, 0, 1, 1)).pointing());
        assertEquals(0, AttributionMeasures.measure(m, Region.rectangle("rest", 1, 0, 2, 2)).pointing());
        assertEquals(4 / 6.0, AttributionMeasures.measure(m, Region.rectangle("rest", 1, 0, 2, 2)).fraction(), EPS);
    }

    @Test
    void nanPixelsAreLeftOutLikeImageJ() {
        float[] v = {Float.NaN, 1, 3, Float.NaN};
        AttributionMap m = new AttributionMap("nan", v, 2, 2, 2, 3);
        assertEquals(2, m.maxIndex());
        RoiStatistics s = AttributionMeasures.measure(m, Region.rectangle("all", 0, 0, 2, 2));
        assertEquals(2, s.pixelCount());
        assertEquals(12, s.area(), EPS);
        assertEquals(2, s.mean(), EPS);
        assertEquals(24, s.intDen(), EPS);
        assertEquals(1, s.fraction(), EPS);
    }

    @Test
    void measureAllKeepsTheOrder() {
        List<RoiStatistics> rows = AttributionMeasures.measureAll(map(),
                List.of(Region.rectangle("x", 0, 0, 1, 1), Region.rectangle("y", 3, 2, 1, 1)));
        assertEquals(List.of("x", "y"), rows.stream().map(RoiStatistics::label).toList());
        assertEquals(1, rows.get(1).mean(), EPS);
    }

    @Test
    void randomMapsAgreeWithABruteForceComputation() {
        Random rnd = new Random(42);
        for (int trial = 0; trial < 200; trial++) {
            int w = 1 + rnd.nextInt(12);
            int h = 1 + rnd.nextInt(12);
            float[] v = new float[w * h];
            for (int i = 0; i < v.length; i++) {
                // few distinct values, so ties are frequent
                v[i] = (rnd.nextInt(9) - 3) * 0.5f;
            }
            double pw = 0.1 + rnd.nextDouble();
            double ph = 0.1 + rnd.nextDouble();
            int rx = rnd.nextInt(w + 4) - 3;
            int ry = rnd.nextInt(h + 4) - 3;
            int rw = 1 + rnd.nextInt(6);
            int rh = 1 + rnd.nextInt(6);
            boolean[] mask = new boolean[rw * rh];
            for (int i = 0; i < mask.length; i++) {
                mask[i] = rnd.nextInt(3) > 0;
            }
            // brute force: the region as a full-size mask of the map
            boolean[] full = new boolean[w * h];
            int inside = 0;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int mx = x - rx;
                    int my = y - ry;
                    if (mx >= 0 && my >= 0 && mx < rw && my < rh && mask[my * rw + mx]) {
                        full[y * w + x] = true;
                        inside++;
                    }
                }
            }
            Region region = Region.masked("r", rx, ry, rw, rh, mask);
            AttributionMap m = new AttributionMap("rand", v, w, h, pw, ph);
            if (inside == 0) {
                assertThrows(MeasureException.class, () -> AttributionMeasures.measure(m, region));
                continue;
            }
            double sum = 0;
            double pos = 0;
            double allPos = 0;
            double max = Double.NEGATIVE_INFINITY;
            int argmax = 0;
            for (int i = 0; i < v.length; i++) {
                allPos += Math.max(v[i], 0);
                if (v[i] > v[argmax]) {
                    argmax = i;
                }
                if (full[i]) {
                    sum += v[i];
                    pos += Math.max(v[i], 0);
                    max = Math.max(max, v[i]);
                }
            }
            RoiStatistics s = AttributionMeasures.measure(m, region);
            String at = "trial " + trial;
            assertEquals(inside, s.pixelCount(), at);
            assertEquals(inside * pw * ph, s.area(), 1e-9, at);
            assertEquals(sum / inside, s.mean(), 1e-9, at);
            assertEquals(sum * pw * ph, s.intDen(), 1e-9, at);
            assertEquals(max, s.max(), 0, at);
            assertEquals(allPos > 0 ? pos / allPos : 0, s.fraction(), 1e-9, at);
            assertEquals(full[argmax] ? 1 : 0, s.pointing(), at);
        }
    }

    @Test
    void aVolumeIsMeasuredAsAColumnThroughEverySlice() {
        // 3 x 2 x 2 volume, voxel 0.5 x 2 x 3 = 3 units; slice 0: 1 2 -1 / 0 4 NaN, slice 1: 7 -2 1 / 1 1 0
        float[] v = {1, 2, -1, 0, 4, Float.NaN, 7, -2, 1, 1, 1, 0};
        AttributionMap m = new AttributionMap("vol", v, 3, 2, 2, 0.5, 2, 3);
        assertEquals(2, m.depth());
        assertEquals(1 + 2 + 4 + 7 + 1 + 1 + 1, m.totalPositive(), EPS);
        assertEquals(0, m.maxX());
        assertEquals(0, m.maxY());
        assertEquals(1, m.maxZ());
        // column x = 0..1, y = 0..1 through both slices: 1 2 0 4 | 7 -2 1 1 -> 8 voxels, sum 14, positive 16
        RoiStatistics s = AttributionMeasures.measure(m, Region.rectangle("col", 0, 0, 2, 2));
        assertEquals(8, s.pixelCount());
        assertEquals(8 * 3.0, s.area(), EPS);
        assertEquals(14 / 8.0, s.mean(), EPS);
        assertEquals(14 * 3.0, s.intDen(), EPS);
        assertEquals(7, s.max(), EPS);
        assertEquals(16 / 17.0, s.fraction(), EPS);
        assertEquals(1, s.pointing());
        // column x = 2: -1 NaN | 1 0 -> 3 voxels (NaN excluded), no maximum inside
        RoiStatistics c = AttributionMeasures.measure(m, Region.rectangle("x2", 2, 0, 1, 2));
        assertEquals(3, c.pixelCount());
        assertEquals(1 / 17.0, c.fraction(), EPS);
        assertEquals(0, c.pointing());
    }
}
