package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.T0;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Properties of the connection checked by {@link ConnectionFuzzTest} (Jazzer) and {@link ConnectionPropertyTest}
 * (seeded random): the receive path throws nothing but {@link QuicException} and a dropped datagram changes nothing;
 * a server never sends more than 3x what it received on an unvalidated path.
 */
final class ConnectionProperties {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();

    private ConnectionProperties() {
    }

    /**
     * Everything observable about a connection except the amplification and statistics counters; the idle timer's
     * start included (RFC 9000 §10.1: only a processed packet restarts it).
     */
    record Snapshot(ConnectionState state, String dcid, CloseError peerClose, boolean reset, boolean confirmed,
            List<Long> numbers, List<Boolean> keys, String token, String newToken, long idleTimerStart) {
        static Snapshot of(QuicConnection c) {
            List<Long> numbers = new ArrayList<>();
            List<Boolean> keys = new ArrayList<>();
            for (EncryptionLevel l : new EncryptionLevel[] {EncryptionLevel.INITIAL, EncryptionLevel.HANDSHAKE,
                    EncryptionLevel.ONE_RTT}) {
                numbers.add(c.largestReceived(l));
                numbers.add(c.largestAcknowledged(l));
                numbers.add(c.nextPacketNumber(l));
                numbers.add(c.cryptoBytesReceived(l));
                keys.add(c.hasTxKey(l));
            }
            return new Snapshot(c.state(), String.valueOf(c.destinationConnectionId()), c.peerCloseError(),
                    c.isStatelessReset(), c.isHandshakeConfirmed(), numbers, keys,
                    Arrays.toString(c.token()), Arrays.toString(c.newToken()), c.idleTimerStart());
        }
    }

    /** Connections in several states to throw bytes at, null crypto so that fuzzed bytes can authenticate. */
    static List<QuicConnection> targets() throws Exception {
        // one confirmed connection knows the transport parameters it sent, so stream limits apply to it
        QuicConnection limited = ConnectionFixtures.clientConfirmed(NULL);
        limited.setLocalTransportParameters(dev.quicj.core.tls.TransportParameters.builder().initialMaxStreamsBidi(2)
                .initialMaxStreamsUni(1).build());
        // one advertised grease_quic_bit, so it reads packets with the QUIC bit cleared (RFC 9287 §3)
        QuicConnection greased = ConnectionFixtures.clientConfirmed(NULL);
        greased.setLocalTransportParameters(dev.quicj.core.tls.TransportParameters.builder().greaseQuicBit(true)
                .build());
        return List.of(ConnectionFixtures.client(NULL), ConnectionFixtures.clientConfirmed(NULL), limited, greased,
                ConnectionFixtures.serverBuilder(NULL).build(T0), ConnectionFixtures.serverAllKeys(NULL));
    }

    /**
     * Feeds {@code datagram} to {@code c}: only {@link QuicException} may escape, with a code in range; a dropped
     * datagram or a rejected packet leaves every observable field unchanged; the input is not read past its limit.
     */
    static void receiveArbitrary(QuicConnection c, byte[] datagram) {
        Snapshot before = Snapshot.of(c);
        if (!receiveChecked(c, datagram, before)) {
            Snapshot after = Snapshot.of(c);
            if (!sameExceptKeysAndIds(before, after)) {
                throw new AssertionError("a rejected packet changed the connection:\n" + before + "\n" + after);
            }
        }
    }

    /**
     * Feeds a datagram of several packets to {@code c}: only {@link QuicException} may escape (with a code in range),
     * and a dropped datagram leaves every observable field unchanged. Unlike {@link #receiveArbitrary}, the state is
     * not compared after a throw: an earlier packet of the datagram may have been processed.
     */
    static void receiveCoalesced(QuicConnection c, byte[] datagram) {
        receiveChecked(c, datagram, Snapshot.of(c));
    }

