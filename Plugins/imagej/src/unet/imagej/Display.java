package unet.imagej;

import ij.IJ;
import ij.macro.Interpreter;

import java.awt.GraphicsEnvironment;

/** Whether windows can be shown: not without a display, and not in a batch-mode macro. */
final class Display {
    private Display() {
    }

    /** True when there is a screen (so AWT windows can be created at all). */
    static boolean available() {
        return !GraphicsEnvironment.isHeadless();
    }

    /** True when windows should be shown: a screen, an ImageJ window, and no batch-mode macro. */
    static boolean isInteractive() {
        return available() && IJ.getInstance() != null && !Interpreter.isBatchMode();
    }
}
