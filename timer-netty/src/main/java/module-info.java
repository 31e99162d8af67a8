/**
 * Escapement for Netty: a drop-in {@code io.netty.util.Timer}
 * ({@link dev.escapement.netty.EscapementTimer}), idle and retransmission-timeout handlers, and
 * channel-scoped timers on the Escapement global timer.
 *
 * <p>Reading this module reads the core and the Netty modules whose types its API uses.
 */
module dev.escapement.netty {
    exports dev.escapement.netty;

    // GlobalTimer and TimerManager appear in the API.
    requires transitive dev.escapement.core;
    // Timer and Timeout (io.netty.common), the handlers' supertypes (io.netty.transport) and the
    // idle events (io.netty.handler) appear in the API.
    requires transitive io.netty.common;
    requires transitive io.netty.transport;
    requires transitive io.netty.handler;
}
