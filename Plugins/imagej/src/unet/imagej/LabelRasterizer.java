package unet.imagej;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Roi;
import ij.process.ByteProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;

import java.util.List;

/**
 * Turns ROIs (e.g. outlines drawn in the ROI Manager) into a label image for training. As
 * objects ({@link #rasterize}): a 16-bit image where ROI number n (1-based) fills its area with
 * value n, so every ROI is one object. As classes ({@link #rasterizeClasses}): an 8-bit class
 * image where each ROI fills its area with its class id (0 background), the class told by the
 * ROI's group or name prefix ({@link #classIds}). Where ROIs overlap the later one wins. A ROI
 * with a stack position fills only that slice; a ROI without one fills every slice.
 */
public final class LabelRasterizer {
    /** Separates a ROI name's class prefix from the rest, as U-Net Segment names its ROIs ({@code nucleus:label-000012}). */
    static final String CLASS_SEPARATOR = ":";

    private LabelRasterizer() {
    }

    public static ImagePlus rasterize(Roi[] rois, int width, int height, int slices, String title) {
        if (rois.length > 65535) {
            throw new IllegalArgumentException("At most 65535 ROIs fit in a 16-bit label image, not " + rois.length + ".");
        }
        int[] values = new int[rois.length];
        for (int index = 0; index < rois.length; index++) values[index] = index + 1;
        return fill(rois, values, width, height, slices, title, false);
    }

    /**
     * A class label image (8-bit; 0 background): each ROI fills its area with its class id.
     * @param classIds one class id (0..255) per ROI, e.g. from {@link #classIds}
     */
    public static ImagePlus rasterizeClasses(Roi[] rois, int[] classIds, int width, int height, int slices,
            String title) {
        if (classIds.length != rois.length) {
            throw new IllegalArgumentException(rois.length + " ROIs but " + classIds.length + " class ids.");
        }
        return fill(rois, classIds, width, height, slices, title, true);
    }

    /**
     * The class of each ROI: its group g (ImageJ 1.52 and later; 0 = no group) is class g; a ROI
     * without a group is named {@code <class name>:...}, one of {@code classNames} (class 0 first),
     * as U-Net Segment names its ROIs ({@code nucleus:label-000012}). A ROI whose class cannot be
     * told, or whose group is not below the number of classes, is an error naming the ROI.
     */
    public static int[] classIds(Roi[] rois, List<String> classNames) {
        int classes = classNames.size();
        int[] ids = new int[rois.length];
        for (int index = 0; index < rois.length; index++) {
            Roi roi = rois[index];
            int group = roi.getGroup();
            if (group > 0) {
                if (group >= classes) {
                    throw new IllegalArgumentException(describe(roi, index) + " is in group " + group + ", but with "
                            + classes + " classes the class ids are 0.." + (classes - 1) + " (group g is class g): "
                            + "give it a group of 1.." + (classes - 1) + " or train more classes.");
                }
                ids[index] = group;
                continue;
            }
            String name = roi.getName() == null ? "" : roi.getName();
            int separator = name.indexOf(CLASS_SEPARATOR);
            int id = separator < 0 ? -1 : classNames.indexOf(name.substring(0, separator).trim());
            if (id < 0) {
                String why = separator < 0 ? "it has no group and its name has no '<class>" + CLASS_SEPARATOR + "' prefix"
                        : "it has no group and its name prefix '" + name.substring(0, separator).trim()
                                + "' is not a class name";
                String rest = separator < 0 ? name : name.substring(separator + 1);
                throw new IllegalArgumentException("The class of " + describe(roi, index) + " cannot be told: " + why
                        + ". Class names: " + String.join(", ", classNames) + ". Give the ROI a group of 1.."
                        + (classes - 1) + " (group g = class g; Properties in the ROI Manager) or a name such as "
                        + classNames.get(Math.min(1, classes - 1)) + CLASS_SEPARATOR
                        + (rest.isEmpty() ? "1" : rest) + ".");
            }
            ids[index] = id;
        }
        return ids;
    }

    /** "ROI 3 'nucleus:a'" (1-based, as the ROI Manager lists them), or "ROI 3 (no name)". */
    private static String describe(Roi roi, int index) {
        String name = roi.getName();
        return "ROI " + (index + 1) + (name == null || name.isEmpty() ? " (no name)" : " '" + name + "'");
    }

    private static ImagePlus fill(Roi[] rois, int[] values, int width, int height, int slices, String title,
            boolean bytes) {
        ImageStack stack = new ImageStack(width, height);
        for (int slice = 1; slice <= slices; slice++) {
            ImageProcessor labels = bytes ? new ByteProcessor(width, height) : new ShortProcessor(width, height);
            for (int index = 0; index < rois.length; index++) {
                Roi roi = rois[index];
                int position = roi.getPosition();
                if (position != 0 && position != slice && slices > 1) continue;
                labels.setValue(values[index]);
                labels.fill(roi);
            }
            stack.addSlice(labels);
        }
        return new ImagePlus(title, stack);
    }
}
