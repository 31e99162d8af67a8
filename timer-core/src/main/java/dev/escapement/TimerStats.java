package dev.escapement;

/**
 * An immutable snapshot of a {@link GlobalTimer}'s counters, from {@link GlobalTimer#stats()}.
 *
 * <p>Thread-safety: immutable. Counters the timer thread keeps are published at the end of each
 * of its passes, so a snapshot is consistent as of the last pass; commands still in the queue
 * are not counted yet. When the timer is quiet, {@code scheduled == fired + cancelled +
 * returnedByStop + pending}.
 *
 * @param pending          timers in the wheel now
 * @param scheduled        timers accepted by a schedule call and seen by the timer thread
 * @param fired            timers that fired (task started or handed to the executor)
 * @param cancelled        timers whose cancellation the timer thread has applied
 * @param returnedByStop   timers returned (or, on the id path, dropped) by {@link GlobalTimer#stop()}
 * @param rejected         schedule calls refused by a bound or because the timer was stopped
 * @param taskFailures     tasks and expiry handlers that threw
 * @param executorRejections callbacks the callback executor refused
 * @param commandQueueDepth commands waiting in the queue at the time of the snapshot
 * @param activeConnections connections registered with {@link GlobalTimer#registerConnection(long)}
 * @param passes           passes of the timer thread's duty cycle
 * @param parks            times the timer thread parked
 * @param wakeups          times a producer unparked the timer thread
 */
public record TimerStats(
        long pending,
        long scheduled,
        long fired,
        long cancelled,
        long returnedByStop,
        long rejected,
        long taskFailures,
        long executorRejections,
        long commandQueueDepth,
        long activeConnections,
        long passes,
        long parks,
        long wakeups) {
}
