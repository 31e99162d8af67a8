/**
 * Escapement's timer core: the {@link dev.escapement.GlobalTimer} and its thread, per-connection
 * timers ({@link dev.escapement.connection.TimerManager}), unified timeouts and the clocks. No
 * Netty.
 *
 * <p>Only the API packages are exported. The timing wheel ({@code dev.escapement.wheel}) is not
 * exported at all, and the engine ({@code dev.escapement.engine}: the entry store, the command
 * queue, the timer thread's task) only to the Netty adapter, whose timeouts are engine entries. The
 * example ({@code dev.escapement.example}) is a program to run, not an API.
 */
// "module": the qualified export's target depends on this module, so it is never visible here.
@SuppressWarnings("module")
module dev.escapement.core {
    exports dev.escapement;
    exports dev.escapement.clock;
    exports dev.escapement.connection;
    exports dev.escapement.unified;

    // EscapementTimer's timeouts are engine entries: the adapter alone may make them.
    exports dev.escapement.engine to dev.escapement.netty;

    // Only the engine uses these; no type of theirs appears in the exported API.
    requires org.jctools.core;
    // HdrHistogram 2.2.2 names no module: its name comes from the jar's file name.
    requires HdrHistogram;
    // The engine's flight-recorder events (TimerEvents).
    requires jdk.jfr;
    // The timer's MXBean (GlobalTimerMBeans).
    requires java.management;
}
