package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.crypto.InitialSecrets;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.inspect.InspectedPacket;
import dev.quicj.core.packet.PacketForm;
import dev.quicj.core.packet.PacketHeader;
import dev.quicj.core.packet.PacketWriter;
import dev.quicj.core.wire.PacketNumber;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The server side of first contact, where no other test pins it: what InitialCheck and a fresh server connection
 * make of datagrams that are 1200 bytes only through coalescing or trailing bytes (RFC 9000 §14.1 counts the UDP
 * payload), connection IDs at and past 20 bytes (§17.2), v2 type bits (RFC 9369 §3.2), a client Initial carrying a
 * token the server never validated (§8.1.3), and the Token Length of every server Initial (§17.2.2).
 */
class ServerFirstContactTest {
    private static final Settings JCA = Settings.defaults();
    private static final byte[] CRYPTO = {0x06, 0x00, 0x04, 1, 2, 3, 4};

    /** A client Initial of {@code version}, unpadded (minLength 0) unless asked, from CLIENT_SCID to {@code dcid}. */
    private static byte[] clientInitial(QuicVersion version, ConnectionId dcid, ConnectionId scid, long pn,
            byte[] frames, int minLength) throws Exception {
        PacketProtection p = JCA.cryptoProvider().newPacketProtection(version, ConnectionFixtures.SUITE,
                InitialSecrets.clientSecret(version, dcid.toByteArray()));
        return longPacket(version, LongPacketType.INITIAL, p, dcid, scid, pn, frames, minLength);
    }

    private static byte[] longPacket(QuicVersion version, LongPacketType type, PacketProtection p, ConnectionId dcid,
            ConnectionId scid, long pn, byte[] frames, int minLength) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(1500);
        PacketWriter w = new PacketWriter();
        assertTrue(w.beginLong(b, 0, 1500, version, type, dcid, scid, null, pn, PacketNumber.encodedLength(pn, -1), p));
        assertTrue(w.writeFrameBytes(frames, 0, frames.length));
        int n = w.finish(minLength);
        return Arrays.copyOf(b.array(), n);
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static InitialCheck check(byte[] dg) {
        return InitialCheck.of(ByteBuffer.wrap(dg), new PacketHeader());
    }

    private static QuicConnection freshServer(QuicVersion v) {
        return QuicConnection.serverBuilder().version(v).sourceConnectionId(SERVER_SCID).path(SERVER_PATH)
                .settings(JCA).build(T0);
    }

    private static void assertUntouched(QuicConnection s) {
        assertEquals(ConnectionState.SERVER_INITIAL, s.state());
        assertFalse(s.hasTxKey(EncryptionLevel.INITIAL));
        assertEquals(0, s.pathBytesReceived());
        assertEquals(0, s.amplificationBudget());
        assertEquals(null, s.originalDestinationConnectionId());
    }

