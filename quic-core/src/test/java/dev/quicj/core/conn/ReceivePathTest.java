package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
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
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.InitialSecrets;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.tls.ClientHello;
import dev.quicj.core.tls.ClientHelloInfo;
import dev.quicj.core.tls.HandshakeMessage;
import dev.quicj.core.tls.TlsHandshakeReader;
import dev.quicj.core.tls.TransportParameters;
import dev.quicj.core.wire.FrameType;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The receive path: what each kind of datagram does to a connection, and what it must not do. */
class ReceivePathTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();
    private static final byte[] RESET_TOKEN = Hex.decode("00112233445566778899aabbccddeeff");

    private static PacketProtection serverInitial(Settings s) throws Exception {
        return ConnectionFixtures.peerProtection(s, InitialSecrets.serverSecret(QuicVersion.V1, CLIENT_ODCID.toByteArray()));
    }

    private static PacketProtection clientInitial(Settings s) throws Exception {
        return ConnectionFixtures.peerProtection(s, InitialSecrets.clientSecret(QuicVersion.V1, CLIENT_ODCID.toByteArray()));
    }

    /** A server Initial to the fixture client. */
    private static byte[] serverInitialPacket(long pn, String framesHex) throws Exception {
        return ConnectionFixtures.peerLongPacket(serverInitial(NULL), LongPacketType.INITIAL, CLIENT_SCID, SERVER_SCID,
                pn, Hex.decode(framesHex), 0);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] repeat(char c, int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) c);
        return b;
    }

    @Test
    void theLastOfSeveralPeerClosesWinsAndItsReasonIsCappedAt1024Bytes() throws Exception {
        // test_ngtcp2_conn_get_ccerr
        QuicConnection s = ConnectionFixtures.serverConfirmed(NULL);
        ByteBuffer frames = ByteBuffer.allocate(1200);
        frames.put(Hex.decode("1d" + "01" + "0a")).put(repeat('a', 10));
        frames.put(Hex.decode("1c" + "0a" + "c000000003b9aca07".substring(0, 0))); // type + code
        frames.put(Hex.decode("803b9aca07".replace("803b9aca07", "c0000000" + "3b9aca07")));
        frames.put(Hex.decode("4401")).put(repeat('a', 1025));
        byte[] payload = Arrays.copyOf(frames.array(), frames.position());
        byte[] dg = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.CLIENT_1RTT_SECRET, SERVER_SCID, 0,
                payload);
        assertEquals(ReceiveStatus.DRAINING, s.receive(ByteBuffer.wrap(dg), SERVER_PATH, T0));
        CloseError e = s.peerCloseError();
        assertEquals(CloseError.Type.TRANSPORT, e.type());
        assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, e.errorCode());
        assertEquals(1_000_000_007L, e.frameType());
        assertEquals(1024, e.reasonLength());
        assertArrayEquals(repeat('a', 1024), e.reason());
        assertTrue(s.isInDrainingPeriod());
    }

    @Test
    void peerInitialCloseDuringTheHandshakeIsReadable() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        byte[] dg = serverInitialPacket(0, "1c" + "4128" + "00" + "03" + Hex.encode("bye".getBytes()));
        assertEquals(ReceiveStatus.DRAINING, c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0));
        assertEquals(CloseError.transport(0x128, 0, "bye"), c.peerCloseError());
        assertEquals(SERVER_SCID, c.destinationConnectionId());
    }

    @Test
    void aDatagramIsReadInNetworkByteOrderWhateverTheBuffersByteOrder() throws Exception {
        // the Version field and the varints (Length, error code) are big-endian on the wire (RFC 9000 §16, §17.2)
        QuicConnection c = ConnectionFixtures.client(NULL);
        byte[] dg = serverInitialPacket(0, "1c" + "4128" + "00" + "03" + Hex.encode("bye".getBytes()));
        ByteBuffer little = ByteBuffer.wrap(dg).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(ReceiveStatus.DRAINING, c.receive(little, CLIENT_PATH, T0));
        assertEquals(CloseError.transport(0x128, 0, "bye"), c.peerCloseError());
    }

    /**
     * receive decrypts in place: a read-only datagram is refused before anything is counted, so it cannot raise the
     * amplification budget (counted, then failing to decrypt, it would count twice once handed over again writable).
     */
    @Test
    void aReadOnlyDatagramIsRefusedBeforeAnythingIsCounted() throws Exception {
        byte[] initial = ConnectionFixtures.clientFirstInitial(NULL);
        QuicConnection s = ConnectionFixtures.serverBuilder(NULL).build(T0);
        assertThrows(IllegalArgumentException.class,
                () -> s.receive(ByteBuffer.wrap(initial).asReadOnlyBuffer(), SERVER_PATH, T0));
        assertEquals(0, s.pathBytesReceived());
        assertEquals(0, s.packetsReceived());
        assertEquals(ConnectionState.SERVER_INITIAL, s.state());
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(initial), SERVER_PATH, T0));
        assertEquals(1200, s.pathBytesReceived());
    }

    private static QuicConnection clientWithResetToken() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        c.setPeerTransportParameters(TransportParameters.builder().statelessResetToken(RESET_TOKEN).build());
        return c;
    }

    @Test
    void statelessResetInShortFormMovesToDraining() throws Exception {
        QuicConnection c = clientWithResetToken();
        byte[] dg = concat(Hex.decode("41"), repeat('x', 24), RESET_TOKEN);
        assertEquals(ReceiveStatus.DRAINING, c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0));
        assertTrue(c.isStatelessReset());
        assertEquals(ConnectionState.DRAINING, c.state());
        assertNull(c.peerCloseError());
    }

    @Test
    void statelessResetInLongFormMovesToDraining() throws Exception {
        QuicConnection c = clientWithResetToken();
        byte[] dg = concat(Hex.decode("c000000001"), new byte[] {18}, CLIENT_SCID.toByteArray(), new byte[] {0, 0},
                Hex.decode("4040"), repeat('y', 64), RESET_TOKEN);
        assertEquals(ReceiveStatus.DRAINING, c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0));
        assertEquals(ConnectionState.DRAINING, c.state());
    }

    @Test
    void statelessResetWithAnUnparsableLongHeaderMovesToDraining() throws Exception {
        QuicConnection c = clientWithResetToken();
        byte[] dg = concat(Hex.decode("c0000000017f"), repeat('z', 8), RESET_TOKEN);
        assertEquals(ReceiveStatus.DRAINING, c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0));
    }

    @Test
    void datagramWithAnotherTokenIsDroppedAndNotDraining() throws Exception {
        QuicConnection c = clientWithResetToken();
        byte[] other = RESET_TOKEN.clone();
        other[15] ^= 1;
        byte[] dg = concat(Hex.decode("41"), repeat('x', 24), other);
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0));
        assertFalse(c.isInDrainingPeriod());
        assertFalse(c.isStatelessReset());
    }

    @Test
    void serverIgnoresAClientInitialInADatagramShorterThan1200Bytes() throws Exception {
        QuicConnection s = ConnectionFixtures.serverBuilder(NULL).build(T0);
        byte[] initial = ConnectionFixtures.peerLongPacket(clientInitial(NULL), LongPacketType.INITIAL, CLIENT_ODCID,
                CLIENT_SCID, 0, Hex.decode("06" + "00" + "04" + "01020304"), 1199);
        assertEquals(1199, initial.length);
        assertEquals(ReceiveStatus.DROPPED, s.receive(ByteBuffer.wrap(initial), SERVER_PATH, T0));
        assertEquals(DropReason.INITIAL_DATAGRAM_TOO_SMALL, s.lastDropReason());
        assertEquals(ConnectionState.SERVER_INITIAL, s.state());
        assertFalse(s.hasTxKey(EncryptionLevel.INITIAL));
        assertEquals(0, s.pathBytesReceived());
    }

    @Test
    void serverIgnoresAClientInitialWithAShortDcid() throws Exception {
        // the client builder refuses short first DCIDs, so craft the packet as a misbehaving client would
        ConnectionId shortDcid = ConnectionId.fromHex("01020304");
        PacketProtection p = ConnectionFixtures.peerProtection(NULL,
                InitialSecrets.clientSecret(QuicVersion.V1, shortDcid.toByteArray()));
        byte[] dg = ConnectionFixtures.peerLongPacket(p, LongPacketType.INITIAL, shortDcid, CLIENT_SCID, 0,
                Hex.decode("01"), 1200);
        QuicConnection s = ConnectionFixtures.serverBuilder(NULL).build(T0);
        assertEquals(ReceiveStatus.DROPPED, s.receive(ByteBuffer.wrap(dg), SERVER_PATH, T0));
        assertEquals(DropReason.INITIAL_DCID_TOO_SHORT, s.lastDropReason());
        assertFalse(s.hasTxKey(EncryptionLevel.INITIAL));
    }

    @Test
    void serverIgnoresAnUndecryptableInitialAndKeepsNoKeys() throws Exception {
        byte[] initial = ConnectionFixtures.clientFirstInitial(Settings.defaults());
        initial[100] ^= 0x40;
        QuicConnection s = ConnectionFixtures.serverBuilder(Settings.defaults()).build(T0);
        assertEquals(ReceiveStatus.DROPPED, s.receive(ByteBuffer.wrap(initial), SERVER_PATH, T0));
        assertEquals(DropReason.DECRYPTION_FAILED, s.lastDropReason());
        assertFalse(s.hasTxKey(EncryptionLevel.INITIAL));
        assertEquals(ConnectionState.SERVER_INITIAL, s.state());
    }

    @Test
    void serverIgnoresAnUnsupportedVersion() throws Exception {
        byte[] initial = ConnectionFixtures.clientFirstInitial(NULL);
        initial[4] = 7;
        QuicConnection s = ConnectionFixtures.serverBuilder(NULL).build(T0);
        assertEquals(ReceiveStatus.DROPPED, s.receive(ByteBuffer.wrap(initial), SERVER_PATH, T0));
        assertEquals(DropReason.UNSUPPORTED_VERSION, s.lastDropReason());
    }

    @Test
    void serverLearnsTheConnectionIdsFromTheClientsFirstInitial() throws Exception {
        QuicConnection s = ConnectionFixtures.server(Settings.defaults());
        assertEquals(CLIENT_ODCID, s.originalDestinationConnectionId());
        assertEquals(CLIENT_SCID, s.destinationConnectionId());
        assertEquals(1200, s.pathBytesReceived());
        assertEquals(0, s.largestReceived(EncryptionLevel.INITIAL));
        assertEquals(ConnectionFixtures.CLIENT_HELLO.length, s.cryptoBytesReceived(EncryptionLevel.INITIAL));
        assertFalse(s.isPathValidated());
        assertEquals(3600, s.amplificationBudget());
    }

    /**
     * RFC 9000 §7.2: a client changes its Destination Connection ID only for the first Initial from the server; "if
     * subsequent Initial packets include a different Source Connection ID, they MUST be discarded."
     */
    @Test
    void aClientDiscardsALaterServerInitialWithAnotherSourceConnectionId() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(serverInitialPacket(0, "01")), CLIENT_PATH,
                T0));
        assertEquals(SERVER_SCID, c.destinationConnectionId());
        ConnectionId other = ConnectionFixtures.cid(0x77, 18);
        byte[] later = ConnectionFixtures.peerLongPacket(serverInitial(NULL), LongPacketType.INITIAL, CLIENT_SCID,
                other, 1, Hex.decode("01"), 0);
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(later), CLIENT_PATH, T0));
        assertEquals(DropReason.PEER_SCID_MISMATCH, c.lastDropReason());
        assertEquals(0, c.largestReceived(EncryptionLevel.INITIAL));
        assertEquals(SERVER_SCID, c.destinationConnectionId());
    }

    /**
     * RFC 9000 §7.2: "A server MUST set the Destination Connection ID it uses for sending packets based on the first
     * received Initial packet"; a later client Initial with another Source Connection ID MUST be discarded.
     */
    @Test
    void aServerDiscardsALaterClientInitialWithAnotherSourceConnectionId() throws Exception {
        QuicConnection s = ConnectionFixtures.server(NULL);
        assertEquals(CLIENT_SCID, s.destinationConnectionId());
        byte[] later = ConnectionFixtures.peerLongPacket(clientInitial(NULL), LongPacketType.INITIAL, SERVER_SCID,
                ConnectionFixtures.cid(0x77, 18), 1, Hex.decode("01"), 1200);
        assertEquals(ReceiveStatus.DROPPED, s.receive(ByteBuffer.wrap(later), SERVER_PATH, T0));
        assertEquals(DropReason.PEER_SCID_MISMATCH, s.lastDropReason());
        assertEquals(0, s.largestReceived(EncryptionLevel.INITIAL));
        assertEquals(CLIENT_SCID, s.destinationConnectionId());
    }

    /**
     * RFC 9001 §4.1.3, RFC 9000 §19.6: a ClientHello arrives in CRYPTO frames of two client Initials, cut in three and
     * out of order (the last third and the first in the first packet, the middle one in the second). The server's
     * CRYPTO stream hands it over in order and without gaps, and cut into handshake messages (TlsHandshakeReader,
     * RFC 8446 §4) it decodes as the ClientHello that was sent, with its transport parameters (RFC 9001 §8.2).
     */
    @Test
    void aClientHelloInOutOfOrderCryptoFramesOfTwoInitialsDecodesWhole() throws Exception {
        TransportParameters params = TransportParameters.builder()
                .initialSourceConnectionId(CLIENT_SCID.toByteArray()).maxIdleTimeoutMillis(30_000).build();
        byte[] hello = ClientHello.builder().applicationProtocols("h3").serverName("example.com")
                .transportParameters(params).build().encode();
        int a = hello.length / 3;
        int b = 2 * hello.length / 3;
        TlsHandshakeReader reader = new TlsHandshakeReader();
        List<HandshakeMessage> messages = new ArrayList<>();
        QuicConnection s = ConnectionFixtures.serverBuilder(NULL).cryptoDataListener((level, offset, data) -> {
            assertEquals(EncryptionLevel.INITIAL, level);
            try {
                reader.add(data);
            } catch (QuicException e) {
                throw new AssertionError(e);
            }
            for (HandshakeMessage m = reader.poll(); m != null; m = reader.poll()) {
                messages.add(m);
            }
        }).build(T0);
        byte[] first = ConnectionFixtures.peerLongPacket(clientInitial(NULL), LongPacketType.INITIAL, CLIENT_ODCID,
                CLIENT_SCID, 0, concat(cryptoFrame(hello, b, hello.length), cryptoFrame(hello, 0, a)), 1200);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(first), SERVER_PATH, T0));
        assertEquals(a, s.cryptoBytesReceived(EncryptionLevel.INITIAL));
        assertTrue(messages.isEmpty());
        byte[] second = ConnectionFixtures.peerLongPacket(clientInitial(NULL), LongPacketType.INITIAL, CLIENT_ODCID,
                CLIENT_SCID, 1, cryptoFrame(hello, a, b), 1200);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(second), SERVER_PATH, T0));
        assertEquals(hello.length, s.cryptoBytesReceived(EncryptionLevel.INITIAL));
        assertEquals(1, messages.size());
        assertArrayEquals(hello, messages.get(0).encode());
        ClientHelloInfo info = ClientHelloInfo.decode(messages.get(0));
        assertEquals(java.util.Optional.of("example.com"), info.serverName());
        assertEquals(List.of("h3"), info.applicationProtocols());
        assertEquals(params, info.transportParameters());
    }

    /** A CRYPTO frame (RFC 9000 §19.6) carrying {@code data[from, to)} at stream offset {@code from}. */
    private static byte[] cryptoFrame(byte[] data, int from, int to) {
        ByteBuffer f = ByteBuffer.allocate(1 + 8 + 8 + to - from);
        f.put((byte) FrameType.CRYPTO);
        dev.quicj.core.wire.VarInt.encode(f, from);
        dev.quicj.core.wire.VarInt.encode(f, to - from);
        f.put(data, from, to - from);
        return Arrays.copyOf(f.array(), f.position());
    }

    @Test
    void ackOfTheClientInitialUpdatesTheLargestAcknowledgedAndTheRtt() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        assertEquals(-1, c.largestAcknowledged(EncryptionLevel.INITIAL));
        byte[] dg = serverInitialPacket(0, "02" + "00" + "00" + "00" + "00");
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0 + 40_000_000L));
        assertEquals(0, c.largestAcknowledged(EncryptionLevel.INITIAL));
        assertEquals(40_000_000L, c.smoothedRtt().toNanos());
    }

    @Test
    void ackOfAPacketNeverSentIsAProtocolViolationWithNoEffect() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        byte[] dg = serverInitialPacket(0, "02" + "05" + "00" + "00" + "00");
        QuicException e = assertThrows(QuicException.class, () -> c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0));
        assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, e.errorCode());
        assertEquals(0x02, e.frameType());
        assertEquals(-1, c.largestAcknowledged(EncryptionLevel.INITIAL));
        assertEquals(-1, c.largestReceived(EncryptionLevel.INITIAL));
    }

    @Test
    void cryptoDataReachesTheListenerInOrder() throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        QuicConnection c = ConnectionFixtures.sentFirstInitial(ConnectionFixtures.clientBuilder(NULL)
                .cryptoDataListener((level, offset, data) -> {
                    assertEquals(EncryptionLevel.INITIAL, level);
                    assertEquals(got.size(), offset);
                    byte[] b = new byte[data.remaining()];
                    data.get(b);
                    got.writeBytes(b);
                }).build(T0));
        // second half first, then the first half, then an overlapping duplicate
        c.receive(ByteBuffer.wrap(serverInitialPacket(0, "06" + "05" + "05" + "0506070809")), CLIENT_PATH, T0);
        assertEquals(0, got.size());
        c.receive(ByteBuffer.wrap(serverInitialPacket(1, "06" + "00" + "05" + "0001020304")), CLIENT_PATH, T0);
        c.receive(ByteBuffer.wrap(serverInitialPacket(2, "06" + "03" + "04" + "03040506")), CLIENT_PATH, T0);
        assertEquals("00010203040506070809", Hex.encode(got.toByteArray()));
        assertEquals(10, c.cryptoBytesReceived(EncryptionLevel.INITIAL));
    }

    /**
     * A listener handing the connection another datagram while a packet's frames are applied is refused, typed and
     * before anything changes: the nested datagram could discard the keys the outer packet is using. (It used to
     * fail inside the shared frame decoder with "FrameDecoder is not reentrant", after taking its timestamp.)
     */
    @Test
    void aListenerCannotHandTheConnectionAnotherDatagram() throws Exception {
        byte[] second = serverInitialPacket(1, "06" + "03" + "02" + "dddd");
        QuicConnection[] self = new QuicConnection[1];
        IllegalStateException[] refused = new IllegalStateException[1];
        QuicConnection c = ConnectionFixtures.sentFirstInitial(ConnectionFixtures.clientBuilder(NULL)
                .cryptoDataListener((level, offset, data) -> {
                    refused[0] = assertThrows(IllegalStateException.class,
                            () -> self[0].receive(ByteBuffer.wrap(second.clone()), CLIENT_PATH, T0 + 5));
                }).build(T0));
        self[0] = c;
        assertEquals(ReceiveStatus.PROCESSED,
                c.receive(ByteBuffer.wrap(serverInitialPacket(0, "06" + "00" + "03" + "aabbcc")), CLIENT_PATH, T0));
        assertTrue(refused[0].getMessage().contains("within receive"), refused[0].getMessage());
        assertEquals(T0, c.lastTimestamp(), "the refused call took nothing, not even its timestamp");
        assertEquals(3, c.cryptoBytesReceived(EncryptionLevel.INITIAL));
        // handed over after receive returned, the datagram is processed as any other
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(second.clone()), CLIENT_PATH, T0 + 5));
        assertEquals(5, c.cryptoBytesReceived(EncryptionLevel.INITIAL));
    }

    @Test
    void aBadFrameAfterAGoodOneLeavesNoEffectAtAll() throws Exception {
        int[] calls = {0};
        QuicConnection c = ConnectionFixtures.sentFirstInitial(ConnectionFixtures.clientBuilder(NULL)
                .cryptoDataListener((level, offset, data) -> calls[0]++).build(T0));
        // a valid CRYPTO frame, then a STREAM frame, which Initial packets may not carry
        byte[] dg = serverInitialPacket(0, "06" + "00" + "02" + "abcd" + "08" + "00" + "00");
        QuicException e = assertThrows(QuicException.class, () -> c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0));
        assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, e.errorCode());
        assertEquals(0, calls[0]);
        assertEquals(0, c.cryptoBytesReceived(EncryptionLevel.INITIAL));
        assertEquals(-1, c.largestReceived(EncryptionLevel.INITIAL));
    }

    @Test
    void aDuplicatePacketIsDropped() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        byte[] dg = serverInitialPacket(0, "01");
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(dg.clone()), CLIENT_PATH, T0));
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(dg.clone()), CLIENT_PATH, T0));
        assertEquals(DropReason.DUPLICATE_PACKET, c.lastDropReason());
    }

    @Test
    void aDuplicateChaChaPacketIsDroppedNotRejectedByTheCipher() throws Exception {
        // JDK 17's ChaCha20 refuses a second init with the same key and nonce; the core must not trip on it
        Settings real = Settings.defaults();
        QuicConnection c = ConnectionFixtures.client(real);
        byte[] dg = ConnectionFixtures.peerLongPacket(serverInitial(real), LongPacketType.INITIAL, CLIENT_SCID,
                SERVER_SCID, 0, Hex.decode("01"), 0);
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(dg.clone()), CLIENT_PATH, T0));
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(dg.clone()), CLIENT_PATH, T0));
        assertEquals(DropReason.DUPLICATE_PACKET, c.lastDropReason());
    }

    /**
     * A Version Negotiation packet to the client (DCID = its SCID) from {@code serverScid}, offering the versions in
     * {@code versionsHex}.
     */
    private static byte[] versionNegotiation(ConnectionId serverScid, String versionsHex) {
        return concat(Hex.decode("80" + "00000000"), new byte[] {18}, CLIENT_SCID.toByteArray(),
                new byte[] {(byte) serverScid.length()}, serverScid.toByteArray(), Hex.decode(versionsHex));
    }

    /** The parameters a server sends: its SCID, the client's first DCID, and the Retry's SCID if given. */
    private static TransportParameters.Builder serverParameters(ConnectionId retrySource) {
        TransportParameters.Builder b = TransportParameters.builder()
                .initialSourceConnectionId(SERVER_SCID.toByteArray())
                .originalDestinationConnectionId(CLIENT_ODCID.toByteArray());
        return retrySource == null ? b : b.retrySourceConnectionId(retrySource.toByteArray());
    }

    private static void assertTransportParameterError(QuicConnection c, TransportParameters p) {
        QuicException e = assertThrows(QuicException.class, () -> c.checkPeerConnectionIds(p));
        assertEquals(TransportErrorCode.TRANSPORT_PARAMETER_ERROR, e.errorCode());
        assertEquals(FrameType.CRYPTO, e.frameType());
    }

    @Test
    void aClientChecksTheServersConnectionIdParametersAgainstThePackets() throws Exception {
        // RFC 9000 §7.3
        QuicConnection c = ConnectionFixtures.client(NULL);
        assertThrows(IllegalStateException.class, () -> c.checkPeerConnectionIds(serverParameters(null).build()),
                "before any server packet the server's connection ID is unknown");
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(serverInitialPacket(0, "01")), CLIENT_PATH,
                T0));
        c.checkPeerConnectionIds(serverParameters(null).build());
        assertTransportParameterError(c, TransportParameters.builder()
                .originalDestinationConnectionId(CLIENT_ODCID.toByteArray()).build());
        assertTransportParameterError(c, serverParameters(null)
                .initialSourceConnectionId(CLIENT_SCID.toByteArray()).build());
        assertTransportParameterError(c, TransportParameters.builder()
                .initialSourceConnectionId(SERVER_SCID.toByteArray()).build());
        assertTransportParameterError(c, serverParameters(null)
                .originalDestinationConnectionId(SERVER_SCID.toByteArray()).build());
        assertTransportParameterError(c, serverParameters(SERVER_SCID).build());
        assertNull(c.peerTransportParameters(), "checking stores nothing");
    }

    @Test
    void afterARetryTheServerMustNameIt() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        assertEquals(ReceiveStatus.RETRY, c.receive(ByteBuffer.wrap(retryFromServer()), CLIENT_PATH, T0));
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(serverInitialPacket(0, "01")), CLIENT_PATH,
                T0));
        c.checkPeerConnectionIds(serverParameters(SERVER_SCID).build());
        assertTransportParameterError(c, serverParameters(null).build());
        assertTransportParameterError(c, serverParameters(CLIENT_ODCID).build());
    }

    @Test
    void aServerChecksTheClientsConnectionIdParameters() throws Exception {
        QuicConnection s = ConnectionFixtures.server(NULL);
        s.checkPeerConnectionIds(TransportParameters.builder().initialSourceConnectionId(CLIENT_SCID.toByteArray())
                .build());
        assertTransportParameterError(s, TransportParameters.builder().build());
        assertTransportParameterError(s, TransportParameters.builder()
                .initialSourceConnectionId(SERVER_SCID.toByteArray()).build());
        // server-only parameters (§18.2)
        assertTransportParameterError(s, TransportParameters.builder()
                .initialSourceConnectionId(CLIENT_SCID.toByteArray())
                .originalDestinationConnectionId(CLIENT_ODCID.toByteArray()).build());
        assertTransportParameterError(s, TransportParameters.builder()
                .initialSourceConnectionId(CLIENT_SCID.toByteArray()).statelessResetToken(new byte[16]).build());
    }

    /** A valid v1 Retry to the client from SERVER_SCID with the token 01 02. */
    private static byte[] retryFromServer() throws CryptoException {
        return ConnectionFixtures.retryPacket(QuicVersion.V1, CLIENT_SCID, SERVER_SCID, new byte[] {1, 2},
                CLIENT_ODCID);
    }

    @Test
    void versionNegotiationWithoutOurVersionIsReported() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        byte[] vn = versionNegotiation(CLIENT_ODCID, "ff00001d" + "0a0a0a0a");
        assertEquals(ReceiveStatus.VERSION_NEGOTIATION, c.receive(ByteBuffer.wrap(vn), CLIENT_PATH, T0));
        // the application then closes silently
        assertEquals(CloseOutcome.NOTHING_TO_WRITE,
                c.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.versionNegotiation(), T0));
    }

    @Test
    void versionNegotiationListingOurVersionIsIgnored() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        byte[] vn = versionNegotiation(CLIENT_ODCID, "00000001");
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(vn), CLIENT_PATH, T0));
        assertEquals(DropReason.IGNORED_VERSION_NEGOTIATION, c.lastDropReason());
    }

    @Test
    void retryWithABadTagIsDropped() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        byte[] retry = retryFromServer();
        retry[retry.length - 1] ^= 1;
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(retry), CLIENT_PATH, T0));
        assertEquals(DropReason.INVALID_RETRY, c.lastDropReason());
        assertEquals(ConnectionState.CLIENT_WAIT_HANDSHAKE, c.state());
    }

    /** RFC 9000 §17.2.5.2: "A client MUST discard a Retry packet with a zero-length Retry Token field." */
    @Test
    void aRetryWithAnEmptyTokenIsDropped() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        byte[] retry = ConnectionFixtures.retryPacket(QuicVersion.V1, CLIENT_SCID, SERVER_SCID, new byte[0],
                CLIENT_ODCID);
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(retry), CLIENT_PATH, T0));
        assertEquals(DropReason.INVALID_RETRY, c.lastDropReason());
        assertEquals(CLIENT_ODCID, c.destinationConnectionId());
        assertEquals(ConnectionState.CLIENT_WAIT_HANDSHAKE, c.state());
    }

    /**
     * RFC 9000 §17.2.5.2: "After the client has received and processed an Initial or Retry packet from the server, it
     * MUST discard any subsequent Retry packets that it receives."
     */
    @Test
    void aRetryAfterAServerInitialIsDropped() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(serverInitialPacket(0, "01")), CLIENT_PATH,
                T0));
        byte[] retry = ConnectionFixtures.retryPacket(QuicVersion.V1, CLIENT_SCID, ConnectionFixtures.cid(0x77, 18),
                new byte[] {1, 2}, CLIENT_ODCID);
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(retry), CLIENT_PATH, T0));
        assertEquals(DropReason.INVALID_RETRY, c.lastDropReason());
        assertEquals(SERVER_SCID, c.destinationConnectionId());
        assertTrue(c.token() == null || c.token().length == 0, "the Retry token was not taken");
    }

    @Test
    void onlyTheFirstRetryCounts() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        byte[] retry = retryFromServer();
        assertEquals(ReceiveStatus.RETRY, c.receive(ByteBuffer.wrap(retry.clone()), CLIENT_PATH, T0));
        assertArrayEquals(new byte[] {1, 2}, c.token());
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(retry.clone()), CLIENT_PATH, T0));
        assertEquals(DropReason.INVALID_RETRY, c.lastDropReason());
    }

    /**
     * A Retry is read in the version its Version field names (the type bits: RFC 9369 §3.2, the integrity key:
     * RFC 9001 §5.8, RFC 9369 §3.3.3), and a client takes only its own version's packets, as it drops Initial and
     * Handshake packets of another version. A Retry labelled v2 whose tag was computed with the v1 key (anyone can:
     * the keys are public) used to be verified with the connection's v1 key and accepted.
     */
    @Test
    void aRetryOfAnotherVersionIsDropped() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        ByteBuffer b = ByteBuffer.allocate(256);
        b.put((byte) (0xc0 | QuicVersion.V2.typeBits(LongPacketType.RETRY) << 4)).putInt(QuicVersion.V2.wireValue());
        b.put((byte) CLIENT_SCID.length());
        CLIENT_SCID.writeTo(b);
        b.put((byte) SERVER_SCID.length());
        SERVER_SCID.writeTo(b);
        b.put(new byte[] {1, 2});
        b.put(dev.quicj.core.crypto.RetryIntegrity.tag(QuicVersion.V1, CLIENT_ODCID.toByteArray(), b.array(), 0,
                b.position()));
        byte[] retry = Arrays.copyOf(b.array(), b.position());
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(retry), CLIENT_PATH, T0));
        assertEquals(DropReason.UNSUPPORTED_VERSION, c.lastDropReason());
        assertEquals(ConnectionState.CLIENT_WAIT_HANDSHAKE, c.state());
        assertEquals(CLIENT_ODCID, c.destinationConnectionId());
        assertNull(c.token());
        // the client still takes a Retry of its own version
        assertEquals(ReceiveStatus.RETRY, c.receive(ByteBuffer.wrap(retryFromServer()), CLIENT_PATH, T0));
    }

    @Test
    void aRetryOfAVersion2ConnectionIsAccepted() throws Exception {
        QuicConnection c = ConnectionFixtures.sentFirstInitial(
                ConnectionFixtures.clientBuilder(NULL).version(QuicVersion.V2).build(T0));
        byte[] v1 = ConnectionFixtures.retryPacket(QuicVersion.V1, CLIENT_SCID, SERVER_SCID, new byte[] {1, 2},
                CLIENT_ODCID);
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(v1), CLIENT_PATH, T0));
        byte[] v2 = ConnectionFixtures.retryPacket(QuicVersion.V2, CLIENT_SCID, SERVER_SCID, new byte[] {1, 2},
                CLIENT_ODCID);
        assertEquals(ReceiveStatus.RETRY, c.receive(ByteBuffer.wrap(v2), CLIENT_PATH, T0));
        assertEquals(SERVER_SCID, c.destinationConnectionId());
    }

    @Test
    void aServerInitialWithANonEmptyTokenIsDropped() throws Exception {
        // RFC 9000 §17.2.2: "clients that receive an Initial packet with a non-zero Token Length field MUST either
        // discard the packet or generate a connection error of type PROTOCOL_VIOLATION"
        QuicConnection c = ConnectionFixtures.client(NULL);
        ByteBuffer b = ByteBuffer.allocate(1500);
        dev.quicj.core.packet.PacketWriter w = new dev.quicj.core.packet.PacketWriter();
        byte[] frames = Hex.decode("1c" + "00" + "00" + "00");
        assertTrue(w.beginLong(b, 0, 1500, QuicVersion.V1, LongPacketType.INITIAL, CLIENT_SCID, SERVER_SCID,
                new byte[] {1, 2, 3}, 0, 1, serverInitial(NULL)) && w.writeFrameBytes(frames, 0, frames.length));
        byte[] dg = Arrays.copyOf(b.array(), w.finish(0));
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0));
        assertEquals(DropReason.MALFORMED_HEADER, c.lastDropReason());
        assertEquals(ConnectionState.CLIENT_WAIT_HANDSHAKE, c.state());
        assertNull(c.peerCloseError());
        assertEquals(CLIENT_ODCID, c.destinationConnectionId());
    }

    @Test
    void retryWhoseSourceConnectionIdIsTheClientsDestinationConnectionIdIsDropped() throws Exception {
        // RFC 9000 §17.2.5.1: "A client MUST discard a Retry packet that contains a Source Connection ID field that
        // is identical to the Destination Connection ID field of its Initial packet."
        QuicConnection c = ConnectionFixtures.client(NULL);
        byte[] retry = ConnectionFixtures.retryPacket(QuicVersion.V1, CLIENT_SCID, CLIENT_ODCID, new byte[] {1, 2},
                CLIENT_ODCID);
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(retry), CLIENT_PATH, T0));
        assertEquals(DropReason.INVALID_RETRY, c.lastDropReason());
        assertEquals(ConnectionState.CLIENT_WAIT_HANDSHAKE, c.state());
        assertNull(c.token());
    }

    @Test
    void onlyTheFirstVersionNegotiationIsReported() throws Exception {
        // RFC 9000 §6.2: "... any other packet, including an earlier Version Negotiation packet"
        QuicConnection c = ConnectionFixtures.client(NULL);
        byte[] vn = versionNegotiation(CLIENT_ODCID, "ff00001d" + "0a0a0a0a");
        assertEquals(ReceiveStatus.VERSION_NEGOTIATION, c.receive(ByteBuffer.wrap(vn.clone()), CLIENT_PATH, T0));
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(vn.clone()), CLIENT_PATH, T0));
        assertEquals(DropReason.IGNORED_VERSION_NEGOTIATION, c.lastDropReason());
    }

    @Test
    void versionNegotiationToAClientCreatedWithTheServersConnectionIdIsIgnored() throws Exception {
        // RFC 9000 §6.2 and §7.2: a client whose DCID is no longer its original one has processed a server packet
        QuicConnection c = ConnectionFixtures.sentFirstInitial(
                ConnectionFixtures.clientBuilder(NULL).destinationConnectionId(SERVER_SCID).build(T0));
        byte[] vn = versionNegotiation(SERVER_SCID, "ff00001d" + "0a0a0a0a");
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(vn), CLIENT_PATH, T0));
        assertEquals(DropReason.IGNORED_VERSION_NEGOTIATION, c.lastDropReason());
    }

    @Test
    void versionNegotiationAfterARetryIsIgnored() throws Exception {
        // RFC 9000 §6.2: "A client MUST discard any Version Negotiation packet if it has received and successfully
        // processed any other packet"; a Retry is such a packet
        QuicConnection c = ConnectionFixtures.client(NULL);
        byte[] retry = retryFromServer();
        assertEquals(ReceiveStatus.RETRY, c.receive(ByteBuffer.wrap(retry), CLIENT_PATH, T0));
        byte[] vn = versionNegotiation(SERVER_SCID, "ff00001d" + "0a0a0a0a");
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(vn), CLIENT_PATH, T0));
        assertEquals(DropReason.IGNORED_VERSION_NEGOTIATION, c.lastDropReason());
    }

    @Test
    void reservedBitsSetAfterDecryptionAreAProtocolViolation() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        byte[] dg = serverInitialPacket(0, "01");
        dg[0] |= 0x0c; // null crypto: the first byte is not masked
        QuicException e = assertThrows(QuicException.class, () -> c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0));
        assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, e.errorCode());
    }

    /**
     * RFC 9000 §17.3.1: in a short header the two bits 0x18 are reserved, and non-zero after removing header and packet
     * protection is a PROTOCOL_VIOLATION (the mask is not the long header's 0x0c); the packet has no effect.
     */
    @ParameterizedTest
    @ValueSource(ints = {0x08, 0x10, 0x18})
    void reservedBitsOfAShortHeaderAreAProtocolViolation(int bits) throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        long largest = c.largestReceived(EncryptionLevel.ONE_RTT);
        byte[] dg = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.SERVER_1RTT_SECRET, CLIENT_SCID,
                largest + 1, Hex.decode("07 03 010203"));
        dg[0] |= (byte) bits; // null crypto: the first byte is not masked
        QuicException e = assertThrows(QuicException.class, () -> c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0));
        assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, e.errorCode());
        assertEquals(largest, c.largestReceived(EncryptionLevel.ONE_RTT));
        assertNull(c.newToken());
    }

    /** RFC 9000 §17.3.1, §17.4: the latency spin bit (0x20) of a short header is not reserved. */
    @Test
    void theSpinBitOfAShortHeaderIsNotReserved() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        long largest = c.largestReceived(EncryptionLevel.ONE_RTT);
        byte[] dg = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.SERVER_1RTT_SECRET, CLIENT_SCID,
                largest + 1, Hex.decode("01"));
        dg[0] |= 0x20;
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0));
        assertEquals(largest + 1, c.largestReceived(EncryptionLevel.ONE_RTT));
    }

    @Test
    void handshakeDoneFromAClientIsAProtocolViolation() throws Exception {
        QuicConnection s = ConnectionFixtures.serverConfirmed(NULL);
        byte[] dg = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.CLIENT_1RTT_SECRET, SERVER_SCID, 0,
                new byte[] {0x1e});
        QuicException e = assertThrows(QuicException.class, () -> s.receive(ByteBuffer.wrap(dg), SERVER_PATH, T0));
        assertEquals(0x1e, e.frameType());
    }

    /**
     * RFC 9001 §5.7: a client does not process 1-RTT packets before its TLS handshake completes, even with the keys.
     * HANDSHAKE_DONE that early (a server cannot send it unless it misbehaves or packets were reordered) is held:
     * confirming then would discard the Initial and Handshake keys while the connection still closes in them. It is
     * processed when the handshake completes, as ngtcp2 processes its buffered packets.
     */
    @Test
    void handshakeDoneBeforeTheHandshakeCompletedIsHeldUntilThen() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithOneRttKeys(NULL);
        byte[] done = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.SERVER_1RTT_SECRET, CLIENT_SCID, 0,
                new byte[] {0x1e});
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(done.clone()), CLIENT_PATH, T0));
        assertEquals(DropReason.HELD_UNTIL_HANDSHAKE_COMPLETE, c.lastDropReason());
        assertFalse(c.isHandshakeConfirmed());
        assertEquals(-1, c.largestReceived(EncryptionLevel.ONE_RTT), "not processed");
        assertTrue(c.hasTxKey(EncryptionLevel.HANDSHAKE), "Handshake keys kept until the handshake completes");
        assertEquals(ConnectionState.CLIENT_WAIT_HANDSHAKE, c.state());
        ByteBuffer dest = ByteBuffer.allocate(1500);
        CloseError error = CloseError.transport(TransportErrorCode.PROTOCOL_VIOLATION);
        QuicConnection closing = ConnectionFixtures.clientWithHandshakeKeys(NULL);
        closing.installTxKey(EncryptionLevel.ONE_RTT, ConnectionFixtures.SUITE, ConnectionFixtures.CLIENT_1RTT_SECRET);
        closing.installRxKey(EncryptionLevel.ONE_RTT, ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_1RTT_SECRET);
        closing.receive(ByteBuffer.wrap(done.clone()), CLIENT_PATH, T0);
        assertEquals(CloseOutcome.WRITTEN, closing.writeConnectionClose(null, null, dest, error, T0 + 1));
        // close-spec §2.2, Handshake key and handshake not complete: Handshake only (null crypto leaves the first
        // byte unmasked: a Handshake long header)
        assertEquals(0xe0, dest.get(0) & 0xf0, "the close is a Handshake packet");

        c.handshakeCompleted();
        assertTrue(c.isHandshakeConfirmed(), "the held HANDSHAKE_DONE is processed as the handshake completes");
        assertEquals(0, c.largestReceived(EncryptionLevel.ONE_RTT));
        assertFalse(c.hasTxKey(EncryptionLevel.HANDSHAKE));
        dest.clear();
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, dest, error, T0 + 1));
        assertEquals(0x40, dest.get(0) & 0xc0, "a confirmed client closes in one 1-RTT packet");
    }

    /**
     * RFC 9001 §5.7: "A server MUST NOT process incoming 1-RTT protected packets before the TLS handshake is
     * complete." A client's 1-RTT CONNECTION_CLOSE that arrives before then is held, and drains the server when its
     * handshake completes; the next datagram is answered DRAINING.
     */
    @Test
    void aServerHoldsOneRttPacketsUntilItsHandshakeCompleted() throws Exception {
        QuicConnection s = ConnectionFixtures.serverAllKeys(NULL);
        byte[] close = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.CLIENT_1RTT_SECRET, SERVER_SCID, 0,
                Hex.decode("1c" + "00" + "00" + "00"));
        assertEquals(ReceiveStatus.DROPPED, s.receive(ByteBuffer.wrap(close), SERVER_PATH, T0));
        assertEquals(DropReason.HELD_UNTIL_HANDSHAKE_COMPLETE, s.lastDropReason());
        assertEquals(ConnectionState.SERVER_WAIT_HANDSHAKE, s.state());
        assertEquals(-1, s.largestReceived(EncryptionLevel.ONE_RTT));
        assertEquals(0, s.statPacketsDropped, "held, not counted as dropped");

        s.handshakeCompleted();
        assertEquals(ConnectionState.DRAINING, s.state());
        assertEquals(TransportErrorCode.NO_ERROR, s.peerCloseError().errorCode());
        byte[] ping = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.CLIENT_1RTT_SECRET, SERVER_SCID, 1,
                new byte[] {0x01});
        assertEquals(ReceiveStatus.DRAINING, s.receive(ByteBuffer.wrap(ping), SERVER_PATH, T0 + 1));
    }

    /**
     * A held packet that breaks the protocol, processed by handshakeCompleted() (which cannot throw it): the next
     * receive throws it, before anything else, as if it came in that datagram.
     */
    @Test
    void aProtocolErrorInAHeldPacketIsThrownByTheNextReceive() throws Exception {
        QuicConnection s = ConnectionFixtures.serverAllKeys(NULL);
        // HANDSHAKE_DONE from a client is a PROTOCOL_VIOLATION
        byte[] bad = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.CLIENT_1RTT_SECRET, SERVER_SCID, 0,
                new byte[] {0x1e});
        assertEquals(ReceiveStatus.DROPPED, s.receive(ByteBuffer.wrap(bad), SERVER_PATH, T0));
        s.handshakeCompleted();
        assertEquals(-1, s.largestReceived(EncryptionLevel.ONE_RTT), "the bad packet took no effect");
        byte[] ping = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.CLIENT_1RTT_SECRET, SERVER_SCID, 1,
                new byte[] {0x01});
        QuicException e = assertThrows(QuicException.class,
                () -> s.receive(ByteBuffer.wrap(ping.clone()), SERVER_PATH, T0 + 1));
        assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, e.errorCode());
        assertEquals(0x1e, e.frameType());
        // thrown once: the datagram after it is read as any other
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(ping.clone()), SERVER_PATH, T0 + 1));
        assertEquals(1, s.largestReceived(EncryptionLevel.ONE_RTT));
    }

    /**
     * The usual order: the TLS layer reports the handshake complete from the CRYPTO data listener, while the client's
     * Handshake packet is read; the 1-RTT packets held before are processed at the end of that same receive.
     */
    @Test
    void heldPacketsAreProcessedInTheReceiveWhoseCryptoDataCompletedTheHandshake() throws Exception {
        QuicConnection s = ConnectionFixtures.serverCompletingOnHandshakeCrypto(NULL);
        byte[] ping = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.CLIENT_1RTT_SECRET, SERVER_SCID, 0,
                new byte[] {0x01});
        assertEquals(ReceiveStatus.DROPPED, s.receive(ByteBuffer.wrap(ping), SERVER_PATH, T0));
        assertEquals(DropReason.HELD_UNTIL_HANDSHAKE_COMPLETE, s.lastDropReason());

        byte[] finished = ConnectionFixtures.peerLongPacket(
                ConnectionFixtures.peerProtection(NULL, ConnectionFixtures.CLIENT_HANDSHAKE_SECRET),
                LongPacketType.HANDSHAKE, SERVER_SCID, CLIENT_SCID, 0, Hex.decode("06" + "00" + "02" + "abcd"), 0);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(finished), SERVER_PATH, T0 + 1));
        assertTrue(s.isHandshakeConfirmed());
        assertEquals(0, s.largestReceived(EncryptionLevel.ONE_RTT), "the held PING was processed");
    }

    @Test
    void atMostMaxHeldPacketsAreKept() throws Exception {
        QuicConnection s = ConnectionFixtures.serverAllKeys(NULL);
        for (int pn = 0; pn < QuicConnection.MAX_HELD_PACKETS; pn++) {
            byte[] ping = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.CLIENT_1RTT_SECRET, SERVER_SCID,
                    pn, new byte[] {0x01});
            s.receive(ByteBuffer.wrap(ping), SERVER_PATH, T0);
            assertEquals(DropReason.HELD_UNTIL_HANDSHAKE_COMPLETE, s.lastDropReason());
        }
        byte[] one = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.CLIENT_1RTT_SECRET, SERVER_SCID,
                QuicConnection.MAX_HELD_PACKETS, new byte[] {0x01});
        assertEquals(ReceiveStatus.DROPPED, s.receive(ByteBuffer.wrap(one), SERVER_PATH, T0));
        assertEquals(DropReason.TOO_MANY_HELD_PACKETS, s.lastDropReason());
        s.handshakeCompleted();
        assertEquals(QuicConnection.MAX_HELD_PACKETS - 1, s.largestReceived(EncryptionLevel.ONE_RTT),
                "the held ones were processed");
        byte[] next = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.CLIENT_1RTT_SECRET, SERVER_SCID,
                QuicConnection.MAX_HELD_PACKETS + 1, new byte[] {0x01});
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(next), SERVER_PATH, T0 + 1));
        assertEquals(QuicConnection.MAX_HELD_PACKETS + 1, s.largestReceived(EncryptionLevel.ONE_RTT));
    }

    @Test
    void newTokenIsKeptForTheNextConnection() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        byte[] dg = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.SERVER_1RTT_SECRET, CLIENT_SCID, 1,
                Hex.decode("07" + "03" + "010203"));
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0));
        assertArrayEquals(new byte[] {1, 2, 3}, c.newToken());
    }

    @Test
    void aHandshakePacketFromTheClientValidatesTheServersPathAndDiscardsInitialKeys() throws Exception {
        QuicConnection s = ConnectionFixtures.serverWithHandshakeKeys(NULL);
        byte[] hs = ConnectionFixtures.peerLongPacket(
                ConnectionFixtures.peerProtection(NULL, ConnectionFixtures.CLIENT_HANDSHAKE_SECRET),
                LongPacketType.HANDSHAKE, SERVER_SCID, CLIENT_SCID, 0, Hex.decode("01"), 0);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(hs), SERVER_PATH, T0));
        assertTrue(s.isPathValidated());
        assertEquals(Long.MAX_VALUE, s.amplificationBudget());
        assertFalse(s.hasTxKey(EncryptionLevel.INITIAL));
    }

    @Test
    void coalescedInitialAndHandshakePacketsAreBothProcessed() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithHandshakeKeys(NULL);
        byte[] hs = ConnectionFixtures.peerLongPacket(
                ConnectionFixtures.peerProtection(NULL, ConnectionFixtures.SERVER_HANDSHAKE_SECRET),
                LongPacketType.HANDSHAKE, CLIENT_SCID, SERVER_SCID, 0, Hex.decode("01"), 0);
        byte[] dg = concat(serverInitialPacket(0, "01"), hs);
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0));
        assertEquals(0, c.largestReceived(EncryptionLevel.INITIAL));
        assertEquals(0, c.largestReceived(EncryptionLevel.HANDSHAKE));
    }

    /**
     * RFC 9000 §12.2: "if decryption fails (because the keys are not available or for any other reason), the receiver
     * MAY either discard or buffer the packet for later processing and MUST attempt to process the remaining packets."
     */
    @Test
    void aPacketThatDoesNotDecryptDoesNotStopTheRestOfTheDatagram() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithHandshakeKeys(NULL);
        byte[] initial = serverInitialPacket(0, "01");
        initial[initial.length - 1] ^= 1; // the null cipher's tag must be all zero
        byte[] hs = ConnectionFixtures.peerLongPacket(
                ConnectionFixtures.peerProtection(NULL, ConnectionFixtures.SERVER_HANDSHAKE_SECRET),
                LongPacketType.HANDSHAKE, CLIENT_SCID, SERVER_SCID, 0, Hex.decode("01"), 0);
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(concat(initial, hs)), CLIENT_PATH, T0));
        assertEquals(-1, c.largestReceived(EncryptionLevel.INITIAL));
        assertEquals(0, c.largestReceived(EncryptionLevel.HANDSHAKE));
    }

    /**
     * RFC 9000 §12.2: "Receivers SHOULD ignore any subsequent packets with a different Destination Connection ID than
     * the first packet in the datagram"; the packets after it are still read.
     */
    @Test
    void aCoalescedPacketForAnotherConnectionIdIsIgnoredAndTheNextOneRead() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithHandshakeKeys(NULL);
        PacketProtection handshake = ConnectionFixtures.peerProtection(NULL, ConnectionFixtures.SERVER_HANDSHAKE_SECRET);
        byte[] other = ConnectionFixtures.peerLongPacket(handshake, LongPacketType.HANDSHAKE,
                ConnectionFixtures.cid(0x77, 18), SERVER_SCID, 5, Hex.decode("01"), 0);
        byte[] hs = ConnectionFixtures.peerLongPacket(handshake, LongPacketType.HANDSHAKE, CLIENT_SCID, SERVER_SCID, 1,
                Hex.decode("01"), 0);
        byte[] dg = concat(serverInitialPacket(0, "01"), other, hs);
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0));
        assertEquals(0, c.largestReceived(EncryptionLevel.INITIAL));
        assertEquals(1, c.largestReceived(EncryptionLevel.HANDSHAKE), "packet 5, for another ID, is not processed");
        assertEquals(DropReason.COALESCED_DCID_MISMATCH, c.lastDropReason());
    }

    @Test
    void aDatagramFromAnotherAddressIsDropped() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        NetworkPath other = new NetworkPath(CLIENT_PATH.local(), new InetSocketAddress("127.0.0.1", 9));
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(serverInitialPacket(0, "01")), other, T0));
        assertEquals(DropReason.UNKNOWN_PATH, c.lastDropReason());
    }

    @Test
    void everyTruncatedPrefixOfAValidDatagramIsDroppedWithoutEffect() throws Exception {
        byte[] full = serverInitialPacket(0, "06" + "00" + "03" + "aabbcc");
        for (int n = 0; n < full.length; n++) {
            QuicConnection c = ConnectionFixtures.client(NULL);
            ReceiveStatus st = c.receive(ByteBuffer.wrap(Arrays.copyOf(full, n)), CLIENT_PATH, T0);
            assertEquals(ReceiveStatus.DROPPED, st, "prefix " + n);
            assertEquals(-1, c.largestReceived(EncryptionLevel.INITIAL), "prefix " + n);
            assertEquals(0, c.cryptoBytesReceived(EncryptionLevel.INITIAL), "prefix " + n);
            assertEquals(CLIENT_ODCID, c.destinationConnectionId(), "prefix " + n);
        }
    }

    @Test
    void realCryptoClientAndServerTalk() throws Exception {
        // a client Initial read by a server, the server's answer (ACK + CRYPTO) read by the client
        Settings real = Settings.defaults();
        QuicConnection c = ConnectionFixtures.client(real);
        QuicConnection s = ConnectionFixtures.server(real);
        s.submitCryptoData(EncryptionLevel.INITIAL, Hex.decode("0200005603030102"));
        ByteBuffer answer = ByteBuffer.allocate(1500);
        int n = s.writePacket(null, null, answer, T0 + 1_000_000);
        assertEquals(1200, n, "an ack-eliciting server Initial is padded to 1200 too");
        answer.flip();
        assertEquals(ReceiveStatus.PROCESSED, c.receive(answer, CLIENT_PATH, T0 + 2_000_000));
        assertEquals(0, c.largestAcknowledged(EncryptionLevel.INITIAL));
        assertEquals(8, c.cryptoBytesReceived(EncryptionLevel.INITIAL));
        assertEquals(SERVER_SCID, c.destinationConnectionId());
        assertEquals(CryptoProvider.jca(), real.cryptoProvider());
    }

    // ---- CRYPTO frames of one packet are checked against the stream as the packet's earlier frames leave it

    private static final int CRYPTO_MAX = 4096;
    private static final Settings SMALL_CRYPTO = Settings.builder().cryptoProvider(CryptoProvider.nullCrypto())
            .maxCryptoBuffer(CRYPTO_MAX).build();

    private static byte[] clientInitialOf(long pn, byte[] frames) throws Exception {
        return ConnectionFixtures.peerLongPacket(ConnectionFixtures.peerProtection(SMALL_CRYPTO,
                InitialSecrets.clientSecret(QuicVersion.V1, CLIENT_ODCID.toByteArray())),
                LongPacketType.INITIAL, CLIENT_ODCID, CLIENT_SCID, pn, frames, 1200);
    }

    /** A CRYPTO frame with 2-byte varint offset and length; byte i of the stream is i mod 256. */
    private static void cryptoFrame(ByteArrayOutputStream out, int offset, int length) {
        out.write(0x06);
        out.write(0x40 | offset >> 8);
        out.write(offset & 0xff);
        out.write(0x40 | length >> 8);
        out.write(length & 0xff);
        for (int i = 0; i < length; i++) {
            out.write(offset + i);
        }
    }

    @Test
    void oneInitialOfTinyOutOfOrderCryptoFramesIsCryptoBufferExceededAndLeavesNothing() throws Exception {
        // RFC 9001 §4.1.3: 200 one-byte frames, each out of order, fit one Initial; each alone is within the buffer's
        // bound, all of them cost 13 000 against 8 192
        QuicConnection s = ConnectionFixtures.serverBuilder(SMALL_CRYPTO)
                .cryptoDataListener((level, offset, data) -> { }).build(T0);
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        for (int i = 1; i <= 200; i++) {
            cryptoFrame(frames, 2 * i, 1);
        }
        QuicException e = assertThrows(QuicException.class, () -> s.receive(
                ByteBuffer.wrap(clientInitialOf(0, frames.toByteArray())), SERVER_PATH, T0));
        assertEquals(TransportErrorCode.CRYPTO_BUFFER_EXCEEDED, e.errorCode());
        CryptoStreams c = s.space(EncryptionLevel.INITIAL).crypto;
        assertEquals(0, c.bufferedSegments(), "the refused packet's frames were buffered");
        assertEquals(0, s.packetsReceived());
    }

    @Test
    void aRetransmissionAndNewCryptoDataInOnePacketAreTaken() throws Exception {
        QuicConnection s = ConnectionFixtures.serverBuilder(SMALL_CRYPTO)
                .cryptoDataListener((level, offset, data) -> { }).build(T0);
        int pn = 0;
        for (int[] f : new int[][] {{1000, 1100}, {2100, 1100}, {3200, 800}}) {
            ByteArrayOutputStream frames = new ByteArrayOutputStream();
            cryptoFrame(frames, f[0], f[1]);
            assertEquals(ReceiveStatus.PROCESSED,
                    s.receive(ByteBuffer.wrap(clientInitialOf(pn++, frames.toByteArray())), SERVER_PATH, T0));
        }
        assertEquals(0, s.cryptoBytesReceived(EncryptionLevel.INITIAL));
        // [0, 1000) delivers up to 4000, so [4000, 4150) is inside the window, though not inside the one before
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        cryptoFrame(frames, 0, 1000);
        cryptoFrame(frames, 4000, 150);
        assertEquals(ReceiveStatus.PROCESSED,
                s.receive(ByteBuffer.wrap(clientInitialOf(pn, frames.toByteArray())), SERVER_PATH, T0));
        assertEquals(4150, s.cryptoBytesReceived(EncryptionLevel.INITIAL));
    }
}
