package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_HANDSHAKE_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_HANDSHAKE_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static dev.quicj.core.conn.IndependentQuic.V1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.conn.IndependentQuic.Keys;
import dev.quicj.core.conn.IndependentQuic.Opened;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * close-spec §2.2 / §2.3 (every row, both close types) and §2.4 / §4.1 / §4.2, for QUIC v1 with real packet protection
 * (the JCA provider, AES-128-GCM): every datagram is opened with {@link IndependentQuic} alone (its own HKDF, header
 * protection and AEAD), and every packet's type, header fields, packet number and exact plaintext (the close frame
 * byte for byte, then nothing but PADDING) are asserted. The library's own inspector is not used.
 */
class CloseDecisionTableIndependentTest {
    private static final Settings JCA = Settings.defaults();
    // a transport close with a frame type (project decision 2): 1c 0a 08 03 "why"
    private static final CloseError TRANSPORT = CloseError.transport(0x0a, 0x08, "why");
    private static final String TRANSPORT_FRAME = "1c0a0803776879";
    // an application close: 1d <0x1234 as a 2-byte varint> 03 "bye"; below 1-RTT it becomes 1c 0c 00 00
    private static final CloseError APPLICATION = CloseError.application(0x1234, "bye");
    private static final String APPLICATION_FRAME = "1d523403627965";
    private static final String REPLACEMENT = "1c0c0000";

    enum Level {
        I, H, A
    }

    /** One expected packet: its level, its packet number and the close frame it must start with. */
    record Expected(Level level, long pn, String frame) {
    }

    interface Setup {
        QuicConnection make() throws Exception;
    }

    private static Expected e(Level l, long pn, String frame) {
        return new Expected(l, pn, frame);
    }

    private static Arguments row(String name, boolean server, boolean padTo1200, Setup setup, CloseError error,
            Expected... packets) {
        return Arguments.of(name, server, padTo1200, setup, error, List.of(packets));
    }

