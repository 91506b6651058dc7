package dev.quicj.bench;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The JMH executor of the Netty benchmarks ({@code -Djmh.executor=CUSTOM
 * -Djmh.executor.class=dev.quicj.bench.EventLoopThreadExecutor}): runs the benchmark threads as Netty
 * {@link FastThreadLocalThread}s, like the event loop a handler runs on in production. Netty 4.2 keeps its object
 * pools ({@code Recycler}: pooled buffer objects, outbound-buffer entries) and the pooled allocator's thread caches
 * for such threads only, so on a plain JMH thread every write would allocate what an event loop recycles.
 */
public final class EventLoopThreadExecutor extends ThreadPoolExecutor {
    /** The constructor JMH's CUSTOM executor type calls. */
    public EventLoopThreadExecutor(int maxThreads, String prefix) {
        super(maxThreads, maxThreads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
                r -> new FastThreadLocalThread(r, prefix + "-event-loop-thread"));
    }
}
