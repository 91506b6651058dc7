package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.Role;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.crypto.InitialSecrets;
import dev.quicj.core.tls.TransportParameters;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a connection keeps once it closed: RFC 9000 §10.2 lets it discard everything but what identifies its packets,
 * and a server refusing a flood holds many closing connections at once. Sending state goes; receiving keeps working.
 */
class ClosedStateTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();
    private static final CloseError REFUSED = CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, "busy");

    private static QuicConnection closedServer() throws Exception {
        QuicConnection s = ConnectionFixtures.server(NULL);
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, s.writeConnectionClose(null, null, dest, REFUSED, T0 + 1));
        return s;
    }

    /** A client Initial to the fixture server carrying {@code framesHex}, padded to 1200 bytes. */
    private static byte[] clientInitial(long pn, String framesHex) throws Exception {
        return ConnectionFixtures.peerLongPacket(
                ConnectionFixtures.peerProtection(NULL, InitialSecrets.clientSecret(QuicVersion.V1,
                        CLIENT_ODCID.toByteArray())),
                LongPacketType.INITIAL, SERVER_SCID, CLIENT_SCID, pn, Hex.decode(framesHex), 1200);
    }

    @Test
    void closingDropsEverythingButWhatTheAccessorsReport() throws Exception {
        QuicConnection s = closedServer();
        assertTrue(s.isInClosingPeriod());
        assertDropped(s);
        // what the accessors report was kept
        assertEquals(1, s.nextPacketNumber(EncryptionLevel.INITIAL), "the close used Initial packet number 0");
        assertEquals(0, s.largestReceived(EncryptionLevel.INITIAL));
        assertEquals(ConnectionFixtures.CLIENT_HELLO.length, s.cryptoBytesReceived(EncryptionLevel.INITIAL));
        assertEquals(0, s.nextPacketNumber(EncryptionLevel.HANDSHAKE));
        assertEquals(-1, s.largestReceived(EncryptionLevel.ONE_RTT));
        assertEquals(Settings.defaults().initialRtt().multipliedBy(3), s.pto());
        for (EncryptionLevel level : EncryptionLevel.values()) {
            assertFalse(s.hasTxKey(level), level.toString());
        }
    }

    /** Everything a closed connection no longer uses is gone (the fields a closed connection still has are kept). */
    private static void assertDropped(QuicConnection c) {
        assertTrue(c.droppedClosedState());
        assertNull(c.initial, "Initial space");
        assertNull(c.handshake, "Handshake space");
        assertNull(c.application, "application space");
        assertNull(c.space(EncryptionLevel.ONE_RTT));
        assertNull(c.rtt, "RTT estimator");
        assertNull(c.closeWriter, "close writer");
        assertNull(c.receiver, "receiver");
        assertNull(c.handshakeWriter, "handshake writer");
        assertNull(c.resetTokens, "stateless reset tokens");
        assertEquals(0, c.resetTokenCount);
        assertNull(c.cryptoListener, "CRYPTO data listener");
    }

    @Test
    void aFreshServerAllocatesNoResetTokenArray() throws Exception {
        QuicConnection s = ConnectionFixtures.server(NULL);
        assertNull(s.resetTokens, "allocated by the first token only");
        QuicConnection c = ConnectionFixtures.client(NULL);
        for (int i = 0; i < QuicConnection.MAX_RESET_TOKENS + 2; i++) {
            byte[] token = new byte[16];
            token[0] = (byte) i;
            c.addStatelessResetToken(token);
        }
        assertEquals(QuicConnection.MAX_RESET_TOKENS, c.resetTokenCount);
        assertEquals(2, c.resetTokens[0][0], "the oldest two were dropped");
    }

    @Test
    void aClosingConnectionStillCountsWhatArrivesWithoutItsKeys() throws Exception {
        QuicConnection s = closedServer();
        long budgetBefore = s.amplificationBudget();
        byte[] close = clientInitial(1, "1c" + "00" + "00" + "00");
        // RFC 9000 §10.2.1: a closing endpoint does not process what arrives (ngtcp2 does not decrypt either)
        assertEquals(ReceiveStatus.CLOSING, s.receive(ByteBuffer.wrap(close), SERVER_PATH, T0 + 2));
        assertTrue(s.isInClosingPeriod());
        assertNull(s.peerCloseError());
        assertEquals(REFUSED, s.localCloseError());
        assertEquals(budgetBefore + 3L * close.length, s.amplificationBudget());
    }

    /**
     * close-spec §5.2 (ngtcp2's {@code ngtcp2_conn_read_pkt}): only a client checks the path before the state, so a
     * closed server answers a datagram from another address as it answers any other; the bytes count for the
     * connection but not for the amplification budget of its path.
     */
    @Test
    void aClosedServerAnswersADatagramFromAnotherAddressAsAnyOther() throws Exception {
        NetworkPath other = new NetworkPath(SERVER_PATH.local(), new InetSocketAddress("127.0.0.1", 9));
        byte[] dg = clientInitial(1, "01");
        QuicConnection closing = closedServer();
        long budget = closing.amplificationBudget();
        long received = closing.bytesReceived();
        assertEquals(ReceiveStatus.CLOSING, closing.receive(ByteBuffer.wrap(dg), other, T0 + 2));
        assertEquals(received + dg.length, closing.bytesReceived());
        assertEquals(budget, closing.amplificationBudget());
        assertTrue(closing.isInClosingPeriod());

        QuicConnection draining = ConnectionFixtures.server(NULL);
        assertEquals(ReceiveStatus.DRAINING,
                draining.receive(ByteBuffer.wrap(clientInitial(1, "1c" + "00" + "00" + "00")), SERVER_PATH, T0 + 1));
        assertEquals(ReceiveStatus.DRAINING, draining.receive(ByteBuffer.wrap(dg), other, T0 + 2));

        // an open server drops it (no migration), and so does a client, open or closed
        QuicConnection open = ConnectionFixtures.server(NULL);
        assertEquals(ReceiveStatus.DROPPED, open.receive(ByteBuffer.wrap(dg), other, T0 + 2));
        assertEquals(DropReason.UNKNOWN_PATH, open.lastDropReason());
        QuicConnection client = ConnectionFixtures.client(NULL);
        assertEquals(CloseOutcome.WRITTEN,
                client.writeConnectionClose(null, null, ByteBuffer.allocate(1500), REFUSED, T0 + 1));
        NetworkPath elsewhere = new NetworkPath(ConnectionFixtures.CLIENT_PATH.local(),
                new InetSocketAddress("127.0.0.1", 9));
        long clientReceived = client.bytesReceived();
        assertEquals(ReceiveStatus.DROPPED, client.receive(ByteBuffer.wrap(dg), elsewhere, T0 + 2));
        assertEquals(DropReason.UNKNOWN_PATH, client.lastDropReason());
        assertEquals(clientReceived, client.bytesReceived());
        assertEquals(ReceiveStatus.CLOSING,
                client.receive(ByteBuffer.wrap(dg), ConnectionFixtures.CLIENT_PATH, T0 + 2));
    }

    @Test
    void aClosedConnectionWritesNothingMore() throws Exception {
        QuicConnection s = closedServer();
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.NOTHING_TO_WRITE, s.writeConnectionClose(null, null, dest, REFUSED, T0 + 2));
        assertEquals(0, dest.position());
        assertThrows(IllegalStateException.class, () -> s.writePacket(null, null, dest, T0 + 2));
        assertThrows(IllegalStateException.class,
                () -> s.submitCryptoData(EncryptionLevel.INITIAL, new byte[] {1}));
    }

    @Test
    void keysInstalledAfterTheCloseAreAcceptedButNotKept() throws Exception {
        // ngtcp2 accepts them too; a TLS layer may deliver secrets after the peer's close
        QuicConnection s = closedServer();
        s.installTxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_HANDSHAKE_SECRET);
        s.installRxKey(EncryptionLevel.ONE_RTT, ConnectionFixtures.SUITE, ConnectionFixtures.CLIENT_1RTT_SECRET);
        assertFalse(s.hasTxKey(EncryptionLevel.HANDSHAKE));
        assertDropped(s);
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.NOTHING_TO_WRITE, s.writeConnectionClose(null, null, dest, REFUSED, T0 + 2));
        // bad arguments are still refused
        assertThrows(IllegalArgumentException.class, () -> s.installTxKey(EncryptionLevel.INITIAL,
                ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_HANDSHAKE_SECRET));
        assertThrows(IllegalArgumentException.class, () -> s.installRxKey(EncryptionLevel.HANDSHAKE,
                ConnectionFixtures.SUITE, new byte[31]));
    }

    @Test
    void aDrainingConnectionDropsItsKeysToo() throws Exception {
        QuicConnection s = ConnectionFixtures.server(NULL);
        byte[] close = clientInitial(1, "1c" + "00" + "00" + "00");
        assertEquals(ReceiveStatus.DRAINING, s.receive(ByteBuffer.wrap(close), SERVER_PATH, T0 + 1));
        assertDropped(s);
        assertEquals(1, s.largestReceived(EncryptionLevel.INITIAL));
        assertEquals(ReceiveStatus.DRAINING, s.receive(ByteBuffer.wrap(close), SERVER_PATH, T0 + 2));
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.NOTHING_TO_WRITE, s.writeConnectionClose(null, null, dest, REFUSED, T0 + 2));
    }

    // ---------------------------------------------------------------------------------------------------------
    // every public accessor answers as before: each case is run twice, once keeping the send state through the
    // close (the benchmark seam, which keeps the spaces and the RTT estimator the accessors read while open)

    private interface Step {
        void apply(QuicConnection c) throws Exception;
    }

    private interface Opener {
        QuicConnection open() throws Exception;
    }

    /** A connection opened by {@code open}, then closed by {@code close} into {@code closed}. */
    private record Case(String name, Role role, ConnectionState closed, Opener open, Step close) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final byte[] RESET_TOKEN = Hex.decode("00112233445566778899aabbccddeeff");
    private static final CryptoDataListener IGNORE = (level, offset, data) -> { };

    private static byte[] serverInitial(long pn, String framesHex) throws Exception {
        return ConnectionFixtures.peerLongPacket(
                ConnectionFixtures.peerProtection(NULL, InitialSecrets.serverSecret(QuicVersion.V1,
                        CLIENT_ODCID.toByteArray())),
                LongPacketType.INITIAL, CLIENT_SCID, SERVER_SCID, pn, Hex.decode(framesHex), 0);
    }

    private static ReceiveStatus receive(QuicConnection c, byte[] datagram, long now) throws Exception {
        NetworkPath path = c.role() == Role.SERVER ? SERVER_PATH : ConnectionFixtures.CLIENT_PATH;
        return c.receive(ByteBuffer.wrap(datagram.clone()), path, now);
    }

    private static Step write(CloseError error, long now) {
        return c -> assertEquals(CloseOutcome.WRITTEN,
                c.writeConnectionClose(null, null, ByteBuffer.allocate(1500), error, now));
    }

    static Stream<Case> cases() {
        long rttSample = 40_000_000L;
        return Stream.of(
                new Case("server closing after the client Initial", Role.SERVER, ConnectionState.CLOSING,
                        () -> ConnectionFixtures.server(NULL), write(REFUSED, T0 + 1)),
                new Case("server with every key closing with an application error", Role.SERVER,
                        ConnectionState.CLOSING, () -> ConnectionFixtures.serverAllKeys(NULL),
                        write(CloseError.application(7, "bye"), T0 + 1)),
                new Case("confirmed server closing", Role.SERVER, ConnectionState.CLOSING,
                        () -> ConnectionFixtures.serverConfirmed(NULL), write(REFUSED, T0 + 1)),
                new Case("server draining on the client's close", Role.SERVER, ConnectionState.DRAINING,
                        () -> {
                            QuicConnection c = ConnectionFixtures.serverBuilder(NULL).cryptoDataListener(IGNORE)
                                    .build(T0);
                            assertEquals(ReceiveStatus.PROCESSED,
                                    receive(c, ConnectionFixtures.clientFirstInitial(NULL), T0));
                            return c;
                        },
                        c -> assertEquals(ReceiveStatus.DRAINING, receive(c,
                                clientInitial(3, "06" + "00" + "04" + "01020304" + "1c" + "0a" + "00" + "00"),
                                T0 + 1))),
                new Case("client closing after an RTT sample and server CRYPTO data", Role.CLIENT,
                        ConnectionState.CLOSING, () -> {
                            QuicConnection c = ConnectionFixtures.sentFirstInitial(
                                    ConnectionFixtures.clientBuilder(NULL).cryptoDataListener(IGNORE).build(T0));
                            assertEquals(ReceiveStatus.PROCESSED, receive(c, serverInitial(5,
                                    "02" + "00" + "00" + "00" + "00" + "06" + "00" + "03" + "aabbcc"),
                                    T0 + rttSample));
                            assertEquals(rttSample, c.smoothedRtt().toNanos());
                            return c;
                        }, write(CloseError.transport(TransportErrorCode.INTERNAL_ERROR, "oops"), T0 + rttSample)),
                new Case("confirmed client closing", Role.CLIENT, ConnectionState.CLOSING,
                        () -> ConnectionFixtures.clientConfirmed(NULL), write(CloseError.application(0), T0 + 1)),
                new Case("client draining on a stateless reset", Role.CLIENT, ConnectionState.DRAINING, () -> {
                    QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
                    c.setPeerTransportParameters(TransportParameters.builder().statelessResetToken(RESET_TOKEN)
                            .maxAckDelayMillis(50).build());
                    return c;
                }, c -> {
                    byte[] reset = new byte[41];
                    Arrays.fill(reset, (byte) 'x');
                    reset[0] = 0x41;
                    System.arraycopy(RESET_TOKEN, 0, reset, reset.length - 16, 16);
                    assertEquals(ReceiveStatus.DRAINING, receive(c, reset, T0 + 1));
                    assertTrue(c.isStatelessReset());
                }),
                new Case("client draining on the server's 1-RTT close", Role.CLIENT, ConnectionState.DRAINING,
                        () -> ConnectionFixtures.clientConfirmed(NULL),
                        c -> assertEquals(ReceiveStatus.DRAINING, receive(c, ConnectionFixtures.peerShortPacket(NULL,
                                ConnectionFixtures.SERVER_1RTT_SECRET, CLIENT_SCID, 9,
                                Hex.decode("1d" + "05" + "03" + Hex.encode("bye".getBytes()))), T0 + 1))));
    }

    /** The same connection twice, closed the same way: one keeps its send state through the close, one does not. */
    private static QuicConnection[] closedPair(Case k) throws Exception {
        QuicConnection kept = k.open().open();
        kept.retainSendStateForBenchmark();
        QuicConnection slim = k.open().open();
        k.close().apply(kept);
        k.close().apply(slim);
        assertEquals(k.closed(), slim.state());
        assertEquals(k.role(), slim.role());
        assertFalse(kept.droppedClosedState());
        assertNotNull(kept.initial);
        assertDropped(slim);
        return new QuicConnection[] {kept, slim};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyAccessorAnswersAsWithTheStateKept(Case k) throws Exception {
        QuicConnection[] pair = closedPair(k);
        assertSameAnswers(pair[0], pair[1]);
        for (EncryptionLevel level : EncryptionLevel.values()) {
            assertFalse(pair[1].hasTxKey(level), level.toString());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyCallAfterTheCloseAnswersAsWithTheStateKept(Case k) throws Exception {
        QuicConnection[] pair = closedPair(k);
        long now = Math.max(pair[0].lastTimestamp(), pair[1].lastTimestamp()) + 1;
        NetworkPath path = k.role() == Role.SERVER ? SERVER_PATH : ConnectionFixtures.CLIENT_PATH;
        NetworkPath elsewhere = new NetworkPath(path.local(), new InetSocketAddress("127.0.0.1", 1));
        byte[] datagram = k.role() == Role.SERVER ? clientInitial(20, "01") : serverInitial(20, "01");
        List<List<Object>> answers = new ArrayList<>();
        for (QuicConnection c : pair) {
            List<Object> a = new ArrayList<>();
            // CLOSING counts what arrives (amplification limit), DRAINING ignores it; neither decrypts
            a.add(c.receive(ByteBuffer.wrap(datagram.clone()), path, now));
            a.add(c.receive(ByteBuffer.wrap(datagram.clone()), elsewhere, now));
            a.add(c.receive(ByteBuffer.allocate(0), path, now));
            a.add(c.lastDropReason());
            a.add(c.amplificationBudget());
            a.add(c.pathBytesReceived());
            a.add(c.bytesReceived());
            ByteBuffer dest = ByteBuffer.allocate(1500);
            PathInfo pathInfo = new PathInfo();
            PacketInfo packetInfo = new PacketInfo();
            for (CloseError e : new CloseError[] {REFUSED, CloseError.application(1), CloseError.idleClose()}) {
                a.add(c.writeConnectionClose(pathInfo, packetInfo, dest, e, now));
            }
            a.add(dest.position());
            a.add(pathInfo.path());
            a.add(c.packetsSent());
            a.add(c.bytesSent());
            assertThrows(IllegalStateException.class, () -> c.writePacket(null, null, ByteBuffer.allocate(1500), now));
            assertThrows(IllegalStateException.class,
                    () -> c.submitCryptoData(EncryptionLevel.HANDSHAKE, new byte[] {1}));
            assertThrows(IllegalArgumentException.class, () -> c.writeConnectionClose(null, null, dest, REFUSED,
                    now - 2));
            c.installTxKey(EncryptionLevel.ONE_RTT, ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_1RTT_SECRET);
            c.handshakeCompleted();
            // the peer's max_ack_delay enters the PTO once the handshake completed
            c.setPeerTransportParameters(TransportParameters.builder().maxAckDelayMillis(77)
                    .statelessResetToken(RESET_TOKEN).build());
            c.addStatelessResetToken(RESET_TOKEN);
            c.setEcnState(EcnState.CAPABLE);
            c.setPathMaxUdpPayloadSize(1400);
            a.add(c.pto());
            a.add(c.closingPeriod());
            a.add(c.isHandshakeCompleted());
            answers.add(a);
        }
        assertEquals(answers.get(0), answers.get(1));
        assertSameAnswers(pair[0], pair[1]);
        assertEquals(k.closed(), pair[1].state());
        assertDropped(pair[1]);
        assertEquals(List.of(CloseOutcome.NOTHING_TO_WRITE, CloseOutcome.NOTHING_TO_WRITE,
                CloseOutcome.NOTHING_TO_WRITE), answers.get(1).subList(7, 10));
        assertEquals(0, answers.get(1).get(10), "nothing written");
    }

    /** Every public accessor of {@code slim} answers as that of {@code kept} (which kept its send state). */
    private static void assertSameAnswers(QuicConnection kept, QuicConnection slim) {
        assertEquals(kept.role(), slim.role());
        assertEquals(kept.version(), slim.version());
        assertEquals(kept.state(), slim.state());
        assertEquals(kept.isInClosingPeriod(), slim.isInClosingPeriod());
        assertEquals(kept.isInDrainingPeriod(), slim.isInDrainingPeriod());
        assertEquals(kept.isHandshakeCompleted(), slim.isHandshakeCompleted());
        assertEquals(kept.isHandshakeConfirmed(), slim.isHandshakeConfirmed());
        assertEquals(kept.sourceConnectionId(), slim.sourceConnectionId());
        assertEquals(kept.destinationConnectionId(), slim.destinationConnectionId());
        assertEquals(kept.originalDestinationConnectionId(), slim.originalDestinationConnectionId());
        assertEquals(kept.path(), slim.path());
        for (EncryptionLevel level : EncryptionLevel.values()) {
            String l = level.toString();
            assertEquals(kept.nextPacketNumber(level), slim.nextPacketNumber(level), l);
            assertEquals(kept.largestAcknowledged(level), slim.largestAcknowledged(level), l);
            assertEquals(kept.largestReceived(level), slim.largestReceived(level), l);
            assertEquals(kept.cryptoBytesReceived(level), slim.cryptoBytesReceived(level), l);
        }
        assertEquals(kept.isPathValidated(), slim.isPathValidated());
        assertEquals(kept.pathBytesReceived(), slim.pathBytesReceived());
        assertEquals(kept.pathBytesSent(), slim.pathBytesSent());
        assertEquals(kept.amplificationBudget(), slim.amplificationBudget());
        assertEquals(kept.ecnState(), slim.ecnState());
        assertEquals(kept.peerTransportParameters(), slim.peerTransportParameters());
        assertArrayEquals(kept.token(), slim.token());
        assertArrayEquals(kept.newToken(), slim.newToken());
        assertEquals(kept.localCloseError(), slim.localCloseError());
        assertEquals(kept.peerCloseError(), slim.peerCloseError());
        assertEquals(kept.isStatelessReset(), slim.isStatelessReset());
        assertEquals(kept.lastDropReason(), slim.lastDropReason());
        assertEquals(kept.pto(), slim.pto());
        assertEquals(kept.closingPeriod(), slim.closingPeriod());
        assertEquals(kept.smoothedRtt(), slim.smoothedRtt());
        assertEquals(kept.lastTimestamp(), slim.lastTimestamp());
        assertEquals(kept.closeTimestamp(), slim.closeTimestamp());
        assertEquals(kept.packetsSent(), slim.packetsSent());
        assertEquals(kept.bytesSent(), slim.bytesSent());
        assertEquals(kept.packetsReceived(), slim.packetsReceived());
        assertEquals(kept.bytesReceived(), slim.bytesReceived());
        assertEquals(kept.toString(), slim.toString());
    }

    @Test
    void aCloseFromTheCryptoDataListenerLeavesTheSpacesToTheEndOfTheDatagram() throws Exception {
        // the listener closes while the receiver is inside the packet: the rest of the packet still finds its space
        QuicConnection[] self = new QuicConnection[1];
        List<CloseOutcome> outcomes = new ArrayList<>();
        List<Boolean> droppedDuring = new ArrayList<>();
        QuicConnection s = ConnectionFixtures.serverBuilder(NULL).cryptoDataListener((level, offset, data) -> {
            outcomes.add(self[0].writeConnectionClose(null, null, ByteBuffer.allocate(1500), REFUSED, T0));
            droppedDuring.add(self[0].droppedClosedState());
        }).build(T0);
        self[0] = s;
        // CRYPTO, then PING after it in the same packet
        byte[] initial = clientInitial(0, "06" + "00" + "04" + "01020304" + "01");
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(initial), SERVER_PATH, T0));
        assertEquals(List.of(CloseOutcome.WRITTEN), outcomes);
        assertEquals(List.of(false), droppedDuring);
        assertTrue(s.isInClosingPeriod());
        assertDropped(s);
        assertEquals(0, s.largestReceived(EncryptionLevel.INITIAL), "recorded after the listener closed");
        assertEquals(4, s.cryptoBytesReceived(EncryptionLevel.INITIAL));
        assertEquals(1, s.nextPacketNumber(EncryptionLevel.INITIAL));
        assertEquals(1, s.packetsReceived());
    }

    /** A server whose CRYPTO data listener records each offset delivered and closes the connection (REFUSED). */
    private static QuicConnection serverClosingOnCryptoData(List<Long> delivered) throws Exception {
        QuicConnection[] self = new QuicConnection[1];
        self[0] = ConnectionFixtures.serverBuilder(NULL).cryptoDataListener((level, offset, data) -> {
            delivered.add(offset);
            self[0].writeConnectionClose(null, null, ByteBuffer.allocate(1500), REFUSED, T0);
        }).build(T0);
        return self[0];
    }

    @Test
    void aCloseFromTheCryptoDataListenerStopsTheDatagramBeforeTheNextCoalescedInitial() throws Exception {
        // RFC 9000 §12.2 lets a client coalesce two Initials; the listener closes on the first one's CRYPTO frame.
        // The second carries CONNECTION_CLOSE: read, it would find the closed space without keys, derive them afresh
        // and turn CLOSING into DRAINING (close-spec §5.1: CLOSING never becomes DRAINING)
        List<Long> deliveredOffsets = new ArrayList<>();
        QuicConnection s = serverClosingOnCryptoData(deliveredOffsets);
        var clientKeys = ConnectionFixtures.peerProtection(NULL,
                InitialSecrets.clientSecret(QuicVersion.V1, CLIENT_ODCID.toByteArray()));
        byte[] first = ConnectionFixtures.peerLongPacket(clientKeys, LongPacketType.INITIAL, SERVER_SCID, CLIENT_SCID,
                0, Hex.decode("06" + "00" + "04" + "01020304"), 0);
        byte[] second = ConnectionFixtures.peerLongPacket(clientKeys, LongPacketType.INITIAL, SERVER_SCID,
                CLIENT_SCID, 1, Hex.decode("1c000000"), 1200 - first.length);
        ByteBuffer dg = ByteBuffer.allocate(first.length + second.length).put(first).put(second).flip();

        assertEquals(ReceiveStatus.PROCESSED, s.receive(dg, SERVER_PATH, T0));
        assertEquals(List.of(0L), deliveredOffsets);
        assertEquals(ConnectionState.CLOSING, s.state());
        assertNull(s.peerCloseError(), "the packet after our close was decrypted");
        assertEquals(1, s.packetsReceived());
        assertDropped(s);
    }

    @Test
    void aCloseFromTheCryptoDataListenerIsNotUndoneByAConnectionCloseLaterInTheSamePacket() throws Exception {
        // CRYPTO, then the peer's CONNECTION_CLOSE and another CRYPTO frame, in one packet: the listener closes on the
        // first; the frames after it have no effect (close-spec §5.1: CLOSING never becomes DRAINING)
        List<Long> delivered = new ArrayList<>();
        QuicConnection s = serverClosingOnCryptoData(delivered);
        byte[] initial = clientInitial(0, "06" + "00" + "04" + "01020304" + "1c000000" + "06" + "04" + "02" + "0506");
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(initial), SERVER_PATH, T0));
        assertEquals(ConnectionState.CLOSING, s.state());
        assertNull(s.peerCloseError());
        assertEquals(List.of(0L), delivered, "nothing delivered after the close");
        assertEquals(1, s.packetsReceived());
    }

    @Test
    void aClosingConnectionAnswersClosingThoughAHeldPacketFailedBeforeTheClose() throws Exception {
        // handshakeCompleted() outside receive processes the held 1-RTT packets; a protocol error among them is kept
        // for the next receive. The application closes first (it cannot know): the error is moot, and the next
        // datagram is a closing connection's like any other (close-spec §5.2), its bytes counted
        QuicConnection s = ConnectionFixtures.serverAllKeys(NULL);
        // HANDSHAKE_DONE, which a client must not send, in a 1-RTT packet held until the handshake completes
        byte[] held = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.CLIENT_1RTT_SECRET, SERVER_SCID, 0,
                new byte[] {0x1e});
        s.receive(ByteBuffer.wrap(held), SERVER_PATH, T0);
        s.handshakeCompleted();
        assertEquals(CloseOutcome.WRITTEN, s.writeConnectionClose(null, null, ByteBuffer.allocate(1500),
                CloseError.application(0), T0 + 1));
        long received = s.pathBytesReceived();
        byte[] any = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.CLIENT_1RTT_SECRET, SERVER_SCID, 1,
                new byte[] {0x01});

        assertEquals(ReceiveStatus.CLOSING, s.receive(ByteBuffer.wrap(any), SERVER_PATH, T0 + 2));
        assertEquals(received + any.length, s.pathBytesReceived());
        assertEquals(ConnectionState.CLOSING, s.state());
    }

    @Test
    void receivedRangesGrowPastTheirFirstArraysAndForgetOnlyBeyondTheLimit() {
        ReceivedPackets r = new ReceivedPackets();
        // every other packet number: one range each, newest first
        int ranges = ReceivedPackets.MAX_RANGES + 5;
        for (int i = 0; i < ranges; i++) {
            r.add(2L * i);
        }
        assertEquals(ReceivedPackets.MAX_RANGES, r.rangeCount());
        long newest = 2L * (ranges - 1);
        assertEquals(newest, r.largest());
        for (int i = 0; i < ReceivedPackets.MAX_RANGES; i++) {
            assertEquals(newest - 2L * i, r.high(i));
            assertEquals(newest - 2L * i, r.low(i));
        }
        // the five oldest were forgotten and count as received; the gaps above them do not
        assertTrue(r.contains(0));
        assertTrue(r.contains(8));
        assertFalse(r.contains(9));
        assertFalse(r.contains(11));
        // filling a gap joins two ranges
        r.add(newest - 1);
        assertEquals(ReceivedPackets.MAX_RANGES - 1, r.rangeCount());
        assertEquals(newest - 2, r.low(0));
    }
}
