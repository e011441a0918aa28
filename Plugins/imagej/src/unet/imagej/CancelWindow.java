package unet.imagej;

import java.awt.BorderLayout;
import java.awt.Button;
import java.awt.EventQueue;
import java.awt.Frame;
import java.awt.Label;
import java.awt.Panel;
import java.awt.event.KeyAdapter;
import java.awt.event.KeyEvent;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;

/**
 * A small window with the current progress and a Cancel button, shown while a request runs.
 * Esc pressed while it has the focus cancels too (ImageJ's own Esc handling sees only its windows).
 */
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
        KeyAdapter escape = new KeyAdapter() {
            @Override
            public void keyPressed(KeyEvent event) {
                if (event.getKeyCode() == KeyEvent.VK_ESCAPE) {
                    text.setText("cancelling...");
                    onCancel.run();
                }
            }
        };
        frame.addKeyListener(escape);
        cancel.addKeyListener(escape);
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
