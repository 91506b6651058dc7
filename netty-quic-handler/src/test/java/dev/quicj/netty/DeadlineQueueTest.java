package dev.quicj.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The handler's timer heap against a plain list model: random schedules, re-schedules, removals and polls, with
 * deadlines on both sides of the {@code long} wrap-around (ticker nanoseconds compare by difference).
 */
class DeadlineQueueTest {
    private static final long SEED = 0xdead11e5L;

    @Test
    void matchesAModelUnderRandomOperations() {
        SplittableRandom random = new SplittableRandom(SEED);
        ConnectionEntry[] pool = new ConnectionEntry[64];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = TestSupport.serverEntry(i);
        }
        DeadlineQueue q = new DeadlineQueue();
        List<ConnectionEntry> model = new ArrayList<>();
        // near the wrap-around: deadlines are compared by difference, never by value
        long now = Long.MAX_VALUE - 5_000;
        for (int step = 0; step < 200_000; step++) {
            int op = random.nextInt(10);
            ConnectionEntry e = pool[random.nextInt(pool.length)];
            if (op < 5) {
                long deadline = now + random.nextLong(0, 20_000);
                q.schedule(e, deadline);
                model.remove(e);
                model.add(e);
            } else if (op < 7) {
                q.remove(e);
                model.remove(e);
                assertEquals(-1, e.heapIndex);
            } else {
                now += random.nextLong(0, 3_000);
                ConnectionEntry polled;
                while ((polled = q.pollDue(now)) != null) {
                    final long t = now;
                    ConnectionEntry expected = model.stream().filter(m -> m.deadline - t <= 0)
                            .min(Comparator.comparingLong(m -> m.deadline - t)).orElse(null);
                    assertNotNull(expected, "polled although nothing was due at step " + step);
                    assertTrue(polled.deadline - now <= 0, "polled before its deadline at step " + step);
                    assertEquals(expected.deadline, polled.deadline, "not the earliest due entry at step " + step);
                    assertTrue(model.remove(polled));
                    assertEquals(-1, polled.heapIndex);
                }
                for (ConnectionEntry m : model) {
                    assertTrue(m.deadline - now > 0, "a due entry was left at step " + step);
                }
            }
            assertEquals(model.size(), q.size(), "size at step " + step);
            ConnectionEntry head = q.peek();
            if (model.isEmpty()) {
                assertNull(head);
            } else {
                final long t = now;
                long earliest = model.stream().mapToLong(m -> m.deadline - t).min().getAsLong();
                assertEquals(earliest, head.deadline - now, "peek at step " + step);
            }
            for (ConnectionEntry m : pool) {
                assertEquals(model.contains(m), m.heapIndex >= 0, "heap index of a queued entry at step " + step);
            }
        }
        q.clear();
        assertEquals(0, q.size());
        for (ConnectionEntry m : pool) {
            assertEquals(-1, m.heapIndex);
        }
    }

    @Test
    void growsForAFloodAndShrinksBack() {
        DeadlineQueue q = new DeadlineQueue();
        List<ConnectionEntry> all = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            ConnectionEntry e = TestSupport.serverEntry(i);
            all.add(e);
            // deadlines out of order
            q.schedule(e, (i * 7919L) % 5000);
        }
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < 5000; i++) {
            ConnectionEntry e = q.pollDue(5000);
            assertTrue(e.deadline >= previous, "in deadline order");
            previous = e.deadline;
        }
        assertNull(q.pollDue(Long.MAX_VALUE));
        assertTrue(q.isEmpty());
        // usable again after shrinking
        q.schedule(all.get(1), 10);
        q.schedule(all.get(0), 5);
        assertSame(all.get(0), q.pollDue(10));
        assertSame(all.get(1), q.pollDue(10));
    }
}
