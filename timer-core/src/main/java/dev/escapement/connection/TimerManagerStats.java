package dev.escapement.connection;

/**
 * A snapshot of one {@link TimerManager}'s counters, from {@link TimerManager#stats()}. The counters
 * are kept only for a manager built with {@link TimerManager.Builder#recordStats()}; for any other
 * they read 0.
 *
 * <p>Thread-safety: immutable. Counters the timer thread keeps ({@code expiries}, {@code wakeUps},
 * {@code wakeUpFailures}) are read with volatile semantics; the others are the connection
 * thread's and are exact when read there.
 *
 * @param connectionId     the connection
 * @param activeTimeouts   typed timeouts registered and not yet reported or cancelled
 * @param registrations    calls of {@code register}
 * @param resets           calls of {@code reset} that moved an active timeout
 * @param cancellations    typed timeouts cancelled (by {@code cancel}, {@code cancelAll} or {@code close})
 * @param expiries         times the connection's wheel entry fired (timer thread)
 * @param wakeUps          wake-ups handed to the wake-up executor (timer thread)
 * @param wakeUpFailures   wake-ups the executor refused (timer thread)
 * @param drains           calls of {@code checkTimerEvents}, including those the wake-up made
 * @param emptyDrains      drains that found nothing due (spurious wake-ups are harmless, and counted here)
 * @param eventsDelivered  events the drains reported, over all layers
 * @param wheelSchedules   times the connection's wheel entry was armed (it is the manager itself)
 * @param wheelMoves       times the armed entry was moved earlier (a postpone, not a second entry)
 * @param wheelCancels     times the armed entry was cancelled ({@code cancelAll} with nothing left, {@code close})
 * @param armFailures      attempts to arm the entry that the global timer refused
 */
public record TimerManagerStats(
        long connectionId,
        int activeTimeouts,
        long registrations,
        long resets,
        long cancellations,
        long expiries,
        long wakeUps,
        long wakeUpFailures,
        long drains,
        long emptyDrains,
        long eventsDelivered,
        long wheelSchedules,
        long wheelMoves,
        long wheelCancels,
        long armFailures) {
}
