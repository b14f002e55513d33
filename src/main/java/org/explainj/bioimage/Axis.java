package org.explainj.bioimage;

import java.util.List;

/**
 * One axis of a package's tensor: its type ({@code batch}, {@code channel}, {@code space}, {@code time},
 * {@code index}), its id ({@code batch}, {@code channel}, {@code z}, {@code y}, {@code x}, ...), its size and, for a
 * channel axis, the channel names.
 */
public record Axis(String type, String id, Size size, List<String> channelNames) {

    public Axis {
        channelNames = channelNames == null ? List.of() : List.copyOf(channelNames);
    }

    /**
     * An axis size: fixed, {@code min + n·step} (n ≥ 0), or free (any size; also a size given relative to another
     * tensor).
     */
    public record Size(int fixed, int min, int step) {

        public static final Size FREE = new Size(0, 0, 0);

        public static Size fixed(int n) {
            return new Size(n, 0, 0);
        }

        public static Size minStep(int min, int step) {
            return step == 0 ? fixed(min) : new Size(0, min, step);
        }

        /** The least valid size that is at least {@code n}. */
        public int fit(int n) {
            if (fixed > 0) {
                return fixed;
            }
            if (step > 0) {
                if (n <= min) {
                    return min;
                }
                return min + (int) Math.ceil((n - min) / (double) step) * step;
            }
            return n;
        }

        @Override
        public String toString() {
            return fixed > 0 ? Integer.toString(fixed) : step > 0 ? min + " + n·" + step : "any";
        }
    }

    /** The 0.4 letter of an axis id ({@code b}, {@code c}, {@code z}, {@code y}, {@code x}, {@code t}, {@code i}). */
    static String idOfLetter(char letter) {
        return switch (letter) {
            case 'b' -> "batch";
            case 'c' -> "channel";
            case 't' -> "time";
            case 'i' -> "index";
            default -> String.valueOf(letter);
        };
    }

    /** The type of a 0.4 letter. */
    static String typeOfLetter(char letter) {
        return switch (letter) {
            case 'b' -> "batch";
            case 'c' -> "channel";
            case 'x', 'y', 'z' -> "space";
            case 't' -> "time";
            case 'i' -> "index";
            default -> "unknown";
        };
    }
}
