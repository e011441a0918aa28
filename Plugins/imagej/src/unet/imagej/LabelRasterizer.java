package unet.imagej;

import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Roi;
import ij.process.ShortProcessor;

/**
 * Turns ROIs (e.g. outlines drawn in the ROI Manager) into a 16-bit label image for training:
 * ROI number n (1-based) fills its area with value n, so every ROI is one object; where ROIs
 * overlap the later one wins. A ROI with a stack position fills only that slice; a ROI without
 * one fills every slice.
 */
public final class LabelRasterizer {
    private LabelRasterizer() {
    }

    public static ImagePlus rasterize(Roi[] rois, int width, int height, int slices, String title) {
        if (rois.length > 65535) {
            throw new IllegalArgumentException("At most 65535 ROIs fit in a 16-bit label image, not " + rois.length + ".");
        }
        ImageStack stack = new ImageStack(width, height);
        for (int slice = 1; slice <= slices; slice++) {
            ShortProcessor labels = new ShortProcessor(width, height);
            for (int index = 0; index < rois.length; index++) {
                Roi roi = rois[index];
                int position = roi.getPosition();
                if (position != 0 && position != slice && slices > 1) continue;
                labels.setValue(index + 1);
                labels.fill(roi);
            }
            stack.addSlice(labels);
        }
        return new ImagePlus(title, stack);
    }
}
