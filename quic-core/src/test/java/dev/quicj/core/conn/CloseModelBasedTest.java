package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_HANDSHAKE_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_HANDSHAKE_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.SUITE;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.InitialSecrets;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.packet.PacketWriter;
import dev.quicj.core.tls.TransportParameters;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Model-based, seeded-random test of {@link QuicConnection#writeConnectionClose} over random sequences of the public
 * API (keys installed in any order, handshake completion and confirmation, peer packets in every space with ACKs,
 * PING, HANDSHAKE_DONE or CONNECTION_CLOSE, a Retry, ordinary writes, peer transport parameters, path size, ECN,
 * buffers of any size, closes of every type, a second close, receiving after the close), for both roles, QUIC v1 and
 * v2, JCA and null crypto. After every step the connection is compared with an independent model written from
 * close-spec §1.2/§1.3 (order of checks, outcomes), §2 (decision tables), §3 (sizing, padding, amplification), §4
 * (wire format), §5 (state) and §6 (packet numbers), and every datagram is opened with {@link IndependentQuic} (JCA
 * alone) or, under null crypto, read as plain bytes: levels and their order, header fields, packet numbers and their
 * length, the close frame byte for byte followed by PADDING only, and every packet's exact length.
 *
 * <p>The seed is printed; {@code -Dquicj.seed=N} repeats a run, {@code -Dquicj.sequences=N} sets how many sequences,
 * {@code -Dquicj.sequenceSeed=N} runs the single sequence a failure names.
 */
class CloseModelBasedTest {
    private static final int I = 0;
    private static final int H = 1;
    private static final int A = 2;
    private static final EncryptionLevel[] LEVELS = {
        EncryptionLevel.INITIAL, EncryptionLevel.HANDSHAKE, EncryptionLevel.ONE_RTT
    };
    private static final long T0 = ConnectionFixtures.T0;
    private static final byte[] APPLICATION_ERROR_FRAME = {0x1c, 0x0c, 0x00, 0x00};
    // what the run covered: close outcomes and the level sequences of the datagrams written
    private static final java.util.Map<String, Integer> COVERAGE = new java.util.TreeMap<>();

    static void count(String what) {
        COVERAGE.merge(what, 1, Integer::sum);
    }

    @Test
    void randomSequencesMatchTheModel() {
        String single = System.getProperty("quicj.sequenceSeed");
        if (single != null) {
            new Run(Long.parseLong(single)).runAndReport("single sequence");
            return;
        }
        long seed = Long.getLong("quicj.seed", System.nanoTime());
        int sequences = Integer.getInteger("quicj.sequences", 400);
        System.out.println("CloseModelBasedTest seed " + seed + " (repeat with -Dquicj.seed=" + seed + ")");
        Random master = new Random(seed);
        for (int i = 0; i < sequences; i++) {
            new Run(master.nextLong()).runAndReport("seed " + seed + " sequence #" + i);
        }
        System.out.println("CloseModelBasedTest coverage " + COVERAGE);
    }

    /** One random sequence: the model, the real connection, and the peer that crafts packets. */
    static final class Run {
        final long sequenceSeed;
        final Random rnd;
        final StringBuilder log = new StringBuilder();
        long now = T0;

        // configuration
        boolean server;
        QuicVersion version;
        boolean nullCrypto;
        Settings settings;
        ConnectionId odcid;
        ConnectionId clientScid;
        ConnectionId serverScid;
        ConnectionId retryScid;
        byte[] token;
        long firstPn;
        int maxTx;
        boolean noShaping;
        int pathMax = 1200;
        long peerMax;

        // model state
        ConnectionState state;
        final boolean[] txKey = new boolean[3];
        final boolean[] rxKey = new boolean[3];
        final boolean[] discarded = new boolean[3];
        boolean completed;
        boolean confirmed;
        final long[] next = new long[3];
        final long[] largestAcked = {-1, -1, -1};
        final long[] largestSent = {-1, -1, -1};
        final long[] peerNext = new long[3];
        long recv;
        long sent;
        boolean validated;
        ConnectionId dcid;
        boolean peerScidKnown;
        boolean retried;
        EcnState ecn = EcnState.TESTING;
        final List<long[]> held = new ArrayList<>();
        boolean closedHere;

        QuicConnection c;

        Run(long sequenceSeed) {
            this.sequenceSeed = sequenceSeed;
            this.rnd = new Random(sequenceSeed);
        }

        void runAndReport(String where) {
            try {
                run();
            } catch (Throwable t) {
                throw new AssertionError(where + " failed (-Dquicj.sequenceSeed=" + sequenceSeed + ")\nsteps:\n"
                        + log + "\n=> " + t, t);
            }
        }

        void step(String s) {
            log.append("  ").append(s).append('\n');
        }

        ConnectionId randomCid(int min, int max) {
            byte[] b = new byte[min + rnd.nextInt(max - min + 1)];
            rnd.nextBytes(b);
            return ConnectionId.of(b);
        }

        ConnectionId ownScid() {
            return server ? serverScid : clientScid;
        }

        void run() throws Exception {
            server = rnd.nextBoolean();
            version = rnd.nextInt(3) == 0 ? QuicVersion.V2 : QuicVersion.V1;
            nullCrypto = rnd.nextInt(4) == 0;
            odcid = randomCid(8, 20);
            clientScid = randomCid(rnd.nextInt(6) == 0 ? 0 : 1, 20);
            serverScid = randomCid(1, 20);
            firstPn = rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(4) == 0 ? rnd.nextInt(Integer.MAX_VALUE)
                    : rnd.nextInt(70000);
            maxTx = rnd.nextBoolean() ? 1452 : 1200 + rnd.nextInt(400);
            noShaping = rnd.nextInt(4) == 0;
            Settings.Builder sb = Settings.builder().initialPacketNumber(firstPn).maxTxUdpPayloadSize(maxTx)
                    .udpPayloadShaping(noShaping ? Settings.UdpPayloadShaping.NO_SHAPING
                            : Settings.UdpPayloadShaping.SHAPE_TO_PATH);
            if (nullCrypto) {
                sb.cryptoProvider(CryptoProvider.nullCrypto());
            }
            settings = sb.build();
            Arrays.fill(next, firstPn);
            step((server ? "server" : "client") + " " + version + (nullCrypto ? " null-crypto" : " jca")
                    + " odcid=" + odcid + " cscid=" + clientScid + " sscid=" + serverScid + " firstPn=" + firstPn
                    + " maxTx=" + maxTx + (noShaping ? " NO_SHAPING" : ""));
            if (server) {
                QuicConnection.ServerBuilder b = QuicConnection.serverBuilder().version(version)
                        .sourceConnectionId(serverScid).path(SERVER_PATH).settings(settings);
                if (rnd.nextInt(5) == 0) {
                    b.validatedToken(new byte[] {1, 2, 3});
                    validated = true;
                    step("  built with a validated token");
                }
                c = b.build(now);
                state = ConnectionState.SERVER_INITIAL;
                dcid = null;
            } else {
                QuicConnection.ClientBuilder b = QuicConnection.clientBuilder().version(version)
                        .originalDestinationConnectionId(odcid).sourceConnectionId(clientScid).path(CLIENT_PATH)
                        .settings(settings);
                if (rnd.nextInt(5) == 0) {
                    token = new byte[1 + rnd.nextInt(rnd.nextBoolean() ? 10 : 100)];
                    rnd.nextBytes(token);
                    b.token(token);
                    step("  built with a token of " + token.length);
                }
                c = b.build(now);
                state = ConnectionState.CLIENT_INITIAL;
                txKey[I] = true;
                rxKey[I] = true;
                dcid = odcid;
            }
            compareState();
            int steps = 8 + rnd.nextInt(30);
            for (int i = 0; i < steps; i++) {
                now += rnd.nextInt(3) * 1000L;
                randomStep();
                compareState();
            }
            // always end with a close attempt, then a second one
            closeStep();
            compareState();
            closeStep();
            compareState();
        }

        // ------------------------------------------------------------------------------------------------------
        // steps

        void randomStep() throws Exception {
            int r = rnd.nextInt(100);
            if (r >= 75 && rnd.nextInt(4) != 0) {
                // closes end most of the interest: keep them to about 6% of the steps
                r = rnd.nextInt(75);
            }
            if (r < 14 || r < 40 && !server && state == ConnectionState.CLIENT_INITIAL) {
                // a server spends its amplification budget with several writes in a row
                for (int k = server ? 1 + rnd.nextInt(4) : 1; k > 0; k--) {
                    writeStep();
                    compareState();
                }
            } else if (r < 30) {
                installStep();
            } else if (r < 35) {
                completeStep();
            } else if (r < 60) {
                peerPacketStep();
            } else if (r < 63) {
                retryStep();
            } else if (r < 67) {
                long size = rnd.nextBoolean() ? 1200 + rnd.nextInt(400) : 65527;
                step("setPeerTransportParameters max_udp_payload_size=" + size);
                c.setPeerTransportParameters(TransportParameters.builder().maxUdpPayloadSize(size).build());
                peerMax = size;
            } else if (r < 70) {
                int size = 1200 + rnd.nextInt(400);
                step("setPathMaxUdpPayloadSize " + size);
                c.setPathMaxUdpPayloadSize(size);
                pathMax = size;
            } else if (r < 73) {
                ecn = EcnState.values()[rnd.nextInt(EcnState.values().length)];
                step("setEcnState " + ecn);
                c.setEcnState(ecn);
            } else if (r < 75) {
                step("installTxKey ZERO_RTT");
                expectThrows(IllegalArgumentException.class,
                        () -> c.installTxKey(EncryptionLevel.ZERO_RTT, SUITE, CLIENT_1RTT_SECRET));
                check(!c.hasTxKey(EncryptionLevel.ZERO_RTT), "no 0-RTT key");
            } else {
                closeStep();
            }
        }

        void installStep() throws Exception {
            int level = 1 + rnd.nextInt(2);
            boolean tx = rnd.nextBoolean();
            if (server && state == ConnectionState.SERVER_INITIAL && rnd.nextInt(4) != 0) {
                // keys before the first client Initial are rare
                return;
            }
            byte[] secret = ((level == H) == true)
                    ? ((tx == server) ? SERVER_HANDSHAKE_SECRET : CLIENT_HANDSHAKE_SECRET)
                    : ((tx == server) ? SERVER_1RTT_SECRET : CLIENT_1RTT_SECRET);
            step("install" + (tx ? "Tx" : "Rx") + "Key " + LEVELS[level]);
            boolean[] keys = tx ? txKey : rxKey;
            if (state.isClosed()) {
                if (tx) {
                    c.installTxKey(LEVELS[level], SUITE, secret);
                } else {
                    c.installRxKey(LEVELS[level], SUITE, secret);
                }
                return;
            }
            if (discarded[level] || keys[level]) {
                expectThrows(IllegalStateException.class, () -> {
                    if (tx) {
                        c.installTxKey(LEVELS[level], SUITE, secret);
                    } else {
                        c.installRxKey(LEVELS[level], SUITE, secret);
                    }
                });
                return;
            }
            if (tx) {
                c.installTxKey(LEVELS[level], SUITE, secret);
            } else {
                c.installRxKey(LEVELS[level], SUITE, secret);
            }
            keys[level] = true;
        }

        void completeStep() throws Exception {
            step("handshakeCompleted");
            if (completed || state.isClosed()) {
                c.handshakeCompleted();
                return;
            }
            if (!txKey[A]) {
                expectThrows(IllegalStateException.class, c::handshakeCompleted);
                return;
            }
            c.handshakeCompleted();
            completed = true;
            state = ConnectionState.POST_HANDSHAKE;
            if (server) {
                confirm();
            }
            // the 1-RTT packets held until now (RFC 9001 §5.7)
            List<long[]> h = new ArrayList<>(held);
            held.clear();
            for (long[] p : h) {
                if (state.isClosed()) {
                    break;
                }
                if (!rxKey[A]) {
                    continue;
                }
                applyPeerEffects(A, p[0], p[1] != 0, p[2] != 0);
            }
        }

        void confirm() {
            confirmed = true;
            discarded[I] = true;
            discarded[H] = true;
        }

        boolean txUsable(int level) {
            return txKey[level] && !discarded[level];
        }

        // ------------------------------------------------------------------------------------------------------
        // ordinary writes

        void writeStep() throws Exception {
            int level = !server && state == ConnectionState.CLIENT_INITIAL && rnd.nextInt(4) != 0 ? I
                    : rnd.nextInt(3);
            if (state.isClosed()) {
                step("writePacket while " + state);
                expectThrows(IllegalStateException.class,
                        () -> c.writePacket(null, null, ByteBuffer.allocate(1500), now));
                return;
            }
            if (server && dcid == null) {
                // a server that read no client Initial has no DCID to write to (see the report: not modelled)
                return;
            }
            if (discarded[level]) {
                step("submitCryptoData " + LEVELS[level] + " (discarded)");
                expectThrows(IllegalStateException.class,
                        () -> c.submitCryptoData(LEVELS[level], new byte[10]));
                return;
            }
            int n = 1 + rnd.nextInt(rnd.nextBoolean() ? 50 : 1500);
            int buf = rnd.nextInt(4) == 0 ? 600 + rnd.nextInt(900) : 1500;
            step("submitCryptoData " + LEVELS[level] + " " + n + " + writePacket buf=" + buf);
            c.submitCryptoData(LEVELS[level], new byte[n]);
            long budget = budget();
            ByteBuffer dest = ByteBuffer.allocate(buf);
            int written = c.writePacket(null, null, dest, now);
            check(dest.position() == written, "position");
            if (written == 0) {
                return;
            }
            check(written <= shaped(buf) && written <= budget, "writePacket of " + written + " within shaped "
                    + shaped(buf) + " and budget " + budget);
            byte[] dg = Arrays.copyOf(dest.array(), written);
            List<Packet> packets = parse(dg, true);
            boolean wroteInitial = false;
            boolean wroteHandshake = false;
            for (Packet p : packets) {
                check(txUsable(p.level), "writePacket used " + LEVELS[p.level] + " without a usable key");
                checkPacketNumber(p, "writePacket");
                largestSent[p.level] = next[p.level];
                next[p.level]++;
                wroteInitial |= p.level == I;
                wroteHandshake |= p.level == H;
            }
            if (!server && wroteInitial) {
                check(written >= 1200, "a client datagram with an Initial is at least 1200 bytes: " + written);
            }
            if (server) {
                sent += written;
                if (state == ConnectionState.SERVER_INITIAL) {
                    state = ConnectionState.SERVER_WAIT_HANDSHAKE;
                }
            } else {
                if (wroteInitial && state == ConnectionState.CLIENT_INITIAL) {
                    state = ConnectionState.CLIENT_WAIT_HANDSHAKE;
                }
                if (wroteHandshake) {
                    // RFC 9001 §4.9.1
                    discarded[I] = true;
                }
            }
            step("  wrote " + written + " bytes: " + packets);
        }

        // ------------------------------------------------------------------------------------------------------
        // the peer

        void retryStep() throws Exception {
            if (server || retried || peerScidKnown || state != ConnectionState.CLIENT_WAIT_HANDSHAKE
                    || txKey[H] || txKey[A] || rxKey[H] || rxKey[A]) {
                return;
            }
            ConnectionId newScid;
            do {
                newScid = randomCid(1, 20);
            } while (newScid.equals(odcid));
            byte[] t = new byte[1 + rnd.nextInt(rnd.nextBoolean() ? 16 : 120)];
            rnd.nextBytes(t);
            step("receive Retry scid=" + newScid + " token " + t.length);
            byte[] retry = ConnectionFixtures.retryPacket(version, clientScid, newScid, t, odcid);
            ReceiveStatus st = c.receive(ByteBuffer.wrap(retry), CLIENT_PATH, now);
            check(st == ReceiveStatus.RETRY, "Retry status " + st);
            retried = true;
            retryScid = newScid;
            dcid = newScid;
            token = t;
            state = ConnectionState.CLIENT_INITIAL;
        }

        ConnectionId initialKeyDcid() {
            return retryScid != null ? retryScid : odcid;
        }

        PacketProtection peerProtection(int level) throws Exception {
            CryptoProvider p = settings.cryptoProvider();
            if (level == I) {
                return server ? InitialSecrets.clientProtection(p, version, initialKeyDcid().toByteArray())
                        : InitialSecrets.serverProtection(p, version, initialKeyDcid().toByteArray());
            }
            byte[] secret = level == H ? (server ? CLIENT_HANDSHAKE_SECRET : SERVER_HANDSHAKE_SECRET)
                    : (server ? CLIENT_1RTT_SECRET : SERVER_1RTT_SECRET);
            return p.newPacketProtection(version, SUITE, secret);
        }

        /** A packet from the peer at {@code level}, with an ACK of {@code ack} (or none), PING, HANDSHAKE_DONE... */
        byte[] peerPacket(int level, long ack, boolean ping, boolean handshakeDone, boolean close, int minLength)
                throws Exception {
            ByteArrayOutputStream f = new ByteArrayOutputStream();
            if (ack >= 0) {
                f.write(0x02);
                writeVarint(f, ack);
                f.write(0);
                f.write(0);
                f.write(0);
            }
            if (ping) {
                f.write(0x01);
            }
            if (handshakeDone) {
                f.write(0x1e);
            }
            if (close) {
                f.write(new byte[] {0x1c, 0x0a, 0x00, 0x02, 'n', 'o'});
            }
            if (f.size() == 0) {
                f.write(0x01);
            }
            byte[] frames = f.toByteArray();
            long pn = peerNext[level]++;
            ByteBuffer b = ByteBuffer.allocate(1500);
            PacketWriter w = new PacketWriter();
            int pnLength = pn < 128 ? 1 : 2;
            ConnectionId to = server ? serverScid : clientScid;
            ConnectionId from = server ? clientScid : serverScid;
            if (server && level == I && rnd.nextBoolean()) {
                to = odcid;
            }
            if (server && dcid == null) {
                to = odcid;
            }
            boolean begun = level == A ? w.beginShort(b, 0, 1500, to, 0, pn, pnLength, peerProtection(level))
                    : w.beginLong(b, 0, 1500, version, level == I ? LongPacketType.INITIAL
                            : LongPacketType.HANDSHAKE, to, from, null, pn, pnLength, peerProtection(level));
            if (!begun || !w.writeFrameBytes(frames, 0, frames.length)) {
                throw new AssertionError("peer packet does not fit");
            }
            int n = w.finish(minLength);
            return Arrays.copyOf(b.array(), n);
        }

        void peerPacketStep() throws Exception {
            int level = rnd.nextInt(3);
            boolean closed = state.isClosed();
            if (!server && level == I && state == ConnectionState.CLIENT_INITIAL && !closed) {
                return;
            }
            boolean fresh = server && dcid == null;
            if (fresh && !closed) {
                // the client's first Initial (anything else is not attributed to a fresh server)
                level = I;
            }
            long ack = rnd.nextBoolean() && largestSent[level] >= 0 ? largestSent[level] : -1;
            boolean ping = rnd.nextBoolean();
            boolean handshakeDone = !server && level == A && rnd.nextInt(3) == 0;
            boolean peerClose = rnd.nextInt(25) == 0;
            int minLength = 0;
            if (server && level == I) {
                minLength = rnd.nextInt(6) == 0 ? 1100 : 1200;
            }
            byte[] dg = peerPacket(level, ack, ping, handshakeDone, peerClose, minLength);
            step("receive peer " + LEVELS[level] + " (" + dg.length + " bytes) ack=" + ack + (ping ? " PING" : "")
                    + (handshakeDone ? " HANDSHAKE_DONE" : "") + (peerClose ? " CONNECTION_CLOSE" : ""));
            ReceiveStatus st = c.receive(ByteBuffer.wrap(dg), server ? SERVER_PATH : CLIENT_PATH, now);
            if (closed) {
                check(st == (state == ConnectionState.CLOSING ? ReceiveStatus.CLOSING : ReceiveStatus.DRAINING),
                        "receive while " + state + ": " + st);
                if (server && state == ConnectionState.CLOSING) {
                    recv += dg.length;
                }
                return;
            }
            ReceiveStatus expected;
            boolean process;
            if (fresh) {
                // a fresh server: only a >= 1200-byte Initial opens the connection and counts (not once the
                // Initial space was discarded by a handshake completed out of order: nothing opens then)
                process = dg.length >= 1200 && !discarded[I];
                if (process) {
                    recv += dg.length;
                    txKey[I] = true;
                    rxKey[I] = true;
                    dcid = clientScid;
                    peerScidKnown = true;
                    if (state == ConnectionState.SERVER_INITIAL) {
                        state = ConnectionState.SERVER_WAIT_HANDSHAKE;
                    }
                }
            } else {
                if (server) {
                    recv += dg.length;
                }
                process = rxKey[level] && !discarded[level];
                if (level == I && server && dg.length < 1200) {
                    process = false;
                }
                if (level == A && !completed) {
                    // held until the handshake completes (RFC 9001 §5.7)
                    if (held.size() < 8) {
                        held.add(new long[] {ack, handshakeDone ? 1 : 0, peerClose ? 1 : 0});
                    }
                    process = false;
                }
            }
            expected = process ? ReceiveStatus.PROCESSED : ReceiveStatus.DROPPED;
            if (process) {
                if (!server && level != A && !peerScidKnown) {
                    // RFC 9000 §7.2: the client moves to the server's SCID
                    peerScidKnown = true;
                    dcid = serverScid;
                }
                if (server && level == H) {
                    // RFC 9000 §8.1 and RFC 9001 §4.9.1
                    validated = true;
                    discarded[I] = true;
                }
                applyPeerEffects(level, ack, handshakeDone, peerClose);
                if (state == ConnectionState.DRAINING) {
                    expected = ReceiveStatus.DRAINING;
                }
            }
            check(st == expected, "receive status " + st + ", model " + expected + " (" + c.lastDropReason()
                    + ")");
        }

        void applyPeerEffects(int level, long ack, boolean handshakeDone, boolean peerClose) {
            if (ack >= 0) {
                largestAcked[level] = Math.max(largestAcked[level], ack);
            }
            if (handshakeDone && completed && !confirmed) {
                confirm();
            }
            if (peerClose) {
                state = ConnectionState.DRAINING;
            }
        }

        // ------------------------------------------------------------------------------------------------------
        // the close and its model

        long budget() {
            return server && !validated ? Math.max(0, 3 * recv - sent) : Long.MAX_VALUE;
        }

        int shaped(int buf) {
            long d = buf;
            // a server's view of the client's parameters takes effect with its 1-RTT transmit key, as ngtcp2's
            // pending_transport_params
            if (peerMax > 0 && (!server || txKey[A])) {
                d = Math.min(d, peerMax);
            }
            d = Math.min(d, maxTx);
            if (!noShaping) {
                d = Math.min(d, pathMax);
            }
            return (int) d;
        }

        CloseError randomError() {
            int t = rnd.nextInt(20);
            if (t == 0) {
                return new CloseError[] {CloseError.idleClose(), CloseError.versionNegotiation(),
                    CloseError.dropConnection(), CloseError.retry()}[rnd.nextInt(4)];
            }
            long code = randomVarintValue();
            int reasonLength;
            int k = rnd.nextInt(10);
            if (k < 4) {
                reasonLength = 0;
            } else if (k < 6) {
                reasonLength = 1 + rnd.nextInt(10);
            } else if (k < 8) {
                reasonLength = 55 + rnd.nextInt(20);
            } else {
                reasonLength = rnd.nextInt(1400);
            }
            byte[] reason = new byte[reasonLength];
            for (int i = 0; i < reasonLength; i++) {
                reason[i] = (byte) ('a' + rnd.nextInt(26));
            }
            if (t < 11) {
                long frameType = rnd.nextBoolean() ? 0 : randomVarintValue();
                return CloseError.transport(code, frameType, reason);
            }
            return CloseError.application(code, reason);
        }

        long randomVarintValue() {
            switch (rnd.nextInt(5)) {
                case 0:
                    return rnd.nextInt(64);
                case 1:
                    return rnd.nextInt(16384);
                case 2:
                    return rnd.nextInt(1 << 30);
                case 3:
                    return rnd.nextLong() >>> 2;
                default:
                    return new long[] {0, 63, 64, 16383, 16384, (1L << 30) - 1, 1L << 30, (1L << 62) - 1}[rnd
                            .nextInt(8)];
            }
        }

        int randomBuffer() {
            switch (rnd.nextInt(10)) {
                case 0:
                    return rnd.nextInt(30);
                case 1:
                    return 30 + rnd.nextInt(60);
                case 2:
                    return 90 + rnd.nextInt(1110);
                case 3:
                    return 1200;
                case 4:
                    return 2000;
                case 5:
                    return 65527;
                default:
                    return 1500;
            }
        }

        /** One packet the model expects the close to carry, before fitting. */
        record Planned(int level, byte[] frame) {
        }

        static byte[] frame(boolean application, long code, long frameType, byte[] reason) {
            ByteArrayOutputStream f = new ByteArrayOutputStream();
            f.write(application ? 0x1d : 0x1c);
            writeVarint(f, code);
            if (!application) {
                writeVarint(f, frameType);
            }
            writeVarint(f, reason.length);
            f.write(reason, 0, reason.length);
            return f.toByteArray();
        }

        /** close-spec §2.1: the transport algorithm's write part for {@code top}. */
        void transportPart(int top, byte[] frame, List<Planned> out) {
            if (!confirmed && top != I) {
                if (server && txUsable(I)) {
                    out.add(new Planned(I, frame));
                }
                if (top != H && txUsable(H)) {
                    out.add(new Planned(H, frame));
                }
            }
            out.add(new Planned(top, frame));
        }

        int pnLength(int level, long pn) {
            // close-spec §6: d = next - largest_acked; m = 2d - 1
            long d = pn - largestAcked[level];
            if (d > ((1L << 62) - 1) / 2) {
                return 4;
            }
            long m = 2 * d - 1;
            return m > 0xFFFFFF ? 4 : m > 0xFFFF ? 3 : m > 0xFF ? 2 : 1;
        }

        int pnOffset(int level) {
            if (level == A) {
                return 1 + dcid.length();
            }
            int n = 1 + 4 + 1 + dcid.length() + 1 + ownScid().length() + 4;
            if (level == I) {
                int t = !server && token != null ? token.length : 0;
                n += varintLength(t) + t;
            }
            return n;
        }

        /** The length the packet takes in {@code room}, or 0 if it does not fit (close-spec §3.3, §3.4). */
        int fit(Planned p, int room) {
            int pnOffset = pnOffset(p.level);
            if (room < pnOffset + 4 + 16) {
                return 0;
            }
            int natural = pnOffset + pnLength(p.level, next[p.level]) + p.frame.length + 16;
            if (natural > room) {
                return 0;
            }
            int min;
            if (p.level == I && !server) {
                min = noShaping ? maxTx : 1200;
            } else {
                min = Math.max(ownScid().length() + 22, pnOffset + 20);
            }
            return Math.max(natural, Math.min(min, room));
        }

        /** The result of the model: an outcome and, when WRITTEN, the packets with their lengths. */
        record Expected(CloseOutcome outcome, List<Planned> packets, List<Integer> lengths, boolean filled) {
        }

        Expected model(CloseError e, int buf) {
            // §1.2 step 2, 3 (unreachable here), 4
            if (e.type() != CloseError.Type.TRANSPORT && e.type() != CloseError.Type.APPLICATION) {
                return new Expected(CloseOutcome.NOTHING_TO_WRITE, List.of(), List.of(), false);
            }
            if (state == ConnectionState.CLIENT_INITIAL) {
                return new Expected(CloseOutcome.INVALID_STATE, List.of(), List.of(), false);
            }
            if (state.isClosed()) {
                return new Expected(CloseOutcome.NOTHING_TO_WRITE, List.of(), List.of(), false);
            }
            // steps 5-8
            int shaped = shaped(buf);
            int capped = (int) Math.min(shaped, budget());
            // step 9: no key at all (project decision 3 for the application close)
            // a server that has read no client Initial knows no address for the peer, whatever keys were
            // installed out of order (close-spec §2.3 first row, project decision 3)
            if (!txUsable(I) && !txUsable(H) && !txUsable(A) || dcid == null) {
                return new Expected(CloseOutcome.INVALID_STATE, List.of(), List.of(), true);
            }
            boolean application = e.type() == CloseError.Type.APPLICATION;
            List<Planned> inner = new ArrayList<>();
            List<Planned> outer = new ArrayList<>();
            if (!application) {
                byte[] f = frame(false, e.errorCode(), e.frameType(), e.reason());
                int top = state == ConnectionState.POST_HANDSHAKE || server && txUsable(A) ? A
                        : txUsable(H) ? H : I;
                transportPart(top, f, inner);
            } else {
                if (!confirmed) {
                    transportPart(txUsable(H) ? H : I, APPLICATION_ERROR_FRAME, inner);
                }
                if (!(state != ConnectionState.POST_HANDSHAKE && (!server || !txUsable(A)))) {
                    outer.add(new Planned(A, frame(true, e.errorCode(), 0, e.reason())));
                }
            }
            List<Planned> written = new ArrayList<>();
            List<Integer> lengths = new ArrayList<>();
            int total = place(inner, capped, 0, written, lengths);
            boolean innerOnly = application && !confirmed;
            if (!(innerOnly && total == 0)) {
                total = place(outer, capped, total, written, lengths);
            }
            if (total == 0) {
                // NOBUF: the budget's fault only if a packet (probed alone, in the same order) fits the shaped room
                boolean budgetShort = false;
                if (capped < shaped) {
                    List<Planned> probe = new ArrayList<>(inner);
                    if (!innerOnly) {
                        probe.addAll(outer);
                    }
                    for (Planned p : probe) {
                        if (txUsable(p.level) && fit(p, shaped) > 0) {
                            budgetShort = true;
                        }
                    }
                }
                return new Expected(budgetShort ? CloseOutcome.NOBUF_AMPLIFICATION_LIMIT
                        : CloseOutcome.NOBUF_BUFFER_TOO_SMALL, List.of(), List.of(), true);
            }
            return new Expected(CloseOutcome.WRITTEN, written, lengths, true);
        }

        int place(List<Planned> planned, int capped, int total, List<Planned> written, List<Integer> lengths) {
            for (Planned p : planned) {
                if (!txUsable(p.level)) {
                    continue;
                }
                int len = fit(p, capped - total);
                if (len > 0) {
                    written.add(p);
                    lengths.add(len);
                    total += len;
                }
            }
            return total;
        }

        void closeStep() throws Exception {
            CloseError e = randomError();
            int buf = randomBuffer();
            int offset = rnd.nextInt(4) == 0 ? rnd.nextInt(40) : 0;
            step("writeConnectionClose " + e.type() + " code=0x" + Long.toHexString(e.errorCode())
                    + (e.frameType() != 0 ? " ft=0x" + Long.toHexString(e.frameType()) : "") + " reason="
                    + e.reasonLength() + " buf=" + buf + " (state " + state + ", budget " + budget() + ", keys tx="
                    + Arrays.toString(txKey) + " discarded=" + Arrays.toString(discarded) + " confirmed="
                    + confirmed + ")");
            Expected x = model(e, buf);
            byte[] backing = new byte[offset + buf + 16];
            Arrays.fill(backing, (byte) 0x5a);
            ByteBuffer dest = ByteBuffer.wrap(backing);
            dest.position(offset).limit(offset + buf);
            PathInfo pathInfo = new PathInfo();
            PacketInfo packetInfo = new PacketInfo();
            CloseOutcome outcome = c.writeConnectionClose(pathInfo, packetInfo, dest, e, now);
            count((server ? "S " : "C ") + outcome + (outcome == CloseOutcome.WRITTEN ? " " + e.type().name()
                    .charAt(0) + describe(x).replaceAll("/[0-9]+", "") : ""));
            check(outcome == x.outcome, "outcome " + outcome + ", model " + x.outcome);
            if (x.filled) {
                check((server ? SERVER_PATH : CLIENT_PATH).equals(pathInfo.path()), "path filled");
                Ecn want = outcome == CloseOutcome.WRITTEN && ecn == EcnState.CAPABLE ? Ecn.ECT_0 : Ecn.NOT_ECT;
                check(packetInfo.ecn() == want, "ecn " + packetInfo.ecn() + ", model " + want);
            } else {
                check(pathInfo.path() == null && packetInfo.ecn() == null, "path/pi untouched");
            }
            for (int i = 0; i < offset; i++) {
                check(backing[i] == 0x5a, "byte before the position written");
            }
            for (int i = offset + buf; i < backing.length; i++) {
                check(backing[i] == 0x5a, "byte past the limit written");
            }
            if (outcome != CloseOutcome.WRITTEN) {
                check(dest.position() == offset, "position unchanged");
                return;
            }
            int total = x.lengths.stream().mapToInt(Integer::intValue).sum();
            check(dest.position() == offset + total, "datagram length " + (dest.position() - offset) + ", model "
                    + total + " " + describe(x));
            byte[] dg = Arrays.copyOfRange(backing, offset, offset + total);
            List<Packet> packets = parse(dg, false);
            check(packets.size() == x.packets.size(), "packets " + packets + ", model " + describe(x));
            for (int i = 0; i < packets.size(); i++) {
                Packet p = packets.get(i);
                Planned want = x.packets.get(i);
                String where = "packet " + i + " " + p + " model " + LEVELS[want.level];
                check(p.level == want.level, where);
                check(p.length == x.lengths.get(i), where + " length " + p.length + ", model " + x.lengths.get(i));
                checkPacketNumber(p, where);
                byte[] payload = p.payload;
                check(payload.length >= want.frame.length
                        && Arrays.equals(Arrays.copyOf(payload, want.frame.length), want.frame),
                        where + " frame " + HexFormat.of().formatHex(payload).substring(0,
                                Math.min(payload.length * 2, 40)) + ", model "
                                + HexFormat.of().formatHex(want.frame).substring(0,
                                        Math.min(want.frame.length * 2, 40)));
                for (int j = want.frame.length; j < payload.length; j++) {
                    check(payload[j] == 0, where + " non-PADDING after the frame");
                }
            }
            for (Planned p : x.packets) {
                next[p.level]++;
            }
            state = ConnectionState.CLOSING;
            closedHere = true;
            step("  closed with " + total + " bytes: " + packets);
        }

        String describe(Expected x) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < x.packets.size(); i++) {
                sb.append(LEVELS[x.packets.get(i).level]).append('/').append(x.lengths.get(i)).append(' ');
            }
            return sb.append(']').toString();
        }

        void checkPacketNumber(Packet p, String where) {
            long pn = next[p.level];
            int len = pnLength(p.level, pn);
            check(p.pnLength == len, where + ": pn length " + p.pnLength + ", model " + len + " (pn " + pn
                    + ", largest acked " + largestAcked[p.level] + ")");
            long mask = len == 4 ? 0xffffffffL : (1L << (8 * len)) - 1;
            check(p.truncatedPn == (pn & mask), where + ": pn " + p.truncatedPn + ", model " + pn);
        }

        // ------------------------------------------------------------------------------------------------------
        // the independent reader

        /** One packet read from a datagram. */
        record Packet(int level, int length, int pnLength, long truncatedPn, byte[] payload) {
            @Override
            public String toString() {
                return LEVELS[level] + "/" + length + "/pn" + truncatedPn;
            }
        }

        IndependentQuic.Keys ownKeys(int level) throws Exception {
            int v = version == QuicVersion.V2 ? IndependentQuic.V2 : IndependentQuic.V1;
            if (level == I) {
                return IndependentQuic.initialKeys(v, initialKeyDcid().toByteArray(), server);
            }
            byte[] secret = level == H ? (server ? SERVER_HANDSHAKE_SECRET : CLIENT_HANDSHAKE_SECRET)
                    : (server ? SERVER_1RTT_SECRET : CLIENT_1RTT_SECRET);
            return IndependentQuic.keys(v, secret);
        }

        List<Packet> parse(byte[] dg, boolean allowZeroTail) throws Exception {
            List<Packet> out = new ArrayList<>();
            int p = 0;
            int vWire = version == QuicVersion.V2 ? IndependentQuic.V2 : IndependentQuic.V1;
            while (p < dg.length) {
                int first = dg[p] & 0xff;
                if (allowZeroTail && first == 0) {
                    for (int i = p; i < dg.length; i++) {
                        check(dg[i] == 0, "the datagram tail is zeros");
                    }
                    break;
                }
                check((first & 0x40) != 0, "fixed bit at " + p);
                boolean longHeader = (first & 0x80) != 0;
                int level;
                int end;
                int pnOffset;
                if (longHeader) {
                    int q = p + 1;
                    int v = (dg[q] & 0xff) << 24 | (dg[q + 1] & 0xff) << 16 | (dg[q + 2] & 0xff) << 8
                            | (dg[q + 3] & 0xff);
                    check(v == vWire, "version field");
                    q += 4;
                    int dl = dg[q++] & 0xff;
                    check(Arrays.equals(Arrays.copyOfRange(dg, q, q + dl), dcid.toByteArray()), "long DCID");
                    q += dl;
                    int sl = dg[q++] & 0xff;
                    check(Arrays.equals(Arrays.copyOfRange(dg, q, q + sl), ownScid().toByteArray()), "long SCID");
                    q += sl;
                    int type = (first >> 4) & 3;
                    int initialBits = version == QuicVersion.V2 ? 1 : 0;
                    int handshakeBits = version == QuicVersion.V2 ? 3 : 2;
                    check(type == initialBits || type == handshakeBits, "long packet type " + type);
                    level = type == initialBits ? I : H;
                    if (level == I) {
                        long tl = IndependentQuic.varint(dg, q);
                        q += IndependentQuic.varintLength(dg[q]);
                        byte[] t = Arrays.copyOfRange(dg, q, q + (int) tl);
                        byte[] want = !server && token != null ? token : new byte[0];
                        check(Arrays.equals(t, want), "Initial token");
                        q += (int) tl;
                    }
                    // §4.2: the 4-byte Length form
                    check((dg[q] & 0xc0) == 0x80, "4-byte Length field");
                    long len = IndependentQuic.varint(dg, q);
                    q += 4;
                    pnOffset = q;
                    end = q + (int) len;
                } else {
                    check(Arrays.equals(Arrays.copyOfRange(dg, p + 1, p + 1 + dcid.length()), dcid.toByteArray()),
                            "short DCID");
                    level = A;
                    pnOffset = p + 1 + dcid.length();
                    end = dg.length;
                }
                check(end <= dg.length, "packet within the datagram");
                int firstPlain;
                int pnLength;
                long truncated;
                byte[] payload;
                if (nullCrypto) {
                    firstPlain = first;
                    pnLength = (first & 3) + 1;
                    truncated = 0;
                    for (int i = 0; i < pnLength; i++) {
                        truncated = truncated << 8 | (dg[pnOffset + i] & 0xff);
                    }
                    payload = Arrays.copyOfRange(dg, pnOffset + pnLength, end - 16);
                    for (int i = end - 16; i < end; i++) {
                        check(dg[i] == 0, "null-crypto tag");
                    }
                } else {
                    byte[] packet = Arrays.copyOfRange(dg, 0, end);
                    IndependentQuic.Opened o = IndependentQuic.open(packet, p, ownKeys(level), dcid.length(),
                            next[level] - 1);
                    firstPlain = o.firstByte();
                    pnLength = (firstPlain & 3) + 1;
                    long mask = pnLength == 4 ? 0xffffffffL : (1L << (8 * pnLength)) - 1;
                    truncated = o.pn() & mask;
                    payload = o.payload();
                }
                if (longHeader) {
                    // reserved bits 0
                    check((firstPlain & 0x0c) == 0, "long header reserved bits");
                } else {
                    // spin 0, reserved 0, key phase 0
                    check((firstPlain & 0x3c) == 0, "short header bits " + Integer.toHexString(firstPlain));
                }
                out.add(new Packet(level, end - p, pnLength, truncated, payload));
                if (!longHeader) {
                    check(end == dg.length, "the short header is last");
                }
                p = end;
            }
            return out;
        }

        // ------------------------------------------------------------------------------------------------------
        // the connection against the model after every step

        void compareState() {
            check(c.state() == state, "state " + c.state() + ", model " + state);
            boolean closed = state.isClosed();
            for (int l = 0; l < 3; l++) {
                boolean want = !closed && txUsable(l);
                check(c.hasTxKey(LEVELS[l]) == want, "hasTxKey " + LEVELS[l] + " " + c.hasTxKey(LEVELS[l])
                        + ", model " + want);
                check(c.nextPacketNumber(LEVELS[l]) == next[l], "next pn " + LEVELS[l] + " "
                        + c.nextPacketNumber(LEVELS[l]) + ", model " + next[l]);
                check(c.largestAcknowledged(LEVELS[l]) == largestAcked[l], "largest acked " + LEVELS[l]);
            }
            check(c.isHandshakeCompleted() == completed, "completed");
            check(c.isHandshakeConfirmed() == confirmed, "confirmed");
            if (dcid != null) {
                check(dcid.equals(c.destinationConnectionId()), "dcid " + c.destinationConnectionId() + ", model "
                        + dcid);
            }
            if (server) {
                check(c.isPathValidated() == validated, "validated");
                check(c.pathBytesReceived() == recv, "bytes received " + c.pathBytesReceived() + ", model " + recv);
                check(c.pathBytesSent() == sent, "bytes sent " + c.pathBytesSent() + ", model " + sent);
                check(c.amplificationBudget() == budget(), "budget");
            }
        }
    }

    // ----------------------------------------------------------------------------------------------------------

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    interface Action {
        void run() throws Exception;
    }

    static void expectThrows(Class<? extends Throwable> type, Action a) {
        try {
            a.run();
        } catch (Throwable t) {
            if (type.isInstance(t)) {
                return;
            }
            throw new AssertionError("expected " + type.getSimpleName() + ", got " + t, t);
        }
        throw new AssertionError("expected " + type.getSimpleName());
    }

    static int varintLength(long v) {
        return v < 64 ? 1 : v < 16384 ? 2 : v < (1L << 30) ? 4 : 8;
    }

    static void writeVarint(ByteArrayOutputStream out, long v) {
        int n = varintLength(v);
        int prefix = n == 1 ? 0 : n == 2 ? 0x40 : n == 4 ? 0x80 : 0xc0;
        for (int i = n - 1; i >= 0; i--) {
            int b = (int) (v >>> (8 * i)) & 0xff;
            if (i == n - 1) {
                b |= prefix;
            }
            out.write(b);
        }
    }
}
