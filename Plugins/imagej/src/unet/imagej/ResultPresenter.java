package unet.imagej;

import ij.IJ;
import ij.ImagePlus;
import ij.gui.Roi;
import ij.macro.Interpreter;
import ij.measure.Calibration;
import ij.plugin.LutLoader;
import ij.plugin.frame.RoiManager;
import ij.process.LUT;

import java.awt.Color;
import java.awt.GraphicsEnvironment;
import java.util.List;

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
        List<Roi> outlines = InstanceOutlines.of(instances.getStack());
        RoiManager manager = roiManager();
        for (Roi roi : outlines) {
            roi.setStrokeColor(Color.YELLOW);
            manager.addRoi(roi);
        }
        return outlines.size();
    }
}
