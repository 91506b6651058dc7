package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_HANDSHAKE_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_HANDSHAKE_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicException;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.InitialSecrets;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.tls.TransportParameters;
import dev.quicj.core.wire.FrameType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Receive-path rules from RFC 9287 §3 (a greased QUIC bit), RFC 9001 §4.1.3 (CRYPTO data at a level the handshake
 * moved past) and RFC 9002 §5.1 (when an ACK gives an RTT sample). Null crypto: the peers' packets are built with the
 * fixtures' writer, and the first byte is not masked, so the QUIC bit can be cleared after sealing.
 */
class ReceiveRulesTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();
    private static final long MS = 1_000_000L;

    // ---------------------------------------------------------------------------------------------------------
    // RFC 9287 §3: "An endpoint that advertises the grease_quic_bit transport parameter MUST accept packets with
    // the QUIC Bit set to a value of 0."

    private static byte[] serverPing(QuicConnection c, boolean clearQuicBit) throws CryptoException {
        byte[] dg = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.SERVER_1RTT_SECRET, CLIENT_SCID,
                c.largestReceived(EncryptionLevel.ONE_RTT) + 1, Hex.decode("01"));
        if (clearQuicBit) {
            dg[0] &= (byte) ~0x40;
        }
        return dg;
    }

    @Test
    void anEndpointThatAdvertisedGreaseQuicBitReadsAShortHeaderWithTheBitCleared() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        c.setLocalTransportParameters(TransportParameters.builder().greaseQuicBit(true).build());
        long before = c.largestReceived(EncryptionLevel.ONE_RTT);
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(serverPing(c, true)), CLIENT_PATH, T0),
                () -> "dropped: " + c.lastDropReason());
        assertEquals(before + 1, c.largestReceived(EncryptionLevel.ONE_RTT));
        // and still the packets that keep it set
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(serverPing(c, false)), CLIENT_PATH, T0));
        assertEquals(before + 2, c.largestReceived(EncryptionLevel.ONE_RTT));
    }

    @Test
    void anEndpointThatAdvertisedGreaseQuicBitReadsLongHeadersWithTheBitClearedCoalescedOrNot() throws Exception {
        QuicConnection c = ConnectionFixtures.sentFirstInitial(ConnectionFixtures.client(NULL));
        c.setLocalTransportParameters(TransportParameters.builder().greaseQuicBit(true).build());
        byte[] first = serverInitial(0, "01");
        byte[] second = serverInitial(1, "01");
        first[0] &= (byte) ~0x40;
        second[0] &= (byte) ~0x40;
        byte[] dg = new byte[first.length + second.length];
        System.arraycopy(first, 0, dg, 0, first.length);
        System.arraycopy(second, 0, dg, first.length, second.length);
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0),
                () -> "dropped: " + c.lastDropReason());
        assertEquals(1, c.largestReceived(EncryptionLevel.INITIAL), "both coalesced Initials were read");
    }

    @Test
    void withoutGreaseQuicBitInItsOwnParametersAClearedBitIsStillAMalformedHeader() throws Exception {
        QuicConnection unknown = ConnectionFixtures.clientConfirmed(NULL);
        assertDropsClearedBit(unknown);
        QuicConnection notAdvertised = ConnectionFixtures.clientConfirmed(NULL);
        notAdvertised.setLocalTransportParameters(TransportParameters.builder().greaseQuicBit(false).build());
        assertDropsClearedBit(notAdvertised);
    }

    private static void assertDropsClearedBit(QuicConnection c) throws Exception {
        long before = c.largestReceived(EncryptionLevel.ONE_RTT);
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.wrap(serverPing(c, true)), CLIENT_PATH, T0));
        assertEquals(DropReason.MALFORMED_HEADER, c.lastDropReason());
        assertEquals(before, c.largestReceived(EncryptionLevel.ONE_RTT));
    }

    // ---------------------------------------------------------------------------------------------------------
    // RFC 9001 §4.1.3: "If the packet is from a previously installed encryption level, it MUST NOT contain data that
    // extends past the end of previously received data in that flow. Implementations MUST treat any violations of
    // this requirement as a connection error of type PROTOCOL_VIOLATION."

    private static byte[] serverInitial(long pn, String framesHex) throws CryptoException {
        PacketProtection p = ConnectionFixtures.peerProtection(NULL,
                InitialSecrets.serverSecret(QuicVersion.V1, CLIENT_ODCID.toByteArray()));
        return ConnectionFixtures.peerLongPacket(p, LongPacketType.INITIAL, CLIENT_SCID, SERVER_SCID, pn,
                Hex.decode(framesHex), 0);
    }

    /** A client that sent its first Initial and records the CRYPTO data its listener is given in {@code delivered}. */
    private static QuicConnection recordingClient(List<String> delivered) throws CryptoException {
        return ConnectionFixtures.sentFirstInitial(ConnectionFixtures.clientBuilder(NULL)
                .cryptoDataListener((level, offset, data) -> delivered.add(level + "@" + offset + "+"
                        + data.remaining()))
                .build(T0));
    }

    /** A client that read the server's Initial CRYPTO [0, 16) and installed the Handshake keys it gave. */
    private static QuicConnection clientPastInitial(List<String> delivered) throws Exception {
        QuicConnection c = recordingClient(delivered);
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(serverInitial(0,
                "06 00 10 000102030405060708090a0b0c0d0e0f")), CLIENT_PATH, T0));
        c.installTxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, CLIENT_HANDSHAKE_SECRET);
        c.installRxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, SERVER_HANDSHAKE_SECRET);
        return c;
    }

    @Test
    void newInitialCryptoDataAfterTheHandshakeKeysIsAProtocolViolation() throws Exception {
        List<String> delivered = new ArrayList<>();
        QuicConnection c = clientPastInitial(delivered);
        byte[] beyond = serverInitial(1, "06 10 0a 00010203040506070809");
        QuicException e = assertThrows(QuicException.class,
                () -> c.receive(ByteBuffer.wrap(beyond), CLIENT_PATH, T0 + 1));
        assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, e.errorCode());
        assertEquals(FrameType.CRYPTO, e.frameType());
        assertEquals(List.of("INITIAL@0+16"), delivered, "nothing new reached the TLS layer");
    }

    @Test
    void aPartlyNewFrameAtAPreviousLevelIsAProtocolViolationToo() throws Exception {
        QuicConnection c = clientPastInitial(new ArrayList<>());
        byte[] overlapping = serverInitial(1, "06 08 09 08090a0b0c0d0e0f10");
        QuicException e = assertThrows(QuicException.class,
                () -> c.receive(ByteBuffer.wrap(overlapping), CLIENT_PATH, T0 + 1));
        assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, e.errorCode());
    }

    @Test
    void aRetransmissionOfInitialDataAlreadyReceivedIsStillRead() throws Exception {
        List<String> delivered = new ArrayList<>();
        QuicConnection c = clientPastInitial(delivered);
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(serverInitial(1,
                "06 00 10 000102030405060708090a0b0c0d0e0f")), CLIENT_PATH, T0 + 1));
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(serverInitial(2,
                "06 04 04 04050607")), CLIENT_PATH, T0 + 1));
        assertEquals(2, c.largestReceived(EncryptionLevel.INITIAL));
        assertEquals(List.of("INITIAL@0+16"), delivered);
    }

    @Test
    void beforeTheHandshakeKeysNewInitialDataIsRead() throws Exception {
        List<String> delivered = new ArrayList<>();
        QuicConnection c = recordingClient(delivered);
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(serverInitial(0,
                "06 00 04 00010203")), CLIENT_PATH, T0));
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(serverInitial(1,
                "06 04 04 04050607")), CLIENT_PATH, T0));
        assertEquals(List.of("INITIAL@0+4", "INITIAL@4+4"), delivered);
    }

    /**
     * A server installs its 1-RTT receive key when it sends its Finished, before the client's Finished arrives at
     * Handshake level: that Handshake data is new, and the handshake has not moved past Handshake yet.
     */
    @Test
    void aServerWithThe1RttKeysStillReadsTheClientsFinishedAtHandshakeLevel() throws Exception {
        List<String> delivered = new ArrayList<>();
        QuicConnection s = ConnectionFixtures.serverBuilder(NULL)
                .cryptoDataListener((level, offset, data) -> delivered.add(level + "@" + offset + "+"
                        + data.remaining()))
                .build(T0);
        assertEquals(ReceiveStatus.PROCESSED,
                s.receive(ByteBuffer.wrap(ConnectionFixtures.clientFirstInitial(NULL)), SERVER_PATH, T0));
        s.installTxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, SERVER_HANDSHAKE_SECRET);
        s.installRxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, CLIENT_HANDSHAKE_SECRET);
        s.installTxKey(EncryptionLevel.ONE_RTT, ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_1RTT_SECRET);
        s.installRxKey(EncryptionLevel.ONE_RTT, ConnectionFixtures.SUITE, ConnectionFixtures.CLIENT_1RTT_SECRET);
        PacketProtection hs = ConnectionFixtures.peerProtection(NULL, CLIENT_HANDSHAKE_SECRET);
        byte[] finished = ConnectionFixtures.peerLongPacket(hs, LongPacketType.HANDSHAKE, SERVER_SCID, CLIENT_SCID,
                0, Hex.decode("06 00 04 14000000"), 0);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(finished), SERVER_PATH, T0 + 1),
                () -> "dropped: " + s.lastDropReason());
        assertEquals(List.of("INITIAL@0+" + ConnectionFixtures.CLIENT_HELLO.length, "HANDSHAKE@0+4"), delivered);
    }

    @Test
    void onceTheClientCompletedNewHandshakeDataIsAProtocolViolation() throws Exception {
        QuicConnection c = ConnectionFixtures.clientPostHandshake(NULL);
        PacketProtection hs = ConnectionFixtures.peerProtection(NULL, SERVER_HANDSHAKE_SECRET);
        byte[] more = ConnectionFixtures.peerLongPacket(hs, LongPacketType.HANDSHAKE, CLIENT_SCID, SERVER_SCID,
                c.largestReceived(EncryptionLevel.HANDSHAKE) + 1, Hex.decode("06 00 04 14000000"), 0);
        QuicException e = assertThrows(QuicException.class,
                () -> c.receive(ByteBuffer.wrap(more), CLIENT_PATH, T0 + 1));
        assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, e.errorCode());
    }

    // RFC 9001 §4.1.3: "When TLS provides keys for a higher encryption level, if there is data from a previous
    // encryption level that TLS has not consumed, this MUST be treated as a connection error of type
    // PROTOCOL_VIOLATION."

    /** What a TLS layer does in the listener once it read the ServerHello. */
    private static void installHandshakeKeys(QuicConnection c) {
        try {
            c.installTxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, CLIENT_HANDSHAKE_SECRET);
            c.installRxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, SERVER_HANDSHAKE_SECRET);
        } catch (CryptoException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void handshakeKeysInstalledWhileInitialDataWaitsBeyondAGapFailTheNextReceive() throws Exception {
        List<String> delivered = new ArrayList<>();
        QuicConnection c = recordingClient(delivered);
        // [0, 16) and, beyond a gap, [20, 24): the latter is buffered, not delivered
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(serverInitial(0,
                "06 00 10 000102030405060708090a0b0c0d0e0f 06 14 04 14151617")), CLIENT_PATH, T0));
        assertEquals(List.of("INITIAL@0+16"), delivered);
        c.installTxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, CLIENT_HANDSHAKE_SECRET);
        c.installRxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, SERVER_HANDSHAKE_SECRET);
        QuicException e = assertThrows(QuicException.class,
                () -> c.receive(ByteBuffer.wrap(serverInitial(1, "01")), CLIENT_PATH, T0 + 1));
        assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, e.errorCode());
        assertEquals(FrameType.CRYPTO, e.frameType());
    }

    @Test
    void aListenerThatMovesTlsOnPastUnconsumedDataMakesThatReceiveThrow() throws Exception {
        QuicConnection[] self = new QuicConnection[1];
        QuicConnection c = ConnectionFixtures.sentFirstInitial(ConnectionFixtures.clientBuilder(NULL)
                .cryptoDataListener((level, offset, data) -> {
                    // the ServerHello: TLS installs the Handshake keys at once
                    installHandshakeKeys(self[0]);
                })
                .build(T0));
        self[0] = c;
        QuicException e = assertThrows(QuicException.class, () -> c.receive(ByteBuffer.wrap(serverInitial(0,
                "06 14 04 14151617 06 00 10 000102030405060708090a0b0c0d0e0f")), CLIENT_PATH, T0));
        assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, e.errorCode());
    }

    /**
     * A ServerHello in three CRYPTO pieces arriving last piece first: the buffered pieces are delivered, and leave the
     * buffer, before the listener sees the whole message and installs the Handshake keys; nothing is left unconsumed.
     */
    @Test
    void aServerHelloReassembledFromOutOfOrderPiecesInstallsTheKeysWithoutError() throws Exception {
        QuicConnection[] self = new QuicConnection[1];
        long[] received = new long[1];
        QuicConnection c = ConnectionFixtures.sentFirstInitial(ConnectionFixtures.clientBuilder(NULL)
                .cryptoDataListener((level, offset, data) -> {
                    received[0] += data.remaining();
                    if (received[0] == 24) {
                        installHandshakeKeys(self[0]);
                    }
                })
                .build(T0));
        self[0] = c;
        assertEquals(ReceiveStatus.PROCESSED,
                c.receive(ByteBuffer.wrap(serverInitial(0, "06 10 08 1011121314151617")), CLIENT_PATH, T0));
        assertEquals(ReceiveStatus.PROCESSED,
                c.receive(ByteBuffer.wrap(serverInitial(1, "06 08 08 08090a0b0c0d0e0f")), CLIENT_PATH, T0));
        assertEquals(ReceiveStatus.PROCESSED,
                c.receive(ByteBuffer.wrap(serverInitial(2, "06 00 08 0001020304050607")), CLIENT_PATH, T0));
        assertEquals(24, received[0]);
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(serverInitial(3, "01")), CLIENT_PATH, T0));
    }

    @Test
    void withNothingBufferedTheKeysAndTheCompletionFailNothing() throws Exception {
        QuicConnection c = clientPastInitial(new ArrayList<>());
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(serverInitial(1, "01")), CLIENT_PATH, T0));
        QuicConnection done = ConnectionFixtures.clientPostHandshake(NULL);
        assertEquals(ReceiveStatus.PROCESSED, done.receive(ByteBuffer.wrap(ConnectionFixtures.peerShortPacket(NULL,
                ConnectionFixtures.SERVER_1RTT_SECRET, CLIENT_SCID, 0, Hex.decode("01"))), CLIENT_PATH, T0));
    }

    @Test
    void theHandshakeCompletingWhileHandshakeDataWaitsBeyondAGapFailsTheNextReceive() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithHandshakeKeys(NULL);
        PacketProtection hs = ConnectionFixtures.peerProtection(NULL, SERVER_HANDSHAKE_SECRET);
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(ConnectionFixtures.peerLongPacket(hs,
                LongPacketType.HANDSHAKE, CLIENT_SCID, SERVER_SCID, 0, Hex.decode("06 08 04 08090a0b"), 0)),
                CLIENT_PATH, T0));
        c.installTxKey(EncryptionLevel.ONE_RTT, ConnectionFixtures.SUITE, ConnectionFixtures.CLIENT_1RTT_SECRET);
        c.installRxKey(EncryptionLevel.ONE_RTT, ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_1RTT_SECRET);
        c.handshakeCompleted();
        QuicException e = assertThrows(QuicException.class, () -> c.receive(ByteBuffer.wrap(
                ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.SERVER_1RTT_SECRET, CLIENT_SCID, 0,
                        Hex.decode("01"))), CLIENT_PATH, T0 + 1));
        assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, e.errorCode());
    }

    // ---------------------------------------------------------------------------------------------------------
    // RFC 9002 §5.1: "An endpoint generates an RTT sample on receiving an ACK frame that meets the following two
    // conditions: the largest acknowledged packet number is newly acknowledged, and at least one of the newly
    // acknowledged packets was ack-eliciting."

    /** A client that sent two ack-eliciting Initials, packet 0 at {@code t} and packet 1 at {@code t + 10 ms}. */
    private static QuicConnection clientWithTwoInitials(long t) throws Exception {
        QuicConnection c = ConnectionFixtures.clientBuilder(NULL).build(t);
        c.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        assertEquals(1200, c.writePacket(null, null, ByteBuffer.allocate(1500), t));
        c.submitCryptoData(EncryptionLevel.INITIAL, new byte[] {1, 2, 3});
        c.writePacket(null, null, ByteBuffer.allocate(1500), t + 10 * MS);
        assertEquals(2, c.nextPacketNumber(EncryptionLevel.INITIAL));
        return c;
    }

    /** That client after an ACK of packet 1 only, at {@code t + 60 ms}: a 50 ms sample. */
    private static QuicConnection clientWithPacket1Acknowledged(long t) throws Exception {
        QuicConnection c = clientWithTwoInitials(t);
        assertEquals(ReceiveStatus.PROCESSED,
                c.receive(ByteBuffer.wrap(serverInitial(0, "02 01 00 00 00")), CLIENT_PATH, t + 60 * MS));
        assertEquals(50 * MS, c.smoothedRtt().toNanos());
        return c;
    }

    @Test
    void aReorderedAckWhoseLargestIsNewlyAcknowledgedGivesAnRttSample() throws Exception {
        long t = 1_000_000_000L;
        QuicConnection c = clientWithPacket1Acknowledged(t);
        // then an ACK of packet 0 only, at t + 100 ms: its largest, packet 0, is newly acknowledged and ack-eliciting:
        // a 100 ms sample, smoothed_rtt = 7/8 * 50 + 1/8 * 100 = 56.25 ms (RFC 9002 §5.3)
        assertEquals(ReceiveStatus.PROCESSED,
                c.receive(ByteBuffer.wrap(serverInitial(1, "02 00 00 00 00")), CLIENT_PATH, t + 100 * MS));
        assertEquals(56_250_000L, c.smoothedRtt().toNanos());
        assertEquals(1, c.largestAcknowledged(EncryptionLevel.INITIAL), "the largest acknowledged does not go back");
    }

    @Test
    void anAckWhoseLargestWasAcknowledgedBeforeGivesNoSample() throws Exception {
        long t = 1_000_000_000L;
        QuicConnection c = clientWithPacket1Acknowledged(t);
        // ACK of packets 0 and 1 (packet 0 newly acknowledged, but the frame's largest, packet 1, is not): no sample
        assertEquals(ReceiveStatus.PROCESSED,
                c.receive(ByteBuffer.wrap(serverInitial(1, "02 01 00 00 01")), CLIENT_PATH, t + 200 * MS));
        assertEquals(50 * MS, c.smoothedRtt().toNanos());
    }
}
