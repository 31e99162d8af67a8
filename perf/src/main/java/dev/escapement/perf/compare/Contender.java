package dev.escapement.perf.compare;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The contenders of the comparison: a name, what it is, which scenarios it takes part in, and
 * which contender is Escapement's reference in each scenario (ratios are taken against it).
 *
 * <p>Thread-safety: immutable.
 *
 * @param name        the name used on the command line and in the report
 * @param description how it is configured, for the report
 * @param scenarios   the scenarios it runs
 * @param timer       a timer contender, for scenarios 1-5; else null
 * @param idle        an idle-timeout strategy, for the connections scenario; else null
 * @param wheel       a single-thread wheel, for the core scenario; else null
 */
record Contender(String name, String description, Set<String> scenarios, Supplier<TimerContender> timer,
                 Supplier<IdleTimeouts> idle, IntFunction<CoreScenario.Wheel> wheel) {

    static final Set<String> TIMER_SCENARIOS = Set.of(ChurnScenario.NAME, MemoryScenario.NAME,
            LatenessScenario.NAME, ExpiryScenario.NAME, IdleScenario.NAME);
    static final List<String> SCENARIO_ORDER = List.of(ChurnScenario.NAME, MemoryScenario.NAME, LatenessScenario.NAME,
            ExpiryScenario.NAME, IdleScenario.NAME, ConnectionsScenario.NAME, FootprintScenario.NAME, RealChannelsScenario.NAME, CoreScenario.NAME);
    /** The scenarios of the per-connection contenders, which run in JVMs with room for 10 M connections. */
    static final Set<String> CONNECTION_SCENARIOS = Set.of(ConnectionsScenario.NAME, FootprintScenario.NAME);

    /** Escapement's handle path at the default 1 ms tick: the reference for scenarios 1-5. */
    static final String ESCAPEMENT = "escapement-handle";
    static final String ESCAPEMENT_ID = "escapement-id";
    static final String ESCAPEMENT_100US = "escapement-handle-100us";
    static final String ESCAPEMENT_NETTY_TIMER = "escapement-netty-timer";
    static final String NETTY_WHEEL_1MS = "netty-wheel-1ms";
    static final String NETTY_EXECUTOR = "netty-executor";
    static final String JDK_EXECUTOR = "jdk-executor";
    static final String AGRONA_QUEUED = "agrona-queued";
    static final String CONN_ESCAPEMENT = "conn-escapement";
    static final String CONN_ESCAPEMENT_HELD = "conn-escapement-held";
    static final String CONN_NETTY_WAY = "conn-netty-way";
    static final String RC_NONE = "rc-no-idle-handler";
    static final String RC_NETTY = "rc-netty-idle-handler";
    static final String RC_ESCAPEMENT = "rc-escapement-idle-handler";
    static final String CORE_ESCAPEMENT = "core-escapement-wheel";
    static final String CORE_AGRONA = "core-agrona-wheel";

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** @return every contender, in report order */
    static List<Contender> all() {
        return List.of(
                timer(ESCAPEMENT, "Escapement GlobalTimer, handle path (schedule -> TimerHandle), 1 ms tick, defaults otherwise",
                        () -> new EscapementContender(false, MS)),
                timer(ESCAPEMENT_ID, "Escapement GlobalTimer, id path (scheduleTimer -> long), 1 ms tick, defaults otherwise",
                        () -> new EscapementContender(true, MS)),
                new Contender(ESCAPEMENT_100US, "Escapement GlobalTimer, handle path, 100 µs tick",
                        Set.of(LatenessScenario.NAME, IdleScenario.NAME),
                        () -> new EscapementContender(false, MS / 10), null, null),
                timer(ESCAPEMENT_NETTY_TIMER, "Escapement through timer-netty's EscapementTimer, its io.netty.util.Timer"
                        + " (newTimeout -> Timeout, as a HashedWheelTimer user calls it), over a GlobalTimer of its own:"
                        + " 1 ms tick, defaults otherwise", EscapementNettyTimerContender::new),
                timer(NETTY_WHEEL_1MS, "Netty 4.2 HashedWheelTimer, 1 ms tick, 512 ticks per wheel (default)",
                        () -> new NettyWheelContender(1)),
                timer("netty-wheel-10ms", "Netty 4.2 HashedWheelTimer, 10 ms tick, 512 ticks per wheel (default)",
                        () -> new NettyWheelContender(10)),
                timer("netty-wheel-100ms", "Netty 4.2 HashedWheelTimer, 100 ms tick (Netty's default), 512 ticks per wheel",
                        () -> new NettyWheelContender(100)),
                timer(NETTY_EXECUTOR, "Netty 4.2 DefaultEventExecutor.schedule (a heap per event loop); one executor per producer,"
                        + " the producer running on it", NettyExecutorContender::new),
                timer(JDK_EXECUTOR, "JDK ScheduledThreadPoolExecutor, 1 thread, setRemoveOnCancelPolicy(true)",
                        JdkExecutorContender::new),
                timer(AGRONA_QUEUED, "Agrona 2.3 DeadlineTimerWheel behind a ManyToOneConcurrentArrayQueue and an AgentRunner"
                        + " (BackoffIdleStrategy); 2^20 ns resolution, wheel sized for the population", AgronaQueuedContender::new),
                timer("kafka", "Kafka 4.1 SystemTimer (1 ms tick, 20 slots per wheel: defaults) in a SystemTimerReaper;"
                        + " delays rounded up to whole ms", KafkaContender::new),
                new Contender(CONN_ESCAPEMENT, "Escapement: the connection class extends AbstractTimerManager; idle reset"
                        + " reads the cached clock (refreshed per read burst), one wheel entry per connection",
                        CONNECTION_SCENARIOS, null, () -> new EscapementManagerIdleTimeouts(true), null),
                new Contender(CONN_ESCAPEMENT_HELD, "Escapement: the connection holds a TimerManager the builder made, with a"
                        + " listener; otherwise as conn-escapement", CONNECTION_SCENARIOS, null,
                        () -> new EscapementManagerIdleTimeouts(false), null),
                new Contender(CONN_NETTY_WAY, "the Netty way: IdleStateHandler's scheme, System.nanoTime() per packet,"
                        + " the event loop's scheduler re-armed lazily; a task object and a ScheduledFuture per timeout",
                        CONNECTION_SCENARIOS, null, NettyWayIdleTimeouts::new, null),
                new Contender("conn-naive-wheel", "the naive way: cancel and newTimeout on a HashedWheelTimer (1 ms tick)"
                        + " per packet; a Timeout per timeout", CONNECTION_SCENARIOS, null, NaiveWheelIdleTimeouts::new, null),
                new Contender(RC_NONE, "an echo server on real TCP channels with no idle handler: the baseline for heap"
                        + " per channel", Set.of(RealChannelsScenario.NAME), null, null, null),
                new Contender(RC_NETTY, "the echo server with Netty's IdleStateHandler(2 s, 1 s, 0)",
                        Set.of(RealChannelsScenario.NAME), null, null, null),
                new Contender(RC_ESCAPEMENT, "the echo server with timer-netty's EscapementIdleStateHandler(2 s, 1 s, 0) on a"
                        + " GlobalTimer of its own (1 ms tick)", Set.of(RealChannelsScenario.NAME), null, null, null),
                new Contender(CORE_ESCAPEMENT, "Escapement TimingWheel alone, 64 slots per level, 1 ms ticks",
                        Set.of(CoreScenario.NAME), null, null, CoreScenario::escapement),
                new Contender(CORE_AGRONA, "Agrona DeadlineTimerWheel alone, 2^20 ns resolution, sized for the population",
                        Set.of(CoreScenario.NAME), null, null, CoreScenario::agrona));
    }

    private static Contender timer(String name, String description, Supplier<TimerContender> factory) {
        return new Contender(name, description, TIMER_SCENARIOS, factory, null, null);
    }

    /** @return the contender ratios are taken against in a scenario */
    static String referenceFor(String scenario) {
        return switch (scenario) {
            case "connections", "footprint" -> CONN_ESCAPEMENT;
            case "realchannels" -> RC_ESCAPEMENT;
            case "core" -> CORE_ESCAPEMENT;
            default -> ESCAPEMENT;
        };
    }

    static Contender named(String name) {
        return all().stream().filter(c -> c.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown contender: " + name));
    }
}
