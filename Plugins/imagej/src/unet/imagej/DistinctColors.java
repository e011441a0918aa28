package unet.imagej;

import ij.process.LUT;

import java.awt.Color;

/**
 * A lookup table for instance labels: 0 black, every other index a bright colour far in hue
 * from its neighbours (golden-angle hue steps), so touching objects with consecutive labels differ.
 */
public final class DistinctColors {
    private static final double GOLDEN_ANGLE = 0.381966;

    private DistinctColors() {
    }

    public static LUT lut() {
        byte[] red = new byte[256];
        byte[] green = new byte[256];
        byte[] blue = new byte[256];
        for (int index = 1; index < 256; index++) {
            Color color = color(index);
            red[index] = (byte) color.getRed();
            green[index] = (byte) color.getGreen();
            blue[index] = (byte) color.getBlue();
        }
        return new LUT(red, green, blue);
    }

    /** The colour of label {@code index} (index ≥ 1). */
    public static Color color(int index) {
        float hue = (float) ((index * GOLDEN_ANGLE) % 1.0);
        float saturation = 0.55f + 0.45f * ((index * 7) % 3) / 2f;
        float brightness = 1.0f - 0.25f * ((index * 5) % 2);
        return Color.getHSBColor(hue, saturation, brightness);
    }
}
