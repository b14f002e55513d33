// Explain_Folder.ijm: explains every image of a folder with one model and writes, per image,
//   <name>-heatmap.tif   the heatmap (32-bit, raw values, calibration kept)
//   <name>-overlay.png   the image with the heatmap overlay, flattened to RGB (a z-stack: the slice where the
//                        map peaks)
// and measurements.csv with one row per ROI: the ROIs of <name>.zip (a RoiSet from the ROI Manager),
// <name>.roi, or of the masks <name>_mask*.png (non-zero pixels), measured by Measure Attribution.
// With evaluate=deletion|insertion|both|road, Evaluate Explanation adds evaluation.csv (one row per image) and
// evaluation-summary.csv (mean and sd over the images).
// The model is loaded (and prepared) once for the whole folder.
//
// Run from the menu (Plugins > Macros > Run...) for a dialog, or with arguments, e.g.
//   ImageJ -batch Explain_Folder.ijm "input=[/data/in] output=[/data/out] model=[/m/model.pt] method=[Grad-CAM] options=[layer=layer4]"
// (values in square brackets; "options" holds any further Explain Image... keys; add evaluate=[both] for metrics).

args = getArgument();
if (args == "") {
    Dialog.create("Explain Folder");
    Dialog.addDirectory("Input folder", "");
    Dialog.addDirectory("Output folder", "");
    Dialog.addFile("Model", "");
    Dialog.addChoice("Method", newArray("Grad-CAM", "Saliency", "Guided Backprop", "Deconvnet", "CAM", "Grad-CAM++",
        "Guided Grad-CAM", "HiResCAM", "XGradCAM", "LayerCAM", "Score-CAM", "EigenCAM", "SmoothGrad",
        "Integrated Gradients", "Input x Gradient", "Occlusion"), "Grad-CAM");
    Dialog.addString("More options", "", 40);
    Dialog.addChoice("Evaluate", newArray("none", "deletion", "insertion", "both", "road"), "none");
    Dialog.show();
    input = Dialog.getString();
    output = Dialog.getString();
    model = Dialog.getString();
    method = Dialog.getChoice();
    options = Dialog.getString();
    evaluate = Dialog.getChoice();
} else {
    input = value(args, "input");
    output = value(args, "output");
    model = value(args, "model");
    method = value(args, "method");
    if (method == "") method = "Grad-CAM";
    options = value(args, "options");
    evaluate = value(args, "evaluate");
    if (evaluate == "") evaluate = "none";
}
if (input == "" || output == "" || model == "")
    exit("Explain Folder needs input, output and model, e.g. input=[/data/in] output=[/data/out] model=[/m/model.pt]");
input = withSlash(input);
output = withSlash(output);
if (!File.isDirectory(input)) exit("The input folder does not exist: " + input);
if (!File.isDirectory(output)) File.makeDirectory(output);
if (!File.isDirectory(output)) exit("Cannot create the output folder: " + output);
probe = output + ".explainj-write-test";
File.saveString("", probe);
if (!File.exists(probe)) exit("Cannot write to the output folder: " + output);
ok = File.delete(probe);

