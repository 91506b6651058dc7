package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static dev.quicj.core.conn.CloseWriterUpstreamTest.assertApplicationErrorReplacement;
import static dev.quicj.core.conn.CloseWriterUpstreamTest.assertForms;
import static dev.quicj.core.conn.CloseWriterUpstreamTest.closeFrame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicException;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseWriterUpstreamTest.Written;
import dev.quicj.core.conn.ConnectionFixtures.Side;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.inspect.DatagramInspector;
import dev.quicj.core.inspect.InspectedFrame;
import dev.quicj.core.inspect.InspectedPacket;
import dev.quicj.core.packet.PacketForm;
import dev.quicj.core.wire.CloseType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The additional cases E1–E24 of close-spec §8.2, and the project decisions, one scenario per method. */
class CloseWriterEdgeCaseTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();
    private static final long MAX_PN = (1L << 62) - 1;
    private static final ConnectionId CID8_A = ConnectionId.fromHex("0102030405060708");
    private static final ConnectionId CID8_B = ConnectionId.fromHex("1112131415161718");

    private static Written close(QuicConnection c, CloseError e, int size, Side side) {
        return CloseWriterUpstreamTest.close(c, e, size, side);
    }

    /** A server with 8-byte CIDs (both directions) that read a client's first Initial, with Handshake keys. */
    private static QuicConnection server8WithHandshakeKeys() throws Exception {
        QuicConnection client = QuicConnection.clientBuilder().originalDestinationConnectionId(CID8_A)
                .sourceConnectionId(CID8_B).path(CLIENT_PATH).settings(NULL).build(T0);
        client.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        ByteBuffer initial = ByteBuffer.allocate(1500);
        client.writePacket(null, null, initial, T0);
        initial.flip();
        QuicConnection s = QuicConnection.serverBuilder().sourceConnectionId(CID8_A).path(SERVER_PATH).settings(NULL)
                .build(T0);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(initial, SERVER_PATH, T0));
        s.installTxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_HANDSHAKE_SECRET);
        return s;
    }

    @Test
    void e1ClientThatWroteNothingIsInvalidStateAndTouchesNothing() throws Exception {
        QuicConnection c = ConnectionFixtures.freshClient(NULL);
        for (CloseError e : new CloseError[] {CloseError.transport(1), CloseError.application(1)}) {
            PathInfo path = new PathInfo();
            PacketInfo pi = new PacketInfo();
            ByteBuffer dest = ByteBuffer.allocate(1500);
            assertEquals(CloseOutcome.INVALID_STATE, c.writeConnectionClose(path, pi, dest, e, T0));
            assertNull(path.path());
            assertNull(pi.ecn());
            assertEquals(0, dest.position());
            assertEquals(ConnectionState.CLIENT_INITIAL, c.state());
        }
    }

    @Test
    void e2ClientThatJustProcessedARetryIsInvalidState() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        byte[] retry = ConnectionFixtures.retryPacket(QuicVersion.V1, CLIENT_SCID, CID8_A, new byte[] {9, 8, 7},
                CLIENT_ODCID);
        assertEquals(ReceiveStatus.RETRY, c.receive(ByteBuffer.wrap(retry), CLIENT_PATH, T0));
        assertEquals(ConnectionState.CLIENT_INITIAL, c.state());
        assertEquals(CloseOutcome.INVALID_STATE,
                c.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.transport(1), T0));
    }

    @Test
    void e3ServerThatReadNothingIsInvalidStateAfterFillingPathAndEcn() {
        QuicConnection s = ConnectionFixtures.serverBuilder(NULL).build(T0);
        for (CloseError e : new CloseError[] {CloseError.transport(1), CloseError.application(1)}) {
            PathInfo path = new PathInfo();
            PacketInfo pi = new PacketInfo();
            assertEquals(CloseOutcome.INVALID_STATE, s.writeConnectionClose(path, pi, ByteBuffer.allocate(1500), e, T0));
            assertEquals(SERVER_PATH, path.path());
            assertEquals(Ecn.NOT_ECT, pi.ecn());
            assertEquals(ConnectionState.SERVER_INITIAL, s.state());
        }
    }

    @Test
    void e4ExhaustedApplicationSpaceIsReportedBeforeTheState() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        c.setLastSentPacketNumberForTesting(EncryptionLevel.ONE_RTT, MAX_PN);
        PathInfo path = new PathInfo();
        assertEquals(CloseOutcome.PKT_NUM_EXHAUSTED,
                c.writeConnectionClose(path, null, ByteBuffer.allocate(1500), CloseError.transport(1), T0));
        assertNull(path.path(), "path is not filled for PKT_NUM_EXHAUSTED");
        assertEquals(ConnectionState.POST_HANDSHAKE, c.state());
    }

    @Test
    void e4ExhaustionIsReportedEvenWhenAlreadyClosing() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        c.setLastSentPacketNumberForTesting(EncryptionLevel.ONE_RTT, MAX_PN - 1);
        // the last number can still be used by the close itself
        Written w = close(c, CloseError.transport(1), 1200, Side.CLIENT);
        assertEquals(4, w.packets().get(0).packetNumberLength());
        assertEquals(0xffff_ffffL, w.packets().get(0).packetNumber(), "the low 32 bits of 2^62-1");
        assertEquals(ConnectionState.CLOSING, c.state());
        assertEquals(CloseOutcome.PKT_NUM_EXHAUSTED,
                c.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.transport(1), T0 + 2));
    }

    @Test
    void e4OrdinaryWritesRefuseAnExhaustedConnectionAfterTheirStateCheck() throws Exception {
        // close-spec §6: "Ordinary writes check the same condition, but after their state checks"
        QuicConnection c = ConnectionFixtures.client(NULL);
        c.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        c.setLastSentPacketNumberForTesting(EncryptionLevel.INITIAL, MAX_PN);
        ByteBuffer dest = ByteBuffer.allocate(1500);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> c.writePacket(null, null, dest, T0));
        assertTrue(e.getMessage().contains("exhausted"), e.getMessage());
        assertEquals(0, dest.position());
        assertEquals(MAX_PN, c.nextPacketNumber(EncryptionLevel.INITIAL), "packet number 2^62-1 is not used twice");
        assertEquals(ConnectionState.CLIENT_WAIT_HANDSHAKE, c.state());
        // a closing connection says it is closing, as before
        QuicConnection closing = ConnectionFixtures.clientConfirmed(NULL);
        closing.setLastSentPacketNumberForTesting(EncryptionLevel.ONE_RTT, MAX_PN - 1);
        assertEquals(CloseOutcome.WRITTEN,
                closing.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.transport(0), T0));
        IllegalStateException c2 = assertThrows(IllegalStateException.class,
                () -> closing.writePacket(null, null, ByteBuffer.allocate(1500), T0));
        assertTrue(c2.getMessage().contains("closing"), c2.getMessage());
    }

    @Test
    void e5ServerWithNoBudgetIsNobufUntilBytesArrive() throws Exception {
        QuicConnection s = ConnectionFixtures.server(NULL);
        // spend the whole budget on handshake data: 3 x 1200 received ... sent
        s.submitCryptoData(EncryptionLevel.INITIAL, new byte[5000]);
        ByteBuffer out = ByteBuffer.allocate(1500);
        int sent = 0;
        for (int n; (n = s.writePacket(null, null, out.clear(), T0)) > 0; ) {
            sent += n;
        }
        assertEquals(3600, sent, "the server stops at 3x what it received");
        assertEquals(0, s.amplificationBudget());
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.NOBUF_AMPLIFICATION_LIMIT,
                s.writeConnectionClose(null, null, dest, CloseError.transport(1), T0));
        assertEquals(0, dest.position());
        assertEquals(ConnectionState.SERVER_WAIT_HANDSHAKE, s.state());
        // another 1200-byte datagram from the client (a duplicate of its Initial) raises the budget
        assertEquals(ReceiveStatus.DROPPED, s.receive(ByteBuffer.wrap(ConnectionFixtures.clientFirstInitial(NULL)),
                SERVER_PATH, T0));
        assertEquals(3600, s.amplificationBudget());
        assertEquals(CloseOutcome.WRITTEN, s.writeConnectionClose(null, null, dest, CloseError.transport(1), T0));
        assertTrue(dest.position() <= 3600);
    }

    @Test
    void e6BudgetBelowTheInitialCloseIsNobuf() throws Exception {
        QuicConnection s = server8WithHandshakeKeys();
        s.setPathBytesForTesting(400, 3 * 400 - 40);
        assertEquals(40, s.amplificationBudget());
        assertEquals(CloseOutcome.NOBUF_AMPLIFICATION_LIMIT,
                s.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.transport(1), T0));
        assertEquals(ConnectionState.SERVER_WAIT_HANDSHAKE, s.state());
    }

    @Test
    void e6BudgetOfSixtyFitsTheInitialAndSkipsTheHandshakePacket() throws Exception {
        QuicConnection s = server8WithHandshakeKeys();
        s.setPathBytesForTesting(400, 3 * 400 - 60);
        Written w = close(s, CloseError.transport(1), 1500, Side.SERVER);
        assertEquals(49, w.length());
        assertEquals(1, w.packets().size());
        assertEquals(PacketForm.INITIAL, w.packets().get(0).form());
        assertEquals(0, s.nextPacketNumber(EncryptionLevel.HANDSHAKE), "the skipped packet used no number");
        assertEquals(ConnectionState.CLOSING, s.state());
    }

    @Test
    void e7OneRttCloseNeedsThirtyBytes() throws Exception {
        for (int size : new int[] {28, 29}) {
            QuicConnection c = CloseWriterUpstreamTest.confirmedClientWithCids("0102030405060708", "1112131415161718");
            ByteBuffer dest = ByteBuffer.allocate(size);
            assertEquals(CloseOutcome.NOBUF_BUFFER_TOO_SMALL,
                    c.writeConnectionClose(null, null, dest, CloseError.transport(0), T0), "size " + size);
            assertEquals(0, dest.position());
            assertEquals(ConnectionState.POST_HANDSHAKE, c.state());
        }
        QuicConnection c = CloseWriterUpstreamTest.confirmedClientWithCids("0102030405060708", "1112131415161718");
        Written w = close(c, CloseError.transport(0), 30, Side.CLIENT);
        assertEquals(30, w.length());
        assertForms(w, PacketForm.ONE_RTT);
    }

    /**
     * A cipher that fails politely (a {@code CryptoException}) and one that breaks its contract (an unchecked
     * exception from sealing or from header protection) give the same outcome.
     */
    @ParameterizedTest
    @EnumSource(value = FailingCryptoProvider.Failure.class,
            names = {"SEAL", "SEAL_UNCHECKED", "HEADER_PROTECTION_UNCHECKED"})
    void e8SealingFailureIsCallbackFailureAndLeavesTheStateAlone(FailingCryptoProvider.Failure failure)
            throws Exception {
        FailingCryptoProvider crypto = new FailingCryptoProvider(CryptoProvider.nullCrypto());
        Settings settings = Settings.builder().cryptoProvider(crypto).build();
        QuicConnection c = ConnectionFixtures.client(settings);
        long sentBefore = c.packetsSent();
        crypto.fail(failure);
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.CALLBACK_FAILURE,
                c.writeConnectionClose(null, null, dest, CloseError.transport(1), T0));
        assertEquals(0, dest.position());
        assertEquals(ConnectionState.CLIENT_WAIT_HANDSHAKE, c.state());
        assertEquals(1, c.nextPacketNumber(EncryptionLevel.INITIAL), "a packet that failed uses no number");
        assertEquals(sentBefore, c.packetsSent());

        crypto.fail(FailingCryptoProvider.Failure.NONE);
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, dest, CloseError.transport(1), T0));
        assertEquals(1200, dest.position());
        assertEquals(ConnectionState.CLOSING, c.state());
    }

    @Test
    void e8HeaderProtectionFailureIsCallbackFailureToo() throws Exception {
        FailingCryptoProvider crypto = new FailingCryptoProvider(CryptoProvider.nullCrypto());
        QuicConnection c = ConnectionFixtures.client(Settings.builder().cryptoProvider(crypto).build());
        crypto.fail(FailingCryptoProvider.Failure.HEADER_PROTECTION);
        assertEquals(CloseOutcome.CALLBACK_FAILURE,
                c.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.transport(1), T0));
        crypto.fail(FailingCryptoProvider.Failure.NONE);
        assertEquals(CloseOutcome.WRITTEN,
                c.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.transport(1), T0));
    }

    @Test
    void e9SilentCloseTypesWriteNothingAndTouchNothing() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        for (CloseError e : new CloseError[] {CloseError.idleClose(), CloseError.dropConnection(), CloseError.retry(),
                CloseError.versionNegotiation()}) {
            PathInfo path = new PathInfo();
            PacketInfo pi = new PacketInfo();
            ByteBuffer dest = ByteBuffer.allocate(1500);
            assertEquals(CloseOutcome.NOTHING_TO_WRITE, c.writeConnectionClose(path, pi, dest, e, T0));
            assertEquals(0, dest.position());
            assertNull(path.path());
            assertNull(pi.ecn());
            assertEquals(ConnectionState.CLIENT_WAIT_HANDSHAKE, c.state());
        }
    }

    @Test
    void e10SecondCloseWritesNothing() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        assertEquals(CloseOutcome.WRITTEN,
                c.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.transport(1), T0));
        for (CloseError e : new CloseError[] {CloseError.transport(2), CloseError.application(3), CloseError.idleClose()}) {
            ByteBuffer dest = ByteBuffer.allocate(1500);
            assertEquals(CloseOutcome.NOTHING_TO_WRITE, c.writeConnectionClose(null, null, dest, e, T0));
            assertEquals(0, dest.position());
        }
        assertEquals(CloseError.transport(1), c.localCloseError());
    }

    @Test
    void e11ClosingConnectionDoesNotProcessAnythingNotEvenThePeersClose() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        assertEquals(CloseOutcome.WRITTEN,
                c.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.transport(1), T0));
        byte[] peerClose = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.SERVER_1RTT_SECRET,
                CLIENT_SCID, 1, Hex.decode("1c0a0000"));
        assertEquals(ReceiveStatus.CLOSING, c.receive(ByteBuffer.wrap(peerClose), CLIENT_PATH, T0));
        assertEquals(ConnectionState.CLOSING, c.state());
        assertNull(c.peerCloseError());
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.allocate(0), CLIENT_PATH, T0));
        assertEquals(DropReason.EMPTY_DATAGRAM, c.lastDropReason());
    }

    @Test
    void e12WritingPacketsWhileClosingOrDrainingIsRefused() throws Exception {
        QuicConnection closing = ConnectionFixtures.client(NULL);
        closing.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.transport(1), T0);
        assertThrows(IllegalStateException.class, () -> closing.writePacket(null, null, ByteBuffer.allocate(1500), T0));

        QuicConnection draining = ConnectionFixtures.clientConfirmed(NULL);
        draining.receive(ByteBuffer.wrap(ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.SERVER_1RTT_SECRET,
                CLIENT_SCID, 1, Hex.decode("1c000000"))), CLIENT_PATH, T0);
        assertEquals(ConnectionState.DRAINING, draining.state());
        assertThrows(IllegalStateException.class, () -> draining.writePacket(null, null, ByteBuffer.allocate(1500), T0));
    }

    @Test
    void e13PeerOneRttCloseMovesToDrainingAndTheWriterThenWritesNothing() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        byte[] dg = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.SERVER_1RTT_SECRET, CLIENT_SCID, 1,
                Hex.decode("1d4123" + "00"));
        assertEquals(ReceiveStatus.DRAINING, c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0 + 5));
        assertTrue(c.isInDrainingPeriod());
        assertEquals(CloseError.application(0x123), c.peerCloseError());
        assertEquals(T0 + 5, c.closeTimestamp());
        assertEquals(CloseOutcome.NOTHING_TO_WRITE,
                c.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.transport(1), T0 + 6));
        assertEquals(ReceiveStatus.DRAINING, c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0 + 7));
    }

    @Test
    void e14ApplicationCloseInsideAHandshakePacketIsAProtocolViolation() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithHandshakeKeys(NULL);
        byte[] dg = ConnectionFixtures.peerLongPacket(
                ConnectionFixtures.peerProtection(NULL, ConnectionFixtures.SERVER_HANDSHAKE_SECRET),
                LongPacketType.HANDSHAKE, CLIENT_SCID, ConnectionFixtures.SERVER_SCID, 0, Hex.decode("1d0100"), 0);
        QuicException e = assertThrows(QuicException.class, () -> c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0));
        assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, e.errorCode());
        assertEquals(0x1d, e.frameType());
        assertFalse(c.isInDrainingPeriod());
        assertNull(c.peerCloseError());
    }

    @Test
    void e14ApplicationCloseInsideAnInitialPacketIsAProtocolViolation() throws Exception {
        QuicConnection s = ConnectionFixtures.server(NULL);
        byte[] dg = Arrays.copyOf(ConnectionFixtures.peerLongPacket(
                ConnectionFixtures.peerProtection(NULL, dev.quicj.core.crypto.InitialSecrets.clientSecret(QuicVersion.V1,
                        CLIENT_ODCID.toByteArray())), LongPacketType.INITIAL, ConnectionFixtures.SERVER_SCID,
                CLIENT_SCID, 1, Hex.decode("1d0100"), 1200), 1200);
        QuicException e = assertThrows(QuicException.class, () -> s.receive(ByteBuffer.wrap(dg), SERVER_PATH, T0));
        assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, e.errorCode());
        assertFalse(s.isInDrainingPeriod());
    }

    @Test
    void e15CloseIsEct0OnlyOnAnEcnCapablePath() throws Exception {
        for (EcnState state : EcnState.values()) {
            QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
            c.setEcnState(state);
            PacketInfo pi = new PacketInfo();
            assertEquals(CloseOutcome.WRITTEN,
                    c.writeConnectionClose(null, pi, ByteBuffer.allocate(1500), CloseError.transport(0), T0));
            assertEquals(state == EcnState.CAPABLE ? Ecn.ECT_0 : Ecn.NOT_ECT, pi.ecn(), state.name());
        }
    }

    @Test
    void e15APaddedClientInitialCloseIsNotEctWhileEcnIsStillTesting() throws Exception {
        // close-spec §7 (v1.18.0): v0.12.1 marked padded close packets ECT(0) during TESTING; HEAD does not
        for (EcnState state : EcnState.values()) {
            QuicConnection c = ConnectionFixtures.client(NULL);
            c.setEcnState(state);
            PacketInfo pi = new PacketInfo();
            ByteBuffer dest = ByteBuffer.allocate(1500);
            assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, pi, dest, CloseError.transport(0), T0));
            assertEquals(1200, dest.position(), "padded");
            assertEquals(state == EcnState.CAPABLE ? Ecn.ECT_0 : Ecn.NOT_ECT, pi.ecn(), state.name());
        }
    }

    @Test
    void e16ClientInitialCloseIs1200BytesWithDefaultSettings() throws Exception {
        Written w = close(ConnectionFixtures.client(NULL), CloseError.transport(0), 1500, Side.CLIENT);
        assertEquals(1200, w.length());
    }

    @Test
    void e16WithoutShapingTheClientInitialCloseFillsTheConfiguredMaximum() throws Exception {
        Settings s = NULL.toBuilder().udpPayloadShaping(Settings.UdpPayloadShaping.NO_SHAPING)
                .maxTxUdpPayloadSize(1452).build();
        ByteBuffer dest = ByteBuffer.allocate(1500);
        QuicConnection c = ConnectionFixtures.freshClient(s);
        c.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        assertEquals(1452, c.writePacket(null, null, ByteBuffer.allocate(1500), T0));
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, dest, CloseError.transport(0), T0));
        assertEquals(1452, dest.position());
    }

    @Test
    void e16ASmallerBufferGivesASmallerClientInitialClose() throws Exception {
        Written w = close(ConnectionFixtures.client(NULL), CloseError.transport(0), 1000, Side.CLIENT);
        assertEquals(1000, w.length());
        assertForms(w, PacketForm.INITIAL);
    }

    @Test
    void e17ApplicationCloseBeforeConfirmationPutsOnly1c0c0000InInitialAndHandshake() throws Exception {
        QuicConnection s = ConnectionFixtures.serverAllKeys(NULL);
        ByteBuffer dest = ByteBuffer.allocate(1500);
        CloseError e = CloseError.application(0x3fff, "secret application reason");
        assertEquals(CloseOutcome.WRITTEN, s.writeConnectionClose(null, null, dest, e, T0));
        dest.flip();
        List<InspectedPacket> packets = ConnectionFixtures.inspect(dest, Side.SERVER, NULL);
        assertEquals(3, packets.size());
        for (InspectedPacket p : packets.subList(0, 2)) {
            // null crypto: the plaintext payload is in the datagram as is
            int payload = p.offset() + p.length() - 16 - p.payloadLength();
            assertEquals("1c0c0000", ConnectionFixtures.hex(dest.duplicate().position(payload).limit(payload + 4)));
            assertApplicationErrorReplacement(p);
        }
        assertEquals(CloseType.APPLICATION, closeFrame(packets.get(2)).type());
        assertEquals(0x3fff, closeFrame(packets.get(2)).errorCode());
    }

    @Test
    void e18FrameTypeIsWrittenAsGiven() throws Exception {
        // project decision 2: ngtcp2 writes 0 here; this library writes the triggering frame type
        Written w = close(ConnectionFixtures.client(NULL),
                CloseError.transport(TransportErrorCode.FRAME_ENCODING_ERROR, 0x08, "bad STREAM"), 1500, Side.CLIENT);
        assertEquals(0x08, closeFrame(w.packets().get(0)).frameType());
        Written d = close(ConnectionFixtures.client(NULL), CloseError.transport(TransportErrorCode.PROTOCOL_VIOLATION),
                1500, Side.CLIENT);
        assertEquals(0, closeFrame(d.packets().get(0)).frameType(), "the default stays 0");
    }

    @Test
    void e19ReasonThatExactlyFillsTheClientInitialFits() throws Exception {
        QuicConnection c = client8();
        // 1200 - header 29 - tag 16 - (type 1 + code 1 + frame type 1 + reason length 2) = 1150
        Written w = close(c, CloseError.transport(0, new String(new char[1150]).replace('\0', 'r')), 1500,
                Side.CLIENT);
        assertEquals(1200, w.length());
        assertEquals(1150, closeFrame(w.packets().get(0)).reason().length);
        assertTrue(w.packets().get(0).frames(InspectedFrame.Padding.class).isEmpty());
    }

    @Test
    void e19ReasonOneByteTooLongForTheOnlyPacketIsNobuf() throws Exception {
        QuicConnection c = client8();
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.NOBUF_BUFFER_TOO_SMALL, c.writeConnectionClose(null, null, dest,
                CloseError.transport(0, new String(new char[1151]).replace('\0', 'r')), T0));
        assertEquals(ConnectionState.CLIENT_WAIT_HANDSHAKE, c.state());
    }

    @Test
    void e19ApplicationReasonOverflowingTheOneRttPacketLeavesTheHandshakeClose() throws Exception {
        QuicConnection c = ConnectionFixtures.clientPostHandshake(NULL);
        Written w = close(c, CloseError.application(5, new String(new char[1190]).replace('\0', 'r')), 1200,
                Side.CLIENT);
        assertForms(w, PacketForm.HANDSHAKE);
        assertApplicationErrorReplacement(w.packets().get(0));
        assertEquals(ConnectionState.CLOSING, c.state());
    }

    @Test
    void e20CloseIsCountedInStatisticsButNotAgainstThePath() throws Exception {
        QuicConnection s = ConnectionFixtures.serverAllKeys(NULL);
        long pathSent = s.pathBytesSent();
        long packets = s.packetsSent();
        long bytes = s.bytesSent();
        Written w = close(s, CloseError.transport(0), 1500, Side.SERVER);
        assertEquals(pathSent, s.pathBytesSent());
        assertEquals(packets + 3, s.packetsSent());
        assertEquals(bytes + w.length(), s.bytesSent());
    }

    @Test
    void e21ScheduledSkipMovesTheOneRttCloseToTheNextNumber() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        long next = c.nextPacketNumber(EncryptionLevel.ONE_RTT);
        c.schedulePacketNumberSkip(next);
        // a closed connection drops its spaces; keep them through the close to see the skip recorded
        c.retainSendStateForBenchmark();
        Written w = close(c, CloseError.transport(0), 1500, Side.CLIENT);
        assertEquals(next + 1, w.packets().get(0).packetNumber());
        assertEquals(next, c.application.skipped[0]);
    }

    @Test
    void e22PacketNumberLengthFollowsTheUnacknowledgedRange() throws Exception {
        long[][] cases = {{0, -1, 1}, {127, -1, 1}, {128, -1, 2}, {40000, -1, 3}, {1_000_000, 999_990, 1}};
        for (long[] k : cases) {
            QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
            if (k[0] > 0) {
                c.setLastSentPacketNumberForTesting(EncryptionLevel.ONE_RTT, k[0] - 1);
            } else {
                assertEquals(0, c.nextPacketNumber(EncryptionLevel.ONE_RTT));
            }
            c.setLargestAckedForTesting(EncryptionLevel.ONE_RTT, k[1]);
            Written w = close(c, CloseError.transport(0), 1500, Side.CLIENT);
            InspectedPacket p = w.packets().get(0);
            assertEquals(k[2], p.packetNumberLength(), Arrays.toString(k));
            // the inspector knows no largest received number, so it sees the truncated value
            assertEquals(k[0] & ((1L << 8 * k[2]) - 1), p.packetNumber(), Arrays.toString(k));
            assertEquals(k[0] + 1, c.nextPacketNumber(EncryptionLevel.ONE_RTT));
        }
    }

    @Test
    void e23ClientRepeatsItsRetryTokenInTheInitialClose() throws Exception {
        // project decision 1: ngtcp2 sends an empty token here; RFC 9000 §8.1.2 asks for the token
        QuicConnection c = ConnectionFixtures.client(NULL);
        byte[] token = Hex.decode("746f6b656e2d66726f6d2d7265747279");
        c.receive(ByteBuffer.wrap(ConnectionFixtures.retryPacket(QuicVersion.V1, CLIENT_SCID, CID8_A, token,
                CLIENT_ODCID)), CLIENT_PATH, T0);
        ByteBuffer again = ByteBuffer.allocate(1500);
        assertEquals(1200, c.writePacket(null, null, again, T0));
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, dest, CloseError.transport(0), T0));
        dest.flip();
        byte[] bytes = new byte[dest.remaining()];
        dest.get(bytes);
        List<InspectedPacket> packets = DatagramInspector.inspect(bytes,
                DatagramInspector.initialKeys(CID8_A, CryptoProvider.nullCrypto()), 18);
        assertEquals(token.length, packets.get(0).tokenLength());
        assertEquals(CID8_A, packets.get(0).dcid(), "the Retry's SCID is the new DCID");
        assertTrue(packets.get(0).decrypted(), "keys derive from the Retry's SCID");
        // Token Length, then the token, right after the SCID
        int tokenAt = 1 + 4 + 1 + 8 + 1 + 18;
        assertEquals(token.length, bytes[tokenAt]);
        assertArrayEquals(token, Arrays.copyOfRange(bytes, tokenAt + 1, tokenAt + 1 + token.length));
    }

    @Test
    void e23ClientRepeatsANewTokenGivenAtCreation() throws Exception {
        byte[] token = Hex.decode("aabbccdd");
        QuicConnection c = ConnectionFixtures.sentFirstInitial(ConnectionFixtures.clientBuilder(NULL).token(token)
                .build(T0));
        Written w = close(c, CloseError.transport(0), 1500, Side.CLIENT);
        assertEquals(4, w.packets().get(0).tokenLength());
        assertEquals(1200, w.length());
    }

    @Test
    void e24VersionTwoHandshakePhaseCloseUsesTheVersionTwoTypeBitsAndKeys() throws Exception {
        QuicConnection client = QuicConnection.clientBuilder().version(QuicVersion.V2)
                .originalDestinationConnectionId(CLIENT_ODCID).sourceConnectionId(CLIENT_SCID).path(CLIENT_PATH)
                .settings(NULL).build(T0);
        client.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        ByteBuffer initial = ByteBuffer.allocate(1500);
        client.writePacket(null, null, initial, T0);
        initial.flip();
        QuicConnection s = QuicConnection.serverBuilder().version(QuicVersion.V2)
                .sourceConnectionId(ConnectionFixtures.SERVER_SCID).path(SERVER_PATH).settings(NULL).build(T0);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(initial, SERVER_PATH, T0));
        s.installTxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_HANDSHAKE_SECRET);
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, s.writeConnectionClose(null, null, dest, CloseError.transport(0), T0));
        dest.flip();
        // null crypto leaves the first byte unmasked: v2 Initial 0b01 -> 0xd0, v2 Handshake 0b11 -> 0xf0
        assertEquals((byte) 0xd0, dest.get(0));
        assertEquals(0x6b3343cf, dest.getInt(1));
        List<InspectedPacket> packets = ConnectionFixtures.inspect(dest, Side.SERVER, NULL);
        assertEquals(PacketForm.INITIAL, packets.get(0).form());
        assertEquals(PacketForm.HANDSHAKE, packets.get(1).form());
        assertEquals((byte) 0xf0, dest.get(packets.get(1).offset()));
        assertSame(QuicVersion.V2, packets.get(1).version());
    }

    @Test
    void e24VersionTwoCloseDecryptsWithTheVersionTwoInitialKeys() throws Exception {
        QuicConnection c = ConnectionFixtures.sentFirstInitial(QuicConnection.clientBuilder().version(QuicVersion.V2)
                .originalDestinationConnectionId(CLIENT_ODCID).sourceConnectionId(CLIENT_SCID).path(CLIENT_PATH)
                .build(T0));
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, dest, CloseError.transport(0xa), T0));
        byte[] bytes = Arrays.copyOf(dest.array(), dest.position());
        List<InspectedPacket> packets = DatagramInspector.inspect(bytes,
                DatagramInspector.initialKeys(CLIENT_ODCID, CryptoProvider.jca()), 18);
        assertEquals("client Initial", packets.get(0).keys());
        assertEquals(0xa, closeFrame(packets.get(0)).errorCode());
        assertEquals(QuicVersion.V2, packets.get(0).version());
        assertEquals(0xd0, bytes[0] & 0xf0, "header protection masks only the low 4 bits of a long header");
    }

    @Test
    void applicationCloseOnAServerWithoutKeysIsInvalidState() {
        // project decision 3: ngtcp2 dereferences a missing key here
        QuicConnection s = ConnectionFixtures.serverBuilder(NULL).build(T0);
        assertEquals(CloseOutcome.INVALID_STATE,
                s.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.application(1), T0));
    }

    @Test
    void nobufSaysWhetherTheBufferOrTheBudgetIsShort() throws Exception {
        QuicConnection s = server8WithHandshakeKeys();
        assertEquals(CloseOutcome.NOBUF_BUFFER_TOO_SMALL,
                s.writeConnectionClose(null, null, ByteBuffer.allocate(40), CloseError.transport(1), T0));
        s.setPathBytesForTesting(10, 0);
        assertEquals(CloseOutcome.NOBUF_AMPLIFICATION_LIMIT,
                s.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.transport(1), T0));
        assertTrue(CloseOutcome.NOBUF_AMPLIFICATION_LIMIT.isRetryable());
    }

    @Test
    void nobufBlamesTheBudgetOnlyWhenTheBufferAloneWouldHaveHeldTheClose() throws Exception {
        // project decision 4: the amplification outcome means "retry once more bytes have arrived"; when even the
        // whole (shaped) buffer could not hold any packet the cause is the buffer or the reason phrase, whatever
        // the budget is
        QuicConnection s = server8WithHandshakeKeys();
        s.setPathBytesForTesting(10, 0);
        assertEquals(30, s.amplificationBudget());
        assertEquals(CloseOutcome.NOBUF_BUFFER_TOO_SMALL,
                s.writeConnectionClose(null, null, ByteBuffer.allocate(40), CloseError.transport(1), T0),
                "no close packet fits 40 bytes: more budget would not help");
        s.setPathBytesForTesting(300, 0);
        assertEquals(900, s.amplificationBudget());
        byte[] longReason = new byte[1500];
        assertEquals(CloseOutcome.NOBUF_BUFFER_TOO_SMALL, s.writeConnectionClose(null, null,
                ByteBuffer.allocate(1500), CloseError.transport(1, 0, longReason), T0),
                "a 1500-byte reason fits no 1200-byte datagram: more budget would not help");
        assertEquals(CloseOutcome.NOBUF_AMPLIFICATION_LIMIT, s.writeConnectionClose(null, null,
                ByteBuffer.allocate(1500), CloseError.transport(1, 0, new byte[1000]), T0),
                "a 1000-byte reason fits 1200 bytes but not the budget of 900");
        assertEquals(0, s.nextPacketNumber(EncryptionLevel.INITIAL));
        assertEquals(0, s.nextPacketNumber(EncryptionLevel.HANDSHAKE));
        assertEquals(ConnectionState.SERVER_WAIT_HANDSHAKE, s.state());
        s.setPathBytesForTesting(400, 0);
        Written w = close(s, CloseError.transport(1, 0, new byte[1000]), 1500, Side.SERVER);
        assertForms(w, PacketForm.INITIAL);
        assertEquals(0, w.packets().get(0).packetNumber());
    }

    @Test
    void peerMaxUdpPayloadSizeCapsTheDatagram() throws Exception {
        Settings s = NULL.toBuilder().udpPayloadShaping(Settings.UdpPayloadShaping.NO_SHAPING).build();
        QuicConnection c = ConnectionFixtures.freshClient(s);
        c.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        assertEquals(1452, c.writePacket(null, null, ByteBuffer.allocate(1500), T0));
        c.setPeerTransportParameters(dev.quicj.core.tls.TransportParameters.builder().maxUdpPayloadSize(1300).build());
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, dest, CloseError.transport(0), T0));
        // padding targets 1452 but the peer accepts 1300 at most
        assertEquals(1300, dest.position());
    }

    @Test
    void timestampsMustNotGoBackwards() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        assertThrows(IllegalArgumentException.class,
                () -> c.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.transport(0), T0 - 1));
        assertEquals(ConnectionState.CLIENT_WAIT_HANDSHAKE, c.state());
    }

    @Test
    void theDatagramIsInNetworkByteOrderWhateverTheDestinationsByteOrder() throws Exception {
        // close-spec §4.1/§4.2: varints and the Version field are big-endian on the wire (RFC 9000 §16, §17.2);
        // a little-endian destination (e.g. one ordered to the native order) must not change a byte
        CloseError e = CloseError.application(0x3fff_ffff, "reason");
        ByteBuffer expected = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN,
                ConnectionFixtures.serverAllKeys(NULL).writeConnectionClose(null, null, expected, e, T0));
        expected.flip();
        for (ByteBuffer dest : new ByteBuffer[] {ByteBuffer.allocate(1500).order(ByteOrder.LITTLE_ENDIAN),
                ByteBuffer.allocateDirect(1500).order(ByteOrder.LITTLE_ENDIAN)}) {
            assertEquals(CloseOutcome.WRITTEN,
                    ConnectionFixtures.serverAllKeys(NULL).writeConnectionClose(null, null, dest, e, T0));
            assertEquals(ByteOrder.LITTLE_ENDIAN, dest.order(), "the caller's byte order is left as it was");
            dest.flip();
            assertEquals(ConnectionFixtures.hex(expected), ConnectionFixtures.hex(dest), dest.toString());
            // Version 00000001 after the first byte (null crypto leaves the header unmasked)
            assertEquals("00000001", ConnectionFixtures.hex(dest.duplicate().position(1).limit(5)));
        }
        ByteBuffer stateless = ByteBuffer.allocate(100).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(CloseOutcome.WRITTEN, StatelessClose.write(stateless, QuicVersion.V1, CID8_A, CID8_B, CID8_A,
                CloseError.transport(0x128), CryptoProvider.nullCrypto()));
        stateless.flip();
        assertEquals("c00000000108", ConnectionFixtures.hex(stateless.duplicate().limit(6)));
    }

    /** A client with 8-byte DCID and SCID that sent its first Initial. */
    private static QuicConnection client8() throws Exception {
        return ConnectionFixtures.sentFirstInitial(QuicConnection.clientBuilder().originalDestinationConnectionId(CID8_A)
                .sourceConnectionId(CID8_B).path(CLIENT_PATH).settings(NULL).build(T0));
    }
}
