package dev.escapement.engine;

/**
 * Several entries handed to the timer thread in one offer (a {@code TimerBatch}); the timer
 * thread reconciles each, in order, as if each had been offered alone.
 *
 * <p>Thread-safety: filled by one producer, then owned by the timer thread.
 */
final class EntryBatch implements Command {

    final TimerEntry[] entries;
    /** Schedules beyond the one queue slot the batch takes, counted towards the pending bound. */
    final int extraSchedules;

    EntryBatch(TimerEntry[] entries, int extraSchedules) {
        this.entries = entries;
        this.extraSchedules = extraSchedules;
    }
}
