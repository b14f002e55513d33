// InstallTest: runs in a separate JVM, in an ImageJ 1.x folder laid out by scripts/assemble-imagej.sh:
//   java -cp <ij.jar> ij.ImageJ -ijpath <folder> -batch explain_installed.ijm <argument>
// Argument (getArgument()): three lines = input image, TorchScript model, output folder.
// Writes commands.txt (every menu command as label=class), menu.txt (the class behind "Explain Image...", empty if
// the menu entry is missing), heatmap.tif (the Grad-CAM heatmap) and overlay.txt (the number of overlay elements on
// the input image afterwards).
// -batch exits 0 whatever happens: the test checks these files. exit("...") prints to stdout in -batch mode.
args = split(getArgument(), "\n");
image = args[0];
model = args[1];
out = args[2] + File.separator;

List.setCommands;
File.saveString(List.getList, out + "commands.txt");
command = List.get("Explain Image...");
File.saveString(command, out + "menu.txt");
if (command == "") exit("InstallTest: Explain Image... is not in the menus");

open(image);
source = getImageID();
run("Explain Image...", "model=[" + model + "] method=[Grad-CAM] overlay");
if (getImageID() == source) exit("InstallTest: Explain Image... made no heatmap");
saveAs("Tiff", out + "heatmap.tif");

selectImage(source);
File.saveString("" + Overlay.size, out + "overlay.txt");
