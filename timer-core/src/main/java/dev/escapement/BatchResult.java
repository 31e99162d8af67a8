package dev.escapement;

import java.util.Arrays;

/**
 * What a submitted {@link TimerBatch} did, entry by entry, in the order the entries were added.
 *
 * <p>Thread-safety: immutable.
 */
public final class BatchResult {

    private final boolean[] succeeded;
    private final TimerHandle[] handles;
    private final String[] failures;

    BatchResult(boolean[] succeeded, TimerHandle[] handles, String[] failures) {
        this.succeeded = succeeded;
        this.handles = handles;
        this.failures = failures;
    }

    /** @return the number of entries */
    public int size() {
        return succeeded.length;
    }

    /**
     * @param index an entry, from 0
     * @return true if the entry took effect: a schedule was accepted, a cancel cancelled, a
     *         postpone moved its timer
     */
    public boolean succeeded(int index) {
        return succeeded[index];
    }

    /**
     * @param index an entry, from 0
     * @return the handle of a schedule or postpone entry (for a failed schedule, null); for a
     *         cancel entry, the handle it named, or null if it named an id
     */
    public TimerHandle handle(int index) {
        return handles[index];
    }

    /**
     * @param index an entry, from 0
     * @return why the entry did not take effect, or null if it did
     */
    public String failure(int index) {
        return failures[index];
    }

    /** @return how many entries took effect */
    public int successCount() {
        int count = 0;
        for (boolean ok : succeeded) {
            count += ok ? 1 : 0;
        }
        return count;
    }

    @Override
    public String toString() {
        return "BatchResult[" + successCount() + " of " + size() + " succeeded, failures="
                + Arrays.toString(Arrays.stream(failures).filter(f -> f != null).toArray()) + "]";
    }
}
