package dev.quicj.netty;

import dev.quicj.core.ConnectionId;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;

/**
 * The handler's routing table: connection entries by connection ID, an open-addressing hash table with linear
 * probing and backward-shift deletion. Two properties a {@code HashMap<ConnectionId, ...>} lacks:
 * <ul>
 *   <li><b>Lookups straight from the datagram's bytes</b> ({@link #get(ByteBuffer, int, int)}): no
 *       {@code ConnectionId} object per routed datagram, no map node per registered ID.</li>
 *   <li><b>A keyed hash.</b> The keys include IDs the peer chose (a server connection is reachable by the client's
 *       original Destination Connection ID), and {@code ConnectionId.hashCode} is {@code Arrays.hashCode}, which
 *       anyone can make collide: a flood of Initials with colliding IDs would turn every lookup into a scan. Slots
 *       come from SipHash-1-3 under a random per-table key instead, so a peer cannot predict which IDs collide.</li>
 * </ul>
 * Confined to the event loop.
 */
final class ConnectionIdTable {
    private static final int MIN_CAPACITY = 16;
    private static final SecureRandom SEEDS = new SecureRandom();
    // SipHash reads its message words little-endian
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);

    private final long k0;
    private final long k1;
    private ConnectionId[] keys = new ConnectionId[MIN_CAPACITY];
    private ConnectionEntry[] values = new ConnectionEntry[MIN_CAPACITY];
    private int[] hashes = new int[MIN_CAPACITY];
    private int size;
    // the stored key's bytes, for hashing it without a copy
    private final ByteBuffer keyBytes = ByteBuffer.allocate(ConnectionId.MAX_LENGTH);

    /** A table with a random SipHash key. */
    ConnectionIdTable() {
        this(SEEDS.nextLong(), SEEDS.nextLong());
    }

    /** A table with the given SipHash key (tests). */
    ConnectionIdTable(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    int size() {
        return size;
    }

    /** The entry registered under {@code id}, or null. */
    ConnectionEntry get(ConnectionId id) {
        int h = hash(id);
        int mask = keys.length - 1;
        for (int i = h & mask; keys[i] != null; i = (i + 1) & mask) {
            if (hashes[i] == h && keys[i].equals(id)) {
                return values[i];
            }
        }
        return null;
    }

    /** The entry registered under the ID in {@code buf[offset, offset + length)} (absolute), or null. */
    ConnectionEntry get(ByteBuffer buf, int offset, int length) {
        int h = hash(buf.array(), buf.arrayOffset() + offset, length);
        int mask = keys.length - 1;
        for (int i = h & mask; keys[i] != null; i = (i + 1) & mask) {
            if (hashes[i] == h && keys[i].matches(buf, offset, length)) {
                return values[i];
            }
        }
        return null;
    }

    boolean containsKey(ConnectionId id) {
        return get(id) != null;
    }

    /** Registers {@code value} under {@code id}, replacing what was there; returns the entry replaced, or null. */
    ConnectionEntry put(ConnectionId id, ConnectionEntry value) {
        int h = hash(id);
        int mask = keys.length - 1;
        int i = h & mask;
        for (; keys[i] != null; i = (i + 1) & mask) {
            if (hashes[i] == h && keys[i].equals(id)) {
                ConnectionEntry old = values[i];
                values[i] = value;
                return old;
            }
        }
        keys[i] = id;
        values[i] = value;
        hashes[i] = h;
        size++;
        // at most half full: short probe sequences
        if (size > keys.length >>> 1) {
            resize(keys.length << 1);
        }
        return null;
    }

    /** Removes {@code id} if it is registered to {@code value}; true if it was. */
    boolean remove(ConnectionId id, ConnectionEntry value) {
        int h = hash(id);
        int mask = keys.length - 1;
        for (int i = h & mask; keys[i] != null; i = (i + 1) & mask) {
            if (hashes[i] == h && keys[i].equals(id)) {
                if (values[i] != value) {
                    return false;
                }
                deleteSlot(i);
                size--;
                // after a flood, give the arrays back once they are mostly empty
                if (keys.length > MIN_CAPACITY && size < keys.length >>> 3) {
                    resize(keys.length >>> 1);
                }
                return true;
            }
        }
        return false;
    }

    /** Linear probing's deletion: shifts the following entries of the cluster back so no probe stops early. */
    private void deleteSlot(int hole) {
        int mask = keys.length - 1;
        int i = hole;
        while (true) {
            i = (i + 1) & mask;
            if (keys[i] == null) {
                break;
            }
            int home = hashes[i] & mask;
            // the entry at i may move into the hole if its home slot is not in (hole, i] (cyclically)
            boolean homeBetween = hole <= i ? hole < home && home <= i : hole < home || home <= i;
            if (!homeBetween) {
                keys[hole] = keys[i];
                values[hole] = values[i];
                hashes[hole] = hashes[i];
                hole = i;
            }
        }
        keys[hole] = null;
        values[hole] = null;
        hashes[hole] = 0;
    }

    private void resize(int capacity) {
        ConnectionId[] oldKeys = keys;
        ConnectionEntry[] oldValues = values;
        int[] oldHashes = hashes;
        keys = new ConnectionId[capacity];
        values = new ConnectionEntry[capacity];
        hashes = new int[capacity];
        int mask = capacity - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldKeys[j] != null) {
                int i = oldHashes[j] & mask;
                while (keys[i] != null) {
                    i = (i + 1) & mask;
                }
                keys[i] = oldKeys[j];
                values[i] = oldValues[j];
                hashes[i] = oldHashes[j];
            }
        }
    }

    /** The number of slots (tests). */
    int capacity() {
        return keys.length;
    }

    /** The longest probe sequence a lookup of a registered ID takes (tests). */
    int maxProbeLength() {
        int mask = keys.length - 1;
        int max = 0;
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                max = Math.max(max, ((i - (hashes[i] & mask)) & mask) + 1);
            }
        }
        return max;
    }

    private int hash(ConnectionId id) {
        keyBytes.clear();
        id.writeTo(keyBytes);
        return hash(keyBytes.array(), 0, id.length());
    }

    private int hash(byte[] b, int offset, int length) {
        long h = sipHash(k0, k1, b, offset, length, 1, 3);
        return (int) (h ^ (h >>> 32));
    }

    /**
     * SipHash-c-d (Aumasson and Bernstein, "SipHash: a fast short-input PRF") of {@code b[offset, offset + length)}
     * under the key {@code (k0, k1)} (the 16 key bytes read as two little-endian longs, as the reference does). The
     * state lives in locals: no allocation.
     */
    static long sipHash(long k0, long k1, byte[] b, int offset, int length, int cRounds, int dRounds) {
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        int words = length >>> 3;
        // the whole 8-byte words, then the last word (the remaining bytes, the length in its top byte), then the
        // finalization: each a message word xored in around its rounds (none for the finalization)
        for (int n = 0; n <= words + 1; n++) {
            long m = 0;
            int rounds;
            if (n <= words) {
                int at = offset + 8 * n;
                if (n < words) {
                    m = (long) LONG_LE.get(b, at);
                } else {
                    for (int j = (length & 7) - 1; j >= 0; j--) {
                        m = m << 8 | (b[at + j] & 0xffL);
                    }
                    m |= (length & 0xffL) << 56;
                }
                v3 ^= m;
                rounds = cRounds;
            } else {
                v2 ^= 0xff;
                rounds = dRounds;
            }
            for (int r = 0; r < rounds; r++) {
                v0 += v1;
                v1 = Long.rotateLeft(v1, 13);
                v1 ^= v0;
                v0 = Long.rotateLeft(v0, 32);
                v2 += v3;
                v3 = Long.rotateLeft(v3, 16);
                v3 ^= v2;
                v0 += v3;
                v3 = Long.rotateLeft(v3, 21);
                v3 ^= v0;
                v2 += v1;
                v1 = Long.rotateLeft(v1, 17);
                v1 ^= v2;
                v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }
}
