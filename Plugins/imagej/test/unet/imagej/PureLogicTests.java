package unet.imagej;

import static unet.imagej.Checks.check;
import static unet.imagej.Checks.checkEqual;

import com.google.gson.JsonParser;
import ij.ImagePlus;
import ij.gui.OvalRoi;
import ij.gui.Roi;
import ij.process.ImageProcessor;
import ij.process.ImageStatistics;
import ij.process.LUT;
import ij.process.ShortProcessor;

import java.io.File;
import java.nio.file.Files;
import java.util.List;

/** Tests of the plugin's logic that needs no worker: discovery, macro options, ROIs, colours. */
final class PureLogicTests {
    private PureLogicTests() {
    }

    static void register(Checks checks) {
        checks.test("worker discovery: UNET_WORKER, then the saved setting, then PATH", () -> {
            File folder = Files.createTempDirectory("unet-locator").toFile();
            folder.deleteOnExit(); // after its files, which are registered later
            File onPath = executable(new File(folder, "unet-worker"));
            File saved = executable(new File(folder, "saved-worker"));
            File environment = executable(new File(folder, "env-worker"));
            String path = "/nonexistent" + File.pathSeparator + folder;
            checkEqual(onPath, WorkerLocator.locate(null, "", path), "PATH only");
            checkEqual(saved, WorkerLocator.locate("", saved.getPath(), path), "saved setting before PATH");
            checkEqual(environment, WorkerLocator.locate(environment.getPath(), saved.getPath(), path), "variable first");
        });

        checks.test("worker discovery explains how to fix a missing worker", () -> {
            String missing = failureMessage(null, null, "/nonexistent");
            check(missing.contains("UNET_WORKER") && missing.contains("U-Net Settings") && missing.contains("PATH"),
                    "message names every way to fix it: " + missing);
            String typo = failureMessage("/nonexistent/unet-worker", null, null);
            check(typo.contains("UNET_WORKER is set to") && typo.contains("/nonexistent/unet-worker"),
                    "a wrong variable is named, not skipped: " + typo);
        });

        checks.test("macro options are read without a dialog, as ImageJ records them", () -> {
            ParameterForm form = new ParameterForm("t", "model=[/data/my mask models/a.unet] tile_size=132 tta ");
            form.addFile("model", "");
            form.addNumber("tile_size", 0, "");
            form.addNumber("memory_mb", 512, "");
            form.addCheckbox("tta", false);
            form.addCheckbox("mask", true);
            check(form.fromMacro() && form.show(), "no dialog in a macro");
            checkEqual("/data/my mask models/a.unet", form.string("model"), "bracketed path with spaces");
            checkEqual(132.0, form.number("tile_size"), "number");
            checkEqual(512.0, form.number("memory_mb"), "default number");
            check(form.flag("tta"), "a checkbox key that is present is true");
            check(!form.flag("mask"), "a checkbox key that is absent is false (as in ImageJ), even inside a path");
            ParameterForm bad = new ParameterForm("t", "tile_size=big ");
            bad.addNumber("tile_size", 0, "");
            bad.show();
            try {
                bad.number("tile_size");
                check(false, "a non-number must be refused");
            } catch (IllegalArgumentException expected) {
                check(expected.getMessage().contains("tile_size=big"), "names the key: " + expected.getMessage());
            }
        });

        checks.test("instance outlines: one ROI per label with the label's exact area", () -> {
            ShortProcessor labels = new ShortProcessor(40, 30);
            labels.setValue(1);
            labels.fill(new Roi(2, 3, 5, 4));
            labels.setValue(2);
            labels.fill(new Roi(7, 3, 6, 4)); // touches label 1
            labels.setValue(9);
            labels.fill(new OvalRoi(20, 10, 12, 12));
            List<Roi> rois = InstanceOutlines.of(labels);
            checkEqual(3, rois.size(), "ROI count");
            checkEqual("object-1", rois.get(0).getName(), "first name");
            checkEqual("object-9", rois.get(2).getName(), "last name");
            checkEqual(new java.awt.Rectangle(2, 3, 5, 4), rois.get(0).getBounds(), "bounds of label 1");
            checkEqual(new java.awt.Rectangle(7, 3, 6, 4), rois.get(1).getBounds(), "bounds of label 2");
            int discPixels = 0;
            for (int i = 0; i < labels.getPixelCount(); i++) if (labels.get(i) == 9) discPixels++;
            checkEqual(discPixels, area(rois.get(2), 40, 30), "disc area");
        });

        checks.test("ROIs rasterise to a label image, one value per ROI, later ROIs on top", () -> {
            Roi[] rois = {new Roi(0, 0, 4, 4), new Roi(2, 2, 4, 4), new OvalRoi(10, 0, 6, 6)};
            ImagePlus labels = LabelRasterizer.rasterize(rois, 20, 10, 1, "labels");
            ImageProcessor ip = labels.getProcessor();
            checkEqual(ImagePlus.GRAY16, labels.getType(), "type");
            checkEqual(1, ip.get(0, 0), "first ROI");
            checkEqual(2, ip.get(3, 3), "overlap goes to the later ROI");
            checkEqual(3, ip.get(13, 3), "oval centre");
            checkEqual(0, ip.get(19, 9), "background");
            checkEqual(3, InstanceOutlines.of(ip).size(), "round trip to outlines");
        });

        checks.test("ROIs give their class by group (first) or name prefix; class ids rasterise to an 8-bit image", () -> {
            List<String> names = java.util.Arrays.asList("background", "nucleus", "cell");
            Roi grouped = new Roi(0, 0, 4, 4);
            grouped.setGroup(2);
            grouped.setName("nucleus:a"); // the group wins over the name
            Roi named = new Roi(2, 2, 4, 4);
            named.setName(" nucleus :label-000012");
            Roi cleared = new Roi(3, 3, 1, 1);
            cleared.setName("background:hole");
            Roi[] rois = {grouped, named, cleared};
            int[] ids = LabelRasterizer.classIds(rois, names);
            checkEqual("[2, 1, 0]", java.util.Arrays.toString(ids), "class ids");
            ImagePlus classes = LabelRasterizer.rasterizeClasses(rois, ids, 10, 10, 1, "classes");
            ImageProcessor ip = classes.getProcessor();
            checkEqual(ImagePlus.GRAY8, classes.getType(), "type");
            checkEqual(2, ip.get(0, 0), "group 2");
            checkEqual(1, ip.get(5, 5), "named nucleus, on top");
            checkEqual(0, ip.get(3, 3), "a background ROI clears");
            checkEqual(0, ip.get(9, 9), "background");
            Roi plain = new Roi(0, 0, 2, 2);
            plain.setName("class2:x");
            checkEqual(2, LabelRasterizer.classIds(new Roi[] {plain},
                    SegmentCommand.classNames(new com.google.gson.JsonObject(), 3))[0], "default names class1, class2");
            Roi unnamed = new Roi(0, 0, 2, 2);
            try {
                LabelRasterizer.classIds(new Roi[] {grouped, unnamed}, names);
                check(false, "a ROI without group or name must be refused");
            } catch (IllegalArgumentException expected) {
                check(expected.getMessage().contains("ROI 2 (no name)"), "names the ROI: " + expected.getMessage());
            }
        });

        checks.test("distinct colours: background black, neighbouring labels far apart", () -> {
            LUT lut = DistinctColors.lut();
            checkEqual(0, lut.getRGB(0) & 0xffffff, "background");
            for (int label = 1; label < 255; label++) {
                java.awt.Color a = DistinctColors.color(label);
                java.awt.Color b = DistinctColors.color(label + 1);
                int distance = Math.abs(a.getRed() - b.getRed()) + Math.abs(a.getGreen() - b.getGreen())
                        + Math.abs(a.getBlue() - b.getBlue());
                check(distance > 60, "labels " + label + " and " + (label + 1) + " look alike");
            }
        });

        checks.test("progress notifications read and describe loss and ETA", () -> {
            Progress progress = new Progress(JsonParser.parseString(
                    "{\"request\":7,\"stage\":\"train\",\"done\":40,\"total\":1000,\"loss\":0.3125,\"eta_s\":150}")
                    .getAsJsonObject());
            checkEqual("7", progress.request, "request id");
            checkEqual(0.04, progress.fraction(), "fraction");
            checkEqual("train 40/1000, loss 0.3125, 3 min left", progress.describe(), "status text");
            Progress bare = new Progress(JsonParser.parseString(
                    "{\"request\":\"a\",\"stage\":\"segment\",\"done\":1,\"total\":2}").getAsJsonObject());
            checkEqual("segment 1/2", bare.describe(), "without loss and ETA");
        });

        checks.test("validation progress: a validate stage or validation fields, shown and plotted", () -> {
            Progress validate = progress("{\"request\":7,\"stage\":\"validate\",\"done\":1,\"total\":1,"
                    + "\"loss\":0.25,\"foreground_iou\":0.8125}");
            checkEqual(0.25, validate.validationLoss, "validate stage: its loss is the validation loss");
            checkEqual(0.8125, validate.validationIoU, "validate stage: foreground_iou");
            checkEqual("validate 1/1, validation loss 0.2500, foreground IoU 0.813", validate.describe(), "status text");
            Progress fields = progress("{\"request\":7,\"stage\":\"train\",\"done\":50,\"total\":100,"
                    + "\"loss\":0.5,\"validation_loss\":0.375,\"validation_fg_iou\":0.5}");
            checkEqual(0.375, fields.validationLoss, "validation_loss on a train progress");
            checkEqual(0.5, fields.validationIoU, "validation_fg_iou on a train progress");
            check(Double.isNaN(progress("{\"request\":7,\"stage\":\"train\",\"done\":1,\"total\":2,\"loss\":1}")
                    .validationLoss), "no validation loss on a plain training progress");

            LossPlot plot = new LossPlot("loss", false);
            plot.progress(progress("{\"request\":1,\"stage\":\"load\",\"done\":0,\"total\":1}"));
            plot.progress(progress("{\"request\":1,\"stage\":\"train\",\"done\":10,\"total\":40,\"loss\":0.9}"));
            plot.progress(progress("{\"request\":1,\"stage\":\"train\",\"done\":20,\"total\":40,\"loss\":0.7}"));
            plot.progress(validate);
            plot.progress(fields);
            checkEqual(3, plot.size(), "training losses");
            checkEqual(2, plot.validationSize(), "validation losses");
            float[][] trainingCurve = plot.plot().getDataObjectArrays(0);
            checkEqual(50.0f, trainingCurve[0][2], "last training iteration");
            float[][] validationCurve = plot.plot().getDataObjectArrays(1);
            checkEqual(20.0f, validationCurve[0][0], "a validate stage is placed at the last training iteration");
            checkEqual(0.25f, validationCurve[1][0], "validation loss");
            checkEqual(50.0f, validationCurve[0][1], "validation fields are placed at their own iteration");
        });

        checks.test("macro keys match whole keys only, in any order; unknown keys are refused", () -> {
            ParameterForm form = new ParameterForm("t",
                    "init_model=[/m/init.unet] validation_labels=/v/labels model=[/m/out file.unet] labels=truth");
            form.addFile("model", "");
            form.addFile("init_model", "");
            form.addChoice("labels", new String[] {"truth"}, "truth");
            form.addDirectory("validation_labels", "");
            form.addCheckbox("tta", false);
            form.show();
            checkEqual("/m/out file.unet", form.string("model"), "model= is not read from init_model=");
            checkEqual("/m/init.unet", form.string("init_model"), "init_model");
            checkEqual("truth", form.string("labels"), "labels= is not read from validation_labels=");
            checkEqual("/v/labels", form.string("validation_labels"), "validation_labels");
            ParameterForm empty = new ParameterForm("t", "folder=[] tta=false");
            empty.addDirectory("folder", "/default");
            empty.addCheckbox("tta", true);
            empty.show();
            checkEqual("", empty.string("folder"), "an empty bracketed value");
            check(!empty.flag("tta"), "tta=false");
            ParameterForm typo = new ParameterForm("U-Net Train", "iteration=5");
            typo.addNumber("iterations", 0, "");
            try {
                typo.show();
                check(false, "an unknown key must be refused");
            } catch (IllegalArgumentException expected) {
                check(expected.getMessage().contains("'iteration'") && expected.getMessage().contains("iterations"),
                        "names the unknown key and the known ones: " + expected.getMessage());
            }
        });

        checks.test("dialog labels must start with the macro key the recorder will write", () -> {
            ParameterForm form = new ParameterForm("t", "memory_mb=256 tta");
            form.addNumber("memory_mb", 0, "");
            form.addCheckbox("tta", false);
            form.setLabel("memory_mb", "Memory_MB");
            form.setLabel("tta", "TTA (average of 8 flips and rotations)");
            check(form.show(), "macro options read");
            checkEqual(256.0, form.number("memory_mb"), "labelled number");
            check(form.flag("tta"), "labelled checkbox");
            try {
                form.setLabel("tta", "Test-time augmentation");
                check(false, "a label that does not start with its key must be refused");
            } catch (IllegalStateException expected) {
                check(expected.getMessage().contains("tta"), "names the key: " + expected.getMessage());
            }
        });
    }

    private static Progress progress(String json) {
        return new Progress(JsonParser.parseString(json).getAsJsonObject());
    }

    private static File executable(File file) throws Exception {
        Files.write(file.toPath(), "#!/bin/sh\n".getBytes("UTF-8"));
        file.deleteOnExit();
        check(file.setExecutable(true), "chmod " + file);
        return file;
    }

    private static String failureMessage(String environment, String saved, String path) {
        try {
            WorkerLocator.locate(environment, saved, path);
        } catch (WorkerException e) {
            checkEqual(WorkerException.NOT_STARTED, e.code(), "error code");
            return e.getMessage();
        }
        throw new AssertionError("no worker there, but one was found");
    }

    private static int area(Roi roi, int width, int height) {
        ImagePlus canvas = new ImagePlus("c", new ij.process.ByteProcessor(width, height));
        canvas.setRoi(roi);
        ImageStatistics stats = canvas.getStatistics(ij.measure.Measurements.AREA);
        return (int) Math.round(stats.area);
    }
}