setBatchMode(true);
run("Close All");
csv = output + "measurements.csv";
File.saveString("Image,Label,Area,Mean,IntDen,Max,Fraction,Pointing\n", csv);
files = getFileList(input);
done = 0;
if (evaluate == "road") metrics = newArray("ROAD MoRF", "ROAD LeRF", "ROAD combined");
else if (evaluate == "deletion") metrics = newArray("Deletion AUC");
else if (evaluate == "insertion") metrics = newArray("Insertion AUC");
else metrics = newArray("Deletion AUC", "Insertion AUC");
sums = newArray(metrics.length);
squares = newArray(metrics.length);
evaluated = 0;
if (evaluate != "none") {
    header = "Image";
    for (k = 0; k < metrics.length; k++) header = header + "," + metrics[k];
    File.saveString(header + "\n", output + "evaluation.csv");
}
for (i = 0; i < files.length; i++) {
    f = files[i];
    if (!isCandidate(f) || isMaskOfAnother(f, files))
        continue;
    showProgress(i, files.length);
    base = outputBase(f, files); // the outputs' name
    roiBase = stem(f); // the ROI files' name
    open(input + f);
    image = getImageID();
    run("Explain Image...", "model=[" + model + "] method=[" + method + "] overlay " + options);
    heat = getImageID();
    heatTitle = getTitle();
    saveAs("Tiff", output + base + "-heatmap.tif");
    heatTitle = getTitle();
    selectImage(image);
    getDimensions(iw, ih, ic, iz, it);
    selectImage(heat);
    getDimensions(hw, hh, hc, hz, ht);
    if (iz > 1 && hz > 1 && it == 1) {
        // a z-stack: the PNG shows the slice where the map peaks with that slice's overlay only, and ROIs
        // without a slice are measured there (as the headless ExplainFolder does)
        peak = 1;
        best = -1e30;
        for (z = 1; z <= hz; z++) {
            Stack.setPosition(1, z, 1);
            getStatistics(area, mean, min, max);
            if (max > best) {
                best = max;
                peak = z;
            }
        }
        Stack.setPosition(1, peak, 1);
        zi = minOf(iz, floor((peak - 0.5) * iz / hz) + 1);
        selectImage(image);
        if (ic > 1) run("Duplicate...", "title=plane duplicate channels=1-" + ic + " slices=" + zi + "-" + zi);
        else run("Duplicate...", "title=plane duplicate range=" + zi + "-" + zi);
        plane = getImageID();
        run("Flatten");
        saveAs("PNG", output + base + "-overlay.png");
        close();
        selectImage(plane);
        close();
    } else {
        run("Flatten");
        saveAs("PNG", output + base + "-overlay.png");
        close();
    }
    roiManager("reset");
    if (File.exists(input + roiBase + ".zip")) roiManager("open", input + roiBase + ".zip");
    if (File.exists(input + roiBase + ".roi")) roiManager("open", input + roiBase + ".roi");
    for (j = 0; j < files.length; j++) {
        m = files[j];
        if (startsWith(m, roiBase + "_mask") && isImage(m)) {
            open(input + m);
            mask = getImageID();
            if (bitDepth() == 24) run("8-bit");
            setThreshold(1, 1e30);
            run("Create Selection");
            if (selectionType() >= 0) {
                roiManager("add");
                roiManager("select", roiManager("count") - 1);
                roiManager("rename", stem(substring(m, lengthOf(roiBase) + 1)));
            }
            selectImage(mask);
            close();
        }
    }
    if (roiManager("count") > 0) {
        run("Clear Results");
        selectImage(heat);
        run("Measure Attribution", "heatmap=[" + heatTitle + "] rois=manager");
        rows = "";
        for (r = 0; r < nResults; r++) {
            rows = rows + csvCell(f) + "," + csvCell(getResultString("Label", r)) + "," + d2s(getResult("Area", r), 9) + ","
                + d2s(getResult("Mean", r), 9) + "," + d2s(getResult("IntDen", r), 9) + ","
                + d2s(getResult("Max", r), 9) + "," + d2s(getResult("Fraction", r), 9) + ","
                + d2s(getResult("Pointing", r), 0) + "\n";
        }
        if (lengthOf(rows) > 0) File.append(substring(rows, 0, lengthOf(rows) - 1), csv); // append adds the newline
    }
    if (evaluate != "none") {
        run("Clear Results");
        selectImage(image);
        run("Evaluate Explanation...", "heatmap=[" + heatTitle + "] metric=" + evaluate);
        row = csvCell(f);
        for (k = 0; k < metrics.length; k++) {
            v = getResult(metrics[k], 0);
            row = row + "," + d2s(v, 9);
            sums[k] = sums[k] + v;
            squares[k] = squares[k] + v * v;
        }
        File.append(row, output + "evaluation.csv");
        evaluated++;
    }
    run("Close All");
    done++;
}
if (evaluate != "none" && evaluated > 0) {
    summary = "Method,Metric,Mean,SD,N\n";
    for (k = 0; k < metrics.length; k++) {
        mean = sums[k] / evaluated;
        sd = 0;
        if (evaluated > 1) sd = sqrt(maxOf(0, (squares[k] - evaluated * mean * mean) / (evaluated - 1)));
        summary = summary + method + "," + metrics[k] + "," + d2s(mean, 9) + "," + d2s(sd, 9) + "," + evaluated + "\n";
    }
    File.saveString(summary, output + "evaluation-summary.csv");
}
roiManager("reset");
setBatchMode(false);
print("Explain Folder: " + done + " image(s) explained with " + method + "; results in " + output);

function value(text, key) {
    i = indexOf(text, key + "=");
    if (i < 0) return "";
    rest = substring(text, i + lengthOf(key) + 1);
    if (startsWith(rest, "[")) return substring(rest, 1, indexOf(rest, "]"));
    j = indexOf(rest, " ");
    if (j < 0) return rest;
    return substring(rest, 0, j);
}

function withSlash(d) {
    if (endsWith(d, "/") || endsWith(d, File.separator)) return d;
    return d + File.separator;
}

function stem(name) {
    dot = lastIndexOf(name, ".");
    if (dot <= 0) return name;
    return substring(name, 0, dot);
}

// an image to explain: TIFF, PNG or JPEG, not hidden, not one of the outputs
function isCandidate(name) {
    n = toLowerCase(name);
    if (startsWith(name, ".") || !isImage(name)) return false;
    return !endsWith(n, "-heatmap.tif") && !endsWith(n, "-overlay.png");
}

// <stem>_mask* beside an image <stem>.*: that image's mask, not an image to explain
function isMaskOfAnother(name, files) {
    if (indexOf(name, "_mask") < 0) return false;
    for (k = 0; k < files.length; k++) {
        if (files[k] != name && isCandidate(files[k]) && startsWith(name, stem(files[k]) + "_mask")) return true;
    }
    return false;
}

// the outputs' name: the file name without extension, or with it when another image has the same stem
function outputBase(name, files) {
    base = stem(name);
    own = toLowerCase(base);
    for (k = 0; k < files.length; k++) {
        other = toLowerCase(stem(files[k]));
        // (the macro interpreter reads "a == b && c != d" of strings as numbers, and "return f(x)" of a
        // function of this file as a number: hence the nested ifs and the variable)
        if (other == own) {
            if (files[k] != name && isCandidate(files[k])) return name;
        }
    }
    return base;
}

// a CSV cell, quoted when it holds a comma or a quote
function csvCell(text) {
    if (indexOf(text, ",") < 0 && indexOf(text, "\"") < 0) return text;
    return "\"" + replace(text, "\"", "\"\"") + "\"";
}

function isImage(name) {
    n = toLowerCase(name);
    if (endsWith(n, ".tif") || endsWith(n, ".tiff")) return true;
    if (endsWith(n, ".png") || endsWith(n, ".jpg")) return true;
    return false;
}
