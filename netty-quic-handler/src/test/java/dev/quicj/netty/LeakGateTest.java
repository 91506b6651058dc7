package dev.quicj.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gate that fails every test of this module on a leak does see a planted leak, and nothing without one. */
class LeakGateTest {

    @Test
    void aPlantedLeakIsReported() {
        plantLeak();
        List<String> leaks = LeakGate.collectLeaks();
        assertEquals(1, leaks.size(), () -> "reports: " + leaks);
        assertTrue(leaks.get(0).contains("plantLeak"), leaks.get(0));
    }

    @Test
    void aReleasedBufferIsNotReported() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        b.writeLong(42);
        b.release();
        assertFalse(b.refCnt() > 0);
        assertEquals(List.of(), LeakGate.collectLeaks());
    }

    private static void plantLeak() {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        b.writeLong(42);
    }
}
