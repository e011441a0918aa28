// Takes the README's screenshots of the real plugin in a GUI ImageJ under Xvfb (see take-screenshots.sh).
// Argument: "<image>|<labels>|<work folder>|<docs folder>".
args = split(getArgument(), "|");
work = args[2];
docs = args[3];
helper = "unet.imagej.docs.ScreenshotHelper";

// Saves the top-left width x height pixels of the screen as docs/<name>.
function capture(name, width, height) {
    wait(700);
    run("Capture Screen");
    makeRectangle(0, 0, width, height);
    run("Crop");
    run("8-bit Color", "number=256"); // a palette PNG is a fraction of the size
    saveAs("PNG", docs + "/" + name);
    close();
}

function waitForLog(text, seconds) {
    for (i = 0; i < seconds * 4; i++) {
        if (indexOf(getInfo("log"), text) >= 0) return;
        wait(250);
    }
    exit("timed out waiting for '" + text + "' in the Log");
}

ignored = call(helper + ".place", "ImageJ", "0", "0");
open(args[1]);
rename("nuclei-labels.tif");
getStatistics(area, mean, min, max);
setMinAndMax(0, max);
setLocation(10, 130);
open(args[0]);
rename("nuclei.tif");
run("Set Scale...", "distance=2 known=1 unit=um");
setLocation(10, 130);

// 1. The U-Net Train dialog, as a menu click opens it.
ignored = call(helper + ".start", "unet.imagej.TrainCommand", "");
wait(2500);
ignored = call(helper + ".place", "U-Net Train", "290", "90");
capture("train-dialog.png", 1400, 790);
ignored = call(helper + ".closeDialogs");
wait(1000);

// 2. Training in progress: live loss plot, progress window with Cancel, status bar.
ignored = call(helper + ".start", "unet.imagej.TrainCommand", "image=nuclei.tif labels=nuclei-labels.tif model=[" + work
    + "/nuclei.unet] iterations=400 base_channels=8 depth=3");
for (i = 0; i < 120; i++) {
    wait(250);
    if (call(helper + ".place", "U-Net Train loss", "290", "130") != "") i = 1000;
}
wait(2500);
ignored = call(helper + ".place", "U-Net Train loss", "290", "130");
ignored = call(helper + ".place", "U-Net Train", "800", "600");
ignored = call(helper + ".place", "Log", "10", "560");
capture("train-progress.png", 1040, 700);
waitForLog("U-Net Train: model saved", 600);
selectWindow("U-Net Train loss");
close();

// 3. Segmentation results: probabilities, mask, instances (distinct colours), outlines in the ROI Manager.
selectImage("nuclei.tif");
run("U-Net Segment", "model=[" + work + "/nuclei.unet] output=[" + work + "/out]");
selectImage("nuclei_probabilities.tif"); setLocation(300, 130);
selectImage("nuclei_mask.tif"); setLocation(590, 130);
selectImage("nuclei_instances.tif"); setLocation(880, 130);
selectImage("nuclei.tif"); setLocation(10, 130);
roiManager("Show All without labels");
ignored = call(helper + ".place", "ROI Manager", "880", "450");
ignored = call(helper + ".place", "Log", "10", "470");
capture("segment-results.png", 1200, 760);

// 4. The weight map of the label image (Eq. 2, w0 = 10, sigma = 5).
roiManager("Show None");
selectImage("nuclei-labels.tif");
setLocation(300, 450);
run("U-Net Weight Map", "labels=nuclei-labels.tif w0=10 sigma=5");
setLocation(590, 450);
capture("weight-map.png", 1200, 760);

// 5. The Segment dialog.
selectImage("nuclei.tif");
ignored = call(helper + ".start", "unet.imagej.SegmentCommand", "");
wait(2500);
ignored = call(helper + ".place", "U-Net Segment", "330", "90");
capture("segment-dialog.png", 1010, 540); // 8 checkboxes: tta ... instances, classes, rois, table
ignored = call(helper + ".closeDialogs");
ignored = call(helper + ".exit");
