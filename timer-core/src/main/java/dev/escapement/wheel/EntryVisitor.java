package dev.escapement.wheel;

/**
 * Visits the entries of a {@link TimingWheel} during {@link TimingWheel#forEachEntry}.
 *
 * <p>Called on the wheel's owner thread. The visitor must not change the wheel; collect ids and
 * act on them after the walk.
 */
@FunctionalInterface
public interface EntryVisitor {

    /**
     * One entry of the wheel.
     *
     * @param timerId      the entry's id
     * @param deadlineTick its deadline tick
     * @param payload      its payload, possibly {@code null}
     */
    void visit(long timerId, long deadlineTick, Object payload);
}
