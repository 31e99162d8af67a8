package dev.escapement.engine;

import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Work that only the timer thread may do (walk or picture the wheel), asked for from another
 * thread through the {@link CommandQueue}; the asker waits on the future.
 *
 * <p>Thread-safety: created by the asker, run once on the timer thread, completed there.
 *
 * @param <T> the answer
 */
final class Request<T> extends CompletableFuture<T> implements Command {

    private final Function<GlobalTimerTask, T> work;

    Request(Function<GlobalTimerTask, T> work) {
        this.work = work;
    }

    /** Timer thread. */
    void run(GlobalTimerTask task) {
        try {
            complete(work.apply(task));
        } catch (Throwable failure) {
            completeExceptionally(failure);
        }
    }
}
