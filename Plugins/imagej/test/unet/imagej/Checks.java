package unet.imagej;

import java.util.ArrayList;
import java.util.List;

/** A minimal test runner (no JUnit on the machine): named tests, plain checks, a TAP-like report. */
final class Checks {
    /** A test body; any exception or failed check fails the test. */
    interface Body {
        void run() throws Exception;
    }

    private final List<String> failures = new ArrayList<>();
    private int count;

    static void check(boolean condition, String message) {
        if (!condition) throw new AssertionError(message);
    }

    static void checkEqual(Object expected, Object actual, String what) {
        if (expected == null ? actual != null : !expected.equals(actual)) {
            throw new AssertionError(what + ": expected " + expected + ", got " + actual);
        }
    }

    void test(String name, Body body) {
        count++;
        long start = System.nanoTime();
        try {
            body.run();
            System.out.printf("ok %d - %s (%.1f s)%n", count, name, (System.nanoTime() - start) / 1e9);
        } catch (Throwable failure) {
            failures.add(name);
            System.out.printf("not ok %d - %s: %s%n", count, name, failure);
            failure.printStackTrace(System.out);
        }
    }

    /** Prints the summary and returns the process exit code. */
    int finish() {
        System.out.println("1.." + count);
        if (failures.isEmpty()) {
            System.out.println("# all " + count + " tests passed");
            return 0;
        }
        System.out.println("# FAILED: " + failures);
        return 1;
    }
}
