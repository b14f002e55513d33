package org.explainj.bioimage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.explainj.tensor.Grid;
import org.explainj.tensor.ModelInput;

/**
 * An opened bioimage.io model package: its description, its TorchScript weights (checked against their sha256), and
 * what it says about the input: the axes (batch, channel, optional z, y, x), the sizes it accepts and the
 * preprocessing that turns the image's raw values into the model's input.
 *
 * <p>Read only: the user's folder or zip is never written; a zip is extracted into the cache.
 */
public final class BioimagePackage {

    private final Path source;
    private final Path root;
    private final PackageDescription description;
    private final Path weights;
    private final TensorDescription input;
    private final TensorDescription output;
    private final boolean volume;
    private volatile TestTensors.Result test;

    private BioimagePackage(Path source, Path root, PackageDescription description, Path weights) {
        this.source = source;
        this.root = root;
        this.description = description;
        this.weights = weights;
        if (description.inputs().size() != 1) {
            throw new PackageException("The package " + label() + " has " + description.inputs().size() + " input "
                    + "tensors (" + String.join(", ", description.inputs().stream().map(TensorDescription::id)
                    .toList()) + "); ExplainJ explains models with one input.");
        }
        if (description.outputs().isEmpty()) {
            throw new PackageException("The package " + label() + " declares no output tensor.");
        }
        this.input = description.inputs().get(0);
        this.output = description.outputs().get(0);
        this.volume = checkInputAxes();
        TensorProcessing probe = new TensorProcessing(sampleIds(), probeDims(), input.id(), description.file());
        input.processing().forEach(probe::check);
    }

    /**
     * Opens a package given as a folder, a zip or its description file: reads the description, checks the
     * TorchScript weights' sha256 and the test tensors' (where given).
     */
    public static BioimagePackage open(Path path, Path cacheDir) {
        Path rdf = PackageFiles.description(path, cacheDir);
        String text;
        try {
            text = Files.readString(rdf);
        } catch (java.io.IOException e) {
            throw new PackageException("Cannot read " + rdf + ": " + e.getMessage(), e);
        }
        PackageDescription d = PackageDescription.parse(text, rdf.getFileName().toString());
        Path root = rdf.getParent();
        PackageDescription.Weights ts = d.torchscript();
        if (ts == null) {
            throw new PackageException("The package " + name(d, path) + " has no TorchScript weights; it has "
                    + (d.weights().isEmpty() ? "none" : String.join(", ", d.weights().keySet())) + ". ExplainJ "
                    + "runs TorchScript. Convert the weights in Python (pytorch_state_dict needs the model's Python "
                    + "code): bioimageio.core's add_weights(..., output_format=\"torchscript\"), or torch.jit.script "
                    + "/ torch.jit.trace and torch.jit.save, then add the file as weights: torchscript: {source, "
                    + "sha256} in " + rdf.getFileName() + ".");
        }
        Path w = PackageFiles.resolve(root, ts.source(), "TorchScript weights");
        PackageFiles.verify(w, ts.sha256(), "TorchScript weights", rdf.getFileName().toString(), cacheDir);
        for (TensorDescription t : d.inputs()) {
            checkTestTensor(root, t, rdf, cacheDir);
        }
        for (TensorDescription t : d.outputs()) {
            checkTestTensor(root, t, rdf, cacheDir);
        }
        return new BioimagePackage(path, root, d, w);
    }

    private static void checkTestTensor(Path root, TensorDescription t, Path rdf, Path cacheDir) {
        if (t.testSource() != null && t.testSha256() != null) {
            Path f = PackageFiles.resolve(root, t.testSource(), "test tensor of \"" + t.id() + "\"");
            PackageFiles.verify(f, t.testSha256(), "test tensor of \"" + t.id() + "\"", rdf.getFileName().toString(),
                    cacheDir);
        }
    }

    private static String name(PackageDescription d, Path path) {
        return d.name() != null ? "\"" + d.name() + "\"" : String.valueOf(path.getFileName());
    }

    /** The input axes, checked: batch, channel, (z,) y, x in this order; whether there is a z axis. */
    private boolean checkInputAxes() {
        List<String> types = new ArrayList<>();
        input.axes().forEach(a -> types.add(a.type()));
        List<String> ids = input.axisIds();
        boolean ok = ids.size() >= 4 && "batch".equals(types.get(0)) && "channel".equals(types.get(1));
        List<String> space = ok ? ids.subList(2, ids.size()) : List.of();
        for (int k = 2; ok && k < types.size(); k++) {
            ok = "space".equals(types.get(k));
        }
        ok = ok && (space.equals(List.of("y", "x")) || space.equals(List.of("z", "y", "x")));
        if (!ok) {
            throw new PackageException("The package " + label() + " declares its input axes as " + input.axesText()
                    + "; ExplainJ explains inputs laid out batch, channel, y, x (2-D) or batch, channel, z, y, x "
                    + "(3-D).");
        }
        return space.size() == 3;
    }

    private List<String> sampleIds() {
        return input.axisIds().subList(1, input.axes().size());
    }

    private int[] probeDims() {
        int[] d = new int[input.axes().size() - 1];
        Arrays.fill(d, 2);
        int c = channels();
        d[0] = c > 0 ? c : 1;
        return d;
    }

