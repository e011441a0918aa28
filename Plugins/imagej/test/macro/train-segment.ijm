// Runs every U-Net command from a batch-mode macro, as a user's script would.
// Argument: "<image>|<labels>|<work folder>". Prints "MACRO ..." lines that run-macro-test.sh checks.
args = split(getArgument(), "|");
image = args[0];
labels = args[1];
work = args[2];
setBatchMode(true);

open(labels);
rename("truth");
open(image);
title = getTitle();
getDimensions(width, height, channels, slices, frames);

// Train on the open image and its label image.
run("U-Net Train", "image=" + title + " labels=truth model=[" + work + "/macro.unet] iterations=3 base_channels=4 depth=2");
print("MACRO model " + File.exists(work + "/macro.unet"));

// Train on ROIs from the ROI Manager, rasterised to a label image (one label per ROI).
roiManager("reset");
makeOval(10, 10, 14, 12);
roiManager("add");
makeRectangle(36, 30, 12, 10);
roiManager("add");
run("Select None");
run("U-Net Train", "image=" + title + " labels=[ROI Manager] model=[" + work + "/rois.unet] iterations=2 base_channels=4 depth=2");
print("MACRO roi model " + File.exists(work + "/rois.unet"));

// Train 3 classes on ROIs: a ROI's group is its class; a ROI without one is named <class>:...
roiManager("reset");
makeOval(10, 10, 14, 12);
Roi.setGroup(1);
roiManager("add");
makeRectangle(36, 30, 12, 10);
Roi.setName("cell:b");
roiManager("add");
run("Select None");
run("U-Net Train", "image=" + title + " labels=[ROI Manager] model=[" + work + "/classes.unet] iterations=2 base_channels=4 depth=2 classes=3 class_names=[background,nucleus,cell]");
print("MACRO class roi model " + File.exists(work + "/classes.unet"));

// Segment the current image: the outputs are written to the folder and opened.
roiManager("reset");
selectImage(title);
before = nImages;
run("U-Net Segment", "model=[" + work + "/macro.unet] output=[" + work + "/out]");
print("MACRO opened " + (nImages - before));
stem = File.nameWithoutExtension;
names = newArray("probabilities", "mask", "instances");
for (i = 0; i < names.length; i++) {
    name = replace(title, ".tif", "") + "_" + names[i] + ".tif";
    selectImage(name);
    print("MACRO " + names[i] + " " + getWidth() + "x" + getHeight() + " " + bitDepth() + "-bit " + File.exists(work + "/out/" + name));
}
print("MACRO rois " + roiManager("count"));

// The worker's own ROIs and table: the RoiSet into the ROI Manager, the CSV as a table.
roiManager("reset");
selectImage(title);
run("U-Net Segment", "model=[" + work + "/macro.unet] output=[" + work + "/objects] instances rois table");
objects = replace(title, ".tif", "") + "_objects.csv";
print("MACRO worker rois " + roiManager("count") + " rows " + Table.size(objects));
// ImageJ's measurement of each ROI on the instances against the table's area_px (equal unless
// the object has a hole, which its outline covers).
selectImage(replace(title, ".tif", "") + "_instances.tif");
equal = 0;
for (i = 0; i < roiManager("count"); i++) {
    roiManager("select", i);
    getStatistics(area);
    if (area == Table.get("area_px", i, objects) && Roi.getName == "label-" + IJ.pad(Table.get("label", i, objects), 6)) equal++;
}
run("Select None");
print("MACRO worker rois matching the table " + equal);

// The weight map of the label image.
run("U-Net Weight Map", "labels=truth w0=10 sigma=5 output=[" + work + "/weights.tif]");
print("MACRO weights " + getTitle() + " " + bitDepth() + "-bit " + File.exists(work + "/weights.tif"));

// The model as a bioimage.io package (the menu entry installed from plugins.config).
run("U-Net Export", "model=[" + work + "/macro.unet] output=[" + work + "/macro.zip] name=[Macro test U-Net] authors=[A. Person]");
print("MACRO package " + File.exists(work + "/macro.zip"));
print("MACRO done");
