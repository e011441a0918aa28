package unet.imagej;

import com.google.gson.JsonObject;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A request sent to the worker and not yet answered: its id, its progress listeners, and the
 * response once it arrives. Completed exactly once, by the connection's reader thread.
 */
public final class WorkerCall {
    private final long id;
    private final String method;
    private final List<ProgressListener> listeners = new CopyOnWriteArrayList<>();
    private final CountDownLatch answered = new CountDownLatch(1);
    private volatile JsonObject result;
    private volatile WorkerException failure;
    private volatile int progressCount;

    WorkerCall(long id, String method) {
        this.id = id;
        this.method = method;
    }

    public long id() {
        return id;
    }

    public String method() {
        return method;
    }

    /** Progress notifications received for this request so far. */
    public int progressCount() {
        return progressCount;
    }

    public void addProgressListener(ProgressListener listener) {
        listeners.add(listener);
    }

    public boolean isDone() {
        return answered.getCount() == 0;
    }

    /**
     * Waits up to {@code millis} for the response.
     * @return the `result` object, or null if the time ran out first
     * @throws WorkerException the worker's error response, or the worker died
     */
    public JsonObject await(long millis) throws WorkerException, InterruptedException {
        if (!answered.await(millis, TimeUnit.MILLISECONDS)) return null;
        if (failure != null) throw failure;
        return result;
    }

    /** Waits for the response however long it takes. */
    public JsonObject await() throws WorkerException, InterruptedException {
        answered.await();
        if (failure != null) throw failure;
        return result;
    }

    void deliverProgress(Progress progress) {
        progressCount++;
        for (ProgressListener listener : listeners) {
            listener.progress(progress);
        }
    }

    synchronized void complete(JsonObject result) {
        if (isDone()) return;
        this.result = result;
        answered.countDown();
    }

    synchronized void fail(WorkerException failure) {
        if (isDone()) return;
        this.failure = failure;
        answered.countDown();
    }
}
