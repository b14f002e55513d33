package org.explainj.explain;

import java.nio.file.Path;
import java.util.List;
import org.explainj.bioimage.BioimagePackage;
import org.explainj.bioimage.PackageFiles;
import org.explainj.bioimage.Packages;
import org.explainj.model.ModelCache;
import org.explainj.model.TorchScriptModel;

/**
 * What {@code model=} names, opened: a TorchScript file, or a bioimage.io package (folder, zip or description file)
 * with its TorchScript weights loaded.
 *
 * @param pkg the package, or null for a plain TorchScript file
 */
public record OpenModel(TorchScriptModel model, BioimagePackage pkg) {

    /** Opens a model file or package (both cached). */
    public static OpenModel open(Path path) {
        if (PackageFiles.isPackage(path)) {
            BioimagePackage p = Packages.open(path);
            return new OpenModel(ModelCache.shared().get(p.weights()), p);
        }
        return new OpenModel(ModelCache.shared().get(path), null);
    }

    /** The class names: a package output's channel names, else a labels file beside the model. */
    public List<String> labels() {
        return pkg != null && !pkg.labels().isEmpty() ? pkg.labels() : model.labels();
    }
}
