package org.explainj.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.explainj.ExplainJException;

/**
 * The images of a batch as {@link ImageJob}s: a folder (its images, optionally in subfolders), a list file (one path
 * per line) or a CSV table ({@code image} column; optional {@code roi} — a .roi file or an ROI Manager .zip — and
 * {@code mask} — mask images separated by ';'). Relative paths in a list or table are read from the file's folder.
 * Output names keep the images' folders relative to the input folder (a list or table: the folder all its images
 * share), so that {@code plate1/A01.tif} and {@code plate2/A01.tif} get different outputs; two images of one folder
 * with the same name but another extension keep their extension in the output name.
 */
public final class BatchInputs {

    private BatchInputs() {
    }

    /** The jobs of an input: a folder (with subfolders, leaving out {@code output} inside it), a list, a table. */
    public static List<ImageJob> of(Path input, Path output) {
        if (Files.isDirectory(input)) {
            return folder(input, true, output);
        }
        if (!Files.isRegularFile(input)) {
            throw new ExplainJException("The input " + input + " does not exist. Give a folder of images, a text file "
                    + "with one image path per line, or a CSV table with an \"image\" column.");
        }
        return input.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv") ? table(input) : list(input);
    }

    /** The images of a folder (and of its subfolders when {@code recursive}), without their masks and outputs. */
    public static List<ImageJob> folder(Path dir, boolean recursive, Path output) {
        Path root = dir.toAbsolutePath().normalize();
        Path skip = output == null ? null : output.toAbsolutePath().normalize();
        List<Path> files;
        try (Stream<Path> s = Files.walk(root, recursive ? Integer.MAX_VALUE : 1)) {
            files = s.filter(Files::isRegularFile)
                    .filter(p -> skip == null || skip.equals(root) || !p.startsWith(skip))
                    .filter(p -> isCandidate(p.getFileName().toString())).sorted().toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new ExplainJException("Cannot list the input folder " + dir + ": " + e.getMessage());
        }
        Set<Path> stems = new HashSet<>(); // folder/stem of every candidate: what a mask's name starts with
        for (Path p : files) {
            stems.add(p.resolveSibling(ExplainFolder.stem(p.getFileName().toString())));
        }
        List<Source> sources = new ArrayList<>();
        for (Path p : files) {
            if (!isMaskOfAnother(p, stems)) {
                sources.add(new Source(p, null, List.of()));
            }
        }
        return named(sources, root);
    }

    /** A list file: one image path per line (blank lines and lines starting with # are left out). */
    public static List<ImageJob> list(Path file) {
        Path base = file.toAbsolutePath().normalize().getParent();
        List<Source> sources = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                String t = line.strip();
                if (!t.isEmpty() && !t.startsWith("#")) {
                    sources.add(new Source(resolve(base, t), null, List.of()));
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new ExplainJException("Cannot read the image list " + file + ": " + e.getMessage());
        }
        return named(sources, commonFolder(sources));
    }

