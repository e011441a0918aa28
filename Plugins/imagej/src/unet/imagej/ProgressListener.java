package unet.imagej;

/** Receives the worker's `progress` notifications; called on the connection's reader thread. */
public interface ProgressListener {
    void progress(Progress progress);
}