    /** The user's path (folder, zip or description file). */
    public Path source() {
        return source;
    }

    /** The TorchScript weights, checked against their sha256. */
    public Path weights() {
        return weights;
    }

    public PackageDescription description() {
        return description;
    }

    public TensorDescription input() {
        return input;
    }

    public TensorDescription output() {
        return output;
    }

    /** Whether the model takes volumes (its input has a z axis). */
    public boolean volume() {
        return volume;
    }

    /** The number of input channels the package declares, or -1 when any. */
    public int channels() {
        Axis.Size s = input.axes().get(1).size();
        return s.fixed() > 0 ? s.fixed() : -1;
    }

    /** The class (channel) names of the first output, empty when it names none. */
    public List<String> labels() {
        Axis c = output.channelAxis();
        return c == null ? List.of() : c.channelNames();
    }

    /** The package's name as shown to the user. */
    public String label() {
        return description.name() != null ? description.name() : String.valueOf(source.getFileName());
    }

    /**
     * The input size the model accepts for an input of this size: the same, or the next larger size each axis
     * allows ({@code min + n·step}: the input is padded). A fixed size that differs is refused.
     */
    public Grid fit(Grid in) {
        int[] sizes = volume ? new int[] {in.depth(), in.height(), in.width()} : new int[] {in.height(), in.width()};
        int[] fitted = new int[sizes.length];
        List<String> wrong = new ArrayList<>();
        for (int k = 0; k < sizes.length; k++) {
            Axis a = input.axes().get(2 + k);
            fitted[k] = a.size().fit(sizes[k]);
            if (a.size().fixed() > 0 && fitted[k] != sizes[k]) {
                wrong.add(a.id() + " = " + a.size().fixed() + " (the image gives " + sizes[k] + ")");
            }
        }
        if (!wrong.isEmpty()) {
            String want = volume ? fitted[2] + "x" + fitted[1] : fitted[1] + "x" + fitted[0];
            throw new PackageException("The package " + label() + " takes inputs of a fixed size: "
                    + String.join(", ", wrong) + ". Resize the image with input_size=" + want
                    + (volume ? " (z must already have " + fitted[0] + " slices)" : "") + ", or crop it to that "
                    + "size.");
        }
        return volume ? Grid.volume(fitted[2], fitted[1], fitted[0]) : Grid.plane(fitted[1], fitted[0]);
    }

    /** The image's raw values made into the model's input by the package's preprocessing. */
    public ModelInput preprocess(ModelInput raw) {
        int c = channels();
        if (c > 0 && raw.channels() != c) {
            throw new PackageException("The package " + label() + " takes " + c + " channel(s)"
                    + channelNames() + " but the image gives " + raw.channels() + ". Choose the image channels with "
                    + "channels=, e.g. channels=" + (raw.channels() == 1 && c > 1 ? "1,1 (repeats the one channel)"
                    : "1") + ".");
        }
        int[] dims = volume ? new int[] {raw.channels(), raw.depth(), raw.height(), raw.width()}
                : new int[] {raw.channels(), raw.height(), raw.width()};
        TensorProcessing p = new TensorProcessing(sampleIds(), dims, input.id(), description.file());
        float[] v = p.apply(input.processing(), raw.data());
        for (float x : v) {
            if (!Float.isFinite(x)) {
                throw new PackageException("The package's preprocessing (" + input.processing() + ") gives "
                        + "non-finite values for this image (e.g. a constant image divided by a zero range).");
            }
        }
        return raw.withData(v);
    }

    private String channelNames() {
        List<String> names = input.axes().get(1).channelNames();
        return names.isEmpty() ? "" : " (" + String.join(", ", names) + ")";
    }

    /** The preprocessing steps as text, for the Info. */
    public String preprocessingText() {
        if (input.processing().isEmpty()) {
            return "none";
        }
        List<String> s = new ArrayList<>();
        input.processing().forEach(p -> s.add(p.toString()));
        return String.join("; ", s);
    }

    /** The test tensors' result (run once per opened package; see {@link TestTensors}). */
    public TestTensors.Result test(org.explainj.model.TorchScriptModel model) {
        TestTensors.Result r = test;
        if (r == null) {
            synchronized (this) {
                if (test == null) {
                    test = TestTensors.run(this, root, model);
                }
                r = test;
            }
        }
        return r;
    }

    /** Lines for the heatmap's Info: name, id and version, authors, citation, licence, preprocessing. */
    public List<String> infoLines() {
        List<String> lines = new ArrayList<>();
        PackageDescription d = description;
        lines.add("package=" + label());
        if (d.id() != null || d.version() != null) {
            lines.add("package_id=" + (d.id() == null ? "" : d.id()) + (d.version() == null ? "" : " version "
                    + d.version()));
        }
        lines.add("package_format=" + d.formatVersion());
        if (!d.authors().isEmpty()) {
            lines.add("package_authors=" + String.join(", ", d.authors()));
        }
        d.citations().forEach(c -> lines.add("package_cite=" + c));
        if (d.license() != null) {
            lines.add("package_license=" + d.license());
        }
        lines.add("package_preprocessing=" + preprocessingText());
        lines.add("package_explained_output=" + output.id() + " before postprocessing");
        return lines;
    }
}
