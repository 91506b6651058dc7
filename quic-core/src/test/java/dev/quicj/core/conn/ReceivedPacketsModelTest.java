package dev.quicj.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * ReceivedPackets, the source of every ACK frame's ranges (RFC 9000 §13.2.3, §19.3), against a plain set of the
 * packet numbers received: random arrival orders with duplicates (never re-added: the receiver drops what
 * {@code contains}), dense and sparse. While the received numbers form at most MAX_RANGES ranges they must be
 * reported exactly; beyond that only the newest ranges are kept, each exactly as received, and everything older
 * counts as received (dropped as a duplicate, RFC 9000 §13.2.3 allows this), so a range that is reported is never
 * wrong and never has a hole a later packet could fill unseen.
 */
class ReceivedPacketsModelTest {
    private static final int SEQUENCES = 600;

    /** The ranges of a set of numbers, newest first, as {low, high}. */
    private static List<long[]> ranges(TreeSet<Long> set) {
        List<long[]> out = new ArrayList<>();
        for (Long pn : set.descendingSet()) {
            if (!out.isEmpty() && out.get(out.size() - 1)[0] == pn + 1) {
                out.get(out.size() - 1)[0] = pn;
            } else {
                out.add(new long[] {pn, pn});
            }
        }
        return out;
    }

    @Test
    void rangesMatchTheNumbersReceived() {
        long seed = Long.getLong("quicj.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int seq = 0; seq < SEQUENCES; seq++) {
            long sequenceSeed = random.nextLong();
            check(new Random(sequenceSeed), "seed " + seed + ", sequence " + seq + " (" + sequenceSeed + ")");
        }
    }

    private static void check(Random r, String where) {
        ReceivedPackets p = new ReceivedPackets();
        TreeSet<Long> received = new TreeSet<>();
        int span = 1 + r.nextInt(r.nextBoolean() ? 80 : 400);
        long base = r.nextInt(4) == 0 ? (1L << 62) - 1 - span : r.nextInt(3) == 0 ? 0 : r.nextInt(1 << 20);
        int steps = r.nextInt(300);
        long forgottenMax = -1;
        boolean overflowed = false;
        for (int step = 0; step < steps; step++) {
            long pn = base + r.nextInt(span);
            if (p.contains(pn)) {
                if (!received.contains(pn)) {
                    // only an old number can be taken for a duplicate: below every range kept
                    assertTrue(pn < p.low(p.rangeCount() - 1), where + ": " + pn + " wrongly a duplicate");
                    forgottenMax = Math.max(forgottenMax, pn);
                }
                continue;
            }
            assertFalse(received.contains(pn), where + ": " + pn + " received but not contained");
            p.add(pn);
            received.add(pn);
            List<long[]> model = ranges(received);
            int n = p.rangeCount();
            overflowed |= model.size() > ReceivedPackets.MAX_RANGES;
            assertTrue(n >= 1 && n <= ReceivedPackets.MAX_RANGES, where + ": " + n + " ranges");
            assertEquals(received.last(), p.largest(), where);
            for (int i = 0; i < n; i++) {
                assertTrue(p.low(i) <= p.high(i), where);
                if (i > 0) {
                    assertTrue(p.low(i - 1) > p.high(i) + 1, where + ": ranges touch or overlap");
                }
            }
            if (!overflowed) {
                assertEquals(model.size(), n, where + ": range count");
                assertEquals(-1, forgottenMax, where + ": nothing forgotten yet");
            }
            // the kept ranges are exactly the model's newest ones, except that the oldest kept may have lost
            // numbers below (never gained any)
            for (int i = 0; i < n; i++) {
                assertEquals(model.get(i)[1], p.high(i), where + ": high of range " + i);
                if (i < n - 1) {
                    assertEquals(model.get(i)[0], p.low(i), where + ": low of range " + i);
                } else {
                    assertTrue(p.low(i) >= model.get(i)[0], where + ": low of the oldest range");
                    for (long q = p.low(i); q <= p.high(i); q++) {
                        assertTrue(received.contains(q), where + ": " + q + " reported but never received");
                    }
                }
            }
            // nothing received is forgotten as unreceived
            for (long q : received) {
                assertTrue(p.contains(q), where + ": " + q + " lost");
            }
        }
    }
}