    /** A CSV table with an {@code image} column and optional {@code roi} and {@code mask} columns. */
    public static List<ImageJob> table(Path file) {
        Path base = file.toAbsolutePath().normalize().getParent();
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setIgnoreHeaderCase(true)
                .setIgnoreEmptyLines(true).setTrim(true).setAllowMissingColumnNames(true).get();
        List<Source> sources = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file); CSVParser csv = CSVParser.parse(r, format)) {
            Map<String, Integer> header = csv.getHeaderMap();
            if (header == null || header.keySet().stream().noneMatch("image"::equalsIgnoreCase)) {
                throw new ExplainJException("The table " + file + " has no \"image\" column (its columns: "
                        + (header == null ? "none" : String.join(", ", header.keySet())) + "). Give one image path "
                        + "per row in a column named image; roi and mask columns are optional.");
            }
            boolean hasRoi = header.keySet().stream().anyMatch("roi"::equalsIgnoreCase);
            boolean hasMask = header.keySet().stream().anyMatch("mask"::equalsIgnoreCase);
            for (CSVRecord row : csv) {
                String image = row.isSet("image") ? row.get("image") : "";
                if (image.isEmpty()) {
                    throw new ExplainJException("Row " + row.getRecordNumber() + " of " + file + " has no image path. "
                            + "Nothing was computed.");
                }
                String roi = hasRoi && row.isSet("roi") ? row.get("roi") : "";
                List<Path> masks = new ArrayList<>();
                if (hasMask && row.isSet("mask")) {
                    for (String m : row.get("mask").split(";")) {
                        if (!m.isBlank()) {
                            masks.add(resolve(base, m.strip()));
                        }
                    }
                }
                sources.add(new Source(resolve(base, image), roi.isEmpty() ? null : resolve(base, roi), masks));
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new ExplainJException("Cannot read the table " + file + ": " + e.getMessage());
        }
        return named(sources, commonFolder(sources));
    }

    /** An image file as ExplainJ reads it (TIFF, PNG, JPEG), not hidden, not one of ExplainJ's outputs. */
    static boolean isCandidate(String name) {
        String l = name.toLowerCase(Locale.ROOT);
        return !name.startsWith(".") && ExplainFolder.isImage(name) && !l.endsWith("-heatmap.tif")
                && !l.endsWith("-overlay.png");
    }

    /**
     * {@code <stem>_mask*} beside an image {@code <stem>.*}: that image's mask, not an image to explain
     * ({@code stems}: folder/stem of every candidate file; a name is looked up at each of its "_mask").
     */
    private static boolean isMaskOfAnother(Path p, Set<Path> stems) {
        String n = p.getFileName().toString();
        String own = ExplainFolder.stem(n);
        for (int k = n.indexOf("_mask"); k > 0; k = n.indexOf("_mask", k + 1)) {
            String stem = n.substring(0, k);
            if (!stem.equals(own) && stems.contains(p.resolveSibling(stem))) {
                return true;
            }
        }
        return false;
    }

    private record Source(Path image, Path roi, List<Path> masks) {
    }

    private static Path resolve(Path base, String path) {
        try {
            Path p = Path.of(path);
            return (p.isAbsolute() ? p : base.resolve(p)).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new ExplainJException("\"" + path + "\" is not a file path: " + e.getMessage());
        }
    }

    /** The deepest folder that holds every image (at any depth). */
    private static Path commonFolder(List<Source> sources) {
        Path common = null;
        for (Source s : sources) {
            Path dir = s.image().getParent();
            if (common == null) {
                common = dir;
            }
            while (common != null && !dir.startsWith(common)) {
                common = common.getParent();
            }
        }
        return common == null ? Path.of("").toAbsolutePath() : common;
    }

    /** A relative path without its file's extension (a dot in a folder's name stays). */
    private static String withoutExtension(String rel) {
        int slash = rel.lastIndexOf('/');
        return rel.substring(0, slash + 1) + ExplainFolder.stem(rel.substring(slash + 1));
    }

    /** Output names relative to {@code root}; an image listed twice is refused (its outputs would be one file). */
    private static List<ImageJob> named(List<Source> sources, Path root) {
        Map<String, Integer> stems = new HashMap<>();
        List<String> relative = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Source s : sources) {
            String rel = root.relativize(s.image()).toString().replace('\\', '/');
            if (!seen.add(rel.toLowerCase(Locale.ROOT))) {
                throw new ExplainJException("The image " + s.image() + " is listed twice (paths are compared "
                        + "ignoring case, as the output folder may). List each image once. Nothing was computed.");
            }
            relative.add(rel);
            stems.merge(withoutExtension(rel).toLowerCase(Locale.ROOT), 1, Integer::sum);
        }
        List<ImageJob> jobs = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            Source s = sources.get(i);
            String rel = relative.get(i);
            String stem = withoutExtension(rel);
            String name = stems.get(stem.toLowerCase(Locale.ROOT)) > 1 ? rel : stem;
            jobs.add(new ImageJob(s.image().toString(), name, rel, s.roi() == null ? null : s.roi().toString(),
                    s.masks().stream().map(Path::toString).toList()));
        }
        return jobs;
    }
}
