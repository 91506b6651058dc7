package dev.quicj.bench.load;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time over a run of this JVM's Java threads other than the load generator's ({@code load-generator-*}): the
 * server's event loop, mostly. The JVM's own GC and JIT threads are not Java threads and are not counted. How much
 * CPU each operation costs moves much less with the machine's noise than a rate does.
 */
final class CpuMeter {
    private static final String GENERATOR_PREFIX = "load-generator";
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> start = new HashMap<>();

    void start() {
        start.clear();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            long cpu = threads.getThreadCpuTime(t.getId());
            if (cpu >= 0) {
                start.put(t.getId(), cpu);
            }
        }
    }

    /**
     * Nanoseconds of CPU since {@link #start()} of the live threads that are not the generator's (the generator's
     * threads have ended by now; {@link LoadGenerator.Result#generatorCpuNanos()} has theirs).
     */
    long stop() {
        long cpu = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            long now = threads.getThreadCpuTime(t.getId());
            if (now < 0 || t.getName().startsWith(GENERATOR_PREFIX)) {
                continue;
            }
            cpu += now - start.getOrDefault(t.getId(), 0L);
        }
        return cpu;
    }
}
