package dev.escapement.perf.compare;

import org.apache.kafka.server.util.timer.SystemTimer;
import org.apache.kafka.server.util.timer.SystemTimerReaper;
import org.apache.kafka.server.util.timer.TimerTask;

/**
 * Kafka's {@link SystemTimer} (hierarchical wheels of 1 ms ticks and 20 slots, its defaults) wrapped
 * in a {@link SystemTimerReaper}, whose thread advances the clock, as Kafka's brokers use it. Tasks
 * run on the timer's own single-thread executor. Delays are whole milliseconds in Kafka's API, so a
 * delay is rounded up to the next millisecond before it is handed over.
 *
 * <p>Thread-safety: as {@link TimerContender}.
 */
final class KafkaContender implements TimerContender {

    private SystemTimerReaper timer;
    private Task[] tasks;

    /** A Kafka task is an object per timer by design (it is also the handle that cancels). */
    private static final class Task extends TimerTask {
        private final FireAction action;

        Task(long delayMs, FireAction action) {
            super(delayMs);
            this.action = action;
        }

        @Override
        public void run() {
            action.fire();
        }
    }

    @Override
    public void open(int slots, int producers, long maxDelayNs) {
        timer = new SystemTimerReaper("tmr-kafka-reaper", new SystemTimer("tmr-kafka"));
        tasks = new Task[slots];
    }

    @Override
    public void schedule(int slot, long delayNs, FireAction action) {
        long delayMs = delayNs <= 0 ? 0 : (delayNs + 999_999) / 1_000_000;
        Task task = new Task(delayMs, action);
        tasks[slot] = task;
        timer.add(task);
    }

    @Override
    public void cancel(int slot) {
        Task task = tasks[slot];
        if (task != null) {
            task.cancel();
            tasks[slot] = null;
        }
    }

    @Override
    public void close() {
        if (timer != null) {
            try {
                timer.close();
            } catch (Exception e) {
                throw new IllegalStateException("Kafka timer did not close", e);
            }
        }
        timer = null;
        tasks = null;
    }
}
