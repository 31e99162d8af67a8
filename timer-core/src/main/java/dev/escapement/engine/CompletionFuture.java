package dev.escapement.engine;

import dev.escapement.TimerHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The future a {@link TimerHandle} exposes. Only the timer completes it; a user's
 * {@link #cancel(boolean)} cancels the timer itself.
 *
 * <p>Thread-safe, as every {@link CompletableFuture}.
 */
final class CompletionFuture extends CompletableFuture<Void> {

    private final TimerHandle handle;

    CompletionFuture(TimerHandle handle) {
        this.handle = handle;
    }

    void succeed() {
        super.complete(null);
    }

    void fail(Throwable cause) {
        super.completeExceptionally(cause);
    }

    void cancelled() {
        super.cancel(false);
    }

    /** Cancels the timer; the future is cancelled if, and only if, the timer was. */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        handle.cancel();
        return isCancelled();
    }

    @Override
    public boolean complete(Void value) {
        throw new UnsupportedOperationException("only the timer completes a timer's future");
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        throw new UnsupportedOperationException("only the timer completes a timer's future");
    }

    @Override
    public void obtrudeValue(Void value) {
        throw new UnsupportedOperationException("only the timer completes a timer's future");
    }

    @Override
    public void obtrudeException(Throwable ex) {
        throw new UnsupportedOperationException("only the timer completes a timer's future");
    }

    @Override
    public CompletableFuture<Void> completeAsync(Supplier<? extends Void> supplier, Executor executor) {
        throw new UnsupportedOperationException("only the timer completes a timer's future");
    }

    @Override
    public CompletableFuture<Void> completeOnTimeout(Void value, long timeout, TimeUnit unit) {
        throw new UnsupportedOperationException("only the timer completes a timer's future");
    }

    /** Returns a copy with the timeout, since only the timer may complete this future. */
    @Override
    public CompletableFuture<Void> orTimeout(long timeout, TimeUnit unit) {
        return copy().orTimeout(timeout, unit);
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        // Dependent stages are ordinary futures.
        return new CompletableFuture<>();
    }
}
