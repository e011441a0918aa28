package unet.imagej;

import java.awt.BorderLayout;
import java.awt.Button;
import java.awt.EventQueue;
import java.awt.Frame;
import java.awt.Label;
import java.awt.Panel;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;

/** A small window with the current progress and a Cancel button, shown while a request runs. */
final class CancelWindow {
    private final Frame frame;
    private final Label text;

    private CancelWindow(String title, Runnable onCancel) {
        frame = new Frame(title);
        text = new Label("starting...                                        ");
        Button cancel = new Button("Cancel");
        cancel.addActionListener(event -> {
            text.setText("cancelling...");
            onCancel.run();
        });
        frame.addWindowListener(new WindowAdapter() {
            @Override
            public void windowClosing(WindowEvent event) {
                onCancel.run();
            }
        });
        Panel buttons = new Panel();
        buttons.add(cancel);
        frame.setLayout(new BorderLayout(8, 8));
        frame.add(text, BorderLayout.CENTER);
        frame.add(buttons, BorderLayout.SOUTH);
        frame.pack();
        ij.gui.GUI.center(frame);
    }

    /** Opens the window on the event thread; onCancel runs when Cancel is pressed or the window closed. */
    static CancelWindow open(String title, Runnable onCancel) {
        CancelWindow window = new CancelWindow(title, onCancel);
        EventQueue.invokeLater(() -> window.frame.setVisible(true));
        return window;
    }

    void setText(String value) {
        EventQueue.invokeLater(() -> text.setText(value));
    }

    void close() {
        EventQueue.invokeLater(frame::dispose);
    }
}
