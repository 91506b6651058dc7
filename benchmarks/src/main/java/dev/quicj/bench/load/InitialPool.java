package dev.quicj.bench.load;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicException;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.crypto.CryptoException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * A pool of distinct, valid client Initials, generated before the load runs so that generating them is not what
 * limits the load: each is the 1200-byte first datagram of its own quic-core client connection (QUIC v1, a fresh
 * random 18-byte DCID and a 17-byte SCID that starts with the Initial's index in the pool, big-endian, and goes on at
 * random, a 371-byte stand-in ClientHello as Initial CRYPTO data, padded to 1200 bytes, protected with the Initial
 * keys of its DCID). The index lets the generator tell which Initial a reply answers ({@link #indexOfReply}). They live
 * back to back in one direct buffer, so sending one copies nothing and allocates nothing.
 *
 * <p>A {@link #cursor()} hands out each Initial once; callers that run past the end wrap around and can tell
 * ({@link #wrapped()}), since a repeated Initial is not a new connection for a server still holding it.
 */
public final class InitialPool {
    /** The length of every Initial in the pool. */
    public static final int DATAGRAM_LENGTH = 1200;
    private static final int DCID_LENGTH = 18;
    private static final int SCID_LENGTH = 17;

    private final ByteBuffer datagrams;
    private final int size;
    private final AtomicLong cursor = new AtomicLong();

    private InitialPool(ByteBuffer datagrams, int size) {
        this.datagrams = datagrams;
        this.size = size;
    }

    /**
     * Generates {@code size} Initials on all cores.
     *
     * @param seed the seed of the connection IDs (the same seed gives the same pool)
     */
    public static InitialPool generate(int size, long seed) {
        if (size < 1 || (long) size * DATAGRAM_LENGTH > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pool size out of range: " + size);
        }
        ByteBuffer all = ByteBuffer.allocateDirect(size * DATAGRAM_LENGTH);
        byte[] clientHello = new byte[371];
        for (int i = 0; i < clientHello.length; i++) {
            clientHello[i] = (byte) (i * 7 + 1);
        }
        clientHello[0] = 0x01;
        NetworkPath path = new NetworkPath(new InetSocketAddress("127.0.0.1", 50000),
                new InetSocketAddress("127.0.0.1", 4433));
        SplittableRandom root = new SplittableRandom(seed);
        long[] seeds = new long[size];
        for (int i = 0; i < size; i++) {
            seeds[i] = root.nextLong();
        }
        IntStream.range(0, size).parallel().forEach(i -> {
            SplittableRandom r = new SplittableRandom(seeds[i]);
            byte[] dcid = new byte[DCID_LENGTH];
            byte[] scid = new byte[SCID_LENGTH];
            r.nextBytes(dcid);
            r.nextBytes(scid);
            scid[0] = (byte) (i >>> 24);
            scid[1] = (byte) (i >>> 16);
            scid[2] = (byte) (i >>> 8);
            scid[3] = (byte) i;
            ByteBuffer slot = all.slice(i * DATAGRAM_LENGTH, DATAGRAM_LENGTH);
            try {
                QuicConnection c = QuicConnection.clientBuilder().version(QuicVersion.V1)
                        .originalDestinationConnectionId(ConnectionId.of(dcid))
                        .sourceConnectionId(ConnectionId.of(scid))
                        .path(path).build(0);
                c.submitCryptoData(EncryptionLevel.INITIAL, clientHello);
                int n = c.writePacket(null, null, slot, 0);
                if (n != DATAGRAM_LENGTH) {
                    throw new IllegalStateException("client Initial is " + n + " bytes");
                }
            } catch (CryptoException | QuicException e) {
                // a QuicException is AEAD_LIMIT_REACHED (RFC 9001 §6.6), which a first Initial never meets
                throw new IllegalStateException("cannot protect a client Initial", e);
            }
        });
        return new InitialPool(all, size);
    }

    /**
     * The pool index of the Initial a reply answers, from the first {@code length} bytes of {@code reply}: a QUIC v1
     * Initial packet (long header, Initial type, version 1) to the Initial's SCID (the server's CONNECTION_CLOSE), or
     * the start of the Initial itself (an echo, whole or cut short); -1 for anything else (a short header packet, a
     * Version Negotiation, Retry or Handshake packet, another version, a datagram too short to name an Initial).
     */
    public int indexOfReply(ByteBuffer reply, int length) {
        // form bit set, packet type Initial (0b00); the fixed bit is not checked (RFC 9287 lets it be greased)
        if (length < 10 || (reply.get(0) & 0xb0) != 0x80 || reply.getInt(1) != 1) {
            return -1;
        }
        int dcidLength = reply.get(5) & 0xff;
        int at;
        if (dcidLength == SCID_LENGTH) {
            at = 6;
        } else if (dcidLength == DCID_LENGTH && length >= 29 && (reply.get(24) & 0xff) == SCID_LENGTH) {
            at = 25;
        } else {
            return -1;
        }
        int index = reply.getInt(at);
        return index >= 0 && index < size ? index : -1;
    }

    /** How many distinct Initials the pool holds. */
    public int size() {
        return size;
    }

    /** Whether more Initials were handed out than the pool holds (some were then sent twice). */
    public boolean wrapped() {
        return cursor.get() > size;
    }

    /** How many Initials were handed out so far. */
    public long handedOut() {
        return cursor.get();
    }

    /** Starts handing out the Initials from the first one again (for the next server, which has seen none). */
    public void rewind() {
        cursor.set(0);
    }

    /** A per-thread reader of the pool; not thread-safe, the pool's cursor is. */
    public Cursor cursor() {
        return new Cursor();
    }

    /** Hands out Initials in batches from the shared cursor, each as a view of the pool's buffer. */
    public final class Cursor {
        private static final int BATCH = 64;
        private final ByteBuffer view = datagrams.duplicate();
        private long next;
        private long end;
        private int last = -1;

        private Cursor() {
        }

        /** Positions this cursor's view on the next Initial and returns it (valid until the next call). */
        public ByteBuffer next() {
            if (next == end) {
                next = cursor.getAndAdd(BATCH);
                end = next + BATCH;
            }
            int index = (int) (next++ % size);
            last = index;
            view.limit(index * DATAGRAM_LENGTH + DATAGRAM_LENGTH).position(index * DATAGRAM_LENGTH);
            return view;
        }

        /** The pool index of the Initial the last {@link #next()} returned. */
        public int lastIndex() {
            return last;
        }

        /** The pool this cursor reads. */
        public InitialPool pool() {
            return InitialPool.this;
        }
    }
}
