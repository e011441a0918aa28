package unet.imagej;

import ij.ImageStack;
import ij.gui.Roi;
import ij.plugin.filter.ThresholdToSelection;
import ij.process.ByteProcessor;
import ij.process.ImageProcessor;

import java.awt.Rectangle;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Outlines of the objects of an instance label image (0 = background, every other value one
 * object) as ROIs, one per object and slice, named "object-&lt;label&gt;".
 *
 * One pass finds each label's bounding box; each outline is then traced inside its box only, so
 * the cost is one image pass plus the objects' areas, not one image pass per object.
 */
public final class InstanceOutlines {
    private InstanceOutlines() {
    }

    /** ROIs for every label of every slice; a ROI of a stack carries its slice as position. */
    public static List<Roi> of(ImageStack stack) {
        List<Roi> rois = new ArrayList<>();
        for (int slice = 1; slice <= stack.getSize(); slice++) {
            for (Roi roi : of(stack.getProcessor(slice))) {
                if (stack.getSize() > 1) roi.setPosition(slice);
                rois.add(roi);
            }
        }
        return rois;
    }

    /** ROIs of one label image, in increasing label order. */
    public static List<Roi> of(ImageProcessor labels) {
        TreeMap<Integer, int[]> boxes = boundingBoxes(labels);
        List<Roi> rois = new ArrayList<>(boxes.size());
        ThresholdToSelection tracer = new ThresholdToSelection();
        for (java.util.Map.Entry<Integer, int[]> entry : boxes.entrySet()) {
            int label = entry.getKey();
            int[] box = entry.getValue();
            int width = box[2] - box[0] + 1;
            int height = box[3] - box[1] + 1;
            ByteProcessor mask = new ByteProcessor(width, height);
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    if ((int) labels.getf(box[0] + x, box[1] + y) == label) mask.set(x, y, 255);
                }
            }
            mask.setThreshold(255, 255, ImageProcessor.NO_LUT_UPDATE);
            Roi roi = tracer.convert(mask);
            if (roi == null) continue;
            Rectangle bounds = roi.getBounds();
            roi.setLocation(bounds.x + box[0], bounds.y + box[1]);
            roi.setName("object-" + label);
            rois.add(roi);
        }
        return rois;
    }

    /** label → {xmin, ymin, xmax, ymax}, for every label > 0. */
    private static TreeMap<Integer, int[]> boundingBoxes(ImageProcessor labels) {
        TreeMap<Integer, int[]> boxes = new TreeMap<>();
        int width = labels.getWidth();
        int height = labels.getHeight();
        int[] box = null;
        int previous = 0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int label = (int) labels.getf(x, y);
                if (label <= 0) continue;
                if (label != previous || box == null) {
                    box = boxes.get(label);
                    if (box == null) {
                        box = new int[] {x, y, x, y};
                        boxes.put(label, box);
                    }
                    previous = label;
                }
                if (x < box[0]) box[0] = x;
                if (x > box[2]) box[2] = x;
                if (y < box[1]) box[1] = y;
                if (y > box[3]) box[3] = y;
            }
        }
        return boxes;
    }
}
