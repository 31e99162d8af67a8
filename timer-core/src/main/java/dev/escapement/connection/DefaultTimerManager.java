package dev.escapement.connection;

/**
 * The {@link TimerManager} that {@link TimerManager.Builder#build()} makes: an
 * {@link AbstractTimerManager} that hands due timeouts to the builder's listener.
 *
 * <p>Threads: as {@link AbstractTimerManager}.
 *
 * @param <E> the event type
 */
final class DefaultTimerManager<E extends Enum<E>> extends AbstractTimerManager<E> {

    DefaultTimerManager(TimerManager.Builder<E> settings) {
        super(settings);
    }
}
