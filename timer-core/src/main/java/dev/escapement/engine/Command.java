package dev.escapement.engine;

/**
 * What crosses from any thread to the timer thread, through the {@link CommandQueue}: a closed
 * set of types. A {@link TimerEntry} is its own command: the timer thread brings the wheel in line
 * with the entry's state word, so repeated or crossing offers of one entry are harmless. A
 * {@link EntryBatch} carries several entries in one offer; a {@link Request} asks the timer thread
 * for work only it may do (walk or picture the wheel) and waits for the answer.
 *
 * <p>Thread-safety: ownership passes through the queue; see each type.
 */
public sealed interface Command permits TimerEntry, EntryBatch, Request {
}
