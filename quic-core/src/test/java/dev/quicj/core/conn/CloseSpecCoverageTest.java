package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static dev.quicj.core.conn.CloseWriterUpstreamTest.assertForms;
import static dev.quicj.core.conn.CloseWriterUpstreamTest.closeFrame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseWriterUpstreamTest.Written;
import dev.quicj.core.conn.ConnectionFixtures.Side;
import dev.quicj.core.inspect.InspectedPacket;
import dev.quicj.core.packet.PacketForm;
import dev.quicj.core.tls.TransportParameters;
import dev.quicj.core.wire.CloseType;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * close-spec §8.2, §8.3 and §9 cases whose other tests leave part of the expected behaviour unchecked: the exact
 * bytes (null crypto: header, payload, a zero tag), the state after, the other close type, level or role, and QUIC v2.
 */
class CloseSpecCoverageTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();
    private static final long MAX_PN = (1L << 62) - 1;
    private static final String TAG = "00".repeat(16);
    // the fixed inputs of close-spec §8.3
    private static final ConnectionId ODCID = ConnectionId.fromHex("8394c8f03e515708");
    private static final ConnectionId SCID_C = ConnectionId.fromHex("0102030405060708");
    private static final ConnectionId SCID_S = ConnectionId.fromHex("f067a5502a4262b5");
    private static final NetworkPath C_PATH = new NetworkPath(new InetSocketAddress("127.0.0.1", 50000),
            new InetSocketAddress("127.0.0.1", 443));
    private static final NetworkPath S_PATH = new NetworkPath(C_PATH.remote(), C_PATH.local());
    private static final byte[] RESET_TOKEN = Hex.decode("00112233445566778899aabbccddeeff");

    private static QuicConnection client83(QuicVersion v) throws Exception {
        QuicConnection c = QuicConnection.clientBuilder().version(v).originalDestinationConnectionId(ODCID)
                .sourceConnectionId(SCID_C).path(C_PATH).settings(NULL).build(T0);
        c.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        assertEquals(1200, c.writePacket(null, null, ByteBuffer.allocate(1500), T0));
        return c;
    }

    private static QuicConnection server83(QuicVersion v) throws Exception {
        QuicConnection c = QuicConnection.clientBuilder().version(v).originalDestinationConnectionId(ODCID)
                .sourceConnectionId(SCID_C).path(C_PATH).settings(NULL).build(T0);
        c.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        ByteBuffer initial = ByteBuffer.allocate(1500);
        c.writePacket(null, null, initial, T0);
        initial.flip();
        QuicConnection s = QuicConnection.serverBuilder().version(v).sourceConnectionId(SCID_S).path(S_PATH)
                .settings(NULL).build(T0);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(initial, S_PATH, T0));
        return s;
    }

    // ---------------------------------------------------------------------------------------------------------
    // §8.3 null-crypto convention: "the datagram is simply header ‖ plaintext payload ‖ 00×16"

    @Test
    void v1NullCryptoIsHeaderPayloadAndZeroTag() throws Exception {
        String header = "c0" + "00000001" + "08" + "8394c8f03e515708" + "08" + "0102030405060708" + "00" + "80000494"
                + "01";
        String payload = "1c000003666f6f" + "00".repeat(1148);
        String expected = header + payload + TAG;
        assertEquals(1200, expected.length() / 2);
        assertEquals(expected, ConnectionFixtures.closeHex(client83(QuicVersion.V1), CloseError.transport(TransportErrorCode.NO_ERROR,
                "foo")));
    }

    @Test
    void v2NullCryptoIsHeaderPayloadAndZeroTag() throws Exception {
        String expected = "c0" + "00000001" + "08" + "0102030405060708" + "08" + "f067a5502a4262b5" + "00"
                + "80000016" + "00" + "1c412800" + "00" + TAG;
        assertEquals(50, expected.length() / 2);
        assertEquals(expected, ConnectionFixtures.closeHex(server83(QuicVersion.V1), CloseError.tlsAlert(40, null)));
    }

    @Test
    void v3NullCryptoIsHeaderPayloadAndZeroTag() throws Exception {
        String expected = "c0" + "00000001" + "08" + "0102030405060708" + "08" + "f067a5502a4262b5" + "00"
                + "80000015" + "00" + "1c0c0000" + TAG;
        assertEquals(49, expected.length() / 2);
        assertEquals(expected, ConnectionFixtures.closeHex(server83(QuicVersion.V1), CloseError.application(0x1234, "not sent")));
    }

    @Test
    void v5NullCryptoIsHeaderPayloadAndZeroTag() throws Exception {
        QuicConnection s = server83(QuicVersion.V1);
        s.installTxKey(EncryptionLevel.ONE_RTT, ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_1RTT_SECRET);
        s.handshakeCompleted();
        assertEquals("40" + "0102030405060708" + "00" + "1c000000" + TAG,
                ConnectionFixtures.closeHex(s, CloseError.transport(TransportErrorCode.NO_ERROR)));
    }

    /**
     * E24 / §4.2 / §9.2 byte for byte: a v2 server with every key, unconfirmed: Initial 0xd0, Handshake 0xf0, version
     * 6b3343cf in both long headers, the 1-RTT short header as in v1.
     */
    @Test
    void e24VersionTwoCoalescedServerCloseByteForByte() throws Exception {
        QuicConnection s = server83(QuicVersion.V2);
        s.installTxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_HANDSHAKE_SECRET);
        s.installTxKey(EncryptionLevel.ONE_RTT, ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_1RTT_SECRET);
        String initial = "d0" + "6b3343cf" + "08" + "0102030405060708" + "08" + "f067a5502a4262b5" + "00"
                + "80000015" + "00" + "1c0c0000" + TAG;
        String handshake = "f0" + "6b3343cf" + "08" + "0102030405060708" + "08" + "f067a5502a4262b5"
                + "80000015" + "00" + "1c0c0000" + TAG;
        // 1d 07 00 is 3 bytes: 1 + 8 + 1 + 3 + 16 = 29, padded to SCID 8 + 22 = 30 with one PADDING byte
        String oneRtt = "40" + "0102030405060708" + "00" + "1d0700" + "00" + TAG;
        assertEquals(initial + handshake + oneRtt, ConnectionFixtures.closeHex(s, CloseError.application(7)));
    }

    /** E24: a v2 client with Handshake keys closes in one Handshake packet, first byte 0xf0 (no Initial). */
    @Test
    void e24VersionTwoClientHandshakeCloseIsF0() throws Exception {
        QuicConnection c = client83(QuicVersion.V2);
        c.installTxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, ConnectionFixtures.CLIENT_HANDSHAKE_SECRET);
        assertEquals("f0" + "6b3343cf" + "08" + "8394c8f03e515708" + "08" + "0102030405060708" + "80000015" + "00"
                + "1c0a0000" + TAG, ConnectionFixtures.closeHex(c, CloseError.transport(TransportErrorCode.PROTOCOL_VIOLATION)));
    }

    // ---------------------------------------------------------------------------------------------------------
    // §9.2 (and §9.1): codepoints, type bits, salts

    @Test
    void versionCodepointsTypeBitsAndSaltsAreTheRfcValues() {
        assertEquals(0x00000001, QuicVersion.V1.wireValue());
        assertEquals(0x6b3343cf, QuicVersion.V2.wireValue());
        assertEquals(0b00, QuicVersion.V1.typeBits(LongPacketType.INITIAL));
        assertEquals(0b01, QuicVersion.V1.typeBits(LongPacketType.ZERO_RTT));
        assertEquals(0b10, QuicVersion.V1.typeBits(LongPacketType.HANDSHAKE));
        assertEquals(0b11, QuicVersion.V1.typeBits(LongPacketType.RETRY));
        assertEquals(0b01, QuicVersion.V2.typeBits(LongPacketType.INITIAL));
        assertEquals(0b10, QuicVersion.V2.typeBits(LongPacketType.ZERO_RTT));
        assertEquals(0b11, QuicVersion.V2.typeBits(LongPacketType.HANDSHAKE));
        assertEquals(0b00, QuicVersion.V2.typeBits(LongPacketType.RETRY));
        for (QuicVersion v : QuicVersion.values()) {
            for (LongPacketType t : LongPacketType.values()) {
                assertEquals(t, v.packetType(v.typeBits(t)), v + " " + t);
            }
        }
        assertEquals("38762cf7f55934b34d179ae6a4c80cadccbb7f0a", Hex.encode(QuicVersion.V1.initialSalt()));
        assertEquals("0dede3def700a6db819381be6e269dcbf9bd2ed9", Hex.encode(QuicVersion.V2.initialSalt()));
        assertEquals("quic ", QuicVersion.V1.labelPrefix());
        assertEquals("quicv2 ", QuicVersion.V2.labelPrefix());
        // the draft v2 codepoint is not RFC v2
        assertNull(QuicVersion.fromWire(0x709a50c4));
    }

    // ---------------------------------------------------------------------------------------------------------
    // E17 byte for byte in every pre-confirmation state

    enum Unconfirmed {
        CLIENT_INITIAL_ONLY, CLIENT_HANDSHAKE_KEY, CLIENT_POST_HANDSHAKE, SERVER_INITIAL_ONLY, SERVER_HANDSHAKE_KEY,
        SERVER_ALL_KEYS
    }

    private static QuicConnection open(Unconfirmed u) throws Exception {
        switch (u) {
            case CLIENT_INITIAL_ONLY:
                return ConnectionFixtures.client(NULL);
            case CLIENT_HANDSHAKE_KEY:
                return ConnectionFixtures.clientWithHandshakeKeys(NULL);
            case CLIENT_POST_HANDSHAKE:
                return ConnectionFixtures.clientPostHandshake(NULL);
            case SERVER_INITIAL_ONLY:
                return ConnectionFixtures.server(NULL);
            case SERVER_HANDSHAKE_KEY:
                return ConnectionFixtures.serverWithHandshakeKeys(NULL);
            default:
                return ConnectionFixtures.serverAllKeys(NULL);
        }
    }

    /**
     * E17: "every Initial/Handshake packet's plaintext payload starts 1c 0c 00 00, and the app reason/code are absent
     * from I/H" — checked on the bytes (the payload is 1c0c0000 then PADDING only), in all six unconfirmed
     * situations of §2.2/§2.3; the 1-RTT packet, where written, is 1d + code + reason.
     */
    @ParameterizedTest
    @EnumSource(Unconfirmed.class)
    void e17EveryLongHeaderPayloadIsExactly1c0c0000ThenPadding(Unconfirmed u) throws Exception {
        QuicConnection c = open(u);
        Side side = u.name().startsWith("CLIENT") ? Side.CLIENT : Side.SERVER;
        byte[] reason = "app-secret".getBytes(StandardCharsets.US_ASCII);
        Written w = CloseWriterUpstreamTest.close(c, CloseError.application(0x2a2a, reason), 1500, side);
        assertEquals(CloseOutcome.WRITTEN, w.outcome());
        assertEquals(ConnectionState.CLOSING, c.state());
        int longHeaders = 0;
        for (InspectedPacket p : w.packets()) {
            int payload = p.offset() + p.length() - 16 - p.payloadLength();
            String hex = ConnectionFixtures.hex(w.datagram().duplicate().position(payload)
                    .limit(payload + p.payloadLength()));
            if (p.form() == PacketForm.ONE_RTT) {
                assertTrue(hex.startsWith("1d" + "6a2a" + "0a" + Hex.encode(reason)), hex);
                continue;
            }
            longHeaders++;
            assertEquals("1c0c0000" + "00".repeat(p.payloadLength() - 4), hex, p.toString());
        }
        assertTrue(longHeaders >= 1, w.packets().toString());
        String all = ConnectionFixtures.hex(w.datagram());
        int oneRtt = w.packets().get(w.packets().size() - 1).form() == PacketForm.ONE_RTT
                ? w.packets().get(w.packets().size() - 1).offset() * 2 : all.length();
        assertFalse(all.substring(0, oneRtt).contains(Hex.encode(reason)), "the reason stays out of I/H");
    }

    // ---------------------------------------------------------------------------------------------------------
    // E2: after a Retry, for both close types, nothing is touched

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void e2AfterARetryBothCloseTypesAreInvalidStateAndTouchNothing(boolean application) throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        byte[] retry = ConnectionFixtures.retryPacket(QuicVersion.V1, CLIENT_SCID, SCID_C, new byte[] {9, 8, 7},
                ConnectionFixtures.CLIENT_ODCID);
        assertEquals(ReceiveStatus.RETRY, c.receive(ByteBuffer.wrap(retry), CLIENT_PATH, T0));
        PathInfo path = new PathInfo();
        PacketInfo pi = new PacketInfo();
        ByteBuffer dest = ByteBuffer.allocate(1500);
        CloseError e = application ? CloseError.application(1) : CloseError.transport(1);
        assertEquals(CloseOutcome.INVALID_STATE, c.writeConnectionClose(path, pi, dest, e, T0));
        assertNull(path.path());
        assertNull(pi.ecn());
        assertEquals(0, dest.position());
        assertEquals(ConnectionState.CLIENT_INITIAL, c.state());
        assertEquals(0, c.nextPacketNumber(EncryptionLevel.INITIAL) - 1, "pn 0 stays the only number used");
    }

    // ---------------------------------------------------------------------------------------------------------
    // E4 in DRAINING (§5.2: "same" as CLOSING)

    @Test
    void e4ExhaustionIsReportedWhenDrainingToo() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        c.setLastSentPacketNumberForTesting(EncryptionLevel.ONE_RTT, MAX_PN);
        byte[] dg = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.SERVER_1RTT_SECRET, CLIENT_SCID, 1,
                Hex.decode("1c000000"));
        assertEquals(ReceiveStatus.DRAINING, c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0));
        assertEquals(CloseOutcome.PKT_NUM_EXHAUSTED,
                c.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.transport(1), T0));
        assertEquals(CloseOutcome.NOTHING_TO_WRITE,
                c.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.dropConnection(), T0));
        assertEquals(ConnectionState.DRAINING, c.state());
    }

    // ---------------------------------------------------------------------------------------------------------
    // E7 with an application close

    /**
     * E7 / §3.3 rule 2 / §3.4 for {@code 1d 00 00}: 29 bytes is exactly pn_offset 9 + 20 and holds the frame, so a
     * 29-byte buffer gives a 29-byte packet (the 30-byte minimum is capped by the buffer); 28 is NOBUF; 30 is padded.
     */
    @Test
    void e7ApplicationCloseFitsTwentyNineBytes() throws Exception {
        QuicConnection small = CloseWriterUpstreamTest.confirmedClientWithCids("0102030405060708", "1112131415161718");
        ByteBuffer dest28 = ByteBuffer.allocate(28);
        assertEquals(CloseOutcome.NOBUF_BUFFER_TOO_SMALL,
                small.writeConnectionClose(null, null, dest28, CloseError.application(0), T0));
        assertEquals(ConnectionState.POST_HANDSHAKE, small.state());
        Written w29 = CloseWriterUpstreamTest.close(small, CloseError.application(0), 29, Side.CLIENT);
        assertForms(w29, PacketForm.ONE_RTT);
        assertEquals("40" + "0102030405060708" + "00" + "1d0000" + TAG, ConnectionFixtures.hex(w29.datagram()));
        QuicConnection other = CloseWriterUpstreamTest.confirmedClientWithCids("0102030405060708", "1112131415161718");
        Written w30 = CloseWriterUpstreamTest.close(other, CloseError.application(0), 30, Side.CLIENT);
        assertEquals("40" + "0102030405060708" + "00" + "1d0000" + "00" + TAG, ConnectionFixtures.hex(w30.datagram()));
    }

    // ---------------------------------------------------------------------------------------------------------
    // E11 / §5.2: what a CLOSING connection does with datagrams

    /** E11: a peer close at Handshake level does not drain a closing connection either. */
    @Test
    void e11AClosingClientIgnoresAHandshakeLevelPeerClose() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithHandshakeKeys(NULL);
        assertEquals(CloseOutcome.WRITTEN,
                c.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.transport(1), T0));
        byte[] dg = ConnectionFixtures.peerLongPacket(
                ConnectionFixtures.peerProtection(NULL, ConnectionFixtures.SERVER_HANDSHAKE_SECRET),
                LongPacketType.HANDSHAKE, CLIENT_SCID, ConnectionFixtures.SERVER_SCID, 0, Hex.decode("1c0a0000"), 0);
        long received = c.pathBytesReceived();
        assertEquals(ReceiveStatus.CLOSING, c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0 + 3));
        assertEquals(ConnectionState.CLOSING, c.state());
        assertNull(c.peerCloseError());
        assertEquals(received + dg.length, c.pathBytesReceived(), "counted for the closing period");
        assertEquals(T0 + 3, c.lastTimestamp(), "the timestamp is still recorded");
        assertThrows(IllegalArgumentException.class, () -> c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0 + 2));
    }

    /** E11 / §5.1 "CLOSING --(never)--> DRAINING": a stateless reset does not drain a closing connection. */
    @Test
    void e11AStatelessResetDoesNotDrainAClosingConnection() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        c.setPeerTransportParameters(TransportParameters.builder().statelessResetToken(RESET_TOKEN).build());
        assertEquals(CloseOutcome.WRITTEN,
                c.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.transport(1), T0));
        byte[] reset = new byte[40];
        reset[0] = 0x41;
        System.arraycopy(RESET_TOKEN, 0, reset, 24, 16);
        assertEquals(ReceiveStatus.CLOSING, c.receive(ByteBuffer.wrap(reset.clone()), CLIENT_PATH, T0));
        assertEquals(ReceiveStatus.DROPPED, c.receiveStatelessReset(ByteBuffer.wrap(reset.clone()), CLIENT_PATH, T0));
        assertEquals(ConnectionState.CLOSING, c.state());
        assertFalse(c.isStatelessReset());
    }

    /** §5.2: "on the client a packet from an unknown path returns 0 (counted as discarded)", before the state. */
    @Test
    void e11AClosingClientDropsADatagramFromAnUnknownPath() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        assertEquals(CloseOutcome.WRITTEN,
                c.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.transport(1), T0));
        long received = c.pathBytesReceived();
        NetworkPath elsewhere = new NetworkPath(ConnectionFixtures.CLIENT_ADDRESS,
                new InetSocketAddress("127.0.0.2", 4433));
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(new byte[50]), elsewhere, T0));
        assertEquals(DropReason.UNKNOWN_PATH, c.lastDropReason());
        assertEquals(received, c.pathBytesReceived());
    }

    // ---------------------------------------------------------------------------------------------------------
    // E12: CLOSING vs DRAINING are told apart, and the handshake cannot go on

    @Test
    void e12WritesAndCryptoDataAreRefusedWithTheRightState() throws Exception {
        QuicConnection closing = ConnectionFixtures.clientWithHandshakeKeys(NULL);
        closing.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.transport(1), T0);
        IllegalStateException a = assertThrows(IllegalStateException.class,
                () -> closing.writePacket(null, null, ByteBuffer.allocate(1500), T0));
        assertTrue(a.getMessage().contains("closing"), a.getMessage());
        IllegalStateException b = assertThrows(IllegalStateException.class,
                () -> closing.submitCryptoData(EncryptionLevel.HANDSHAKE, new byte[] {1}));
        assertTrue(b.getMessage().contains("closing"), b.getMessage());

        QuicConnection draining = ConnectionFixtures.clientConfirmed(NULL);
        draining.receive(ByteBuffer.wrap(ConnectionFixtures.peerShortPacket(NULL,
                ConnectionFixtures.SERVER_1RTT_SECRET, CLIENT_SCID, 1, Hex.decode("1c000000"))), CLIENT_PATH, T0);
        IllegalStateException d = assertThrows(IllegalStateException.class,
                () -> draining.writePacket(null, null, ByteBuffer.allocate(1500), T0));
        assertTrue(d.getMessage().contains("draining"), d.getMessage());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> draining.submitCryptoData(EncryptionLevel.ONE_RTT, new byte[] {1}));
        assertTrue(e.getMessage().contains("draining"), e.getMessage());
    }

    // ---------------------------------------------------------------------------------------------------------
    // E13 at Handshake and Initial level (§5.1 "0x1c or 0x1d, any level")

    @Test
    void e13AHandshakeLevelPeerCloseDrains() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithHandshakeKeys(NULL);
        byte[] dg = ConnectionFixtures.peerLongPacket(
                ConnectionFixtures.peerProtection(NULL, ConnectionFixtures.SERVER_HANDSHAKE_SECRET),
                LongPacketType.HANDSHAKE, CLIENT_SCID, ConnectionFixtures.SERVER_SCID, 0,
                Hex.decode("1c0a" + "08" + "03" + "626164"), 0);
        assertEquals(ReceiveStatus.DRAINING, c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0 + 4));
        assertTrue(c.isInDrainingPeriod());
        assertEquals(CloseError.transport(TransportErrorCode.PROTOCOL_VIOLATION, 8, "bad"), c.peerCloseError());
        PathInfo path = new PathInfo();
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.NOTHING_TO_WRITE,
                c.writeConnectionClose(path, null, dest, CloseError.transport(1), T0 + 5));
        assertEquals(0, dest.position());
        assertNull(path.path());
    }

    // ---------------------------------------------------------------------------------------------------------
    // E15 on a coalesced server close, E16 buffer cap without shaping

    @Test
    void e15ACoalescedServerCloseIsEct0OnACapablePathOnly() throws Exception {
        for (EcnState state : EcnState.values()) {
            QuicConnection s = ConnectionFixtures.serverAllKeys(NULL);
            s.setEcnState(state);
            PacketInfo pi = new PacketInfo();
            PathInfo path = new PathInfo();
            ByteBuffer dest = ByteBuffer.allocate(1500);
            assertEquals(CloseOutcome.WRITTEN,
                    s.writeConnectionClose(path, pi, dest, CloseError.application(1), T0));
            assertEquals(state == EcnState.CAPABLE ? Ecn.ECT_0 : Ecn.NOT_ECT, pi.ecn(), state.name());
            assertEquals(SERVER_PATH, path.path());
        }
    }

    @Test
    void e16WithoutShapingASmallBufferStillCapsTheClientInitial() throws Exception {
        Settings s = NULL.toBuilder().udpPayloadShaping(Settings.UdpPayloadShaping.NO_SHAPING)
                .maxTxUdpPayloadSize(1452).build();
        QuicConnection c = ConnectionFixtures.freshClient(s);
        c.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        c.writePacket(null, null, ByteBuffer.allocate(1500), T0);
        ByteBuffer dest = ByteBuffer.allocate(1000);
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, dest, CloseError.transport(0), T0));
        assertEquals(1000, dest.position());
    }

    // ---------------------------------------------------------------------------------------------------------
    // E20: the amplification budget, for a client the statistics

    @Test
    void e20TheCloseLeavesTheAmplificationBudgetAndCountsInStatistics() throws Exception {
        QuicConnection s = ConnectionFixtures.serverWithHandshakeKeys(NULL);
        long budget = s.amplificationBudget();
        assertTrue(budget < Long.MAX_VALUE, "unvalidated");
        Written w = CloseWriterUpstreamTest.close(s, CloseError.transport(0), 1500, Side.SERVER);
        assertForms(w, PacketForm.INITIAL, PacketForm.HANDSHAKE);
        assertEquals(budget, s.amplificationBudget(), "close bytes are not counted against the path");

        QuicConnection c = ConnectionFixtures.client(NULL);
        long packets = c.packetsSent();
        long bytes = c.bytesSent();
        long pathSent = c.pathBytesSent();
        Written cw = CloseWriterUpstreamTest.close(c, CloseError.transport(0), 1500, Side.CLIENT);
        assertEquals(1200, cw.length());
        assertEquals(packets + 1, c.packetsSent());
        assertEquals(bytes + 1200, c.bytesSent());
        assertEquals(pathSent, c.pathBytesSent());
    }

    // ---------------------------------------------------------------------------------------------------------
    // E18: an application close never carries a frame type; its I/H replacement has frame type 0

    @Test
    void e18TheFrameTypeOfATransportCloseGoesInEveryLevel() throws Exception {
        Written w = CloseWriterUpstreamTest.close(ConnectionFixtures.serverAllKeys(NULL),
                CloseError.transport(TransportErrorCode.FRAME_ENCODING_ERROR, 0x08, "x"), 1500, Side.SERVER);
        assertForms(w, PacketForm.INITIAL, PacketForm.HANDSHAKE, PacketForm.ONE_RTT);
        for (InspectedPacket p : w.packets()) {
            assertEquals(CloseType.TRANSPORT, closeFrame(p).type());
            assertEquals(0x08, closeFrame(p).frameType(), p.toString());
            assertArrayEquals(new byte[] {'x'}, closeFrame(p).reason());
        }
    }
    // ---------------------------------------------------------------------------------------------------------
    // §4.3 stateless close in v2 (E24 for the connection-less helper)

    @Test
    void aVersionTwoStatelessCloseUsesTheVersionTwoHeaderAndKeys() throws Exception {
        ByteBuffer dest = ByteBuffer.allocate(1200);
        assertEquals(CloseOutcome.WRITTEN, StatelessClose.write(dest, QuicVersion.V2, ODCID, SCID_C, SCID_S,
                CloseError.tlsAlert(40, null), dev.quicj.core.crypto.CryptoProvider.nullCrypto()));
        assertEquals("d0" + "6b3343cf" + "08" + "0102030405060708" + "08" + "f067a5502a4262b5" + "00" + "80000016"
                + "00" + "1c412800" + "00" + TAG, Hex.encode(Arrays.copyOf(dest.array(), dest.position())));
        ByteBuffer real = ByteBuffer.allocate(1200);
        assertEquals(CloseOutcome.WRITTEN, StatelessClose.write(real, QuicVersion.V2, ODCID, SCID_C, SCID_S,
                CloseError.tlsAlert(40, null), dev.quicj.core.crypto.CryptoProvider.jca()));
        byte[] bytes = Arrays.copyOf(real.array(), real.position());
        java.util.List<InspectedPacket> packets = dev.quicj.core.inspect.DatagramInspector.inspect(bytes,
                dev.quicj.core.inspect.DatagramInspector.initialKeys(ODCID, dev.quicj.core.crypto.CryptoProvider.jca()),
                8);
        assertEquals("server Initial", packets.get(0).keys());
        assertEquals(QuicVersion.V2, packets.get(0).version());
        assertEquals(0x128, closeFrame(packets.get(0)).errorCode());
    }

    // ---------------------------------------------------------------------------------------------------------
    // E19 on a server; §4.1 reason bytes are not validated

    @Test
    void e19ServerApplicationReasonOverflowingTheOneRttPacketLeavesInitialAndHandshake() throws Exception {
        QuicConnection s = ConnectionFixtures.serverAllKeys(NULL);
        Written w = CloseWriterUpstreamTest.close(s, CloseError.application(5, "r".repeat(1100)), 1200, Side.SERVER);
        assertForms(w, PacketForm.INITIAL, PacketForm.HANDSHAKE);
        assertEquals(ConnectionState.CLOSING, s.state());
        assertEquals(0, s.nextPacketNumber(EncryptionLevel.ONE_RTT), "the 1-RTT packet that did not fit used no number");
    }

    @Test
    void theReasonPhraseIsSentAsGivenWithoutUtf8Validation() throws Exception {
        byte[] reason = {(byte) 0xff, (byte) 0xfe, 0x00, (byte) 0xc3};
        Written w = CloseWriterUpstreamTest.close(ConnectionFixtures.clientConfirmed(NULL),
                CloseError.transport(1, 0, reason), 1500, Side.CLIENT);
        assertArrayEquals(reason, closeFrame(w.packets().get(0)).reason());
        assertTrue(ConnectionFixtures.hex(w.datagram()).contains("01" + "00" + "04" + "fffe00c3"));
    }
    /**
     * §8.1 {@code test_ngtcp2_conn_recv_stateless_reset}, server side: a server that learned a reset token from the
     * client's NEW_CONNECTION_ID (the ID it now uses) drains on a short-header datagram ending in it; another token changes nothing.
     */
    @Test
    void aServerDrainsOnTheClientsStatelessReset() throws Exception {
        byte[] token = Hex.decode("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
        for (boolean match : new boolean[] {false, true}) {
            QuicConnection s = ConnectionFixtures.serverConfirmed(NULL);
            // Retire Prior To 1: the server moves to sequence 1, so its token is the one of the ID in use (RFC 9000 §10.3.1)
            byte[] ncid = Hex.decode("18" + "01" + "01" + "08" + "5151515151515151" + Hex.encode(token));
            byte[] dg = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.CLIENT_1RTT_SECRET,
                    ConnectionFixtures.SERVER_SCID, 0, ncid);
            assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(dg), SERVER_PATH, T0), s.lastDropReason()
                    + "");
            byte[] reset = new byte[41];
            Arrays.fill(reset, (byte) 0x5c);
            reset[0] = 0x41;
            byte[] t = token.clone();
            if (!match) {
                t[15] ^= 1;
            }
            System.arraycopy(t, 0, reset, 25, 16);
            ReceiveStatus st = s.receive(ByteBuffer.wrap(reset), SERVER_PATH, T0);
            assertEquals(match ? ReceiveStatus.DRAINING : ReceiveStatus.DROPPED, st);
            assertEquals(match, s.isInDrainingPeriod());
            assertEquals(match, s.isStatelessReset());
        }
    }
}