    /**
     * Feeds a copy of {@code datagram} to {@code c} on its own path: only {@link QuicException} may escape, with a code
     * in range; a dropped datagram leaves the connection as {@code before}. False if a {@link QuicException} was
     * thrown.
     */
    private static boolean receiveChecked(QuicConnection c, byte[] datagram, Snapshot before) {
        NetworkPath path = c.role() == dev.quicj.core.Role.CLIENT ? CLIENT_PATH : SERVER_PATH;
        ReceiveStatus status;
        try {
            status = c.receive(ByteBuffer.wrap(datagram.clone()), path, T0 + 10);
        } catch (QuicException e) {
            if (e.errorCode() < 0 || e.errorCode() > TransportErrorCode.MAX_CODE) {
                throw new AssertionError("error code out of range: " + e);
            }
            return false;
        }
        Objects.requireNonNull(status);
        if (status == ReceiveStatus.DROPPED && !before.equals(Snapshot.of(c))) {
            throw new AssertionError("a dropped datagram changed the connection:\n" + before + "\n" + Snapshot.of(c));
        }
        return true;
    }

    /**
     * A packet that authenticated but broke the protocol may still install the server's Initial keys and the
     * connection IDs (the peer is real); its frames must have had no effect.
     */
    private static boolean sameExceptKeysAndIds(Snapshot a, Snapshot b) {
        return a.state() == b.state() || (a.state() == ConnectionState.SERVER_INITIAL
                && b.state() == ConnectionState.SERVER_WAIT_HANDSHAKE)
                ? a.numbers().equals(b.numbers()) && Objects.equals(a.peerClose(), b.peerClose())
                        && a.confirmed() == b.confirmed() && a.newToken().equals(b.newToken())
                : false;
    }

    /**
     * Drives a server through a random sequence of received datagrams (real client Initials, junk, duplicates),
     * handshake writes and a close, and checks that what it sent never exceeds 3x what it received while the path
     * is unvalidated.
     */
    static void amplification(RandomGenerator random, byte[] clientInitial) throws Exception {
        QuicConnection s = ConnectionFixtures.serverBuilder(NULL).build(T0);
        long received = 0;
        long sent = 0;
        long now = T0;
        int steps = 1 + random.nextInt(40);
        for (int i = 0; i < steps; i++) {
            now += random.nextInt(1_000_000);
            int op = random.nextInt(5);
            if (op == 0 || op == 1) {
                byte[] dg;
                if (op == 0) {
                    dg = clientInitial.clone();
                } else {
                    dg = new byte[1 + random.nextInt(1500)];
                    random.nextBytes(dg);
                }
                if (random.nextInt(4) == 0 && dg.length > 1) {
                    dg = Arrays.copyOf(dg, 1 + random.nextInt(dg.length - 1));
                }
                long before = s.pathBytesReceived();
                try {
                    s.receive(ByteBuffer.wrap(dg), SERVER_PATH, now);
                } catch (QuicException e) {
                    // a protocol error: the application would close; keep going to stress the writer
                }
                received += s.pathBytesReceived() - before;
            } else if (op == 2 && !s.state().isClosed() && s.hasTxKey(EncryptionLevel.INITIAL)) {
                s.submitCryptoData(EncryptionLevel.INITIAL, new byte[random.nextInt(4000)]);
            } else if (op == 3 && !s.state().isClosed()) {
                ByteBuffer out = ByteBuffer.allocate(1 + random.nextInt(1500));
                sent += s.writePacket(null, null, out, now);
            } else if (op == 4) {
                ByteBuffer out = ByteBuffer.allocate(1 + random.nextInt(1500));
                CloseError e = random.nextBoolean() ? CloseError.transport(random.nextInt(0x20))
                        : CloseError.application(random.nextInt(1000), "bye");
                if (s.writeConnectionClose(null, null, out, e, now) == CloseOutcome.WRITTEN) {
                    sent += out.position();
                }
            }
            if (!s.isPathValidated() && sent > 3 * received) {
                throw new AssertionError("sent " + sent + " bytes after receiving " + received);
            }
        }
    }
}
