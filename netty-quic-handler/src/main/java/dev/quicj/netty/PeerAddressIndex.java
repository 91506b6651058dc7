package dev.quicj.netty;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;

/**
 * The handler's connections by the peer's address, for the one lookup that cannot go by connection ID: a Stateless
 * Reset, whose Destination Connection ID is random, is compared with the tokens "associated with the remote address
 * on which the datagram was received" (RFC 9000 §10.3.1). A hash table chained through the entries themselves
 * ({@link ConnectionEntry#peerNext}), so adding a connection allocates nothing; several connections may share an
 * address (a client's connections to one server). The hash is SipHash-1-3 of the address and port under a random
 * per-table key: the addresses are the peers', and {@code InetSocketAddress.hashCode} (address plus port) is easy to
 * make collide. Confined to the event loop.
 */
final class PeerAddressIndex {
    private static final int MIN_BUCKETS = 16;
    private static final SecureRandom SEEDS = new SecureRandom();

    private final long k0 = SEEDS.nextLong();
    private final long k1 = SEEDS.nextLong();
    private ConnectionEntry[] buckets = new ConnectionEntry[MIN_BUCKETS];
    private int size;
    // an address's 16 bytes at most, then its port
    private final byte[] keyBytes = new byte[18];
    // the entries the last find matched
    private ConnectionEntry[] found = new ConnectionEntry[4];

    int size() {
        return size;
    }

    /**
     * Adds {@code entry} under its peer's address, {@link ConnectionEntry#remoteAddress()}, which must not change
     * while it is indexed (a connection's path is fixed); nothing happens if it is in the index already.
     */
    void add(ConnectionEntry entry) {
        if (contains(entry)) {
            return;
        }
        int h = hash(entry.remoteAddress());
        entry.peerHash = h;
        int b = h & (buckets.length - 1);
        entry.peerNext = buckets[b];
        buckets[b] = entry;
        size++;
        // at most one entry per bucket on average
        if (size > buckets.length) {
            rehash(buckets.length << 1);
        }
    }

    /** Whether {@code entry} is in the index. */
    static boolean contains(ConnectionEntry entry) {
        return entry.peerHash != 0;
    }

    /** Removes {@code entry} if it is in the index; true if it was. */
    boolean remove(ConnectionEntry entry) {
        if (!contains(entry)) {
            return false;
        }
        int b = entry.peerHash & (buckets.length - 1);
        ConnectionEntry prev = null;
        ConnectionEntry e = buckets[b];
        while (e != null && e != entry) {
            prev = e;
            e = e.peerNext;
        }
        if (e == null) {
            return false;
        }
        if (prev == null) {
            buckets[b] = e.peerNext;
        } else {
            prev.peerNext = e.peerNext;
        }
        entry.peerNext = null;
        entry.peerHash = 0;
        size--;
        // after a flood, give the array back once it is mostly empty
        if (buckets.length > MIN_BUCKETS && size < buckets.length >>> 3) {
            rehash(buckets.length >>> 1);
        }
        return true;
    }

    /**
     * Finds the entries indexed under {@code peer}; they are then {@link #found(int) found(0)} to {@code found(n - 1)}
     * until {@link #forgetFound()}, which the caller calls when done, also while the index changes in between.
     *
     * @return how many there are
     */
    int find(InetSocketAddress peer) {
        if (size == 0) {
            return 0;
        }
        int h = hash(peer);
        int n = 0;
        for (ConnectionEntry e = buckets[h & (buckets.length - 1)]; e != null; e = e.peerNext) {
            if (e.peerHash == h && peer.equals(e.remoteAddress())) {
                if (n == found.length) {
                    ConnectionEntry[] bigger = new ConnectionEntry[n << 1];
                    System.arraycopy(found, 0, bigger, 0, n);
                    found = bigger;
                }
                found[n++] = e;
            }
        }
        return n;
    }

    /**
     * Drops the entries of the last {@link #find}, once they were looked at: the index must not keep an entry (and
     * its connection) alive after the handler freed it.
     */
    void forgetFound() {
        for (int i = 0; i < found.length && found[i] != null; i++) {
            found[i] = null;
        }
    }

    /** How many entries the index holds outside its table, from a {@link #find} not yet forgotten (tests). */
    int heldFound() {
        int n = 0;
        for (ConnectionEntry e : found) {
            n += e != null ? 1 : 0;
        }
        return n;
    }

    /** The number of buckets (tests). */
    int bucketCount() {
        return buckets.length;
    }

    /** How many buckets hold at least one entry (tests). */
    int usedBuckets() {
        int n = 0;
        for (ConnectionEntry head : buckets) {
            n += head != null ? 1 : 0;
        }
        return n;
    }

    /** The {@code i}th entry of the last {@link #find}. */
    ConnectionEntry found(int i) {
        return found[i];
    }

    private void rehash(int capacity) {
        ConnectionEntry[] old = buckets;
        buckets = new ConnectionEntry[capacity];
        int mask = capacity - 1;
        for (ConnectionEntry head : old) {
            for (ConnectionEntry e = head; e != null; ) {
                ConnectionEntry next = e.peerNext;
                int b = e.peerHash & mask;
                e.peerNext = buckets[b];
                buckets[b] = e;
                e = next;
            }
        }
    }

    /**
     * The keyed hash of an address and port, never 0: its top bit is set, which no bucket index uses (the low bits pick
     * the bucket); allocates nothing for IPv4.
     */
    private int hash(InetSocketAddress peer) {
        InetAddress address = peer.getAddress();
        int n;
        if (address instanceof Inet4Address) {
            // Inet4Address.hashCode is its 32-bit address
            int a = address.hashCode();
            keyBytes[0] = (byte) (a >>> 24);
            keyBytes[1] = (byte) (a >>> 16);
            keyBytes[2] = (byte) (a >>> 8);
            keyBytes[3] = (byte) a;
            n = 4;
        } else if (address != null) {
            byte[] a = address.getAddress();
            System.arraycopy(a, 0, keyBytes, 0, a.length);
            n = a.length;
        } else {
            // unresolved: the host name's hash stands for the address
            int a = peer.getHostString().hashCode();
            keyBytes[0] = (byte) (a >>> 24);
            keyBytes[1] = (byte) (a >>> 16);
            keyBytes[2] = (byte) (a >>> 8);
            keyBytes[3] = (byte) a;
            n = 4;
        }
        int port = peer.getPort();
        keyBytes[n] = (byte) (port >>> 8);
        keyBytes[n + 1] = (byte) port;
        long h = ConnectionIdTable.sipHash(k0, k1, keyBytes, 0, n + 2, 1, 3);
        // never 0: a hash of 0 marks an entry that is not in the index; the top bit, not the lowest, which picks the
        // bucket and, always set, would leave every even bucket empty
        return (int) (h ^ (h >>> 32)) | Integer.MIN_VALUE;
    }
}
