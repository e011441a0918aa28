package unet.imagej;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One running unet-worker process spoken to with newline-delimited JSON-RPC 2.0.
 *
 * A reader thread takes stdout line by line: responses complete the pending {@link WorkerCall}
 * with the same id, `progress` notifications go to that call's listeners and to the connection's
 * listeners, `log` notifications and every stderr line go to the log sink. Nothing here touches
 * ImageJ, so the class works in any Java program.
 */
public final class WorkerConnection {
    private static final int STDERR_TAIL_LINES = 20;

    private final File executable;
    private final Process process;
    private final Writer stdin;
    private final Consumer<String> log;
    private final Map<String, WorkerCall> pending = new ConcurrentHashMap<>();
    private final List<ProgressListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private final Thread stdoutReader;
    private final Thread stderrReader;
    private volatile boolean alive = true;
    private volatile boolean shutdownRequested;

    private WorkerConnection(File executable, Process process, Consumer<String> log) {
        this.executable = executable;
        this.process = process;
        this.log = log;
        this.stdin = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        this.stderrReader = daemon("unet-worker stderr", this::readStderr);
        this.stdoutReader = daemon("unet-worker stdout", this::readStdout);
    }

    /**
     * Starts the worker executable.
     * @param log receives the worker's stderr lines and `log` notifications
     * @throws WorkerException (NOT_STARTED) when the process cannot be started
     */
    public static WorkerConnection start(File executable, Consumer<String> log) throws WorkerException {
        ProcessBuilder builder = new ProcessBuilder(executable.getAbsolutePath());
        try {
            return new WorkerConnection(executable, builder.start(), log);
        } catch (IOException e) {
            throw new WorkerException(WorkerException.NOT_STARTED,
                    "Could not start the U-Net worker " + executable + ": " + e.getMessage());
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    public File executable() {
        return executable;
    }

    public boolean isAlive() {
        return alive && process.isAlive();
    }

    /** Listens to every progress notification of every request (tests, loggers). */
    public void addProgressListener(ProgressListener listener) {
        listeners.add(listener);
    }

    public void removeProgressListener(ProgressListener listener) {
        listeners.remove(listener);
    }

    /**
     * Sends a request and returns at once; the answer arrives on the returned call.
     * @param params the request's params, or null for none
     */
    public WorkerCall send(String method, JsonObject params) throws WorkerException {
        return send(method, params, null);
    }

    /**
     * Sends a request whose progress goes to {@code listener} from the first notification on
     * (a listener added after sending could miss the progress of a quick request).
     * @param listener receives this request's progress, or null
     */
    public WorkerCall send(String method, JsonObject params, ProgressListener listener) throws WorkerException {
        long id = nextId.getAndIncrement();
        WorkerCall call = new WorkerCall(id, method);
        if (listener != null) call.addProgressListener(listener);
        JsonObject message = new JsonObject();
        message.addProperty("jsonrpc", "2.0");
        message.addProperty("id", id);
        message.addProperty("method", method);
        if (params != null) message.add("params", params);
        pending.put(Long.toString(id), call);
        if (!alive) {
            pending.remove(Long.toString(id));
            throw died();
        }
        try {
            synchronized (stdin) {
                stdin.write(message.toString());
                stdin.write('\n');
                stdin.flush();
            }
        } catch (IOException e) {
            pending.remove(Long.toString(id));
            throw died();
        }
        return call;
    }

    /**
     * Sends a request and waits for its answer.
     * @throws WorkerException the worker's error, a dead worker, or TIMED_OUT after {@code timeoutMillis}
     */
    public JsonObject request(String method, JsonObject params, long timeoutMillis) throws WorkerException {
        WorkerCall call = send(method, params);
        try {
            JsonObject result = call.await(timeoutMillis);
            if (result == null) {
                throw new WorkerException(WorkerException.TIMED_OUT,
                        "The U-Net worker did not answer '" + method + "' within " + timeoutMillis / 1000 + " s.");
            }
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkerException(WorkerException.CANCELLED, "Interrupted while waiting for '" + method + "'.");
        }
    }

    /** Asks the worker to cancel a running or queued request; the call then fails with CANCELLED. */
    public void cancel(WorkerCall call) throws WorkerException {
        JsonObject params = new JsonObject();
        params.addProperty("request", call.id());
        send("cancel", params);
    }

    /**
     * Sends `shutdown`, waits up to {@code waitMillis} for the process to exit, then ends it.
     * Pending requests fail (the worker answers them with -32800).
     */
    public void shutdown(long waitMillis) {
        shutdownRequested = true;
        try {
            if (alive) send("shutdown", null);
            synchronized (stdin) {
                stdin.close();
            }
        } catch (WorkerException | IOException ignored) {
            // already gone: nothing to shut down
        }
        try {
            if (!process.waitFor(waitMillis, TimeUnit.MILLISECONDS)) process.destroy();
            stdoutReader.join(waitMillis);
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
        }
    }

    /** Ends the process at once, without `shutdown` (a stuck worker); pending requests fail. */
    public void terminate() {
        process.destroyForcibly();
    }

    /** The process's exit code, or null while it runs. */
    public Integer exitCode() {
        return process.isAlive() ? null : process.exitValue();
    }

    private void readStdout() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.trim().isEmpty()) dispatch(line);
            }
        } catch (IOException ignored) {
            // the pipe broke: treated like end of output below
        }
        alive = false;
        try {
            process.waitFor(2, TimeUnit.SECONDS);
            stderrReader.join(500); // so the failure message holds the worker's last words
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        WorkerException failure = died();
        for (WorkerCall call : new ArrayList<>(pending.values())) {
            call.fail(failure);
        }
        pending.clear();
    }

    private void dispatch(String line) {
        JsonObject message;
        try {
            JsonElement element = JsonParser.parseString(line);
            if (!element.isJsonObject()) throw new JsonParseException("not an object");
            message = element.getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            log.accept("unet-worker wrote a line that is not JSON-RPC: " + line);
            return;
        }
        if (message.has("method")) {
            dispatchNotification(message.get("method").getAsString(), message.getAsJsonObject("params"));
            return;
        }
        JsonElement id = message.get("id");
        WorkerCall call = id != null && !id.isJsonNull() ? pending.remove(id.getAsString()) : null;
        if (call == null) {
            if (message.has("error")) log.accept("unet-worker error: " + message.get("error"));
            return;
        }
        if (message.has("error") && message.get("error").isJsonObject()) {
            call.fail(WorkerException.fromErrorObject(message.getAsJsonObject("error")));
        } else if (message.has("result") && message.get("result").isJsonObject()) {
            call.complete(message.getAsJsonObject("result"));
        } else {
            call.fail(new WorkerException(-32603, "The worker's answer to '" + call.method()
                    + "' has neither a result object nor an error: " + line));
        }
    }

    private void dispatchNotification(String method, JsonObject params) {
        if (params == null) return;
        if ("progress".equals(method)) {
            Progress progress = new Progress(params);
            WorkerCall call = pending.get(progress.request);
            if (call != null) call.deliverProgress(progress);
            for (ProgressListener listener : listeners) {
                listener.progress(progress);
            }
        } else if ("log".equals(method) && params.has("message")) {
            String level = params.has("level") ? params.get("level").getAsString() : "info";
            log.accept("unet-worker [" + level + "] " + params.get("message").getAsString());
        }
    }

    private void readStderr() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                synchronized (stderrTail) {
                    stderrTail.addLast(line);
                    if (stderrTail.size() > STDERR_TAIL_LINES) stderrTail.removeFirst();
                }
                log.accept("unet-worker: " + line);
            }
        } catch (IOException ignored) {
            // the process ended
        }
    }

    private WorkerException died() {
        if (shutdownRequested) {
            return new WorkerException(WorkerException.CANCELLED, "The U-Net worker was shut down.");
        }
        Integer code = exitCode();
        StringBuilder text = new StringBuilder("The U-Net worker (" + executable + ") stopped unexpectedly");
        text.append(code == null ? "." : " with exit code " + code + ".");
        synchronized (stderrTail) {
            if (!stderrTail.isEmpty()) {
                text.append("\nIts last messages:");
                for (String line : stderrTail) text.append("\n  ").append(line);
            }
        }
        text.append("\nIt will be started again on the next command.");
        return new WorkerException(WorkerException.DIED, text.toString());
    }
}
