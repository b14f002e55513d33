package org.explainj.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The shape records of a catalogue forward ({@code [module id, *shape]} rows, the output shape first) as one line of
 * text, so that a later session can build the same {@link LayerCatalogue} without running the model: rows joined by
 * ';', numbers by ','. A line that does not parse is treated as absent.
 */
final class CatalogueRows {

    private CatalogueRows() {
    }

    static String encode(List<long[]> rows) {
        StringBuilder sb = new StringBuilder();
        for (long[] row : rows) {
            if (sb.length() > 0) {
                sb.append(';');
            }
            for (int i = 0; i < row.length; i++) {
                sb.append(i == 0 ? "" : ",").append(row[i]);
            }
        }
        return sb.toString();
    }

    /** The rows, or null when the text is not an encoding of at least the output shape. */
    static List<long[]> decode(String text) {
        List<long[]> rows = new ArrayList<>();
        try {
            for (String row : text.split(";", -1)) {
                if (row.isEmpty()) {
                    rows.add(new long[0]);
                    continue;
                }
                String[] parts = row.split(",");
                long[] r = new long[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    r[i] = Long.parseLong(parts[i].trim());
                }
                rows.add(r);
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return rows.isEmpty() ? null : rows;
    }
}
