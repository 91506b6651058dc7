package dev.quicj.core.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.Role;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.CloseOutcome;
import dev.quicj.core.conn.CryptoDataListener;
import dev.quicj.core.conn.IndependentQuic;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.conn.ReceiveStatus;
import dev.quicj.core.conn.Settings;
import dev.quicj.core.conn.StatelessClose;
import dev.quicj.core.crypto.CipherSuite;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.tls.TransportParameters;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What the {@code Libngtcp2*VectorsTest} classes share: the vectors libngtcp2 0.12.1 wrote (the resource
 * {@code libngtcp2-0.12.1-close-vectors.txt}, one case a line, {@link #VECTORS} and {@link #vector}), and the
 * builders that make our side of a case from the inputs its line names: the client, server, Retry and key-update
 * connections and their closes ({@link #ours}), the readers of the peer's hostile datagrams ({@link #hostile},
 * {@link #hostileReader}), the handshakes by hand ({@link #serverHandshake}, {@link #client1rttConnection},
 * {@link #firstInitialWritten}), the peer's transport parameters ({@link #peerParameters}) and the openers of the
 * captured packets ({@link IndependentQuic}). The harness, how the resource is regenerated, its determinism and the
 * deliberate differences are described on {@link Libngtcp2CloseVectorsTest}.
 */
final class Libngtcp2Vectors {
    static final String RESOURCE = "libngtcp2-0.12.1-close-vectors.txt";
    static final long T0 = 1_000_000_000L;
    static final NetworkPath CLIENT_PATH = new NetworkPath(new InetSocketAddress("127.0.0.1", 50000),
            new InetSocketAddress("127.0.0.1", 443));
    static final NetworkPath SERVER_PATH = new NetworkPath(CLIENT_PATH.remote(), CLIENT_PATH.local());
    static final Map<String, Map<String, String>> VECTORS = load();

    private Libngtcp2Vectors() {
    }

    /** What our side made of one case: the datagram (or the outcome) and what it wrote before. */
    record Ours(CloseOutcome outcome, String datagram, String first, String preOut, QuicConnection conn) {
    }

    static Map<String, Map<String, String>> load() {
        Map<String, Map<String, String>> m = new LinkedHashMap<>();
        InputStream in = Objects.requireNonNull(Libngtcp2Vectors.class.getResourceAsStream(RESOURCE),
                RESOURCE);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null;) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split(" ");
                Map<String, String> fields = new LinkedHashMap<>();
                for (int i = 1; i < parts.length; i++) {
                    int eq = parts[i].indexOf('=');
                    fields.putIfAbsent(parts[i].substring(0, eq), parts[i].substring(eq + 1));
                }
                m.put(parts[0], fields);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return m;
    }

    static Map<String, String> vector(String name) {
        return Objects.requireNonNull(VECTORS.get(name), () -> "no case " + name + " in " + RESOURCE);
    }

    static byte[] reason(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) ('a' + i % 26);
        }
        return b;
    }

    static CloseError error(Map<String, String> f) {
        long code = Long.parseUnsignedLong(f.get("code").substring(2), 16);
        byte[] reason = reason(Integer.parseInt(f.get("reasonlen")));
        return f.get("type").equals("app") ? CloseError.application(code, reason)
                : CloseError.transport(code, 0, reason);
    }

    static String hex(ByteBuffer b) {
        return Hex.encode(Arrays.copyOf(b.array(), b.position()));
    }

    static Ours client(Map<String, String> f, ByteBuffer dest) throws Exception {
        Settings.Builder settings = Settings.builder();
        if (f.get("shaping").equals("off")) {
            settings.udpPayloadShaping(Settings.UdpPayloadShaping.NO_SHAPING);
        }
        QuicConnection c = firstInitialWritten(f, settings);
        CloseOutcome o = c.writeConnectionClose(null, null, dest, error(f), T0);
        return new Ours(o, hex(dest), f.get("first"), null, c); // first: compared in firstInitialWritten
    }

    /** Decodes the peer's transport parameters from {@code hex}, checks them and sets them on {@code c}. */
    static void peerParameters(QuicConnection c, String hex) throws Exception {
        TransportParameters tp = TransportParameters.decode(ByteBuffer.wrap(Hex.decode(hex)),
                c.role() == Role.SERVER ? Role.CLIENT : Role.SERVER);
        c.checkPeerTransportParameters(tp);
        c.setPeerTransportParameters(tp);
    }

    static Ours server(Map<String, String> f, ByteBuffer dest) throws Exception {
        // greasing always, where it applies: the client's parameters (tp) advertise grease_quic_bit, but a server
        // with no 1-RTT key keeps the QUIC bit whatever its draw, as libngtcp2 (which applies the peer's parameters
        // when its 1-RTT transmit key is installed: RFC 9287 §3 lets an endpoint choose when it greases)
        Settings settings = Settings.builder().quicBitGreasing(Settings.QuicBitGreasing.ALWAYS).build();
        QuicConnection s = QuicConnection.serverBuilder().version(QuicVersion.V1)
                .sourceConnectionId(ConnectionId.fromHex(f.get("sscid"))).path(SERVER_PATH).settings(settings)
                .build(T0);
        s.receive(ByteBuffer.wrap(Hex.decode(f.get("in"))), SERVER_PATH, T0);
        if (f.containsKey("tp")) {
            peerParameters(s, f.get("tp"));
        }
        if (!f.get("hs").equals("-")) {
            s.installTxKey(EncryptionLevel.HANDSHAKE, CipherSuite.TLS_AES_128_GCM_SHA256, Hex.decode(f.get("hs")));
        }
        StringBuilder preOut = new StringBuilder();
        int pre = Integer.parseInt(f.get("pre"));
        if (pre > 0) {
            byte[] data = new byte[pre];
            for (int i = 0; i < pre; i++) {
                data[i] = (byte) i;
            }
            s.submitCryptoData(EncryptionLevel.INITIAL, data);
            for (ByteBuffer b = ByteBuffer.allocate(1452); s.writePacket(null, null, b, T0) > 0;
                    b = ByteBuffer.allocate(1452)) {
                preOut.append(hex(b));
            }
        }
        int junk = Integer.parseInt(f.get("junk"));
        if (junk > 0) {
            s.receive(ByteBuffer.wrap(junk(junk, Integer.parseInt(f.getOrDefault("junkkind", "0")),
                    Hex.decode(f.get("sscid")))), SERVER_PATH, T0);
        }
        CloseOutcome o = s.writeConnectionClose(null, null, dest, error(f), T0);
        return new Ours(o, hex(dest), null, preOut.toString(), s);
    }

    /**
     * The harness's undecryptable datagram of {@code length} bytes, 0x5a after its header, by {@code kind}: 0 a short
     * header to the server's SCID; 1 a long Handshake header to it whose Length (16383) runs past the datagram; 2 a
     * short header to another connection ID (the SCID's first byte inverted); 3 a long header of the unknown version
     * 0x1a2a3a4a to the SCID; 4 a short header to the SCID with the QUIC bit 0.
     */
    static byte[] junk(int length, int kind, byte[] scid) {
        byte[] j = new byte[length];
        Arrays.fill(j, (byte) 0x5a);
        if (kind == 1 || kind == 3) {
            j[0] = (byte) 0xe0;
            byte[] version = kind == 1 ? new byte[] {0, 0, 0, 1} : new byte[] {0x1a, 0x2a, 0x3a, 0x4a};
            System.arraycopy(version, 0, j, 1, 4);
            j[5] = (byte) scid.length;
            System.arraycopy(scid, 0, j, 6, scid.length);
            j[6 + scid.length] = 0;
            j[7 + scid.length] = 0x7f;
            j[8 + scid.length] = (byte) 0xff;
        } else {
            j[0] = (byte) (kind == 4 ? 0x00 : 0x40);
            System.arraycopy(scid, 0, j, 1, scid.length);
            if (kind == 2) {
                j[1] ^= (byte) 0xff;
            }
        }
        return j;
    }

    /**
     * A server that read the captured client Initial, holds Handshake and 1-RTT transmit keys from the harness's
     * secrets and, for {@code confirmed=1}, was told the handshake completed. libngtcp2 sent {@code pre1rtt} 1-RTT
     * packets (one-byte STREAM frames, which this core does not send) before the close; ours starts its packet numbers
     * there instead ({@link Settings.Builder#initialPacketNumber}), which for a confirmed server, whose close is
     * 1-RTT only, is the same next packet number with no acknowledgment received.
     */
    static Ours server1rtt(Map<String, String> f, ByteBuffer dest) throws Exception {
        // RFC 9287: the client's parameters allow clearing the QUIC bit, and libngtcp2 draws per connection whether
        // to; the bit is not header-protected, so its draw shows in the first byte and ours is fixed to the same
        String out = f.get("out");
        boolean cleared = !out.startsWith("ERR") && !out.startsWith("ABORT")
                && (Integer.parseInt(out.substring(0, 2), 16) & 0x40) == 0;
        Settings.Builder settings = Settings.builder()
                .quicBitGreasing(cleared ? Settings.QuicBitGreasing.ALWAYS : Settings.QuicBitGreasing.NEVER);
        if (f.containsKey("pre1rtt")) {
            settings.initialPacketNumber(Long.parseLong(f.get("pre1rtt")));
        }
        QuicConnection.ServerBuilder b = QuicConnection.serverBuilder().version(QuicVersion.V1)
                .sourceConnectionId(ConnectionId.fromHex(f.get("sscid"))).path(SERVER_PATH)
                .settings(settings.build());
        if (!f.get("tok").equals("-")) {
            b.validatedToken(Hex.decode(f.get("tok")));
        }
        QuicConnection s = b.build(T0);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(Hex.decode(f.get("in"))), SERVER_PATH, T0));
        peerParameters(s, f.get("tp"));
        s.installTxKey(EncryptionLevel.HANDSHAKE, CipherSuite.TLS_AES_128_GCM_SHA256, Hex.decode(f.get("hs")));
        s.installTxKey(EncryptionLevel.ONE_RTT, CipherSuite.TLS_AES_128_GCM_SHA256, Hex.decode(f.get("as")));
        if (f.get("confirmed").equals("1")) {
            s.handshakeCompleted();
            assertTrue(s.isHandshakeConfirmed());
        }
        CloseOutcome o = s.writeConnectionClose(null, null, dest, error(f), T0);
        return new Ours(o, hex(dest), null, null, s);
    }

    /**
     * A client that wrote its first Initial and read the server's first datagram (Initial and Handshake CRYPTO data),
     * holding Handshake keys of both directions from the harness's secrets.
     */
    static Ours clientHandshake(Map<String, String> f, ByteBuffer dest) throws Exception {
        QuicConnection c = clientHandshakeConnection(f);
        CloseOutcome o = c.writeConnectionClose(null, null, dest, error(f), T0);
        return new Ours(o, hex(dest), null, null, c);
    }

    /** The client of {@link #clientHandshake}, before its close. */
    static QuicConnection clientHandshakeConnection(Map<String, String> f) throws Exception {
        QuicConnection c = firstInitialWritten(f, Settings.builder());
        // the keys come after the datagram: installed first, they would tell the connection that TLS moved past the
        // Initial level, whose CRYPTO data the datagram still carries (RFC 9001 §4.1.3); the datagram's Handshake
        // packet then waits for them, which changes nothing in the close
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(Hex.decode(f.get("sin"))), CLIENT_PATH, T0));
        c.installTxKey(EncryptionLevel.HANDSHAKE, CipherSuite.TLS_AES_128_GCM_SHA256, Hex.decode(f.get("hsc")));
        c.installRxKey(EncryptionLevel.HANDSHAKE, CipherSuite.TLS_AES_128_GCM_SHA256, Hex.decode(f.get("hs")));
        assertEquals(ConnectionId.fromHex(f.get("sscid")), c.destinationConnectionId());
        return c;
    }

    /**
     * A client whose handshake completed: it wrote its first Initial, read the server's first datagram, took the
     * server's transport parameters, holds Handshake and 1-RTT keys of both directions from the harness's secrets,
     * was told the handshake completed and wrote its Finished (36 bytes of 0x04 as Handshake CRYPTO data, compared
     * with libngtcp2's datagram, {@code cfin}); for {@code confirmed=1} it then read the server's datagram carrying
     * HANDSHAKE_DONE ({@code sdone}). libngtcp2 ran with {@code no_pmtud}: no path-MTU probe, and the client writes
     * no 1-RTT packet before the close, so both sides close with 1-RTT packet number 0.
     */
    static Ours client1rtt(Map<String, String> f, ByteBuffer dest) throws Exception {
        QuicConnection c = client1rttConnection(f);
        CloseOutcome o = c.writeConnectionClose(null, null, dest, error(f), T0);
        return new Ours(o, hex(dest), f.get("first"), null, c); // first: compared in firstInitialWritten
    }

    /** The client of {@link #client1rtt}, before its close. */
    static QuicConnection client1rttConnection(Map<String, String> f) throws Exception {
        // RFC 9287: as for a server, the draw of whether to clear the QUIC bit (once the peer allows it, as its
        // transport parameters do) shows in the first byte of the client's Finished datagram, not header-protected
        boolean cleared = (Integer.parseInt(f.get("cfin").substring(0, 2), 16) & 0x40) == 0;
        QuicConnection c = clientReadFirstFlight(f, Settings.builder()
                .quicBitGreasing(cleared ? Settings.QuicBitGreasing.ALWAYS : Settings.QuicBitGreasing.NEVER));
        peerParameters(c, f.get("stp"));
        c.installTxKey(EncryptionLevel.ONE_RTT, CipherSuite.TLS_AES_128_GCM_SHA256, Hex.decode(f.get("asc")));
        c.installRxKey(EncryptionLevel.ONE_RTT, CipherSuite.TLS_AES_128_GCM_SHA256, Hex.decode(f.get("as")));
        c.handshakeCompleted();
        byte[] fin = new byte[36];
        Arrays.fill(fin, (byte) 0x04);
        c.submitCryptoData(EncryptionLevel.HANDSHAKE, fin);
        ByteBuffer cfin = ByteBuffer.allocate(1452);
        c.writePacket(null, null, cfin, T0);
        assertEquals(f.get("cfin"), hex(cfin), "the client's Finished datagram");
        if (f.get("confirmed").equals("1")) {
            assertEquals(ReceiveStatus.PROCESSED,
                    c.receive(ByteBuffer.wrap(Hex.decode(f.get("sdone"))), CLIENT_PATH, T0));
            assertTrue(c.isHandshakeConfirmed());
        } else {
            assertTrue(c.isHandshakeCompleted() && !c.isHandshakeConfirmed());
        }
        return c;
    }

    /**
     * The client of {@link #client1rttConnection} up to the server's first datagram ({@code sin}), read with its
     * Handshake keys installed as from TLS, and its own transport parameters ({@code tp}) where the line has them.
     */
    static QuicConnection clientReadFirstFlight(Map<String, String> f, Settings.Builder settings)
            throws Exception {
        // the Handshake keys come as from TLS once the server's Initial CRYPTO data (its "ServerHello", 90 bytes)
        // is in: the Handshake packet of the same datagram is then opened, and acknowledged, as libngtcp2 did
        QuicConnection[] conn = new QuicConnection[1];
        CryptoDataListener tls = (level, offset, data) -> {
            if (level == EncryptionLevel.INITIAL && offset + data.remaining() == 90) {
                try {
                    conn[0].installTxKey(EncryptionLevel.HANDSHAKE, CipherSuite.TLS_AES_128_GCM_SHA256,
                            Hex.decode(f.get("hsc")));
                    conn[0].installRxKey(EncryptionLevel.HANDSHAKE, CipherSuite.TLS_AES_128_GCM_SHA256,
                            Hex.decode(f.get("hs")));
                } catch (CryptoException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
        QuicConnection c = firstInitialWritten(f, settings, tls, conn);
        // the transport parameters the server read (grease_quic_bit among them: RFC 9287 §3, a packet with the
        // QUIC bit cleared is then read)
        if (f.containsKey("tp")) {
            c.setLocalTransportParameters(
                    TransportParameters.decode(ByteBuffer.wrap(Hex.decode(f.get("tp"))), Role.CLIENT));
        }
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(Hex.decode(f.get("sin"))), CLIENT_PATH, T0));
        assertEquals(0, c.largestReceived(EncryptionLevel.HANDSHAKE));
        return c;
    }

    /**
     * A close after the peer's key update (RFC 9001 §6), both endpoints confirmed as in {@link #client1rtt}'s
     * confirmed case. {@code ku=server}: the server updated its keys {@code kut} nanoseconds later and sent a 1-RTT
     * packet with Key Phase 1 (a 1-byte STREAM frame on its first unidirectional stream, {@code kupkt}); the client
     * read it and closes at that time. {@code ku=client}: the same the other way round, and the server of
     * {@link #serverHandshake} closes. With {@code kudt}, the closing endpoint first answers, {@code kudt} later: its
     * ACK, in the new key phase ({@link #answer}, libngtcp2's was {@code kuack}). With {@code ku2pkt} as well, the
     * updater read that answer, which confirmed its update (RFC 9001 §6.1), and went on, each step {@code kudt} after
     * the previous: one more byte on its stream ({@code kumore}, Key Phase 1), which the closing endpoint reads and
     * acknowledges (libngtcp2's {@code kuack2}; libngtcp2 0.12.1 derives the keys of its next update only when it
     * reads a packet a PTO after the confirmation); then {@code ku2dt} later, past 3 PTOs after the confirmation
     * (before which 0.12.1 initiates no other update), the second update: one more byte with Key Phase 0 sealed with
     * the generation after next ({@code ku2pkt}), which the closing endpoint reads before it closes.
     */
    static Ours keyUpdate(Map<String, String> f, ByteBuffer dest) throws Exception {
        long now = T0 + Long.parseLong(f.get("kut"));
        boolean serverUpdates = f.get("ku").equals("server");
        NetworkPath path = serverUpdates ? CLIENT_PATH : SERVER_PATH;
        QuicConnection c = serverUpdates ? client1rttConnection(f) : serverHandshake(f);
        receive(c, f, "kupkt", path, now);
        if (f.containsKey("kudt")) {
            long step = Long.parseLong(f.get("kudt"));
            now += step;
            answer(c, f, "kuack", now);
            if (f.containsKey("ku2pkt")) {
                now += step;
                receive(c, f, "kumore", path, now);
                now += step;
                answer(c, f, "kuack2", now);
                now += Long.parseLong(f.get("ku2dt"));
                receive(c, f, "ku2pkt", path, now);
            }
        }
        CloseOutcome o = c.writeConnectionClose(null, null, dest, error(f), now);
        return new Ours(o, hex(dest), f.get("first"), null, c); // first: compared as the client's or the server's
    }

    /** {@code c} reads libngtcp2's datagram {@code key} at {@code now}, and processes it. */
    static void receive(QuicConnection c, Map<String, String> f, String key, NetworkPath path, long now)
            throws Exception {
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(Hex.decode(f.get(key))), path, now),
                () -> key + ": " + c.lastDropReason());
    }

    /**
     * The closing endpoint's answer in the new key phase at {@code now}, compared with libngtcp2's datagram
     * {@code key}: one 1-RTT packet each, written {@code kudt} (25 ms, the default max_ack_delay, RFC 9000 §18.2)
     * after the packet it acknowledges, which is the ACK Delay both report. A server's is byte-identical: ACK only in
     * both. A client's, opened with the client's next keys, has the same first byte (Key Phase 1), DCID, packet number
     * and ACK frame, except that libngtcp2's client also issues a connection ID in its first 1-RTT packet
     * (NEW_CONNECTION_ID, sequence 1), which this core never does (as for the server's in {@link #serverHandshake}),
     * and that its second ACK covers fewer packets (below).
     */
    static void answer(QuicConnection c, Map<String, String> f, String key, long now) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(1452);
        assertTrue(c.writePacket(null, null, b, now) > 0, key);
        assertEquals(f.get(key + "_dgram"), String.valueOf(f.get(key).length() / 2), "one datagram");
        if (f.get("ku").equals("client")) {
            assertEquals(f.get(key), hex(b), key);
            return;
        }
        byte[] closer = Hex.decode(f.get("asc"));
        int toServer = f.get("sscid").length() / 2;
        IndependentQuic.Opened theirs = openGeneration(f.get(key), closer, 1, toServer);
        IndependentQuic.Opened mine = openGeneration(hex(b), closer, 1, toServer);
        assertEquals(f.get(key).length() / 2, theirs.end(), "one packet");
        assertEquals(b.position(), mine.end(), "one packet");
        assertEquals(theirs.firstByte(), mine.firstByte());
        assertEquals(Hex.encode(theirs.dcid()), Hex.encode(mine.dcid()));
        assertEquals(theirs.pn(), mine.pn());
        // the ACK frames: 02, Largest Acknowledged, ACK Delay 3125 (25 ms at the default exponent 3), ACK Range
        // Count 0, First ACK Range
        if (key.equals("kuack")) {
            assertEquals("02014c3500" + "01", mine.payloadHex(), "packets 0 and 1");
            assertTrue(theirs.payloadHex().matches(mine.payloadHex() + "180100" + "08[0-9a-f]{16}" + "[0-9a-f]{32}"),
                    theirs.payloadHex());
        } else {
            // RFC 9000 §13.2.4: the server's kumore acknowledged the client's packet that carried the ACK of packets
            // 0 and 1, so the client "can stop acknowledging" them: libngtcp2's does, its ACK covers packet 2 alone;
            // this core keeps acknowledging every packet number it holds (ReceivedPackets, at most 32 ranges), 0 to 2
            assertEquals("02024c3500" + "00", theirs.payloadHex(), "packet 2");
            assertEquals("02024c3500" + "02", mine.payloadHex(), "packets 0 to 2");
        }
    }

    /**
     * The server of the client 1-RTT cases, confirmed: it read the client's first Initial and transport parameters,
     * holds Handshake and 1-RTT keys of both directions from the harness's secrets, wrote its first datagram (Initial
     * CRYPTO 90 x 0x02, Handshake CRYPTO 90 x 0x03, compared with {@code sin}), read the client's Finished
     * ({@code cfin}), was told the handshake completed and wrote its HANDSHAKE_DONE datagram.
     */
    static QuicConnection serverHandshake(Map<String, String> f) throws Exception {
        // RFC 9287: libngtcp2's draw shows in the first byte of its 1-RTT packets, which is not header-protected
        boolean cleared = (Integer.parseInt(f.get("sdone").substring(0, 2), 16) & 0x40) == 0;
        QuicConnection s = serverFirstFlight(f, Settings.builder()
                .quicBitGreasing(cleared ? Settings.QuicBitGreasing.ALWAYS : Settings.QuicBitGreasing.NEVER).build());
        // the client's transport parameters only now: libngtcp2 (0.12.1 and HEAD, ngtcp2_conn_install_tx_key) keeps
        // a server's remote parameters pending until its 1-RTT transmit key is installed, so its first datagram
        // keeps the QUIC bit whatever its draw (RFC 9287 §3.1 allows both); ours would clear it once they are set
        peerParameters(s, f.get("tp"));
        return serverHandshakeRest(f, s);
    }

    /**
     * The server of {@link #serverHandshake} up to its first datagram: it read the client's first Initial
     * ({@code first}) and wrote its Initial and Handshake CRYPTO data (compared with {@code sin}).
     */
    static QuicConnection serverFirstFlight(Map<String, String> f, Settings settings) throws Exception {
        QuicConnection s = QuicConnection.serverBuilder().version(QuicVersion.V1)
                .sourceConnectionId(ConnectionId.fromHex(f.get("sscid"))).path(SERVER_PATH).settings(settings)
                .build(T0);
        // the client's first Initial, which the client case compares with ours
        assertEquals(ReceiveStatus.PROCESSED,
                s.receive(ByteBuffer.wrap(Hex.decode(f.get("first"))), SERVER_PATH, T0));
        if (f.containsKey("stp")) {
            s.setLocalTransportParameters(
                    TransportParameters.decode(ByteBuffer.wrap(Hex.decode(f.get("stp"))), Role.SERVER));
        }
        s.installTxKey(EncryptionLevel.HANDSHAKE, CipherSuite.TLS_AES_128_GCM_SHA256, Hex.decode(f.get("hs")));
        byte[] crypto = new byte[90];
        Arrays.fill(crypto, (byte) 0x02);
        s.submitCryptoData(EncryptionLevel.INITIAL, crypto);
        Arrays.fill(crypto, (byte) 0x03);
        s.submitCryptoData(EncryptionLevel.HANDSHAKE, crypto);
        ByteBuffer sin = ByteBuffer.allocate(1452);
        s.writePacket(null, null, sin, T0);
        assertEquals(f.get("sin"), hex(sin), "the server's first datagram");
        return s;
    }

    /** The rest of {@link #serverHandshake}: its client's Finished, HANDSHAKE_DONE. */
    static QuicConnection serverHandshakeRest(Map<String, String> f, QuicConnection s) throws Exception {
        s.installRxKey(EncryptionLevel.HANDSHAKE, CipherSuite.TLS_AES_128_GCM_SHA256, Hex.decode(f.get("hsc")));
        s.installTxKey(EncryptionLevel.ONE_RTT, CipherSuite.TLS_AES_128_GCM_SHA256, Hex.decode(f.get("as")));
        s.installRxKey(EncryptionLevel.ONE_RTT, CipherSuite.TLS_AES_128_GCM_SHA256, Hex.decode(f.get("asc")));
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(Hex.decode(f.get("cfin"))), SERVER_PATH, T0));
        s.handshakeCompleted();
        assertTrue(s.isHandshakeConfirmed());
        ByteBuffer sdone = ByteBuffer.allocate(1452);
        s.writePacket(null, null, sdone, T0);
        // libngtcp2 also issues a connection ID there (NEW_CONNECTION_ID, sequence 1, before HANDSHAKE_DONE), which
        // this core never does (it only tracks the peer's): opened, the two packets have the same first byte, DCID
        // and packet number 0, and ours carries HANDSHAKE_DONE alone (padded for the header protection sample)
        IndependentQuic.Keys as = IndependentQuic.keys(IndependentQuic.V1, Hex.decode(f.get("as")));
        int dcidLength = f.get("scid").length() / 2;
        IndependentQuic.Opened theirs = IndependentQuic.open(Hex.decode(f.get("sdone")), 0, as, dcidLength);
        IndependentQuic.Opened mine = IndependentQuic.open(Hex.decode(hex(sdone)), 0, as, dcidLength);
        assertEquals(theirs.end(), f.get("sdone").length() / 2, "one packet");
        assertEquals(mine.end(), sdone.position(), "one packet");
        assertEquals(theirs.firstByte(), mine.firstByte());
        assertEquals(Hex.encode(theirs.dcid()), Hex.encode(mine.dcid()));
        assertEquals(0, theirs.pn());
        assertEquals(0, mine.pn());
        assertTrue(theirs.payloadHex().matches("180100" + "08[0-9a-f]{16}" + "[0-9a-f]{32}1e"), theirs.payloadHex());
        assertTrue(mine.payloadHex().matches("1e(00)+"), mine.payloadHex());
        return s;
    }

    /** A client that wrote its first Initial, read the captured Retry and wrote its second Initial (as preOut). */
    static Ours clientRetry(Map<String, String> f, ByteBuffer dest) throws Exception {
        QuicConnection c = firstInitialWritten(f, Settings.builder());
        assertEquals(ReceiveStatus.RETRY, c.receive(ByteBuffer.wrap(Hex.decode(f.get("retry"))), CLIENT_PATH, T0));
        ByteBuffer second = ByteBuffer.allocate(1500);
        c.writePacket(null, null, second, T0);
        CloseOutcome o = c.writeConnectionClose(null, null, dest, error(f), T0);
        return new Ours(o, hex(dest), null, hex(second), c);
    }

    static QuicConnection firstInitialWritten(Map<String, String> f, Settings.Builder settings)
            throws Exception {
        return firstInitialWritten(f, settings, null, new QuicConnection[1]);
    }

    /** As above, with a TLS stand-in that receives the peer's CRYPTO data; the connection is also left in conn[0]. */
    static QuicConnection firstInitialWritten(Map<String, String> f, Settings.Builder settings,
            CryptoDataListener listener, QuicConnection[] conn) throws Exception {
        QuicConnection.ClientBuilder b = QuicConnection.clientBuilder().version(QuicVersion.V1)
                .originalDestinationConnectionId(ConnectionId.fromHex(f.get("dcid")))
                .sourceConnectionId(ConnectionId.fromHex(f.get("scid"))).path(CLIENT_PATH)
                .settings(settings.build());
        if (listener != null) {
            b.cryptoDataListener(listener);
        }
        QuicConnection c = b.build(T0);
        conn[0] = c;
        byte[] hello = new byte[300];
        Arrays.fill(hello, (byte) 0x01);
        c.submitCryptoData(EncryptionLevel.INITIAL, hello);
        ByteBuffer first = ByteBuffer.allocate(1500);
        c.writePacket(null, null, first, T0);
        if (f.containsKey("first")) {
            assertEquals(f.get("first"), hex(first), "the client's first Initial");
        }
        return c;
    }

    static Ours ours(String name) throws Exception {
        Map<String, String> f = vector(name);
        ByteBuffer dest = ByteBuffer.allocate(Integer.parseInt(f.get("destlen")));
        switch (f.get("kind")) {
            case "client":
                return client(f, dest);
            case "server":
                return server(f, dest);
            case "server1rtt":
                return server1rtt(f, dest);
            case "clienths":
                return clientHandshake(f, dest);
            case "client1rtt":
                return client1rtt(f, dest);
            case "keyupdate":
                return keyUpdate(f, dest);
            case "clientretry":
                return clientRetry(f, dest);
            case "stateless": {
                // ngtcp2_crypto_write_connection_close derives the server's Initial keys from its scid argument,
                // the DCID the client chose, which a server answering statelessly also uses as its SCID
                ConnectionId scid = ConnectionId.fromHex(f.get("scid"));
                CloseOutcome o = StatelessClose.write(dest, QuicVersion.V1, scid, ConnectionId.fromHex(f.get("dcid")),
                        scid, error(f), CryptoProvider.jca());
                return new Ours(o, hex(dest), null, null, null);
            }
            default:
                throw new AssertionError(f.get("kind"));
        }
    }

    /**
     * The packets of a datagram, opened with the independent opener ({@link IndependentQuic}, JCA only): Initial with
     * the keys of {@code initialDcid} (the server's, or the client's if {@code clientInitial}), Handshake with
     * {@code hs}, 1-RTT with {@code as}; short headers carry a DCID of {@code shortDcid} bytes.
     */
    static List<IndependentQuic.Opened> open(String datagram, Map<String, String> f, String initialDcid,
            boolean clientInitial, int shortDcid) throws Exception {
        byte[] dg = Hex.decode(datagram);
        List<IndependentQuic.Opened> packets = new java.util.ArrayList<>();
        for (int off : IndependentQuic.packetStarts(dg)) {
            boolean longHeader = (dg[off] & 0x80) != 0;
            // a client with 1-RTT keys seals with its own secrets, asc and hsc
            boolean client = f.get("kind").equals("client1rtt");
            IndependentQuic.Keys k = !longHeader
                    ? IndependentQuic.keys(IndependentQuic.V1, Hex.decode(f.get(client ? "asc" : "as")))
                    : ((dg[off] >> 4) & 3) == 0
                            ? IndependentQuic.initialKeys(IndependentQuic.V1, Hex.decode(initialDcid), !clientInitial)
                            : IndependentQuic.keys(IndependentQuic.V1, Hex.decode(f.get(client ? "hsc" : "hs")));
            packets.add(IndependentQuic.open(dg, off, k, shortDcid));
        }
        return packets;
    }

    static String zeros(int n) {
        return "00".repeat(n);
    }

    /**
     * Ours, a client's 1200-byte close Initial after the Retry from {@code rscid} with {@code token}, against
     * libngtcp2's ({@code out}), both opened with the independent opener: the same first byte, DCID (the Retry's
     * SCID), SCID and packet number, the token empty in libngtcp2's and the Retry's in ours, and the same frames (ours
     * beginning with {@code frame}), libngtcp2's 1200 bytes holding as many more PADDING bytes as ours spends on the
     * token.
     */
    static void assertCloseRepeatsTheToken(Map<String, String> f, String datagram, String rscid,
            String token, String frame) throws Exception {
        assertEquals(1200, datagram.length() / 2);
        assertEquals(1200, f.get("out").length() / 2);
        List<IndependentQuic.Opened> theirs = open(f.get("out"), f, rscid, true, 0);
        List<IndependentQuic.Opened> mine = open(datagram, f, rscid, true, 0);
        assertEquals(1, theirs.size());
        assertEquals(1, mine.size());
        IndependentQuic.Opened t = theirs.get(0);
        IndependentQuic.Opened o = mine.get(0);
        assertEquals(t.firstByte(), o.firstByte());
        assertEquals(Hex.encode(t.dcid()), Hex.encode(o.dcid()));
        assertEquals(rscid, Hex.encode(o.dcid()));
        assertEquals(Hex.encode(t.scid()), Hex.encode(o.scid()));
        assertEquals(t.pn(), o.pn());
        assertEquals("", Hex.encode(t.token()));
        assertEquals(token, Hex.encode(o.token()));
        assertEquals(o.payloadHex() + zeros(token.length() / 2), t.payloadHex());
        assertTrue(o.payloadHex().startsWith(frame + "00"), o.payloadHex());
    }

    /**
     * A 1-RTT packet (the whole datagram) opened with the keys of generation {@code generation} after
     * {@code secret}'s (RFC 9001 §6.1, the header protection key that of {@code secret}), checked to carry that
     * generation's Key Phase bit and to open with no earlier generation's keys.
     */
    static IndependentQuic.Opened openGeneration(String datagram, byte[] secret, int generation,
            int dcidLength) throws Exception {
        byte[] dg = Hex.decode(datagram);
        byte[] hp = IndependentQuic.keys(IndependentQuic.V1, secret).hp();
        byte[] s = secret;
        for (int g = 0; g < generation; g++) {
            IndependentQuic.Keys earlier = IndependentQuic.keys(IndependentQuic.V1, s);
            assertThrows(javax.crypto.AEADBadTagException.class,
                    () -> IndependentQuic.openShort(dg, earlier, hp, dcidLength), "generation " + g);
            s = IndependentQuic.nextSecret(IndependentQuic.V1, s);
        }
        IndependentQuic.Opened p = IndependentQuic.openShort(dg, IndependentQuic.keys(IndependentQuic.V1, s), hp,
                dcidLength);
        assertEquals(generation & 1, (p.firstByte() >> 2) & 1, "Key Phase");
        return p;
    }

    /** What our side made of a hostile case: receive's status or exception, then the close and its outcome. */
    record Hostile(ReceiveStatus status, QuicException error, CloseOutcome outcome, String datagram,
            QuicConnection conn) {
    }

    /**
     * The connection that reads the peer's datagram {@code bad} in a {@code hostile1rtt} or {@code hostileinitial}
     * case, built as libngtcp2's was: the confirmed server of {@link #serverHandshake} ({@code to=server}) or client
     * of {@link #client1rttConnection}; during the handshake, a server that read the client's first Initial
     * ({@code in}; none when {@code bad} is that first Initial), or a client that wrote its first Initial.
     */
    static QuicConnection hostileReader(Map<String, String> f) throws Exception {
        boolean toServer = f.get("to").equals("server");
        if (f.get("kind").equals("hostilehs")) {
            return handshakeReader(f, toServer);
        }
        if (f.get("kind").equals("hostile1rtt")) {
            return toServer ? serverHandshake(f) : client1rttConnection(f);
        }
        if (!toServer) {
            return firstInitialWritten(f, Settings.builder());
        }
        QuicConnection s = QuicConnection.serverBuilder().version(QuicVersion.V1)
                .sourceConnectionId(ConnectionId.fromHex(f.get("sscid"))).path(SERVER_PATH).build(T0);
        if (f.containsKey("in")) {
            assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(Hex.decode(f.get("in"))), SERVER_PATH,
                    T0));
        }
        return s;
    }

    /**
     * The reader of a {@code hostilehs} case after the server's first datagram ({@code sin}): the server of
     * {@link #serverFirstFlight}, which then installs its Handshake receive key and, {@code step=1}, writes 3000 more
     * bytes of Handshake CRYPTO data (0x05) until its amplification budget is spent ({@code pre_out}); or the client of
     * {@link #clientReadFirstFlight}, which, {@code step=1}, writes its ACKs or, {@code step=2}, its Finished (36 bytes
     * of 0x04 as Handshake CRYPTO data): its first Handshake packet ({@code cw}). Each compared with libngtcp2's.
     */
    static QuicConnection handshakeReader(Map<String, String> f, boolean toServer) throws Exception {
        int step = Integer.parseInt(f.get("step"));
        QuicConnection c;
        String key;
        if (toServer) {
            c = serverFirstFlight(f, Settings.builder().build());
            c.installRxKey(EncryptionLevel.HANDSHAKE, CipherSuite.TLS_AES_128_GCM_SHA256, Hex.decode(f.get("hsc")));
            if (step == 1) {
                byte[] more = new byte[3000];
                Arrays.fill(more, (byte) 0x05);
                c.submitCryptoData(EncryptionLevel.HANDSHAKE, more);
            }
            key = "pre_out";
        } else {
            c = clientReadFirstFlight(f, Settings.builder());
            if (step == 2) {
                byte[] fin = new byte[36];
                Arrays.fill(fin, (byte) 0x04);
                c.submitCryptoData(EncryptionLevel.HANDSHAKE, fin);
            }
            key = "cw";
        }
        if (step > 0) {
            StringBuilder out = new StringBuilder();
            for (ByteBuffer b = ByteBuffer.allocate(1452); c.writePacket(null, null, b, T0) > 0;
                    b = ByteBuffer.allocate(1452)) {
                out.append(hex(b));
            }
            assertEquals(f.get(key), out.toString(), key);
        }
        return c;
    }

    /**
     * Ours for a hostile case: the reader of {@link #hostileReader} takes the steps libngtcp2's took before (those the
     * line has, in this order: it reads {@code read1}, as libngtcp2's did with the status its {@code read1_rv} calls
     * for; it writes its second Initial after that Retry, {@code second}; it writes its own close, {@code close1}, a
     * transport NO_ERROR; each compared with libngtcp2's), then receives {@code bad} at T0, as libngtcp2's did; then it
     * closes, into a 1500-byte buffer as libngtcp2 did, with what {@code close} makes of the {@link QuicException}
     * receive threw (null when it threw none).
     */
    static Hostile hostile(String name, Function<QuicException, CloseError> close) throws Exception {
        return hostile(name, close, false);
    }

    /**
     * As above; {@code resetCheck}: {@code bad} goes to {@link QuicConnection#receiveStatelessReset} instead, as an
     * application hands it a datagram that no connection ID of its endpoint names.
     */
    static Hostile hostile(String name, Function<QuicException, CloseError> close, boolean resetCheck)
            throws Exception {
        Map<String, String> f = vector(name);
        QuicConnection c = hostileReader(f);
        NetworkPath path = f.get("to").equals("server") ? SERVER_PATH : CLIENT_PATH;
        if (f.containsKey("read1")) {
            // libngtcp2's read of it returned 0, or NGTCP2_ERR_DRAINING for the peer's CONNECTION_CLOSE
            ReceiveStatus expected = f.get("read1_rv").equals("-231(ERR_DRAINING)") ? ReceiveStatus.DRAINING
                    : f.containsKey("second") ? ReceiveStatus.RETRY : ReceiveStatus.PROCESSED;
            assertTrue(expected == ReceiveStatus.DRAINING || f.get("read1_rv").equals("0(ok)"), f.get("read1_rv"));
            assertEquals(expected, c.receive(ByteBuffer.wrap(Hex.decode(f.get("read1"))), path, T0),
                    () -> "read1: " + c.lastDropReason());
        }
        if (f.containsKey("second")) {
            ByteBuffer second = ByteBuffer.allocate(1500);
            c.writePacket(null, null, second, T0);
            assertEquals(f.get("second"), hex(second), "the client's second Initial");
        }
        if (f.containsKey("close1")) {
            ByteBuffer close1 = ByteBuffer.allocate(1500);
            assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, close1, CloseError.noError(), T0));
            assertEquals(f.get("close1"), hex(close1), "the reader's own close");
        }
        ReceiveStatus status = null;
        QuicException error = null;
        try {
            if (f.containsKey("bad")) {
                ByteBuffer bad = ByteBuffer.wrap(Hex.decode(f.get("bad")));
                status = resetCheck ? c.receiveStatelessReset(bad, path, T0) : c.receive(bad, path, T0);
            }
        } catch (QuicException e) {
            error = e;
        }
        ByteBuffer dest = ByteBuffer.allocate(1500);
        CloseOutcome o = c.writeConnectionClose(null, null, dest, close.apply(error), T0);
        return new Hostile(status, error, o, hex(dest), c);
    }

    /**
     * Our long-header close {@code ours} has the version and the DCID of {@code same} (ahead of what header protection
     * masks), and {@code c} sent {@code code} with {@code frameType}.
     */
    static void assertLongHeaderCloseSent(String same, String ours, QuicConnection c, long code,
            long frameType) {
        int dcidEnd = 2 * (6 + Integer.parseInt(same.substring(10, 12), 16));
        assertEquals(same.substring(2, dcidEnd), ours.substring(2, dcidEnd));
        CloseError sent = c.localCloseError();
        assertEquals(code, sent.errorCode());
        assertEquals(frameType, sent.frameType());
    }

    /** What our side made of a {@code peertp} case: the exception, if any, then the close and its outcome. */
    record PeerParameters(QuicException error, CloseOutcome outcome, String datagram, QuicConnection conn) {
    }

    /**
     * Ours for a {@code peertp} case: a server that read the client's first Initial ({@code in}; no Handshake key, so
     * its close is an Initial packet) or the client of {@link #clientHandshake} (a Handshake close) takes the peer's
     * transport parameters {@code ptp} through the TLS-layer path ({@link #peerParameters}: decode, check, set), then
     * closes into 1500 bytes, as libngtcp2's did, with what {@code close} makes of the exception (null when none).
     */
    static PeerParameters peerParameters(String name, Function<QuicException, CloseError> close)
            throws Exception {
        Map<String, String> f = vector(name);
        QuicConnection c;
        if (f.get("to").equals("server")) {
            c = QuicConnection.serverBuilder().version(QuicVersion.V1)
                    .sourceConnectionId(ConnectionId.fromHex(f.get("sscid"))).path(SERVER_PATH).build(T0);
            assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(Hex.decode(f.get("in"))), SERVER_PATH,
                    T0));
        } else {
            c = clientHandshakeConnection(f);
        }
        QuicException error = null;
        try {
            peerParameters(c, f.get("ptp"));
        } catch (QuicException e) {
            error = e;
        }
        ByteBuffer dest = ByteBuffer.allocate(1500);
        CloseOutcome o = c.writeConnectionClose(null, null, dest, close.apply(error), T0);
        return new PeerParameters(error, o, hex(dest), c);
    }
}
