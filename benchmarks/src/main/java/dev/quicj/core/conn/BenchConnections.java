package dev.quicj.core.conn;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicException;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.crypto.CipherSuite;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.packet.PacketWriter;
import dev.quicj.core.wire.PacketNumber;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The connections the benchmarks close, shaped like those of ngtcp2's reference benchmark
 * ({@code shared/bench/ngtcp2-close-bench.c}): a QUIC v1 client on 127.0.0.1:50000 talking to 127.0.0.1:443, an
 * 18-byte first DCID, a 17-byte SCID, a 371-byte stand-in ClientHello in its first Initial, and the transport close
 * 0x2 (CONNECTION_REFUSED) with the reason "bench close" written into a 1452-byte buffer.
 *
 * <p>Lives in {@code dev.quicj.core.conn} (a split package on the class path) for two package-private seams of
 * {@link QuicConnection}: {@code reopenAfterCloseForBenchmark}, which lets one connection write its close again, and
 * the {@code state} field, which {@link #clientWithInitialKeys} sets as the first Initial would.
 */
public final class BenchConnections {
    /** ngtcp2's {@code BUFLEN}: the destination buffer of every close. */
    public static final int BUFFER_LENGTH = 1452;
    /** The close of every benchmark, ngtcp2's default {@code ccerr}. */
    public static final CloseError ERROR = CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, "bench close");
    /** ngtcp2's first-DCID and SCID lengths. */
    public static final int DCID_LENGTH = 18;
    public static final int SCID_LENGTH = 17;

    static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 50000);
    static final InetSocketAddress REMOTE = new InetSocketAddress("127.0.0.1", 443);
    static final NetworkPath PATH = new NetworkPath(LOCAL, REMOTE);
    static final byte[] FAKE_CLIENT_HELLO = fakeClientHello();

    // fixed traffic secrets for the handshake and 1-RTT keys of a confirmed connection
    private static final CipherSuite SUITE = CipherSuite.TLS_AES_128_GCM_SHA256;
    private static final byte[] CLIENT_HANDSHAKE_SECRET = filled(0x11, 32);
    private static final byte[] SERVER_HANDSHAKE_SECRET = filled(0x22, 32);
    private static final byte[] CLIENT_1RTT_SECRET = filled(0x33, 32);
    private static final byte[] SERVER_1RTT_SECRET = filled(0x44, 32);

    private BenchConnections() {
    }

    /** ngtcp2-close-bench's {@code fake_client_hello}: 371 bytes, {@code i * 7 + 1}, the first one 0x01. */
    private static byte[] fakeClientHello() {
        byte[] b = new byte[371];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 7 + 1);
        }
        b[0] = 0x01;
        return b;
    }

    private static byte[] filled(int value, int length) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }

    /** A client connection in CLIENT_INITIAL: built, Initial keys derived, nothing written. */
    public static QuicConnection freshClient(Settings settings, ConnectionId dcid, ConnectionId scid, long now)
            throws CryptoException {
        return QuicConnection.clientBuilder().version(QuicVersion.V1).originalDestinationConnectionId(dcid)
                .sourceConnectionId(scid).path(PATH).settings(settings).build(now);
    }

    /**
     * A client that wrote its first Initial (1200 bytes, packet number 0) through the public API: what ngtcp2's
     * {@code conn_first} leaves behind.
     */
    public static QuicConnection clientAfterFirstInitial(Settings settings, ConnectionId dcid, ConnectionId scid,
            long now) throws CryptoException {
        QuicConnection c = freshClient(settings, dcid, scid, now);
        writeFirstInitial(c, ByteBuffer.allocate(BUFFER_LENGTH), now);
        return c;
    }

    /** Queues the stand-in ClientHello and writes the first Initial into {@code dest}; returns its length. */
    public static int writeFirstInitial(QuicConnection c, ByteBuffer dest, long now) throws CryptoException {
        c.submitCryptoData(EncryptionLevel.INITIAL, FAKE_CLIENT_HELLO);
        dest.clear();
        int n;
        try {
            n = c.writePacket(null, null, dest, now);
        } catch (QuicException e) {
            // AEAD_LIMIT_REACHED (RFC 9001 §6.6): never at Initial level, whose keys have no limit
            throw new IllegalStateException("first Initial refused: " + e, e);
        }
        if (n != 1200) {
            throw new IllegalStateException("first Initial is " + n + " bytes");
        }
        return n;
    }

    /**
     * A client holding Initial keys in the state its first Initial would have left it in (CLIENT_WAIT_HANDSHAKE,
     * Initial packet number 0 used), without writing that packet: the connection ngtcp2-close-bench's
     * {@code equiv_loop} closes (its {@code phase_first} is left out of that sum). Benchmark seam: sets the package
     * fields the first Initial would have set.
     */
    public static QuicConnection clientWithInitialKeys(Settings settings, ConnectionId dcid, ConnectionId scid,
            long now) throws CryptoException {
        QuicConnection c = freshClient(settings, dcid, scid, now);
        c.state = ConnectionState.CLIENT_WAIT_HANDSHAKE;
        c.setLastSentPacketNumberForTesting(EncryptionLevel.INITIAL, 0);
        return c;
    }

    /**
     * A confirmed client (AES-128-GCM handshake and 1-RTT keys from fixed secrets, handshake completed, HANDSHAKE_DONE
     * received in a 1-RTT packet from the server), reached through the public API.
     */
    public static QuicConnection confirmedClient(Settings settings, ConnectionId dcid, ConnectionId scid, long now)
            throws CryptoException, QuicException {
        QuicConnection c = clientAfterFirstInitial(settings, dcid, scid, now);
        c.installTxKey(EncryptionLevel.HANDSHAKE, SUITE, CLIENT_HANDSHAKE_SECRET);
        c.installRxKey(EncryptionLevel.HANDSHAKE, SUITE, SERVER_HANDSHAKE_SECRET);
        c.installTxKey(EncryptionLevel.ONE_RTT, SUITE, CLIENT_1RTT_SECRET);
        c.installRxKey(EncryptionLevel.ONE_RTT, SUITE, SERVER_1RTT_SECRET);
        c.handshakeCompleted();
        PacketProtection server = settings.cryptoProvider().newPacketProtection(QuicVersion.V1, SUITE,
                SERVER_1RTT_SECRET);
        ByteBuffer b = ByteBuffer.allocate(BUFFER_LENGTH);
        PacketWriter w = new PacketWriter();
        byte[] handshakeDone = {0x1e};
        if (!w.beginShort(b, 0, BUFFER_LENGTH, scid, 0, 0, PacketNumber.encodedLength(0, -1), server)
                || !w.writeFrameBytes(handshakeDone, 0, 1)) {
            throw new IllegalStateException("HANDSHAKE_DONE packet does not fit");
        }
        b.limit(w.finish(0));
        ReceiveStatus st = c.receive(b, new NetworkPath(LOCAL, REMOTE), now);
        if (st != ReceiveStatus.PROCESSED || !c.isHandshakeConfirmed()) {
            throw new IllegalStateException("HANDSHAKE_DONE not processed: " + st + " " + c.lastDropReason());
        }
        return c;
    }

    /** Undoes a written close (benchmark seam), so that {@code c} can write the same close again. */
    public static void reopen(QuicConnection c, ConnectionState as) {
        c.reopenAfterCloseForBenchmark(as);
    }

    /** ngtcp2-close-bench's xorshift64* generator: cheap, deterministic connection IDs. */
    public static final class Xorshift {
        private long state = 0x9e3779b97f4a7c15L;

        public long next() {
            long x = state;
            x ^= x >>> 12;
            x ^= x << 25;
            x ^= x >>> 27;
            state = x;
            return x * 0x2545f4914f6cdd1dL;
        }

        /** Fills {@code b} with the next bytes. */
        public void fill(byte[] b) {
            for (int i = 0; i < b.length; i += 8) {
                long v = next();
                for (int k = 0; k < 8 && i + k < b.length; k++) {
                    b[i + k] = (byte) (v >>> (8 * k));
                }
            }
        }

        /** A connection ID of {@code length} fresh bytes ({@code scratch} is overwritten; the ID copies it). */
        public ConnectionId connectionId(byte[] scratch) {
            fill(scratch);
            return ConnectionId.of(scratch);
        }
    }
}
