package dev.escapement.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.escapement.GlobalTimer;
import dev.escapement.clock.ManualClock;
import dev.escapement.connection.AbstractTimerManager;
import dev.escapement.connection.TimeoutEvent;
import dev.escapement.connection.TimerManager;
import dev.escapement.unified.TimeoutCheckResult;
import java.lang.module.ModuleDescriptor.Exports;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The endpoint as a user of the library, from a module of its own that the core gives nothing
 * internal: it exports its API package (not the demo), and it can still extend
 * {@link AbstractTimerManager}, whose superclasses lie in the core's unexported engine. The tests
 * run on the module path, patched into the module, so the module must be named: a run from the
 * class path fails here.
 */
class ModuleBoundaryTest {

    private static final Module ENDPOINT = Endpoint.class.getModule();
    private static final Module CORE = GlobalTimer.class.getModule();

    @Test
    void theEndpointIsANamedModuleThatExportsItsApiAlone() {
        assertThat(ENDPOINT.isNamed()).as("endpoint-integration runs as a named module").isTrue();
        assertThat(ENDPOINT.getName()).isEqualTo("dev.escapement.endpoint");
        assertThat(ENDPOINT.getDescriptor().exports()).extracting(Exports::source)
                .containsExactly("dev.escapement.endpoint");
        assertThat(ENDPOINT.isExported("dev.escapement.endpoint.demo")).isFalse();
        assertThat(ENDPOINT.getDescriptor().opens()).isEmpty();
    }

    @Test
    void theCoreGivesTheEndpointItsApiButNotItsInternals() {
        assertThat(CORE.isExported("dev.escapement.connection", ENDPOINT)).isTrue();
        assertThat(CORE.isExported("dev.escapement.engine", ENDPOINT)).isFalse();
        assertThat(CORE.isExported("dev.escapement.wheel", ENDPOINT)).isFalse();
    }

    /** A connection class outside the core that is its own timers. */
    static final class OwnTimers extends AbstractTimerManager<TimeoutEvent> {
        final List<TimeoutEvent> seen = new ArrayList<>();

        OwnTimers(GlobalTimer timer, long id, Executor eventLoop) {
            super(TimerManager.builder(timer, id).wakeUp(eventLoop));
        }

        @Override
        protected void onTimeouts(TimeoutCheckResult due) {
            due.events().forEach(event -> seen.add((TimeoutEvent) event));
        }
    }

    @Test
    void aClassInAnotherModuleExtendsAbstractTimerManagerAndHearsItsTimeouts() {
        // The chain above AbstractTimerManager reaches the engine's TimerEntry, which this module
        // cannot access: the JVM checks only the direct superclass, which is exported.
        Class<?> top = OwnTimers.class;
        while (top.getSuperclass() != Object.class && top.getSuperclass().getModule() == CORE
                && !top.getSuperclass().getPackageName().equals("dev.escapement.engine")) {
            top = top.getSuperclass();
        }
        assertThat(top.getSuperclass().getPackageName()).isEqualTo("dev.escapement.engine");
        assertThat(CORE.isExported(top.getSuperclass().getPackageName(), ENDPOINT)).isFalse();
        assertThat(OwnTimers.class.getModule()).isSameAs(ENDPOINT);

        ManualClock clock = new ManualClock();
        GlobalTimer timer = GlobalTimer.builder().clock(clock).drivenByCaller().build();
        Queue<Runnable> eventLoop = new ArrayDeque<>();
        OwnTimers connection = new OwnTimers(timer, 7, eventLoop::add);
        connection.register(TimeoutEvent.IDLE, 30, TimeUnit.SECONDS);
        clock.advance(30, TimeUnit.SECONDS);
        timer.doWork();
        eventLoop.forEach(Runnable::run);

        assertThat(connection.seen).containsExactly(TimeoutEvent.IDLE);
        connection.close();
        timer.doWork();
        assertThat(timer.stats().activeConnections()).isZero();
    }
}
