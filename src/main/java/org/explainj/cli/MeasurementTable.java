package org.explainj.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.explainj.ExplainJException;
import org.explainj.measure.RoiStatistics;

/**
 * measurements.csv of a batch: Image, Label and the ROI statistics columns, one row per ROI. Cells are quoted when
 * they hold a comma, a quote or a line break (an image path or ROI name may), so every row reads back with the same
 * number of columns.
 */
public final class MeasurementTable {

    private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder().setRecordSeparator("\n").get();

    private MeasurementTable() {
    }

    /** The column names. */
    public static List<String> columns() {
        List<String> c = new ArrayList<>(List.of("Image", "Label"));
        c.addAll(RoiStatistics.COLUMNS);
        return c;
    }

    /** The header line (without line break). */
    public static String header() {
        return line(columns());
    }

    /** One row of an image's ROI: its measurements after the image and label. */
    public static String row(String image, RoiStatistics r) {
        List<String> cells = new ArrayList<>(List.of(image, r.label()));
        for (Number v : r.values()) {
            cells.add(String.valueOf(v));
        }
        return line(cells);
    }

    /** Cells as one CSV record (without line break). */
    public static String line(List<String> cells) {
        return FORMAT.format(cells.toArray());
    }

    /** The records of CSV text (rows written by {@link #row}, with or without the header), as cells. */
    public static List<List<String>> read(String text) {
        List<List<String>> rows = new ArrayList<>();
        try (CSVParser p = CSVParser.parse(text, FORMAT)) {
            for (CSVRecord r : p) {
                if (r.size() == 1 && r.get(0).isBlank()) {
                    continue;
                }
                if (r.size() != columns().size()) {
                    throw new ExplainJException("A measurement row has " + r.size() + " columns instead of "
                            + columns().size() + ": " + r);
                }
                rows.add(r.toList());
            }
        } catch (IOException | UncheckedIOException e) {
            throw new ExplainJException("Cannot read measurement rows: " + e.getMessage());
        }
        return rows;
    }
}
