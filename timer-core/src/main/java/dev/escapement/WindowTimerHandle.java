package dev.escapement;

/**
 * The handle of a timer scheduled with a deadline window
 * ({@link GlobalTimer#scheduleWithin}). It carries the window to the timer thread, which picks
 * the deadline inside it when it links the timer, against the wheel's own current tick: that is
 * the tick the slot levels are relative to, so a slot start chosen there expires without
 * cascading.
 *
 * <p>Thread-safety: as {@link DefaultTimerHandle}; the window is immutable.
 */
final class WindowTimerHandle extends DefaultTimerHandle {

    private final long earliestTick;
    private final long latestTick;

    WindowTimerHandle(GlobalTimer timer, TimerTask task, long earliestDeadlineNs, long earliestTick, long latestTick) {
        super(timer, task, earliestDeadlineNs);
        this.earliestTick = earliestTick;
        this.latestTick = latestTick;
    }

    long earliestTick() {
        return earliestTick;
    }

    long latestTick() {
        return latestTick;
    }
}
