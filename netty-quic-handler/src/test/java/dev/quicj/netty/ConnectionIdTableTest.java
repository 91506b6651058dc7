package dev.quicj.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The handler's routing table: SipHash against published outputs, the table against a {@code HashMap} model under
 * random operations, lookups from datagram bytes, and IDs built to collide under {@code ConnectionId.hashCode}.
 */
class ConnectionIdTableTest {
    private static final long SEED = 0xc1d7ab1eL;

    private static byte[] counting(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    @Test
    void sipHash24MatchesTheReferenceVectors() {
        // the SipHash paper's key 00 01 .. 0f and messages 00 01 .. (n-1): vectors.h of the reference code
        long k0 = 0x0706050403020100L;
        long k1 = 0x0f0e0d0c0b0a0908L;
        assertEquals(0x726fdb47dd0e0e31L, ConnectionIdTable.sipHash(k0, k1, counting(0), 0, 0, 2, 4));
        assertEquals(0xa129ca6149be45e5L, ConnectionIdTable.sipHash(k0, k1, counting(15), 0, 15, 2, 4));
    }

    @Test
    void sipHash13MatchesCPythonsBytesHash() {
        // CPython's bytes hash is SipHash-1-3, with an all-zero key under PYTHONHASHSEED=0:
        // PYTHONHASHSEED=0 python3 -c "print(hash(bytes(range(n))) & (2**64-1))"
        assertEquals(Long.parseUnsignedLong("4952851536318644461"),
                ConnectionIdTable.sipHash(0, 0, new byte[] {1}, 0, 1, 1, 3));
        assertEquals(Long.parseUnsignedLong("16921169381604339434"),
                ConnectionIdTable.sipHash(0, 0, counting(8), 0, 8, 1, 3));
        assertEquals(Long.parseUnsignedLong("17514137373579004394"),
                ConnectionIdTable.sipHash(0, 0, counting(15), 0, 15, 1, 3));
        assertEquals(Long.parseUnsignedLong("7178233520606413056"),
                ConnectionIdTable.sipHash(0, 0, counting(20), 0, 20, 1, 3));
        // an offset into a larger array hashes the same bytes
        byte[] padded = new byte[25];
        System.arraycopy(counting(20), 0, padded, 3, 20);
        assertEquals(Long.parseUnsignedLong("7178233520606413056"),
                ConnectionIdTable.sipHash(0, 0, padded, 3, 20, 1, 3));
    }

    @Test
    void matchesAHashMapUnderRandomOperations() {
        SplittableRandom random = new SplittableRandom(SEED);
        ConnectionIdTable table = new ConnectionIdTable(random.nextLong(), random.nextLong());
        Map<ConnectionId, ConnectionEntry> model = new HashMap<>();
        List<ConnectionId> ids = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            byte[] b = new byte[random.nextInt(0, ConnectionId.MAX_LENGTH + 1)];
            random.nextBytes(b);
            ids.add(ConnectionId.of(b));
        }
        ConnectionEntry[] values = {TestSupport.serverEntry(0x0708), TestSupport.serverEntry(0x0708), TestSupport.serverEntry(0x0708)};
        ByteBuffer datagram = ByteBuffer.allocate(64);
        for (int step = 0; step < 100_000; step++) {
            ConnectionId id = ids.get(random.nextInt(ids.size()));
            ConnectionEntry v = values[random.nextInt(values.length)];
            int op = random.nextInt(3);
            if (op == 0) {
                assertSame(model.put(id, v), table.put(id, v), "put at step " + step);
            } else if (op == 1) {
                boolean expected = model.get(id) == v;
                if (expected) {
                    model.remove(id);
                }
                assertEquals(expected, table.remove(id, v), "remove at step " + step);
            } else {
                assertSame(model.get(id), table.get(id), "get at step " + step);
                // the same lookup from a datagram's bytes at some offset
                int offset = random.nextInt(0, 40);
                datagram.clear();
                datagram.position(offset);
                id.writeTo(datagram);
                assertSame(model.get(id), table.get(datagram, offset, id.length()), "get from bytes at step " + step);
            }
            assertEquals(model.size(), table.size(), "size at step " + step);
        }
        for (ConnectionId id : ids) {
            assertSame(model.get(id), table.get(id));
            assertEquals(model.containsKey(id), table.containsKey(id));
        }
        // empty it: the arrays shrink, the table still works
        for (Map.Entry<ConnectionId, ConnectionEntry> e : model.entrySet()) {
            assertTrue(table.remove(e.getKey(), e.getValue()));
        }
        assertEquals(0, table.size());
        assertNull(table.get(ids.get(0)));
        assertNull(table.put(ids.get(0), values[0]));
        assertSame(values[0], table.get(ids.get(0)));
    }

