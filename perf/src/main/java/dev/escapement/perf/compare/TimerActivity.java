package dev.escapement.perf.compare;

import dev.escapement.TimerStats;

/**
 * What Escapement's timer thread did during a scenario, from {@link TimerStats}: passes, parks,
 * and the wake-ups producers paid for (each an {@code unpark} system call), for every contender
 * that runs on a {@link dev.escapement.GlobalTimer} ({@link EscapementBacked}). Other contenders
 * expose no such counters; for them this records nothing.
 *
 * <p>Thread-safety: use from the scenario's thread.
 */
final class TimerActivity {

    private static final TimerActivity NONE = new TimerActivity(null);

    private final EscapementBacked escapement;
    private final TimerStats before;
    private final long startNs = System.nanoTime();

    private TimerActivity(EscapementBacked escapement) {
        this.escapement = escapement;
        this.before = escapement == null ? null : escapement.globalTimer().stats();
    }

    static TimerActivity of(TimerContender contender) {
        return contender instanceof EscapementBacked escapement ? new TimerActivity(escapement) : NONE;
    }

    /** Notes the counters' rates since this object was made. */
    void report(Recorder out, String scenario, String config) {
        if (escapement == null) {
            return;
        }
        TimerStats after = escapement.globalTimer().stats();
        double seconds = (System.nanoTime() - startNs) / 1e9;
        out.note(scenario, String.format(java.util.Locale.ROOT,
                "%s: timer thread %.0f passes/s, %.0f parks/s, %.0f producer wake-ups (unpark calls)/s, %.0f commands applied/s",
                config, (after.passes() - before.passes()) / seconds, (after.parks() - before.parks()) / seconds,
                (after.wakeups() - before.wakeups()) / seconds,
                (after.scheduled() - before.scheduled() + after.cancelled() - before.cancelled()) / seconds));
    }
}
