package unet.imagej;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * A request that did not succeed: an error response from the worker (with its JSON-RPC code,
 * message and optional data), or a client-side failure (worker missing, worker died).
 */
public class WorkerException extends Exception {
    private static final long serialVersionUID = 1L;
    /** JSON-RPC code of a cancelled request (protocol contract). */
    public static final int CANCELLED = -32800;
    /** Client-side code: the worker executable could not be found or started. */
    public static final int NOT_STARTED = -1;
    /** Client-side code: the worker process ended while requests were pending. */
    public static final int DIED = -2;
    /** Client-side code: no response came within the time allowed. */
    public static final int TIMED_OUT = -3;

    private final int code;
    private final transient JsonElement data;

    public WorkerException(int code, String message, JsonElement data) {
        super(message);
        this.code = code;
        this.data = data;
    }

    public WorkerException(int code, String message) {
        this(code, message, null);
    }

    /** Builds the exception from a JSON-RPC `error` object. */
    static WorkerException fromErrorObject(JsonObject error) {
        int code = error.has("code") && error.get("code").isJsonPrimitive()
                ? error.get("code").getAsInt() : -32603;
        String message = error.has("message") && error.get("message").isJsonPrimitive()
                ? error.get("message").getAsString() : "the worker reported an error without a message";
        return new WorkerException(code, message, error.get("data"));
    }

    public int code() {
        return code;
    }

    /** The error's `data` member, or null. */
    public JsonElement data() {
        return data;
    }

    public boolean isCancelled() {
        return code == CANCELLED;
    }

    /** The message for a user: the worker's message plus the file it names, if any. */
    public String userMessage() {
        StringBuilder text = new StringBuilder(getMessage());
        if (data != null && data.isJsonObject()) {
            JsonObject object = data.getAsJsonObject();
            if (object.has("path") && !getMessage().contains(object.get("path").getAsString())) {
                text.append("\nFile: ").append(object.get("path").getAsString());
            }
            if (object.has("field")) {
                text.append("\nParameter: ").append(object.get("field").getAsString());
            }
        }
        return text.toString();
    }
}
