package dev.quicj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** {@link ConnectionId#random}: lengths, argument checks, and no ID handed out twice across pool refills or threads. */
class ConnectionIdRandomTest {
    @Test
    void everyLengthFromZeroToTwenty() {
        for (int length = 0; length <= ConnectionId.MAX_LENGTH; length++) {
            assertEquals(length, ConnectionId.random(length).length());
        }
        assertSame(ConnectionId.empty(), ConnectionId.random(0));
    }

    @Test
    void aLengthOutsideTheRangeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ConnectionId.random(-1));
        assertThrows(IllegalArgumentException.class, () -> ConnectionId.random(ConnectionId.MAX_LENGTH + 1));
    }

    @Test
    void idsDoNotRepeatAcrossRefillsOfThePool() {
        // 20 000 IDs of 8 to 20 bytes: many refills of the 256-byte pool, of every remainder; a repeat would mean
        // pooled bytes were handed out twice (for 8 random bytes, a chance repeat is about 2^-37)
        Set<ConnectionId> seen = new HashSet<>();
        int[] bytesByPosition = new int[20];
        for (int i = 0; i < 20_000; i++) {
            ConnectionId id = ConnectionId.random(8 + i % 13);
            assertTrue(seen.add(id), () -> "repeated " + id.toHex());
            byte[] b = id.toByteArray();
            for (int k = 0; k < b.length; k++) {
                bytesByPosition[k] |= 1 << ((b[k] & 0xff) % 31);
            }
        }
        // and the bytes are not stuck (for example at the zeros a used pool slot is wiped to)
        for (int k = 0; k < 20; k++) {
            assertEquals((1 << 31) - 1, bytesByPosition[k], "byte " + k + " takes every residue mod 31");
        }
    }

    @Test
    void threadsDrawDistinctIds() throws InterruptedException {
        Set<ConnectionId> seen = ConcurrentHashMap.newKeySet();
        List<Thread> threads = new ArrayList<>();
        int perThread = 5_000;
        for (int t = 0; t < 4; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    seen.add(ConnectionId.random(8));
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(4 * perThread, seen.size());
    }
}
