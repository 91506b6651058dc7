package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
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
import dev.quicj.core.inspect.DatagramInspector;
import dev.quicj.core.inspect.InspectedPacket;
import dev.quicj.core.tls.TransportParameters;
import dev.quicj.core.wire.FrameType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A client created after it processed a Retry ({@link QuicConnection.ClientBuilder#retrySourceConnectionId}), on the
 * Retry of RFC 9001 Appendix A.4: the answer to the client of Appendix A.2 (first DCID 8394c8f03e515708, empty SCID),
 * with SCID f067a5502a4262b5 and the token "token". RFC 9001 §5.2: after a Retry the Initial keys derive from the DCID
 * the server chose in it, so such a client must write exactly what the client that took the Retry on its receive path
 * writes.
 */
class ClientBuiltAfterRetryTest {
    private static final Settings JCA = Settings.defaults();
    private static final ConnectionId ODCID = ConnectionId.of(Hex.decode("8394c8f03e515708"));
    private static final ConnectionId EMPTY = ConnectionId.of(new byte[0]);
    private static final ConnectionId RETRY_SCID = ConnectionId.of(Hex.decode("f067a5502a4262b5"));
    private static final byte[] TOKEN = "token".getBytes(StandardCharsets.US_ASCII);
    /** RFC 9001 Appendix A.4. */
    private static final byte[] A4_RETRY = Hex.decode(
            "ff000000010008f067a5502a4262b5746f6b656e04a265ba2eff4d829058fb3f0f2496ba");
    private static final CloseError ERROR = CloseError.transport(TransportErrorCode.PROTOCOL_VIOLATION, 0, "bye");

    private static QuicConnection.ClientBuilder builder() {
        return QuicConnection.clientBuilder().version(QuicVersion.V1).originalDestinationConnectionId(ODCID)
                .sourceConnectionId(EMPTY).path(CLIENT_PATH).settings(JCA);
    }

    /** The client built after the Retry, its first Initial (packet number 1, as after the Retry) written. */
    private static QuicConnection builtAfterRetry() throws Exception {
        Settings pn1 = Settings.builder().initialPacketNumber(1).build();
        return ConnectionFixtures.sentFirstInitial(builder().settings(pn1).retrySourceConnectionId(RETRY_SCID)
                .token(TOKEN).build(T0));
    }

    private static byte[] write(QuicConnection c, boolean close) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(1500);
        if (close) {
            assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, b, ERROR, T0 + 1));
        } else {
            assertTrue(c.writePacket(null, null, b, T0 + 1) > 0);
        }
        return Arrays.copyOf(b.array(), b.position());
    }

    @Test
    void writesWhatTheClientThatTookTheRetryWrites() throws Exception {
        // the client of Appendix A.2 takes the Appendix A.4 Retry on its receive path, then writes its next Initial
        // (packet number 1, the ClientHello again) and closes
        QuicConnection took = ConnectionFixtures.sentFirstInitial(builder().build(T0));
        assertEquals(ReceiveStatus.RETRY, took.receive(ByteBuffer.wrap(A4_RETRY.clone()), CLIENT_PATH, T0));
        ByteBuffer secondInitial = ByteBuffer.allocate(1500);
        assertEquals(1200, took.writePacket(null, null, secondInitial, T0));
        byte[] tookClose = write(took, true);

        QuicConnection built = builtAfterRetry();
        assertEquals(RETRY_SCID, built.retrySourceConnectionId());
        assertEquals(RETRY_SCID, took.retrySourceConnectionId());
        assertEquals(RETRY_SCID, built.destinationConnectionId());
        assertEquals(ODCID, built.originalDestinationConnectionId());
        assertArrayEquals(TOKEN, built.token());
        byte[] builtClose = write(built, true);
        assertEquals(1200, builtClose.length);
        assertEquals(Hex.encode(tookClose), Hex.encode(builtClose));

        // and under keys derived from the Retry's SCID, not from the original DCID
        InspectedPacket p = DatagramInspector.inspect(builtClose,
                DatagramInspector.initialKeys(RETRY_SCID, JCA.cryptoProvider()), 0).get(0);
        assertEquals(EncryptionLevel.INITIAL, p.level());
        assertTrue(p.decrypted(), p.failure());
        assertEquals(RETRY_SCID, p.dcid());
        assertEquals(TOKEN.length, p.tokenLength(), "the close repeats the Retry's token (close-spec decision 1)");
        assertFalse(DatagramInspector.inspect(builtClose, DatagramInspector.initialKeys(ODCID, JCA.cryptoProvider()),
                0).get(0).decrypted());
    }

    @Test
    void itsInitialsRepeatTheToken() throws Exception {
        QuicConnection built = ConnectionFixtures.sentFirstInitial(builder().retrySourceConnectionId(RETRY_SCID)
                .token(TOKEN).build(T0));
        built.submitCryptoData(EncryptionLevel.INITIAL, new byte[] {1, 2, 3});
        List<InspectedPacket> packets = DatagramInspector.inspect(write(built, false),
                DatagramInspector.initialKeys(RETRY_SCID, JCA.cryptoProvider()), 0);
        assertTrue(packets.get(0).decrypted(), packets.get(0).failure());
        assertEquals(TOKEN.length, packets.get(0).tokenLength());
    }

    @Test
    void itTakesNoFurtherRetryNorVersionNegotiation() throws Exception {
        QuicConnection built = builtAfterRetry();
        // a Retry with a valid tag for its original DCID, from another SCID
        byte[] retry = ConnectionFixtures.retryPacket(QuicVersion.V1, EMPTY,
                ConnectionId.of(Hex.decode("0a0b0c0d0e0f1011")), new byte[] {9}, ODCID);
        assertEquals(ReceiveStatus.DROPPED, built.receive(ByteBuffer.wrap(retry), CLIENT_PATH, T0));
        assertEquals(DropReason.INVALID_RETRY, built.lastDropReason());
        byte[] vn = Hex.decode("80" + "00000000" + "00" + "08" + "f067a5502a4262b5" + "ff00001d");
        assertEquals(ReceiveStatus.DROPPED, built.receive(ByteBuffer.wrap(vn), CLIENT_PATH, T0));
        assertEquals(DropReason.IGNORED_VERSION_NEGOTIATION, built.lastDropReason());
        assertEquals(RETRY_SCID, built.destinationConnectionId());
        assertArrayEquals(TOKEN, built.token());
        assertEquals(ConnectionState.CLIENT_WAIT_HANDSHAKE, built.state());
    }

    @Test
    void theServerMustNameTheRetryInItsTransportParameters() throws Exception {
        QuicConnection built = builtAfterRetry();
        ConnectionId serverScid = ConnectionId.of(Hex.decode("1112131415161718"));
        // the server's Initial, under its Initial keys from the Retry's SCID (RFC 9001 §5.2), moves the DCID
        byte[] serverInitial = ConnectionFixtures.peerLongPacket(ConnectionFixtures.peerProtection(JCA,
                InitialSecrets.serverSecret(QuicVersion.V1, RETRY_SCID.toByteArray())), LongPacketType.INITIAL, EMPTY,
                serverScid, 0, Hex.decode("01"), 0);
        assertEquals(ReceiveStatus.PROCESSED, built.receive(ByteBuffer.wrap(serverInitial), CLIENT_PATH, T0));
        assertEquals(serverScid, built.destinationConnectionId());

        TransportParameters.Builder params = TransportParameters.builder()
                .initialSourceConnectionId(serverScid.toByteArray())
                .originalDestinationConnectionId(ODCID.toByteArray());
        built.checkPeerConnectionIds(params.retrySourceConnectionId(RETRY_SCID.toByteArray()).build());
        for (TransportParameters wrong : new TransportParameters[] {
                TransportParameters.builder().initialSourceConnectionId(serverScid.toByteArray())
                        .originalDestinationConnectionId(ODCID.toByteArray()).build(),
                params.retrySourceConnectionId(ODCID.toByteArray()).build()}) {
            QuicException e = assertThrows(QuicException.class, () -> built.checkPeerConnectionIds(wrong));
            assertEquals(TransportErrorCode.TRANSPORT_PARAMETER_ERROR, e.errorCode());
            assertEquals(FrameType.CRYPTO, e.frameType());
        }
    }

    @Test
    void aClientThatTookNoRetryHasNoRetrySourceId() throws Exception {
        assertNull(builder().build(T0).retrySourceConnectionId());
    }

    @Test
    void aRetryNeedsItsTokenAndAnotherConnectionId() {
        IllegalStateException noToken = assertThrows(IllegalStateException.class,
                () -> builder().retrySourceConnectionId(RETRY_SCID).build(T0));
        assertTrue(noToken.getMessage().contains("token"), noToken.getMessage());
        IllegalStateException same = assertThrows(IllegalStateException.class,
                () -> builder().retrySourceConnectionId(ODCID).token(TOKEN).build(T0));
        assertTrue(same.getMessage().contains("17.2.5.1"), same.getMessage());
        assertThrows(NullPointerException.class, () -> builder().retrySourceConnectionId(null));
    }
}
