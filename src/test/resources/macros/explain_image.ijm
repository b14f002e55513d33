// MacroTest: runs the plugins.config entry "Explain Image..." the way a user's macro would.
// Argument (getArgument()): five lines = input image, model file, output folder, a z-stack and a 3-D model.
// Writes gradcam.tif, saliency.tif and vol3d-gradcam.tif (the z-stack explained as one volume). The third run names a layer the model does not have: ExplainJ must abort the
// macro there, so after-bad-layer.tif and after-bad-layer.txt must never be written.
args = split(getArgument(), "\n");
input = args[0];
model = args[1];
out = args[2] + File.separator;

open(input);
source = getImageID();

run("Explain Image...", "model=[" + model + "] method=[Grad-CAM] layer=features.relu4 target=top");
if (getImageID() == source) exit("Explain Image... did not make the heatmap the active image");
saveAs("Tiff", out + "gradcam.tif");

selectImage(source);
run("Explain Image...", "model=[" + model + "] method=Saliency target=top");
if (getImageID() == source) exit("Explain Image... did not make the heatmap the active image");
saveAs("Tiff", out + "saliency.tif");

open(args[3]);
stack = getImageID();
run("Explain Image...", "model=[" + args[4] + "] method=[Grad-CAM] target=top overlay");
if (getImageID() == stack) exit("Explain Image... did not make the 3-D heatmap the active image");
saveAs("Tiff", out + "vol3d-gradcam.tif");

selectImage(source);
File.saveString("reached", out + "before-bad-layer.txt");
run("Explain Image...", "model=[" + model + "] method=[Grad-CAM] layer=features.relu9 target=top");
// Not reached: the unknown layer aborts the macro.
saveAs("Tiff", out + "after-bad-layer.tif");
File.saveString("reached", out + "after-bad-layer.txt");