    /**
     * A table of a few slots, where probe clusters often run across the end of the array: backward-shift deletion
     * must leave an entry whose home slot is at the start of the array (cyclically after the hole) where it is. The
     * model test above, with hundreds of IDs in a large table, rarely deletes across the wrap.
     */
    @Test
    void matchesAHashMapWhenClustersWrapAroundTheEndOfASmallTable() {
        SplittableRandom random = new SplittableRandom(SEED + 1);
        ConnectionEntry v = TestSupport.serverEntry(0x0708);
        for (int round = 0; round < 200; round++) {
            ConnectionIdTable table = new ConnectionIdTable(random.nextLong(), random.nextLong());
            Map<ConnectionId, ConnectionEntry> model = new HashMap<>();
            List<ConnectionId> ids = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                byte[] b = new byte[8];
                random.nextBytes(b);
                ids.add(ConnectionId.of(b));
            }
            for (int step = 0; step < 500; step++) {
                ConnectionId id = ids.get(random.nextInt(ids.size()));
                if (random.nextBoolean()) {
                    assertSame(model.put(id, v), table.put(id, v), "put in round " + round + " step " + step);
                } else {
                    assertEquals(model.remove(id) != null, table.remove(id, v),
                            "remove in round " + round + " step " + step);
                }
                for (ConnectionId each : ids) {
                    assertSame(model.get(each), table.get(each), "get in round " + round + " step " + step);
                }
            }
        }
    }

    @Test
    void idsMadeToCollideUnderTheirHashCodeDoNotCollideInTheTable() {
        // 8-byte IDs whose Arrays.hashCode is the same: in each byte pair, +1 on the first and -31 on the second
        List<ConnectionId> colliding = new ArrayList<>();
        int[] steps = {0, 1, 2, 3, 4, 5, 6, 7};
        for (int a : steps) {
            for (int b : steps) {
                for (int c : steps) {
                    for (int d : steps) {
                        byte[] id = {(byte) a, (byte) (120 - 31 * a), (byte) b, (byte) (120 - 31 * b),
                            (byte) c, (byte) (120 - 31 * c), (byte) d, (byte) (120 - 31 * d)};
                        colliding.add(ConnectionId.of(id));
                    }
                }
            }
        }
        Set<Integer> hashCodes = new HashSet<>();
        for (ConnectionId id : colliding) {
            hashCodes.add(id.hashCode());
        }
        assertEquals(1, hashCodes.size(), "the IDs do collide under ConnectionId.hashCode");
        assertEquals(4096, new HashSet<>(colliding).size());

        ConnectionIdTable table = new ConnectionIdTable();
        ConnectionEntry v = TestSupport.serverEntry(0x0708);
        for (ConnectionId id : colliding) {
            assertNull(table.put(id, v));
        }
        for (ConnectionId id : colliding) {
            assertSame(v, table.get(id));
        }
        assertTrue(table.maxProbeLength() < 64, "probe length " + table.maxProbeLength() + " for 4096 IDs");
        for (ConnectionId id : colliding) {
            assertTrue(table.remove(id, v));
            assertFalse(table.containsKey(id));
        }
        assertEquals(0, table.size());
    }
}
