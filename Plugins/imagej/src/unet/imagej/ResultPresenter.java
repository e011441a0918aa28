package unet.imagej;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.Roi;
import ij.io.RoiDecoder;
import ij.macro.Interpreter;
import ij.measure.Calibration;
import ij.measure.ResultsTable;
import ij.plugin.LutLoader;
import ij.plugin.frame.RoiManager;
import ij.process.LUT;

import java.awt.Color;
import java.awt.GraphicsEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** Opens the worker's output files as ImageJ images and shows them where a display allows. */
final class ResultPresenter {
    private ResultPresenter() {
    }

    /**
     * Opens an output TIFF with the spatial calibration of the input (pixel size, unit, origin;
     * not its intensity calibration, which does not apply to probabilities or labels).
     */
    static ImagePlus open(String path, Calibration inputCalibration) throws WorkerException {
        ImagePlus image = IJ.openImage(path);
        if (image == null) {
            throw new WorkerException(-32001, "ImageJ could not open the worker's output " + path + ".", null);
        }
        if (inputCalibration != null) {
            Calibration calibration = inputCalibration.copy();
            calibration.disableDensityCalibration();
            image.setCalibration(calibration);
        }
        return image;
    }

    /** Distinct colours per object; label k gets LUT entry k while there are at most 255 objects. */
    static void styleInstances(ImagePlus instances) {
        LUT lut = DistinctColors.lut();
        instances.getProcessor().setLut(lut);
        if (instances.getStackSize() > 1) instances.getStack().setColorModel(lut);
        double maximum = instances.getStatistics().max;
        instances.setDisplayRange(0, maximum <= 255 ? 255 : maximum);
    }

    /** The class map: class k in the distinct colour of index k (0 background black), display range 0..255. */
    static void styleClasses(ImagePlus classes) {
        LUT lut = DistinctColors.lut();
        classes.getProcessor().setLut(lut);
        if (classes.getStackSize() > 1) classes.getStack().setColorModel(lut);
        classes.setDisplayRange(0, 255);
    }

    /** The "Fire" LUT, which makes the border weights of Eq. 2 easy to see. */
    static void styleWeights(ImagePlus weights) {
        java.awt.image.IndexColorModel fire = LutLoader.getLut("fire");
        if (fire != null) weights.getProcessor().setColorModel(fire);
        weights.resetDisplayRange();
    }

    /** True where ImagePlus.show() works: a display, or a batch-mode macro (images kept hidden). */
    static boolean canShow() {
        return Interpreter.isBatchMode() || !GraphicsEnvironment.isHeadless();
    }

    static void show(ImagePlus image) {
        if (canShow()) image.show();
    }

    /**
     * The ROI Manager a macro or the user sees: the hidden batch-mode one inside a batch-mode
     * macro, else the window (opened if needed). Call only where a display exists.
     */
    static RoiManager roiManager() {
        RoiManager manager = RoiManager.getInstance2();
        return manager != null ? manager : RoiManager.getRoiManager();
    }

    /**
     * Adds the objects' outlines to the ROI Manager (the batch-mode one in a batch macro).
     * @return the number of ROIs added; 0 without a display, where a ROI Manager cannot exist
     */
    static int addOutlinesToRoiManager(ImagePlus instances) {
        if (GraphicsEnvironment.isHeadless()) return 0;
        return addToRoiManager(InstanceOutlines.of(instances.getStack()));
    }

    /**
     * Adds ROIs to the ROI Manager (the batch-mode one in a batch macro), outlined in yellow (a ROI
     * of a group, i.e. of a class, in its group's colour).
     * @return the number of ROIs added; 0 without a display, where a ROI Manager cannot exist
     */
    static int addToRoiManager(List<Roi> rois) {
        if (GraphicsEnvironment.isHeadless()) return 0;
        RoiManager manager = roiManager();
        for (Roi roi : rois) {
            if (roi.getGroup() == 0) roi.setStrokeColor(Color.YELLOW);
            manager.addRoi(roi);
        }
        return rois.size();
    }

    /**
     * The ROIs of a RoiSet zip (the worker's {@code <stem>_rois.zip}), in entry order, decoded by
     * ImageJ's own {@link RoiDecoder} as the ROI Manager's Open does; names and positions (the
     * stack slice) are the file's. Works without a display too.
     */
    static List<Roi> readRoiSet(String path) throws WorkerException {
        List<Roi> rois = new ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(new FileInputStream(path))) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                if (!entry.getName().toLowerCase(Locale.US).endsWith(".roi")) continue;
                Roi roi = new RoiDecoder(readAll(zip), entry.getName()).getRoi();
                if (roi == null) {
                    throw new WorkerException(-32001, "ImageJ could not read the ROI " + entry.getName() + " in "
                            + path + ".", null);
                }
                rois.add(roi);
            }
        } catch (IOException e) {
            throw new WorkerException(-32001, "ImageJ could not read the worker's ROIs " + path + ": "
                    + e.getMessage(), null);
        }
        return rois;
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) bytes.write(buffer, 0, n);
        return bytes.toByteArray();
    }

    /**
     * Opens the worker's object table (CSV) as a results table titled with its file name
     * ({@code <stem>_objects.csv}, as File > Open names it), shown where a display allows.
     */
    static ResultsTable openTable(String path) throws WorkerException {
        ResultsTable table = readTable(path);
        if (canShow()) table.show(new File(path).getName());
        return table;
    }

    /** The worker's object table (CSV) as a results table, not shown. */
    static ResultsTable readTable(String path) throws WorkerException {
        ResultsTable table;
        try {
            table = ResultsTable.open(path);
        } catch (IOException e) {
            table = null;
        }
        if (table == null) {
            throw new WorkerException(-32001, "ImageJ could not open the worker's table " + path + ".", null);
        }
        return table;
    }
}
