package org.explainj.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Class names for a model: one per line in a text file. */
public final class ModelLabels {

    private ModelLabels() {
    }

    /**
     * The labels file beside a model: {@code <name>.labels.txt} (e.g. {@code model.labels.txt} for {@code model.pt}),
     * else the longest {@code <prefix>.labels.txt} whose prefix starts the model's name ({@code ringnet.labels.txt}
     * for {@code ringnet_traced.pt}), else {@code labels.txt} in the same folder; empty if none.
     */
    public static List<String> beside(Path model) {
        String name = model.getFileName().toString();
        String stem = name.endsWith(".pt") ? name.substring(0, name.length() - 3) : name;
        Path dir = model.toAbsolutePath().getParent();
        String prefixed = null;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String fn = f.getFileName().toString();
                if (fn.endsWith(".labels.txt")) {
                    String prefix = fn.substring(0, fn.length() - ".labels.txt".length());
                    if (stem.startsWith(prefix) && (prefixed == null || prefix.length() > prefixed.length()
                            - ".labels.txt".length())) {
                        prefixed = fn;
                    }
                }
            }
        } catch (IOException e) {
            // no listing: the fixed names below
        }
        String[] candidates = prefixed == null ? new String[] {stem + ".labels.txt", "labels.txt"}
                : new String[] {stem + ".labels.txt", prefixed, "labels.txt"};
        for (String candidate : candidates) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return read(p);
            }
        }
        return List.of();
    }

    /**
     * Refuses class names whose number is not the model's number of classes: the names (and a target given by name)
     * would belong to other classes than the scores they are shown with.
     */
    public static void requireMatch(List<String> labels, int classes) {
        if (!labels.isEmpty() && classes > 1 && labels.size() != classes) {
            throw new ModelException("The class names (labels= or the labels file beside the model) are "
                    + labels.size() + " (first: " + labels.get(0) + "), but the model gives " + classes + " class "
                    + "scores, so the names would not match the classes. Give one name per class, in the order of "
                    + "the model's outputs, or remove the labels file.");
        }
    }

    /** The class names in a file, one per line (blank lines skipped). */
    public static List<String> read(Path file) {
        try {
            return Files.readAllLines(file).stream().map(String::trim).filter(l -> !l.isEmpty()).toList();
        } catch (IOException e) {
            throw new ModelException("Cannot read the labels file " + file + ": " + e.getMessage()
                    + ". Give a text file with one class name per line.", e);
        }
    }
}