    /**
     * RFC 9000 §14.1: "A server MUST discard an Initial packet that is carried in a UDP datagram with a payload that
     * is smaller than the smallest allowed maximum datagram size of 1200 bytes", and a client "MAY" reach it by
     * coalescing or by data after the packet ("junk"): the datagram counts, not the packet. A short Initial made
     * 1200 bytes by trailing zeros or by a coalesced packet opens a connection, which counts all 1200 bytes (§8.1);
     * 1199 bytes are dropped with nothing counted.
     */
    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void aShortInitialInA1200ByteDatagramCountsTheDatagram(QuicVersion v) throws Exception {
        byte[] initial = clientInitial(v, CLIENT_ODCID, CLIENT_SCID, 0, CRYPTO, 0);
        assertTrue(initial.length < 200, String.valueOf(initial.length));
        byte[] zeros = Arrays.copyOf(initial, 1200);
        byte[] junk = Arrays.copyOf(initial, 1200);
        Arrays.fill(junk, initial.length, 1200, (byte) 0x5a);
        byte[] coalesced = concat(initial, clientInitial(v, CLIENT_ODCID, CLIENT_SCID, 1, new byte[] {0x01},
                1200 - initial.length));
        assertEquals(1200, coalesced.length);
        for (byte[] dg : new byte[][] {zeros, junk, coalesced}) {
            assertEquals(InitialCheck.ACCEPTABLE, check(dg));
            QuicConnection s = freshServer(v);
            assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(dg.clone()), SERVER_PATH, T0),
                    () -> String.valueOf(s.lastDropReason()));
            assertEquals(1200, s.pathBytesReceived());
            assertEquals(3600, s.amplificationBudget());
            assertEquals(CLIENT_ODCID, s.originalDestinationConnectionId());
            assertEquals(CLIENT_SCID, s.destinationConnectionId());
        }
        for (byte[] dg : new byte[][] {Arrays.copyOf(zeros, 1199), Arrays.copyOf(junk, 1199),
                concat(initial, clientInitial(v, CLIENT_ODCID, CLIENT_SCID, 1, new byte[] {0x01},
                        1199 - initial.length))}) {
            assertEquals(1199, dg.length);
            assertEquals(InitialCheck.DATAGRAM_TOO_SMALL, check(dg));
            QuicConnection s = freshServer(v);
            assertEquals(ReceiveStatus.DROPPED, s.receive(ByteBuffer.wrap(dg), SERVER_PATH, T0));
            assertEquals(DropReason.INITIAL_DATAGRAM_TOO_SMALL, s.lastDropReason());
            assertUntouched(s);
        }
    }

    /**
     * RFC 9000 §17.2: "Endpoints that receive a version 1 long header with a value larger than 20 MUST drop the
     * packet" (RFC 9369 keeps this for v2); 20 bytes is still a client Initial. For a version the server does not
     * speak the limit is not applied (RFC 8999 §5.1 allows 255), so the datagram stays one to answer with Version
     * Negotiation.
     */
    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void connectionIdsPast20BytesAreMalformedOnlyInVersionsThisLibrarySpeaks(QuicVersion v) throws Exception {
        ConnectionId twenty = ConnectionId.fromHex("a0".repeat(20));
        byte[] ok = clientInitial(v, twenty, twenty, 0, CRYPTO, 1200);
        assertEquals(InitialCheck.ACCEPTABLE, check(ok));
        QuicConnection s = freshServer(v);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(ok), SERVER_PATH, T0));
        // the same header with a 21-byte DCID or SCID, hand-built (the writer refuses such IDs)
        for (boolean dcid : new boolean[] {true, false}) {
            ByteBuffer b = ByteBuffer.allocate(1200);
            b.put((byte) (0xc0 | (v.typeBits(LongPacketType.INITIAL) << 4))).putInt(v.wireValue());
            b.put((byte) (dcid ? 21 : 8)).put(new byte[dcid ? 21 : 8]);
            b.put((byte) (dcid ? 8 : 21)).put(new byte[dcid ? 8 : 21]);
            b.put((byte) 0).putShort((short) (0x4000 | (b.remaining() - 2)));
            byte[] dg = b.array();
            assertEquals(InitialCheck.MALFORMED, check(dg), "dcid " + dcid);
            QuicConnection fresh = freshServer(v);
            assertEquals(ReceiveStatus.DROPPED, fresh.receive(ByteBuffer.wrap(dg), SERVER_PATH, T0));
            assertUntouched(fresh);
            // another version: Version Negotiation may answer it, copying the 21-byte ID
            byte[] other = dg.clone();
            other[1] = 0x1a;
            assertEquals(InitialCheck.UNSUPPORTED_VERSION, check(other));
            assertTrue(VersionNegotiation.answerable(ByteBuffer.wrap(other)));
        }
    }

    /**
     * RFC 9369 §3.2: v2 numbers its long packet types differently (Initial 0b01, 0-RTT 0b10, Handshake 0b11, Retry
     * 0b00). InitialCheck reads the type bits of the packet's own version: v1's Initial bits under the v2 version are a
     * v2 Retry, and v2's Initial bits under the v1 version a v1 0-RTT packet; neither opens a connection.
     */
    @Test
    void theInitialTypeBitsAreThoseOfThePacketsVersion() throws Exception {
        byte[] v1 = clientInitial(QuicVersion.V1, CLIENT_ODCID, CLIENT_SCID, 0, CRYPTO, 1200);
        byte[] v2 = clientInitial(QuicVersion.V2, CLIENT_ODCID, CLIENT_SCID, 0, CRYPTO, 1200);
        assertEquals(InitialCheck.ACCEPTABLE, check(v1));
        assertEquals(InitialCheck.ACCEPTABLE, check(v2));
        byte[] v1AsV2 = v1.clone();
        System.arraycopy(v2, 1, v1AsV2, 1, 4);
        byte[] v2AsV1 = v2.clone();
        System.arraycopy(v1, 1, v2AsV1, 1, 4);
        // header protection leaves the type bits alone (RFC 9001 §5.4.1 masks the low 4 bits of a long header)
        assertEquals(0x00, v1[0] & 0x30);
        assertEquals(0x10, v2[0] & 0x30);
        assertFalse(check(v1AsV2) == InitialCheck.ACCEPTABLE, String.valueOf(check(v1AsV2)));
        // read as a v1 0-RTT packet, which has no Token Length: its Length is then the token's 0, too short
        assertFalse(check(v2AsV1) == InitialCheck.ACCEPTABLE, String.valueOf(check(v2AsV1)));
        for (QuicVersion v : QuicVersion.values()) {
            QuicConnection s = freshServer(v);
            byte[] wrong = v == QuicVersion.V1 ? v2AsV1 : v1AsV2;
            assertEquals(ReceiveStatus.DROPPED, s.receive(ByteBuffer.wrap(wrong.clone()), SERVER_PATH, T0));
            assertUntouched(s);
        }
    }

    /**
     * A datagram whose first packet is a client Handshake (or 0-RTT) packet for a connection the server does not have
     * opens nothing, even with a valid Initial coalesced after it: InitialCheck looks at the first packet (RFC 9000
     * §12.2 lets a server route by it), and a fresh server drops the datagram without counting it or taking keys.
     */
    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void aHandshakeOrZeroRttPacketFirstOpensNothing(QuicVersion v) throws Exception {
        PacketProtection junkKeys = JCA.cryptoProvider().newPacketProtection(v, ConnectionFixtures.SUITE,
                new byte[32]);
        for (LongPacketType type : new LongPacketType[] {LongPacketType.HANDSHAKE, LongPacketType.ZERO_RTT}) {
            byte[] first = longPacket(v, type, junkKeys, CLIENT_ODCID, CLIENT_SCID, 0, new byte[] {0x01}, 0);
            byte[] initial = clientInitial(v, CLIENT_ODCID, CLIENT_SCID, 0, CRYPTO, 1200 - first.length);
            byte[] dg = concat(first, initial);
            assertEquals(1200, dg.length);
            assertEquals(InitialCheck.NOT_INITIAL, check(dg), type.toString());
            assertEquals(InitialCheck.NOT_INITIAL, check(Arrays.copyOf(first, first.length)), type.toString());
            QuicConnection s = freshServer(v);
            assertEquals(ReceiveStatus.DROPPED, s.receive(ByteBuffer.wrap(dg), SERVER_PATH, T0));
            assertEquals(DropReason.UNEXPECTED_PACKET_TYPE, s.lastDropReason());
            assertUntouched(s);
        }
    }

    /**
     * RFC 9000 §8.1.3: "If the token is invalid, then the server SHOULD proceed as if the client did not have a
     * validated address". A client Initial carrying a token the application did not validate (the server was not
     * built with {@code validatedToken}) opens a connection whose path is unvalidated: 3 x 1200 bytes of budget.
     */
    @Test
    void aClientInitialWithATokenNobodyValidatedLeavesThePathUnvalidated() throws Exception {
        QuicConnection client = ConnectionFixtures.clientBuilder(JCA).token(new byte[] {9, 8, 7, 6}).build(T0);
        client.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        ByteBuffer b = ByteBuffer.allocate(1500);
        int n = ConnectionFixtures.write(client, b, T0);
        byte[] dg = Arrays.copyOf(b.array(), n);
        PacketHeader h = new PacketHeader();
        assertEquals(InitialCheck.ACCEPTABLE, InitialCheck.of(ByteBuffer.wrap(dg), h));
        assertEquals(4, h.tokenLength());
        QuicConnection s = ConnectionFixtures.serverBuilder(JCA).build(T0);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(dg), SERVER_PATH, T0));
        assertFalse(s.isPathValidated());
        assertEquals(3L * n, s.amplificationBudget());
    }

    /**
     * RFC 9000 §17.2.2: "Initial packets sent by the server MUST set the Token Length field to 0". A server built with
     * the client's validated token (kept as the connection's token) writes neither its handshake Initial nor its
     * Initial close with it.
     */
    @Test
    void aServerInitialNeverCarriesTheValidatedToken() throws Exception {
        byte[] token = {1, 2, 3, 4, 5};
        for (boolean close : new boolean[] {false, true}) {
            QuicConnection s = ConnectionFixtures.serverBuilder(JCA).validatedToken(token).build(T0);
            assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(ConnectionFixtures.clientFirstInitial(JCA)),
                    SERVER_PATH, T0));
            ByteBuffer out = ByteBuffer.allocate(1500);
            if (close) {
                assertEquals(CloseOutcome.WRITTEN, s.writeConnectionClose(null, null, out,
                        CloseError.transport(0x0b), T0 + 1));
            } else {
                s.submitCryptoData(EncryptionLevel.INITIAL, new byte[] {2, 0, 0, 4, 1, 2, 3, 4});
                assertTrue(ConnectionFixtures.write(s, out, T0 + 1) > 0);
            }
            out.flip();
            List<InspectedPacket> packets = ConnectionFixtures.inspect(out, ConnectionFixtures.Side.SERVER, JCA);
            assertEquals(PacketForm.INITIAL, packets.get(0).form());
            assertEquals("server Initial", packets.get(0).keys());
            assertEquals(0, packets.get(0).tokenLength(), "close " + close);
            assertEquals(CLIENT_SCID, packets.get(0).dcid());
            assertEquals(SERVER_SCID, packets.get(0).scid());
        }
    }

    /**
     * A fresh server has no connection ID of its own yet: it takes the first client Initial that authenticates,
     * whatever its DCID. A datagram before it that opened nothing (an Initial that does not authenticate, to another
     * DCID) was not "uniquely attributed to a single connection" (RFC 9000 §8.1), and a drop changes nothing: its
     * bytes must not raise the amplification budget of the connection the next Initial opens.
     */
    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void aDatagramThatOpenedNothingDoesNotRaiseTheBudgetOfTheConnectionOpenedLater(QuicVersion v) throws Exception {
        ConnectionId other = ConnectionId.fromHex("0badbadbadbadbad");
        byte[] forged = clientInitial(v, other, CLIENT_SCID, 0, CRYPTO, 1200);
        forged[forged.length - 1] ^= 1;
        QuicConnection s = freshServer(v);
        assertEquals(ReceiveStatus.DROPPED, s.receive(ByteBuffer.wrap(forged), SERVER_PATH, T0));
        assertEquals(DropReason.DECRYPTION_FAILED, s.lastDropReason());
        assertUntouched(s);
        byte[] real = clientInitial(v, CLIENT_ODCID, CLIENT_SCID, 0, CRYPTO, 1200);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(real), SERVER_PATH, T0));
        assertEquals(CLIENT_ODCID, s.originalDestinationConnectionId());
        assertEquals(1200, s.pathBytesReceived());
        assertEquals(3600, s.amplificationBudget());
    }

    /**
     * A 1-RTT packet coalesced after a client Initial that does not authenticate, to any DCID: the datagram opened
     * nothing, so a fresh server neither counts its bytes nor keeps any of it. Holding the 1-RTT packet (until a
     * handshake that another datagram may open) would keep bytes never counted toward any budget and take a slot of
     * the held-packet bound from whoever really opens the connection.
     */
    @ParameterizedTest
    @EnumSource(QuicVersion.class)
    void aDatagramThatOpenedNothingHoldsNoOneRttPacket(QuicVersion v) throws Exception {
        ConnectionId other = ConnectionId.fromHex("0badbadbadbadbadbadbadbadbadbadbadba");
        byte[] forged = clientInitial(v, other, CLIENT_SCID, 0, CRYPTO, 1200);
        forged[forged.length - 1] ^= 1;
        byte[] shortPacket = new byte[1 + other.length() + 60];
        shortPacket[0] = 0x41;
        System.arraycopy(other.toByteArray(), 0, shortPacket, 1, other.length());
        QuicConnection s = freshServer(v);
        assertEquals(ReceiveStatus.DROPPED, s.receive(ByteBuffer.wrap(concat(forged, shortPacket)), SERVER_PATH, T0));
        assertUntouched(s);
        assertTrue(s.heldPackets == null || s.heldPackets.isEmpty(), "nothing of a datagram that opened nothing is held");
    }
}
