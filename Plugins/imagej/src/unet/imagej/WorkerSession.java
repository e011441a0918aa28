package unet.imagej;

import com.google.gson.JsonObject;
import ij.IJ;

import java.io.File;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The one worker process of this ImageJ session: started on first use, reused by every command,
 * started again (with a message in the Log window) if it died, shut down when the JVM exits.
 */
public final class WorkerSession {
    /** Short requests (initialize, status, model_info) must answer within this time. */
    public static final long SHORT_TIMEOUT_MILLIS = 60_000;

    private static WorkerConnection connection;
    private static JsonObject serverInfo;
    private static boolean shutdownHookInstalled;
    private static final List<ProgressListener> LISTENERS = new CopyOnWriteArrayList<>();

    private WorkerSession() {
    }

    /** The running worker, started (or restarted) as needed and initialised. */
    public static synchronized WorkerConnection connection() throws WorkerException {
        if (connection != null && connection.isAlive()) return connection;
        if (connection != null) {
            Integer code = connection.exitCode();
            IJ.log("U-Net: the worker had stopped" + (code == null ? "" : " (exit code " + code + ")")
                    + "; starting a new one.");
            connection = null;
        }
        File executable = WorkerLocator.locate();
        WorkerConnection started = WorkerConnection.start(executable, WorkerSession::logLine);
        for (ProgressListener listener : LISTENERS) started.addProgressListener(listener);
        try {
            serverInfo = started.request("initialize", new JsonObject(), SHORT_TIMEOUT_MILLIS);
        } catch (WorkerException e) {
            started.shutdown(1000);
            throw new WorkerException(WorkerException.NOT_STARTED, "The U-Net worker " + executable
                    + " did not initialise:\n" + e.getMessage() + "\n\n" + WorkerLocator.HOW_TO_FIX);
        }
        IJ.log("U-Net: using " + describe(serverInfo) + " at " + executable);
        installShutdownHook();
        connection = started;
        return connection;
    }

    /** The worker's `initialize` result (name, version, methods, threads), or null before the first start. */
    public static synchronized JsonObject serverInfo() {
        return serverInfo;
    }

    /** Stops the worker now, if one runs; the next command starts a new one. */
    public static synchronized void shutdown() {
        if (connection != null) {
            connection.shutdown(3000);
            connection = null;
        }
    }

    /** Listens to the progress of every request of this session, including restarted workers. */
    public static void addProgressListener(ProgressListener listener) {
        LISTENERS.add(listener);
        synchronized (WorkerSession.class) {
            if (connection != null) connection.addProgressListener(listener);
        }
    }

    public static void removeProgressListener(ProgressListener listener) {
        LISTENERS.remove(listener);
        synchronized (WorkerSession.class) {
            if (connection != null) connection.removeProgressListener(listener);
        }
    }

    private static String describe(JsonObject info) {
        String name = info.has("name") ? info.get("name").getAsString() : "unet-worker";
        String version = info.has("version") ? " " + info.get("version").getAsString() : "";
        String threads = info.has("threads") ? ", " + info.get("threads").getAsInt() + " threads" : "";
        return name + version + threads;
    }

    private static void logLine(String line) {
        IJ.log(line);
    }

    private static void installShutdownHook() {
        if (shutdownHookInstalled) return;
        shutdownHookInstalled = true;
        Runtime.getRuntime().addShutdownHook(new Thread(WorkerSession::shutdown, "unet-worker shutdown"));
    }
}