    /** A server that processed the client's first Handshake packet (its Initial space is discarded). */
    private static QuicConnection serverAfterClientHandshake(boolean withOneRttKey) throws Exception {
        QuicConnection s = withOneRttKey ? ConnectionFixtures.serverAllKeys(JCA)
                : ConnectionFixtures.serverWithHandshakeKeys(JCA);
        byte[] hs = ConnectionFixtures.peerLongPacket(ConnectionFixtures.peerProtection(JCA, CLIENT_HANDSHAKE_SECRET),
                LongPacketType.HANDSHAKE, SERVER_SCID, CLIENT_SCID, 0, Hex.decode("01"), 0);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(hs), SERVER_PATH, T0));
        assertFalse(s.hasTxKey(EncryptionLevel.INITIAL));
        return s;
    }

    static Stream<Arguments> table() {
        Setup client = () -> ConnectionFixtures.client(JCA);
        Setup clientHs = () -> ConnectionFixtures.clientWithHandshakeKeys(JCA);
        Setup clientOneRttKeyNotComplete = () -> ConnectionFixtures.clientWithOneRttKeys(JCA);
        Setup clientPost = () -> ConnectionFixtures.clientPostHandshake(JCA);
        Setup clientConfirmed = () -> ConnectionFixtures.clientConfirmed(JCA);
        Setup server = () -> ConnectionFixtures.server(JCA);
        Setup serverHs = () -> ConnectionFixtures.serverWithHandshakeKeys(JCA);
        Setup serverAll = () -> ConnectionFixtures.serverAllKeys(JCA);
        Setup serverCompleted = () -> {
            QuicConnection s = ConnectionFixtures.serverAllKeys(JCA);
            s.handshakeCompleted();
            return s;
        };
        Setup serverHsNoInitial = () -> serverAfterClientHandshake(false);
        Setup serverAllNoInitial = () -> serverAfterClientHandshake(true);
        return Stream.of(
                // §2.2 client
                row("client Initial only, transport", false, true, client, TRANSPORT, e(Level.I, 1, TRANSPORT_FRAME)),
                row("client Initial only, application", false, true, client, APPLICATION, e(Level.I, 1, REPLACEMENT)),
                row("client Handshake key, transport", false, false, clientHs, TRANSPORT,
                        e(Level.H, 0, TRANSPORT_FRAME)),
                row("client Handshake key, application", false, false, clientHs, APPLICATION,
                        e(Level.H, 0, REPLACEMENT)),
                row("client 1-RTT key before completion, transport", false, false, clientOneRttKeyNotComplete,
                        TRANSPORT, e(Level.H, 0, TRANSPORT_FRAME)),
                row("client 1-RTT key before completion, application", false, false, clientOneRttKeyNotComplete,
                        APPLICATION, e(Level.H, 0, REPLACEMENT)),
                row("client POST_HANDSHAKE unconfirmed, transport", false, false, clientPost, TRANSPORT,
                        e(Level.H, 0, TRANSPORT_FRAME), e(Level.A, 0, TRANSPORT_FRAME)),
                row("client POST_HANDSHAKE unconfirmed, application", false, false, clientPost, APPLICATION,
                        e(Level.H, 0, REPLACEMENT), e(Level.A, 0, APPLICATION_FRAME)),
                row("client confirmed, transport", false, false, clientConfirmed, TRANSPORT,
                        e(Level.A, 0, TRANSPORT_FRAME)),
                row("client confirmed, application", false, false, clientConfirmed, APPLICATION,
                        e(Level.A, 0, APPLICATION_FRAME)),
                // §2.3 server
                row("server Initial only, transport", true, false, server, TRANSPORT, e(Level.I, 0, TRANSPORT_FRAME)),
                row("server Initial only, application", true, false, server, APPLICATION, e(Level.I, 0, REPLACEMENT)),
                row("server Handshake key, transport", true, false, serverHs, TRANSPORT,
                        e(Level.I, 0, TRANSPORT_FRAME), e(Level.H, 0, TRANSPORT_FRAME)),
                row("server Handshake key, application", true, false, serverHs, APPLICATION,
                        e(Level.I, 0, REPLACEMENT), e(Level.H, 0, REPLACEMENT)),
                row("server Handshake key, Initial discarded, transport", true, false, serverHsNoInitial, TRANSPORT,
                        e(Level.H, 0, TRANSPORT_FRAME)),
                row("server Handshake key, Initial discarded, application", true, false, serverHsNoInitial,
                        APPLICATION, e(Level.H, 0, REPLACEMENT)),
                row("server 1-RTT key unconfirmed, transport", true, false, serverAll, TRANSPORT,
                        e(Level.I, 0, TRANSPORT_FRAME), e(Level.H, 0, TRANSPORT_FRAME),
                        e(Level.A, 0, TRANSPORT_FRAME)),
                row("server 1-RTT key unconfirmed, application", true, false, serverAll, APPLICATION,
                        e(Level.I, 0, REPLACEMENT), e(Level.H, 0, REPLACEMENT), e(Level.A, 0, APPLICATION_FRAME)),
                row("server 1-RTT key unconfirmed, Initial discarded, transport", true, false, serverAllNoInitial,
                        TRANSPORT, e(Level.H, 0, TRANSPORT_FRAME), e(Level.A, 0, TRANSPORT_FRAME)),
                row("server 1-RTT key unconfirmed, Initial discarded, application", true, false, serverAllNoInitial,
                        APPLICATION, e(Level.H, 0, REPLACEMENT), e(Level.A, 0, APPLICATION_FRAME)),
                row("server confirmed, transport", true, false, serverCompleted, TRANSPORT,
                        e(Level.A, 0, TRANSPORT_FRAME)),
                row("server confirmed, application", true, false, serverCompleted, APPLICATION,
                        e(Level.A, 0, APPLICATION_FRAME)));
    }

    private static Keys keysFor(Level level, boolean server) throws Exception {
        switch (level) {
            case I:
                return IndependentQuic.initialKeys(V1, CLIENT_ODCID.toByteArray(), server);
            case H:
                return IndependentQuic.keys(V1, server ? SERVER_HANDSHAKE_SECRET : CLIENT_HANDSHAKE_SECRET);
            default:
                return IndependentQuic.keys(V1, server ? SERVER_1RTT_SECRET : CLIENT_1RTT_SECRET);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void eachRowWritesExactlyTheSpecifiedPackets(String name, boolean server, boolean padTo1200, Setup setup,
            CloseError error, List<Expected> expected) throws Exception {
        QuicConnection c = setup.make();
        ConnectionId dcid = c.destinationConnectionId();
        ConnectionId scid = c.sourceConnectionId();
        assertEquals(server ? CLIENT_SCID : CLIENT_ODCID, dcid);
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, dest, error, T0 + 1));
        byte[] dg = Arrays.copyOf(dest.array(), dest.position());
        String all = HexFormat.of().formatHex(dg);
        assertEquals(ConnectionState.CLOSING, c.state());

        List<Integer> starts = IndependentQuic.packetStarts(dg);
        assertEquals(expected.size(), starts.size(), all);
        int offset = 0;
        for (int i = 0; i < expected.size(); i++) {
            Expected x = expected.get(i);
            int start = starts.get(i);
            assertEquals(offset, start, "packets are back to back: " + all);
            Opened o = IndependentQuic.open(dg, start, keysFor(x.level(), server), dcid.length());
            String where = name + " packet " + i + " " + x.level();
            // §2.4: every packet goes to the same (current) DCID
            assertArrayEquals(dcid.toByteArray(), o.dcid(), where);
            assertEquals(x.pn(), o.pn(), where);
            int pnLength = (o.firstByte() & 3) + 1;
            assertEquals(1, pnLength, where);
            if (x.level() == Level.A) {
                assertFalse(o.longHeader(), where);
                assertEquals(i, expected.size() - 1, "the short header is last");
                // §4.2: fixed bit, spin 0, reserved 0, key phase 0
                assertEquals(0x40, o.firstByte() & 0xfc, where);
            } else {
                assertTrue(o.longHeader(), where);
                assertEquals(V1, o.version(), where);
                // §4.2 byte 0 = 0x80 | 0x40 | type << 4 | (pn_len - 1), reserved bits 0
                int type = x.level() == Level.I ? 0 : 2;
                assertEquals(0xc0 | type << 4, o.firstByte() & 0xfc, where);
                assertArrayEquals(scid.toByteArray(), o.scid(), where);
                int lengthAt = start + 1 + 4 + 1 + dcid.length() + 1 + scid.length();
                if (x.level() == Level.I) {
                    assertEquals(0, o.token().length, where);
                    assertEquals(0, dg[lengthAt], "Token Length 0: " + where);
                    lengthAt++;
                }
                // §4.2: the Length is always the 4-byte varint form, value pn_len + payload + tag
                assertEquals(0x80, dg[lengthAt] & 0xc0, "4-byte Length: " + where);
                long length = ((dg[lengthAt] & 0x3fL) << 24) | ((dg[lengthAt + 1] & 0xffL) << 16)
                        | ((dg[lengthAt + 2] & 0xffL) << 8) | (dg[lengthAt + 3] & 0xffL);
                assertEquals(pnLength + o.payload().length + 16, length, where);
            }
            // the close frame byte for byte, then PADDING only
            String payload = o.payloadHex();
            assertTrue(payload.startsWith(x.frame()), where + ": " + payload);
            String rest = payload.substring(x.frame().length());
            assertTrue(rest.matches("(00)*"), where + " trailing bytes are not PADDING: " + rest);
            if (!padTo1200 || x.level() != Level.I) {
                // only a client Initial is padded beyond the minimum, and these packets are all above it
                assertEquals("", rest, where + " padded");
            }
            // a long header ends where its Length says; the short header runs to the end of the datagram
            offset = o.end();
        }
        assertEquals(dg.length, offset, "the packets fill the datagram");
        assertEquals(padTo1200 ? 1200 : dg.length, dg.length, "a client Initial close is padded to exactly 1200");
        if (!padTo1200) {
            assertTrue(dg.length < 1200, "nothing else is padded to 1200: " + dg.length);
        }
    }
}
