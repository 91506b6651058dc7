package dev.quicj.bench.load;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time over a run of this JVM's Java threads other than the load generator's ({@code load-generator-*}): the
 * server's event loop, mostly; and of the whole process ({@link #processNanos()}), which adds the JVM's GC and JIT
 * threads (not Java threads), so that the process's CPU less the generator's is the server's with its garbage
 * collection. How much CPU each operation costs moves much less with the machine's noise than a rate does.
 */
final class CpuMeter {
    private static final com.sun.management.OperatingSystemMXBean OS = osBean();
    private static final String GENERATOR_PREFIX = "load-generator";
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> start = new HashMap<>();
    private long processStart;
    private long processUsed;

    private static com.sun.management.OperatingSystemMXBean osBean() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean
                ? (com.sun.management.OperatingSystemMXBean) os : null;
    }

    private static long processCpu() {
        return OS == null ? -1 : OS.getProcessCpuTime();
    }

    void start() {
        start.clear();
        processStart = processCpu();
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
        long processNow = processCpu();
        processUsed = processStart < 0 || processNow < 0 ? -1 : processNow - processStart;
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

    /** The whole process's CPU between {@link #start()} and {@link #stop()}, or -1 if the JVM does not report it. */
    long processNanos() {
        return processUsed;
    }
}
