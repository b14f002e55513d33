package org.explainj.ij;

import java.io.File;
import java.nio.file.Path;
import org.explainj.ExplainJException;
import org.explainj.bioimage.BioimagePackage;
import org.explainj.bioimage.PackageFiles;
import org.explainj.bioimage.Packages;

/** The line under the dialog's model field: what the path names (a bioimage.io package's name and version). */
final class ModelLabel {

    private ModelLabel() {
    }

    static String describe(String modelPath) {
        if (modelPath == null || modelPath.isBlank() || !new File(modelPath.trim()).exists()) {
            return " ";
        }
        Path path = new File(modelPath.trim()).toPath();
        if (!PackageFiles.isPackage(path)) {
            return "TorchScript model";
        }
        try {
            BioimagePackage p = Packages.open(path);
            String id = p.description().id() == null ? "" : " " + p.description().id();
            String version = p.description().version() == null ? "" : " " + p.description().version();
            return "bioimage.io package: " + p.label() + id + version + " (format " + p.description().formatVersion()
                    + ")";
        } catch (ExplainJException e) {
            return "bioimage.io package, refused: " + e.getMessage();
        }
    }
}
