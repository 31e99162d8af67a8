package dev.escapement.clock;

/**
 * {@link NanoClock} over {@link System#nanoTime()}. Stateless, so safe from any thread.
 */
final class SystemNanoClock implements NanoClock {

    static final SystemNanoClock INSTANCE = new SystemNanoClock();

    private SystemNanoClock() {
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public String toString() {
        return "SystemNanoClock";
    }
}
