package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
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
import dev.quicj.core.QuicException;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.crypto.InitialSecrets;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.inspect.DatagramInspector;
import dev.quicj.core.inspect.InspectedPacket;
import dev.quicj.core.packet.PacketWriter;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The client's receive path for long-header packets, where the earlier tests leave gaps: Version Negotiation
 * (RFC 9000 §6.2, §17.2.1), Retry and what follows it (§17.2.5.2, §17.2.5.3, §7.2, RFC 9001 §5.2), header checks
 * after header protection is removed (§17.2, §12.2), packet-number decoding (Appendix A.3) and duplicates per packet
 * number space (§12.3), and the long-header type bits of QUIC v2 (RFC 9369 §3.2).
 */
class ClientLongHeaderReceiveTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();
    private static final ConnectionId OTHER = ConnectionFixtures.cid(0x77, 18);
    private static final byte[] TOKEN = Hex.decode("01020304");

    // ------------------------------------------------------------------------------------------------------
    // helpers

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A Version Negotiation packet with the given DCID and SCID and list (hex). */
    private static byte[] versionNegotiation(ConnectionId dcid, ConnectionId scid, String versionsHex) {
        return concat(Hex.decode("80" + "00000000"), new byte[] {(byte) dcid.length()}, dcid.toByteArray(),
                new byte[] {(byte) scid.length()}, scid.toByteArray(), Hex.decode(versionsHex));
    }

    private static PacketProtection serverInitialKeys(Settings s, QuicVersion v, ConnectionId keyDcid)
            throws Exception {
        return s.cryptoProvider().newPacketProtection(v, ConnectionFixtures.SUITE,
                InitialSecrets.serverSecret(v, keyDcid.toByteArray()));
    }

    /** A long-header packet from the server, with the packet number sent in {@code pnLength} bytes. */
    private static byte[] serverPacket(QuicVersion v, LongPacketType type, PacketProtection p, ConnectionId scid,
            long pn, int pnLength, String framesHex) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(1500);
        PacketWriter w = new PacketWriter();
        byte[] frames = Hex.decode(framesHex);
        assertTrue(w.beginLong(b, 0, 1500, v, type, CLIENT_SCID, scid, null, pn, pnLength, p)
                && w.writeFrameBytes(frames, 0, frames.length));
        return Arrays.copyOf(b.array(), w.finish(0));
    }

    /** A v1 server Initial to the fixture client under the keys of its original DCID. */
    private static byte[] serverInitial(long pn, int pnLength, String framesHex) throws Exception {
        return serverPacket(QuicVersion.V1, LongPacketType.INITIAL, serverInitialKeys(NULL, QuicVersion.V1,
                CLIENT_ODCID), SERVER_SCID, pn, pnLength, framesHex);
    }

    private static byte[] serverHandshake(QuicVersion v, long pn, int pnLength, String framesHex) throws Exception {
        PacketProtection p = NULL.cryptoProvider().newPacketProtection(v, ConnectionFixtures.SUITE,
                ConnectionFixtures.SERVER_HANDSHAKE_SECRET);
        return serverPacket(v, LongPacketType.HANDSHAKE, p, SERVER_SCID, pn, pnLength, framesHex);
    }

    private static ReceiveStatus receive(QuicConnection c, byte[] dg) throws QuicException {
        return c.receive(ByteBuffer.wrap(dg.clone()), CLIENT_PATH, T0);
    }

    /** What a client that has sent its first Initial and received nothing still has. */
    /** The DCID of the Initial close {@code c} writes for a PROTOCOL_VIOLATION. */
    private static ConnectionId closeDcid(QuicConnection c) {
        ByteBuffer close = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, close,
                CloseError.transport(TransportErrorCode.PROTOCOL_VIOLATION), T0 + 1));
        byte[] bytes = Arrays.copyOf(close.array(), close.position());
        List<InspectedPacket> packets = DatagramInspector.inspect(bytes,
                DatagramInspector.initialKeys(CLIENT_ODCID, NULL.cryptoProvider()), 18);
        return packets.get(0).dcid();
    }

    private static void assertUntouched(QuicConnection c) {
        assertEquals(ConnectionState.CLIENT_WAIT_HANDSHAKE, c.state());
        assertEquals(CLIENT_ODCID, c.destinationConnectionId());
        assertNull(c.token());
        assertNull(c.retrySourceConnectionId());
        assertEquals(-1, c.largestReceived(EncryptionLevel.INITIAL));
        assertEquals(0, c.packetsReceived());
        assertNull(c.peerCloseError());
    }

    // ------------------------------------------------------------------------------------------------------
    // Version Negotiation

    /**
     * RFC 9000 §17.2.1, RFC 8999 §6: a Version Negotiation packet echoes the client's connection IDs (its DCID is the
     * client's SCID, its SCID the client's DCID). One that does not is not an answer to this client: it is dropped,
     * changes nothing, and a proper one is still taken afterwards.
     */
    @Test
    void versionNegotiationNotEchoingTheClientsIdsIsDroppedAndChangesNothing() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        String list = "ff00001d" + "0a0a0a0a";
        // the DCID is the client's SCID, but the SCID is not its DCID
        assertEquals(ReceiveStatus.DROPPED, receive(c, versionNegotiation(CLIENT_SCID, OTHER, list)));
        assertEquals(DropReason.UNKNOWN_CONNECTION_ID, c.lastDropReason());
        assertUntouched(c);
        // the SCID is right, the DCID is not the client's SCID
        assertEquals(ReceiveStatus.DROPPED, receive(c, versionNegotiation(OTHER, CLIENT_ODCID, list)));
        assertEquals(DropReason.UNKNOWN_CONNECTION_ID, c.lastDropReason());
        assertUntouched(c);
        // a version list that is not a whole number of 32-bit versions
        assertEquals(ReceiveStatus.DROPPED, receive(c, versionNegotiation(CLIENT_SCID, CLIENT_ODCID, "ff00001d0a")));
        assertEquals(DropReason.MALFORMED_HEADER, c.lastDropReason());
        assertUntouched(c);
        // none of them counted as "an earlier Version Negotiation packet" (§6.2)
        assertEquals(ReceiveStatus.VERSION_NEGOTIATION, receive(c, versionNegotiation(CLIENT_SCID, CLIENT_ODCID,
                list)));
        // reporting it moves the connection nowhere: the application closes it (silently, close-spec §1.2)
        assertUntouched(c);
    }

    /**
     * A Version Negotiation packet listing no version at all: RFC 9000 §17.2.1 lays out its versions as
     * {@code Supported Version (32) ...}, which §1.3 reads as zero or more, so it is well formed, and it does not list
     * the client's version, so §6.2's client "MUST abandon the current connection attempt": reported as
     * {@link ReceiveStatus#VERSION_NEGOTIATION}, as libngtcp2 0.12.1 reports it
     * ({@code NGTCP2_ERR_RECV_VERSION_NEGOTIATION}, the libngtcp2 differential's {@code vn-c-empty}), not dropped as
     * malformed, after which the client would have gone on sending Initials to a server that named no version it
     * accepts. Only a list that is not a whole number of versions is malformed (above).
     */
    @Test
    void versionNegotiationListingNoVersionIsReported() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        assertEquals(ReceiveStatus.VERSION_NEGOTIATION, receive(c, versionNegotiation(CLIENT_SCID, CLIENT_ODCID, "")),
                () -> String.valueOf(c.lastDropReason()));
        assertUntouched(c);
        assertEquals(CloseOutcome.NOTHING_TO_WRITE,
                c.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.versionNegotiation(), T0));
    }

    /**
     * RFC 9000 §6.2: "A client MUST discard any Version Negotiation packet if it has received and successfully
     * processed any other packet". Here the other packet is the server's Initial, processed by this connection (not
     * given to a builder): a Version Negotiation packet that still echoes the original IDs is dropped and the
     * connection keeps the server's connection ID.
     */
    @Test
    void versionNegotiationAfterAServerInitialWasProcessedIsIgnored() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        assertEquals(ReceiveStatus.PROCESSED, receive(c, serverInitial(0, 1, "01")));
        assertEquals(SERVER_SCID, c.destinationConnectionId());
        for (ConnectionId scid : new ConnectionId[] {CLIENT_ODCID, SERVER_SCID}) {
            assertEquals(ReceiveStatus.DROPPED, receive(c, versionNegotiation(CLIENT_SCID, scid, "ff00001d")));
            assertEquals(DropReason.IGNORED_VERSION_NEGOTIATION, c.lastDropReason());
        }
        assertEquals(SERVER_SCID, c.destinationConnectionId());
        assertEquals(ConnectionState.CLIENT_WAIT_HANDSHAKE, c.state());
    }

    // ------------------------------------------------------------------------------------------------------
    // Retry

    /**
     * After a Retry (RFC 9000 §17.2.5.2, RFC 9001 §5.2), with real keys: the client's next Initial goes to the Retry's
     * SCID with the token, under keys derived from that SCID, and continues the packet numbers (§17.2.5.3: "the client
     * MUST NOT reset the packet number for any packet number space after processing a Retry packet"). A server
     * Initial still under the keys of the original DCID does not open; one under the new keys does, and the client
     * then sends to that Initial's SCID (§7.2: the server may pick another ID than its Retry's). Any later Retry is
     * discarded, and so is an Initial from yet another SCID.
     */
    @Test
    void afterARetryTheClientContinuesWithTheNewKeysAndPacketNumbers() throws Exception {
        Settings jca = Settings.defaults();
        QuicConnection c = ConnectionFixtures.client(jca);
        assertEquals(1, c.nextPacketNumber(EncryptionLevel.INITIAL));
        ConnectionId retryScid = ConnectionFixtures.cid(0x99, 8);
        assertEquals(ReceiveStatus.RETRY, receive(c, ConnectionFixtures.retryPacket(QuicVersion.V1, CLIENT_SCID,
                retryScid, TOKEN, CLIENT_ODCID)));
        assertEquals(retryScid, c.destinationConnectionId());
        assertEquals(ConnectionState.CLIENT_INITIAL, c.state());

        ByteBuffer next = ByteBuffer.allocate(1500);
        int n = c.writePacket(null, null, next, T0);
        assertEquals(1200, n);
        List<InspectedPacket> sent = DatagramInspector.inspect(Arrays.copyOf(next.array(), n),
                DatagramInspector.initialKeys(retryScid, jca.cryptoProvider()), 18);
        InspectedPacket initial = sent.get(0);
        assertTrue(initial.decrypted(), initial.failure());
        assertEquals(retryScid, initial.dcid());
        assertEquals(CLIENT_SCID, initial.scid());
        assertEquals(TOKEN.length, initial.tokenLength());
        assertEquals(1, initial.packetNumber(), "packet numbers go on after a Retry");

        // the server's Initial under the keys of the original DCID: not the server that sent the Retry
        byte[] oldKeys = serverPacket(QuicVersion.V1, LongPacketType.INITIAL,
                serverInitialKeys(jca, QuicVersion.V1, CLIENT_ODCID), SERVER_SCID, 0, 1, "01");
        assertEquals(ReceiveStatus.DROPPED, receive(c, oldKeys));
        assertEquals(DropReason.DECRYPTION_FAILED, c.lastDropReason());
        assertEquals(retryScid, c.destinationConnectionId());
        assertEquals(-1, c.largestReceived(EncryptionLevel.INITIAL));

        // under the keys of the Retry's SCID, from the server's (other) SCID
        byte[] newKeys = serverPacket(QuicVersion.V1, LongPacketType.INITIAL,
                serverInitialKeys(jca, QuicVersion.V1, retryScid), SERVER_SCID, 0, 1, "01");
        assertEquals(ReceiveStatus.PROCESSED, receive(c, newKeys));
        assertEquals(SERVER_SCID, c.destinationConnectionId());
        assertEquals(retryScid, c.retrySourceConnectionId());
        assertEquals(0, c.largestReceived(EncryptionLevel.INITIAL));

        // nothing moves it again
        assertEquals(ReceiveStatus.DROPPED, receive(c, ConnectionFixtures.retryPacket(QuicVersion.V1, CLIENT_SCID,
                OTHER, Hex.decode("0506"), retryScid)));
        assertEquals(DropReason.INVALID_RETRY, c.lastDropReason());
        byte[] otherScid = serverPacket(QuicVersion.V1, LongPacketType.INITIAL,
                serverInitialKeys(jca, QuicVersion.V1, retryScid), OTHER, 1, 1, "01");
        assertEquals(ReceiveStatus.DROPPED, receive(c, otherScid));
        assertEquals(DropReason.PEER_SCID_MISMATCH, c.lastDropReason());
        assertEquals(SERVER_SCID, c.destinationConnectionId());
        assertArrayEquals(TOKEN, c.token());
    }

    /** A Retry whose DCID is not the client's SCID is for another connection: dropped, nothing changes. */
    @Test
    void aRetryToAnotherConnectionIdIsDropped() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        assertEquals(ReceiveStatus.DROPPED, receive(c, ConnectionFixtures.retryPacket(QuicVersion.V1, OTHER,
                SERVER_SCID, TOKEN, CLIENT_ODCID)));
        assertEquals(DropReason.UNKNOWN_CONNECTION_ID, c.lastDropReason());
        assertUntouched(c);
        // a Retry too short for its integrity tag
        byte[] retry = ConnectionFixtures.retryPacket(QuicVersion.V1, CLIENT_SCID, SERVER_SCID, TOKEN, CLIENT_ODCID);
        assertEquals(ReceiveStatus.DROPPED, receive(c, Arrays.copyOf(retry, 1 + 4 + 1 + 18 + 1 + 18 + 15)));
        assertEquals(DropReason.MALFORMED_HEADER, c.lastDropReason());
        assertUntouched(c);
    }

    // ------------------------------------------------------------------------------------------------------
    // header checks after header protection

    /**
     * RFC 9000 §17.2: non-zero reserved bits are a PROTOCOL_VIOLATION only "after removing both packet and header
     * protection": a packet with them set that does not authenticate is dropped like any other.
     */
    @Test
    void reservedBitsOnAPacketThatDoesNotAuthenticateAreNoError() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        byte[] dg = serverInitial(0, 1, "01");
        dg[0] |= 0x0c; // null crypto: the first byte is not masked
        dg[dg.length - 1] ^= 1; // the null cipher's tag must be all zero
        assertEquals(ReceiveStatus.DROPPED, receive(c, dg));
        assertEquals(DropReason.DECRYPTION_FAILED, c.lastDropReason());
        assertUntouched(c);
    }

    /**
     * RFC 9000 §17.2 and §7.2: the server's first Initial with non-zero reserved bits is a PROTOCOL_VIOLATION, and
     * the connection error is all it does. The client does not take that packet's SCID as its DCID (ngtcp2's
     * {@code conn_recv_handshake_pkt} returns its error for the bits before it switches the DCID), so the close it
     * then writes goes to the DCID it had. It used to switch first, and close to the server's SCID.
     */
    @Test
    void reservedBitsOnTheFirstServerInitialChangeNothing() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        byte[] dg = serverInitial(0, 1, "01");
        dg[0] |= 0x08;
        QuicException e = assertThrows(QuicException.class, () -> receive(c, dg));
        assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, e.errorCode());
        assertUntouched(c);
        assertEquals(CLIENT_ODCID, closeDcid(c));
    }

    /**
     * The other order, pinned: a frame error in the server's first Initial (here STREAM, which Initial packets may
     * not carry: RFC 9000 §12.4) is found after the packet authenticated and its header checks passed, so the client
     * has switched to the server's SCID (§7.2) and its close goes there, as ngtcp2's {@code conn_recv_handshake_pkt}
     * switches the DCID before it decodes the frames. Nothing else of the packet is taken.
     */
    @Test
    void aFrameErrorInTheFirstServerInitialClosesToTheServersId() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        QuicException e = assertThrows(QuicException.class,
                () -> receive(c, serverInitial(0, 1, "06" + "00" + "02" + "abcd" + "08" + "00" + "00")));
        assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, e.errorCode());
        assertEquals(SERVER_SCID, c.destinationConnectionId());
        assertEquals(-1, c.largestReceived(EncryptionLevel.INITIAL));
        assertEquals(0, c.cryptoBytesReceived(EncryptionLevel.INITIAL));
        assertEquals(SERVER_SCID, closeDcid(c));
    }

    /**
     * RFC 9000 §17.2: a packet whose Length runs past the end of the datagram cannot be delimited; the packets
     * before it were processed, it and anything after it are not.
     */
    @Test
    void aCoalescedPacketWhoseLengthRunsPastTheDatagramIsDropped() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithHandshakeKeys(NULL);
        byte[] hs = serverHandshake(QuicVersion.V1, 0, 1, "01");
        // the Length field is the 4-byte varint right before the packet number
        int lengthAt = PacketWriter.longHeaderPnOffset(LongPacketType.HANDSHAKE, 18, 18, 0) - 4;
        long length = ByteBuffer.wrap(hs, lengthAt, 4).getInt() & 0x3fffffff;
        ByteBuffer.wrap(hs, lengthAt, 4).putInt((int) (0x80000000L | length + 1));
        assertEquals(ReceiveStatus.PROCESSED, receive(c, concat(serverInitial(0, 1, "01"), hs)));
        assertEquals(0, c.largestReceived(EncryptionLevel.INITIAL));
        assertEquals(-1, c.largestReceived(EncryptionLevel.HANDSHAKE));
        assertEquals(DropReason.MALFORMED_HEADER, c.lastDropReason());
        // alone, the whole datagram is dropped
        QuicConnection d = ConnectionFixtures.client(NULL);
        byte[] initial = serverInitial(0, 1, "01");
        int initialLengthAt = PacketWriter.longHeaderPnOffset(LongPacketType.INITIAL, 18, 18, 0) - 4;
        ByteBuffer.wrap(initial, initialLengthAt, 4).putInt(
                ByteBuffer.wrap(initial, initialLengthAt, 4).getInt() + 1);
        assertEquals(ReceiveStatus.DROPPED, receive(d, initial));
        assertEquals(DropReason.MALFORMED_HEADER, d.lastDropReason());
        assertUntouched(d);
    }

    /**
     * A v1 connection takes only v1 packets: a v2 Initial to it, alone or coalesced, is dropped as
     * UNSUPPORTED_VERSION (its type bits would mean another type in v1, RFC 9369 §3.2), and the packets coalesced
     * after it are still read.
     */
    @Test
    void packetsOfAnotherVersionAreDroppedAndTheRestOfTheDatagramRead() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithHandshakeKeys(NULL);
        byte[] v2Initial = serverPacket(QuicVersion.V2, LongPacketType.INITIAL,
                serverInitialKeys(NULL, QuicVersion.V2, CLIENT_ODCID), SERVER_SCID, 0, 1, "01");
        assertEquals(ReceiveStatus.DROPPED, receive(c, v2Initial));
        assertEquals(DropReason.UNSUPPORTED_VERSION, c.lastDropReason());
        assertEquals(CLIENT_ODCID, c.destinationConnectionId());
        assertEquals(-1, c.largestReceived(EncryptionLevel.INITIAL));

        byte[] v2Handshake = serverHandshake(QuicVersion.V2, 7, 1, "01");
        byte[] dg = concat(serverInitial(0, 1, "01"), v2Handshake, serverHandshake(QuicVersion.V1, 1, 1, "01"));
        assertEquals(ReceiveStatus.PROCESSED, receive(c, dg));
        assertEquals(0, c.largestReceived(EncryptionLevel.INITIAL));
        assertEquals(1, c.largestReceived(EncryptionLevel.HANDSHAKE), "the v2 packet 7 is not processed");
    }

    /**
     * RFC 9369 §3.2: v2 long-header type bits are Initial 0b01, 0-RTT 0b10, Handshake 0b11, Retry 0b00. A v2 client
     * reads a v2 Handshake packet (0b11, a Retry in v1) as a Handshake packet, and a v2 packet with the bits of a v1
     * Handshake (0b10, 0-RTT in v2) as a 0-RTT packet, which a client has no keys for.
     */
    @Test
    void aV2ClientReadsTheV2TypeBits() throws Exception {
        QuicConnection c = ConnectionFixtures.sentFirstInitial(
                ConnectionFixtures.clientBuilder(NULL).version(QuicVersion.V2).build(T0));
        c.installTxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, ConnectionFixtures.CLIENT_HANDSHAKE_SECRET);
        c.installRxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_HANDSHAKE_SECRET);
        byte[] v2Initial = serverPacket(QuicVersion.V2, LongPacketType.INITIAL,
                serverInitialKeys(NULL, QuicVersion.V2, CLIENT_ODCID), SERVER_SCID, 0, 1, "01");
        assertEquals(0b01, (v2Initial[0] >> 4) & 3);
        byte[] v2Handshake = serverHandshake(QuicVersion.V2, 0, 1, "01");
        assertEquals(0b11, (v2Handshake[0] >> 4) & 3);
        assertEquals(ReceiveStatus.PROCESSED, receive(c, concat(v2Initial, v2Handshake)));
        assertEquals(0, c.largestReceived(EncryptionLevel.INITIAL));
        assertEquals(0, c.largestReceived(EncryptionLevel.HANDSHAKE));

        byte[] zeroRttBits = serverHandshake(QuicVersion.V2, 1, 1, "01");
        zeroRttBits[0] = (byte) (zeroRttBits[0] & ~0x30 | 0b10 << 4);
        assertEquals(ReceiveStatus.DROPPED, receive(c, zeroRttBits));
        assertEquals(DropReason.NO_KEYS, c.lastDropReason());
        assertEquals(0, c.largestReceived(EncryptionLevel.HANDSHAKE));
    }

    // ------------------------------------------------------------------------------------------------------
    // packet numbers

    /**
     * RFC 9000 Appendix A.3 at a one-byte wrap: after packet 0xff, a 1-byte 0x00 is packet 0x100, and a 1-byte 0xff
     * is packet 0xff again, a duplicate (§12.3) that is not processed twice, even carrying other frames.
     */
    @Test
    void packetNumbersDecodeAcrossAWrapAndDuplicatesAreNotProcessedTwice() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        assertEquals(ReceiveStatus.PROCESSED, receive(c, serverInitial(0xff, 2, "01")));
        assertEquals(0xff, c.largestReceived(EncryptionLevel.INITIAL));
        assertEquals(ReceiveStatus.PROCESSED, receive(c, serverInitial(0x100, 1, "01")));
        assertEquals(0x100, c.largestReceived(EncryptionLevel.INITIAL));
        assertEquals(2, c.packetsReceived());
        // packet 0xff once more, now carrying the server's CONNECTION_CLOSE: a duplicate, not read
        byte[] dup = serverInitial(0xff, 1, "1c" + "00" + "00" + "00");
        assertEquals((byte) 0xff, dup[dup.length - 16 - 4 - 1]);
        assertEquals(ReceiveStatus.DROPPED, receive(c, dup));
        assertEquals(DropReason.DUPLICATE_PACKET, c.lastDropReason());
        assertEquals(ConnectionState.CLIENT_WAIT_HANDSHAKE, c.state());
        assertNull(c.peerCloseError());
        assertEquals(2, c.packetsReceived());
        // a 2-byte 0x0100 after 0x100 is 0x100 again; 0x0101 is new
        assertEquals(ReceiveStatus.DROPPED, receive(c, serverInitial(0x100, 2, "06" + "00" + "01" + "aa")));
        assertEquals(DropReason.DUPLICATE_PACKET, c.lastDropReason());
        assertEquals(0, c.cryptoBytesReceived(EncryptionLevel.INITIAL));
        assertEquals(ReceiveStatus.PROCESSED, receive(c, serverInitial(0x101, 1, "06" + "00" + "01" + "aa")));
        assertEquals(1, c.cryptoBytesReceived(EncryptionLevel.INITIAL));
        assertEquals(0x101, c.largestReceived(EncryptionLevel.INITIAL));
    }

    /**
     * RFC 9000 §12.3: each packet number space decodes and deduplicates on its own. With Initial packet 0x100 in, a
     * 1-byte Handshake 0x00 is Handshake packet 0 (not 0x100, as the Initial space's largest would decode it); a
     * number received in one space is new in the other.
     */
    @Test
    void packetNumberSpacesDecodeAndDeduplicateIndependently() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithHandshakeKeys(NULL);
        assertEquals(ReceiveStatus.PROCESSED, receive(c, serverInitial(0x100, 2, "01")));
        assertEquals(ReceiveStatus.PROCESSED, receive(c, serverHandshake(QuicVersion.V1, 0, 1, "01")));
        assertEquals(0, c.largestReceived(EncryptionLevel.HANDSHAKE));
        assertEquals(0x100, c.largestReceived(EncryptionLevel.INITIAL));
        // Handshake 0x100 is new though Initial 0x100 was received; Handshake 0 again is a duplicate
        assertEquals(ReceiveStatus.PROCESSED, receive(c, serverHandshake(QuicVersion.V1, 0x100, 2, "01")));
        assertEquals(0x100, c.largestReceived(EncryptionLevel.HANDSHAKE));
        assertEquals(ReceiveStatus.DROPPED, receive(c, serverHandshake(QuicVersion.V1, 0, 2, "01")));
        assertEquals(DropReason.DUPLICATE_PACKET, c.lastDropReason());
        // Initial 0, older than 0x100, was never received there: taken
        assertEquals(ReceiveStatus.PROCESSED, receive(c, serverInitial(0, 2, "01")));
        assertFalse(c.isInDrainingPeriod());
    }
}
