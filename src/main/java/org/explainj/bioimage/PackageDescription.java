package org.explainj.bioimage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * What a bioimage.io model description ({@code rdf.yaml}) says, for format 0.4.x and 0.5.x: who made the model, its
 * weights, its inputs and outputs with their axes and processing, its test tensors and the tolerance they are
 * reproduced to.
 *
 * @param file the description's file name (for messages)
 */
public record PackageDescription(String file, String formatVersion, String name, String id, String version,
                                 String description, List<String> authors, List<String> citations, String license,
                                 Map<String, Weights> weights, List<TensorDescription> inputs,
                                 List<TensorDescription> outputs, Tolerance tolerance) {

    /** One weights entry: its format ({@code torchscript}, ...), file and sha256 (may be null). */
    public record Weights(String format, String source, String sha256) {
    }

    /**
     * How closely the test outputs must be reproduced: an element is mismatched when |out − test| &gt; absolute +
     * relative·|test|; at most {@code mismatchedPerMillion} such elements per million.
     */
    public record Tolerance(double relative, double absolute, double mismatchedPerMillion, boolean declared) {

        public static final Tolerance DEFAULT = new Tolerance(1e-3, 1e-4, 0, false);
    }

    /** The torchscript weights, or null. */
    public Weights torchscript() {
        return weights.get("torchscript");
    }

    /** Parses a description's text. */
    public static PackageDescription parse(String text, String file) {
        Object doc;
        try {
            doc = new Load(LoadSettings.builder().setLabel(file).build()).loadFromString(text);
        } catch (YamlEngineException e) {
            throw new PackageException("The package description " + file + " is not valid YAML: "
                    + firstLine(e.getMessage()), e);
        }
        if (!(doc instanceof Map<?, ?> root)) {
            throw new PackageException("The package description " + file + " is not a YAML mapping of fields.");
        }
        return new Parser(root, file).description();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Reads the YAML tree; every missing or mistyped field is refused with its path. */
    private static final class Parser {

        private final Map<?, ?> root;
        private final String file;
        private boolean v04;

        Parser(Map<?, ?> root, String file) {
            this.root = root;
            this.file = file;
        }

        PackageDescription description() {
            String type = text(root, "type", "type");
            if (type != null && !"model".equals(type)) {
                throw new PackageException("The package description " + file + " describes a " + type + ", not a "
                        + "model (type: model).");
            }
            String format = text(root, "format_version", "format_version");
            if (format == null) {
                throw new PackageException("The package description " + file + " has no format_version: it is not "
                        + "a bioimage.io model description.");
            }
            if (!format.startsWith("0.4.") && !format.startsWith("0.5.")) {
                throw new PackageException("The package description " + file + " has format_version " + format
                        + "; ExplainJ reads 0.4.x and 0.5.x.");
            }
            v04 = format.startsWith("0.4.");
            String name = text(root, "name", "name");
            String id = text(root, "id", "id");
            String version = text(root, "version", "version");
            String description = text(root, "description", "description");
            String license = text(root, "license", "license");
            List<String> authors = new ArrayList<>();
            for (Object a : list(root, "authors")) {
                if (a instanceof Map<?, ?> m && m.get("name") != null) {
                    authors.add(String.valueOf(m.get("name")).replaceAll(";@.*$", ""));
                } else if (a != null) {
                    authors.add(String.valueOf(a));
                }
            }
            List<String> citations = new ArrayList<>();
            for (Object c : list(root, "cite")) {
                if (c instanceof Map<?, ?> m) {
                    String t = m.get("text") == null ? "" : String.valueOf(m.get("text")).strip();
                    Object ref = m.get("doi") != null ? "doi:" + m.get("doi") : m.get("url");
                    citations.add(ref == null ? t : t + " (" + ref + ")");
                }
            }
            Map<String, Weights> weights = new LinkedHashMap<>();
            Object w = root.get("weights");
            if (w instanceof Map<?, ?> wm) {
                for (Map.Entry<?, ?> e : wm.entrySet()) {
                    if (e.getValue() instanceof Map<?, ?> entry) {
                        String f = String.valueOf(e.getKey());
                        weights.put(f, new Weights(f, text(entry, "source", "weights." + f + ".source"),
                                text(entry, "sha256", "weights." + f + ".sha256")));
                    }
                }
            }
            List<TensorDescription> inputs = tensors("inputs", "preprocessing", "test_inputs");
            List<TensorDescription> outputs = tensors("outputs", "postprocessing", "test_outputs");
            return new PackageDescription(file, format, name, id, version, description, authors, citations, license,
                    weights, inputs, outputs, tolerance());
        }

        private List<TensorDescription> tensors(String field, String processingField, String v04TestField) {
            List<TensorDescription> out = new ArrayList<>();
            List<?> tensors = list(root, field);
            List<?> v04Tests = v04 ? list(root, v04TestField) : List.of();
            for (int i = 0; i < tensors.size(); i++) {
                if (!(tensors.get(i) instanceof Map<?, ?> t)) {
                    throw new PackageException(file + ": " + field + "[" + i + "] is not a mapping.");
                }
                String where = field + "[" + i + "]";
                String id = text(t, v04 ? "name" : "id", where + (v04 ? ".name" : ".id"));
                if (id == null) {
                    id = v04 ? field.substring(0, field.length() - 1) + i : (field.equals("inputs") ? "input"
                            : "output") + (i == 0 ? "" : i);
                }
                List<Axis> axes = v04 ? axes04(t, where) : axes05(t, where);
                List<ProcessingStep> steps = new ArrayList<>();
                List<?> proc = list(t, processingField);
                for (int k = 0; k < proc.size(); k++) {
                    if (!(proc.get(k) instanceof Map<?, ?> p)) {
                        throw new PackageException(file + ": " + where + "." + processingField + "[" + k + "] is "
                                + "not a mapping.");
                    }
                    String stepName = text(p, v04 ? "name" : "id", where + "." + processingField + "[" + k + "]");
                    if (stepName == null) {
                        stepName = text(p, v04 ? "id" : "name", where);
                    }
                    if (stepName == null) {
                        throw new PackageException(file + ": " + where + "." + processingField + "[" + k + "] has no "
                                + (v04 ? "name" : "id") + ".");
                    }
                    Map<String, Object> kwargs = new LinkedHashMap<>();
                    if (p.get("kwargs") instanceof Map<?, ?> kw) {
                        kw.forEach((key, value) -> kwargs.put(String.valueOf(key), value));
                    }
                    steps.add(new ProcessingStep(stepName, kwargs));
                }
                String testSource = null;
                String testSha = null;
                if (v04) {
                    if (i < v04Tests.size() && v04Tests.get(i) != null) {
                        testSource = String.valueOf(v04Tests.get(i));
                    }
                } else if (t.get("test_tensor") instanceof Map<?, ?> tt) {
                    testSource = text(tt, "source", where + ".test_tensor.source");
                    testSha = text(tt, "sha256", where + ".test_tensor.sha256");
                }
                String dataType = v04 ? text(t, "data_type", where + ".data_type") : null;
                Object data = t.get("data");
                if (data instanceof List<?> l && !l.isEmpty()) {
                    data = l.get(0);
                }
                if (!v04 && data instanceof Map<?, ?> dm) {
                    dataType = text(dm, "type", where + ".data.type");
                }
                if (!v04 && processingField.equals("preprocessing")) {
                    steps = withDtypeSteps(steps, dataType);
                }
                out.add(new TensorDescription(id, axes, steps, testSource, testSha, dataType));
            }
            return out;
        }

        /**
         * Format 0.5's implicit steps: preprocessing starts with {@code ensure_dtype} to the input's data type and
         * ends with one (or with {@code binarize}), as the spec adds them when a description leaves them out.
         */
        private static List<ProcessingStep> withDtypeSteps(List<ProcessingStep> steps, String dataType) {
            String dtype = dataType == null ? "float32" : dataType;
            List<ProcessingStep> out = new ArrayList<>(steps);
            if (out.isEmpty() || !out.get(0).name().equals("ensure_dtype")) {
                out.add(0, new ProcessingStep("ensure_dtype", Map.of("dtype", dtype)));
            }
            String last = out.get(out.size() - 1).name();
            if (!last.equals("ensure_dtype") && !last.equals("binarize")) {
                out.add(new ProcessingStep("ensure_dtype", Map.of("dtype", dtype)));
            }
            return out;
        }

        private List<Axis> axes04(Map<?, ?> t, String where) {
            String letters = text(t, "axes", where + ".axes");
            if (letters == null) {
                throw new PackageException(file + ": " + where + " has no axes.");
            }
            Object shape = t.get("shape");
            List<Axis> axes = new ArrayList<>();
            for (int k = 0; k < letters.length(); k++) {
                char c = letters.charAt(k);
                Axis.Size size = Axis.Size.FREE;
                if (shape instanceof List<?> fixed && k < fixed.size()) {
                    size = Axis.Size.fixed(integer(fixed.get(k), where + ".shape"));
                } else if (shape instanceof Map<?, ?> m && m.get("min") instanceof List<?> min
                        && m.get("step") instanceof List<?> step && k < min.size() && k < step.size()) {
                    size = Axis.Size.minStep(integer(min.get(k), where + ".shape.min"),
                            integer(step.get(k), where + ".shape.step"));
                }
                axes.add(new Axis(Axis.typeOfLetter(c), Axis.idOfLetter(c), size, List.of()));
            }
            return axes;
        }

        private List<Axis> axes05(Map<?, ?> t, String where) {
            List<Axis> axes = new ArrayList<>();
            List<?> list = list(t, "axes");
            if (list.isEmpty()) {
                throw new PackageException(file + ": " + where + " has no axes.");
            }
            for (int k = 0; k < list.size(); k++) {
                if (!(list.get(k) instanceof Map<?, ?> a)) {
                    throw new PackageException(file + ": " + where + ".axes[" + k + "] is not a mapping.");
                }
                String type = text(a, "type", where + ".axes[" + k + "].type");
                if (type == null) {
                    throw new PackageException(file + ": " + where + ".axes[" + k + "] has no type.");
                }
                String id = text(a, "id", where + ".axes[" + k + "].id");
                if (id == null) {
                    id = switch (type) {
                        case "space" -> "x";
                        default -> type;
                    };
                }
                List<String> names = new ArrayList<>();
                for (Object n : list(a, "channel_names")) {
                    names.add(String.valueOf(n));
                }
                Object s = a.get("size");
                Axis.Size size = Axis.Size.FREE;
                if (s instanceof Number) {
                    size = Axis.Size.fixed(integer(s, where + ".axes[" + k + "].size"));
                } else if (s instanceof Map<?, ?> m && m.get("min") != null) {
                    size = Axis.Size.minStep(integer(m.get("min"), where + ".axes[" + k + "].size.min"),
                            m.get("step") == null ? 0 : integer(m.get("step"), where + ".axes[" + k + "].size.step"));
                } else if ("channel".equals(type) && !names.isEmpty()) {
                    size = Axis.Size.fixed(names.size());
                }
                axes.add(new Axis(type, id, size, names));
            }
            return axes;
        }

        private Tolerance tolerance() {
            if (root.get("config") instanceof Map<?, ?> config && config.get("bioimageio") instanceof Map<?, ?> b) {
                Object r = b.get("reproducibility_tolerance");
                if (r instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Map<?, ?> first) {
                    return new Tolerance(number(first.get("relative_tolerance"), 1e-3),
                            number(first.get("absolute_tolerance"), 1e-4),
                            number(first.get("mismatched_elements_per_million"), 0), true);
                }
            }
            return Tolerance.DEFAULT;
        }

        private double number(Object o, double dflt) {
            return o instanceof Number n ? n.doubleValue() : dflt;
        }

        private int integer(Object o, String where) {
            if (o instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
                return n.intValue();
            }
            throw new PackageException(file + ": " + where + " should be a whole number, not " + o + ".");
        }

        private String text(Map<?, ?> m, String key, String where) {
            Object o = m.get(key);
            if (o == null) {
                return null;
            }
            if (o instanceof Map<?, ?> || o instanceof List<?>) {
                throw new PackageException(file + ": " + where + " should be a single value, not " + o + ".");
            }
            return String.valueOf(o);
        }

        private List<?> list(Map<?, ?> m, String key) {
            Object o = m.get(key);
            if (o == null) {
                return List.of();
            }
            if (o instanceof List<?> l) {
                return l;
            }
            throw new PackageException(file + ": " + key + " should be a list, not " + o + ".");
        }
    }
}
