// MeasureAttributionMacroTest: the plugins.config entry "Measure Attribution" with ROIs in the ROI Manager, as a
// user's macro would run it. Argument (getArgument()): five lines = input image, model, ground-truth disk mask, output
// folder, background rectangle "x,y,w,h".
// Writes: results.txt (the Results rows, full precision), results.csv (the table as ImageJ saves it), heatmap.tif,
// reopened.txt (the rows measured on heatmap.tif after closing and reopening it), rois.zip, log.txt.
args = split(getArgument(), "\n");
input = args[0];
model = args[1];
mask = args[2];
out = args[3] + File.separator;
bg = split(args[4], ",");

open(input);
setVoxelSize(0.5, 0.25, 1, "um"); // the heatmap inherits the calibration: Area in um^2
run("Explain Image...", "model=[" + model + "] method=[Grad-CAM]");
heat = getTitle();

// ROI 1: the ground-truth disk, from the mask image
open(mask);
maskTitle = getTitle();
setThreshold(255, 255);
run("Create Selection");
roiManager("reset");
roiManager("Add");
roiManager("Select", 0);
roiManager("Rename", "disk");
close(maskTitle);

// ROI 2: background; ROI 3: a square partly outside the 96 x 96 image
selectImage(heat);
makeRectangle(parseInt(bg[0]), parseInt(bg[1]), parseInt(bg[2]), parseInt(bg[3]));
roiManager("Add");
roiManager("Select", 1);
roiManager("Rename", "background");
makeRectangle(86, 86, 20, 20);
roiManager("Add");
roiManager("Select", 2);
roiManager("Rename", "edge");
roiManager("Deselect");
run("Select None");
roiManager("Save", out + "rois.zip");

run("Clear Results");
run("Measure Attribution", "heatmap=[" + heat + "]"); // rois=manager table=Results by default
dump("Results", out + "results.txt");
saveAs("Results", out + "results.csv");

// a heatmap made earlier and saved: close, reopen, measure into another table
selectImage(heat);
saveAs("Tiff", out + "heatmap.tif");
close();
open(out + "heatmap.tif");
run("Measure Attribution", "rois=manager table=[Reopened]");
dump("Reopened", out + "reopened.txt");
File.saveString(getInfo("log"), out + "log.txt");

function dump(table, path) {
    cols = newArray("Area", "Mean", "IntDen", "Max", "Fraction", "Pointing");
    s = "Label";
    for (c = 0; c < cols.length; c++) s = s + "\t" + cols[c];
    s = s + "\n";
    for (i = 0; i < Table.size(table); i++) {
        s = s + Table.getString("Label", i, table);
        for (c = 0; c < cols.length; c++) s = s + "\t" + d2s(Table.get(cols[c], i, table), -9);
        s = s + "\n";
    }
    File.saveString(s, path);
}
