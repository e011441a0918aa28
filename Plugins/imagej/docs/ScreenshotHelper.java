package unet.imagej.docs;

import ij.IJ;
import ij.Macro;

import java.awt.Dialog;
import java.awt.Frame;
import java.awt.Window;
import java.awt.event.WindowEvent;

/**
 * Helpers for docs/take-screenshots.ijm, called with the macro function call(): start a command
 * in its own thread, place windows (Xvfb has no window manager), close dialogs, quit.
 * Not part of the plugin.
 */
public final class ScreenshotHelper {
    private ScreenshotHelper() {
    }

    /** Runs a plugin command class with macro options in a new thread, as a menu click would. */
    public static String start(String className, String options) {
        Thread thread = new Thread(() -> {
            Thread self = Thread.currentThread();
            if (!options.isEmpty()) Macro.setOptions(self, options);
            IJ.runPlugIn(className, "");
        }, options.isEmpty() ? "U-Net command" : "Run$_screenshot");
        thread.start();
        return "started";
    }

    /** Moves the window whose title starts with {@code title} to (x, y); "" if none. */
    public static String place(String title, String x, String y) {
        for (Window window : Window.getWindows()) {
            String name = window instanceof Frame ? ((Frame) window).getTitle()
                    : window instanceof Dialog ? ((Dialog) window).getTitle() : "";
            if (window.isVisible() && name != null && name.startsWith(title)) {
                window.setLocation(Integer.parseInt(x), Integer.parseInt(y));
                window.toFront();
                return name;
            }
        }
        return "";
    }

    /** Cancels every visible dialog as its close box would (a GenericDialog then reports "canceled"). */
    public static String closeDialogs() {
        int closed = 0;
        for (Window window : Window.getWindows()) {
            if (window instanceof Dialog && window.isVisible()) {
                window.dispatchEvent(new WindowEvent(window, WindowEvent.WINDOW_CLOSING));
                closed++;
            }
        }
        return Integer.toString(closed);
    }

    public static String exit() {
        System.exit(0);
        return "";
    }
}
