/**
 * Per-connection timers: a {@link dev.escapement.connection.TimerManager} gives one connection
 * typed timeouts ({@link dev.escapement.connection.TimeoutEvent}, or the protocol's own enum) at
 * the cost of one entry in the global wheel, whatever the number of timeouts and however often
 * they are reset. {@link dev.escapement.connection.TimerManager#builder} makes one; a connection
 * class can instead extend {@link dev.escapement.connection.AbstractTimerManager} and be its own
 * timers. Either is one object of about 88 bytes per connection.
 *
 * <p>Threading conventions of the package: a manager is used on its connection's thread (its
 * event loop). Only the expiry of its wheel entry crosses threads: the timer thread raises a
 * flag and, on the flag's rise, hands one wake-up to the connection's executor. Everything else
 * (typed deadlines, layers, re-arming) is decided on the connection's thread.
 */
package dev.escapement.connection;
