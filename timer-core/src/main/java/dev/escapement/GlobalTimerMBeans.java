package dev.escapement;

import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;

/**
 * Registers and unregisters the {@link GlobalTimerMXBean} of a timer with the platform MBean
 * server. A registration failure is logged, never thrown: monitoring must not stop a timer.
 *
 * <p>Thread-safety: stateless apart from a counter that makes names unique.
 */
final class GlobalTimerMBeans {

    private static final System.Logger LOG = System.getLogger(GlobalTimer.class.getName());
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private GlobalTimerMBeans() {
    }

    /** @return the registered name, or null if registration failed */
    static ObjectName register(GlobalTimer timer, String name) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            ObjectName objectName = new ObjectName("dev.escapement:type=GlobalTimer,name=" + ObjectName.quote(name));
            if (server.isRegistered(objectName)) {
                objectName = new ObjectName("dev.escapement:type=GlobalTimer,name="
                        + ObjectName.quote(name + "-" + SEQUENCE.incrementAndGet()));
            }
            server.registerMBean(new StandardMBean(new View(timer), GlobalTimerMXBean.class, true), objectName);
            return objectName;
        } catch (JMException e) {
            LOG.log(Level.WARNING, "could not register the timer's MXBean " + name, e);
            return null;
        }
    }

    static void unregister(ObjectName objectName) {
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(objectName);
        } catch (JMException e) {
            LOG.log(Level.WARNING, "could not unregister the timer's MXBean " + objectName, e);
        }
    }

    /** Reads a fresh {@link TimerStats} per attribute. */
    private record View(GlobalTimer timer) implements GlobalTimerMXBean {
        @Override public long getPending() { return timer.stats().pending(); }
        @Override public long getScheduled() { return timer.stats().scheduled(); }
        @Override public long getFired() { return timer.stats().fired(); }
        @Override public long getRuns() { return timer.stats().runs(); }
        @Override public long getCancelled() { return timer.stats().cancelled(); }
        @Override public long getRejected() { return timer.stats().rejected(); }
        @Override public long getTaskFailures() { return timer.stats().taskFailures(); }
        @Override public long getIntervalFailures() { return timer.stats().intervalFailures(); }
        @Override public long getExecutorRejections() { return timer.stats().executorRejections(); }
        @Override public long getCommandQueueDepth() { return timer.stats().commandQueueDepth(); }
        @Override public long getCommandsDrained() { return timer.stats().commandsDrained(); }
        @Override public long getActiveConnections() { return timer.stats().activeConnections(); }
        @Override public long getPasses() { return timer.stats().passes(); }
        @Override public long getParks() { return timer.stats().parks(); }
        @Override public long getWakeups() { return timer.stats().wakeups(); }
        @Override public long[] getCascadesPerLevel() { return timer.stats().cascadesPerLevel(); }
        @Override public long getLatenessP50Ns() { return timer.stats().latenessP50Ns(); }
        @Override public long getLatenessP99Ns() { return timer.stats().latenessP99Ns(); }
        @Override public long getLatenessP999Ns() { return timer.stats().latenessP999Ns(); }
        @Override public long getLatenessMaxNs() { return timer.stats().latenessMaxNs(); }
        @Override public long getTickNs() { return timer.tickNs(); }
        @Override public String dump() { return timer.dump(); }
    }
}
