package dev.quicj.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when Netty reports a leaked buffer (testing.md, "leak listener + paranoid level"). Registered for every
 * test class of this module through {@code META-INF/services/org.junit.jupiter.api.extension.Extension} and
 * {@code junit-platform.properties}.
 *
 * <p>Netty only reports a leak after the leaked buffer was garbage-collected and a later tracked allocation polled the
 * detector, so after each test the gate forces collections until a weak reference clears, then allocates and releases
 * a buffer from each allocator, and fails if the listener saw a report. The level is paranoid (every buffer tracked),
 * set here and by the parent pom's argLine.
 */
public final class LeakGate implements BeforeEachCallback, AfterEachCallback {
    private static final List<String> LEAKS = new ArrayList<>();
    private static final int ROUNDS = 3;

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ByteBufUtil.setLeakListener((resourceType, records) -> {
            synchronized (LEAKS) {
                LEAKS.add(resourceType + " leaked:\n" + records);
            }
        });
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        // leaks of code that ran before this test (another class's static setup) are not this test's
        collectLeaks();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<String> leaks = collectLeaks();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " buffer leak(s) in " + context.getDisplayName() + ":\n"
                    + String.join("\n", leaks));
        }
    }

    /** Forces Netty to report every buffer that became unreachable unreleased, and returns (and forgets) the reports. */
    static List<String> collectLeaks() {
        for (int i = 0; i < ROUNDS; i++) {
            forceGc();
            poll(UnpooledByteBufAllocator.DEFAULT);
            poll(PooledByteBufAllocator.DEFAULT);
        }
        synchronized (LEAKS) {
            List<String> copy = new ArrayList<>(LEAKS);
            LEAKS.clear();
            return copy;
        }
    }

    private static void forceGc() {
        WeakReference<Object> canary = new WeakReference<>(new Object());
        for (int i = 0; i < 50 && canary.get() != null; i++) {
            System.gc();
        }
        try {
            // the reference handler thread enqueues cleared references after the collection
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void poll(ByteBufAllocator alloc) {
        ByteBuf heap = alloc.heapBuffer(1);
        heap.release();
        ByteBuf direct = alloc.directBuffer(1);
        direct.release();
    }
}
