package dev.quicj.core.conn;

import static dev.quicj.core.conn.CloseWriterUpstreamTest.assertApplicationClose;
import static dev.quicj.core.conn.CloseWriterUpstreamTest.assertApplicationErrorReplacement;
import static dev.quicj.core.conn.CloseWriterUpstreamTest.assertForms;
import static dev.quicj.core.conn.CloseWriterUpstreamTest.assertTransportClose;
import static dev.quicj.core.conn.CloseWriterUpstreamTest.closeFrame;
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

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicException;
import dev.quicj.core.Role;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseWriterUpstreamTest.Written;
import dev.quicj.core.conn.ConnectionFixtures.Side;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.inspect.InspectedFrame;
import dev.quicj.core.inspect.InspectedPacket;
import dev.quicj.core.packet.PacketForm;
import dev.quicj.core.wire.CloseType;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Statements of close-spec that no other test pins down: the library-error mapping and the argument checks of the
 * {@link CloseError} factories (§1.4), the out-parameters on failure (§1.5), the server after its Initial space is
 * discarded (§2.3), partial coalescing (§2.1, §2.4), the amplification limit of a validated path (§3.2), packet
 * number exhaustion in the handshake spaces (§6) and the timestamp of every close call (§1.2 step 1).
 */
class CloseSpecGapsTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();
    private static final long MAX_PN = (1L << 62) - 1;
    private static final byte[] REASON = "spec gap".getBytes(StandardCharsets.US_ASCII);
    private static final NetworkPath ELSEWHERE = new NetworkPath(new InetSocketAddress("127.0.0.1", 1),
            new InetSocketAddress("127.0.0.1", 2));

    private static Written close(QuicConnection c, CloseError e, int size, Side side) {
        return CloseWriterUpstreamTest.close(c, e, size, side);
    }

    /** A Handshake packet (one PING) from the fixture client to the fixture server. */
    private static byte[] clientHandshakePacket() throws CryptoException {
        return ConnectionFixtures.peerLongPacket(
                ConnectionFixtures.peerProtection(NULL, ConnectionFixtures.CLIENT_HANDSHAKE_SECRET),
                LongPacketType.HANDSHAKE, SERVER_SCID, CLIENT_SCID, 0, Hex.decode("01"), 0);
    }

    /**
     * A server that processed the client's first Handshake packet: its Initial space is discarded and its path
     * validated (close-spec §2.3, §3.2); with or without the 1-RTT key, handshake not confirmed.
     */
    private static QuicConnection serverAfterClientHandshake(boolean withOneRttKey) throws Exception {
        QuicConnection s = withOneRttKey ? ConnectionFixtures.serverAllKeys(NULL)
                : ConnectionFixtures.serverWithHandshakeKeys(NULL);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(clientHandshakePacket()), SERVER_PATH, T0));
        assertFalse(s.hasTxKey(EncryptionLevel.INITIAL), "the Initial space is discarded");
        assertTrue(s.hasTxKey(EncryptionLevel.HANDSHAKE));
        assertEquals(withOneRttKey, s.hasTxKey(EncryptionLevel.ONE_RTT));
        assertTrue(s.isPathValidated());
        assertFalse(s.isHandshakeConfirmed());
        return s;
    }

    /** The single CONNECTION_CLOSE of a packet, checked to be the 0x1c frame. */
    private static InspectedFrame.ConnectionClose transportFrame(InspectedPacket p) {
        InspectedFrame.ConnectionClose f = closeFrame(p);
        assertEquals(0x1c, f.type().frameType());
        return f;
    }

    // ---------------------------------------------------------------------------------------------------------
    // §1.4: ngtcp2_ccerr_set_liberr and the other helpers

    static Stream<Arguments> libraryErrorTable() {
        return Stream.of(
                Arguments.of(LibraryError.NONE, 0x0L),
                Arguments.of(LibraryError.ACK_FRAME, 0x7L),
                Arguments.of(LibraryError.FRAME_ENCODING, 0x7L),
                Arguments.of(LibraryError.FLOW_CONTROL, 0x3L),
                Arguments.of(LibraryError.CONNECTION_ID_LIMIT, 0x9L),
                Arguments.of(LibraryError.STREAM_LIMIT, 0x4L),
                Arguments.of(LibraryError.FINAL_SIZE, 0x6L),
                Arguments.of(LibraryError.REQUIRED_TRANSPORT_PARAM, 0x8L),
                Arguments.of(LibraryError.MALFORMED_TRANSPORT_PARAM, 0x8L),
                Arguments.of(LibraryError.TRANSPORT_PARAM, 0x8L),
                Arguments.of(LibraryError.INVALID_ARGUMENT, 0x1L),
                Arguments.of(LibraryError.NOMEM, 0x1L),
                Arguments.of(LibraryError.CALLBACK_FAILURE, 0x1L),
                Arguments.of(LibraryError.HANDSHAKE_TIMEOUT, 0x1L),
                Arguments.of(LibraryError.PKT_NUM_EXHAUSTED, 0x1L),
                Arguments.of(LibraryError.INTERNAL, 0x1L),
                Arguments.of(LibraryError.STREAM_STATE, 0x5L),
                Arguments.of(LibraryError.CRYPTO_BUFFER_EXCEEDED, 0xdL),
                Arguments.of(LibraryError.AEAD_LIMIT_REACHED, 0xfL),
                Arguments.of(LibraryError.NO_VIABLE_PATH, 0x10L),
                Arguments.of(LibraryError.VERSION_NEGOTIATION_FAILURE, 0x11L));
    }

    /**
     * close-spec §1.4, inference table (HEAD {@code lib/ngtcp2_err.c}): every listed library error becomes a
     * transport close with its QUIC code, frame type 0 and the reason as given.
     */
    @ParameterizedTest(name = "{0} -> 0x{1}")
    @MethodSource("libraryErrorTable")
    void libraryErrorsListedInTheInferenceTableMapToTheirTransportCodes(LibraryError error, long code) {
        CloseError e = CloseError.fromLibraryError(error, REASON);
        assertEquals(CloseError.Type.TRANSPORT, e.type());
        assertEquals(code, e.errorCode());
        assertEquals(code, error.transportErrorCode());
        assertEquals(0, e.frameType(), "the helpers always reset the frame type");
        assertArrayEquals(REASON, e.reason());
    }

    /**
     * close-spec §1.4: "anything else (including {@code ERR_PROTO}, {@code ERR_CRYPTO} without an alert)" gives
     * PROTOCOL_VIOLATION 0xa; only the four special library errors get their own non-sending types.
     */
    @Test
    void everyOtherLibraryErrorIsAProtocolViolation() {
        Set<LibraryError> listed = EnumSet.noneOf(LibraryError.class);
        libraryErrorTable().forEach(a -> listed.add((LibraryError) a.get()[0]));
        Map<LibraryError, CloseError.Type> special = new EnumMap<>(LibraryError.class);
        special.put(LibraryError.RECV_VERSION_NEGOTIATION, CloseError.Type.VERSION_NEGOTIATION);
        special.put(LibraryError.IDLE_CLOSE, CloseError.Type.IDLE_CLOSE);
        special.put(LibraryError.DROP_CONN, CloseError.Type.DROP_CONN);
        special.put(LibraryError.RETRY, CloseError.Type.RETRY);
        Set<LibraryError> rest = EnumSet.complementOf(EnumSet.copyOf(listed));
        rest.removeAll(special.keySet());
        assertTrue(rest.contains(LibraryError.PROTO));
        assertTrue(rest.contains(LibraryError.CRYPTO));
        for (LibraryError error : rest) {
            CloseError e = CloseError.fromLibraryError(error, null);
            assertEquals(CloseError.Type.TRANSPORT, e.type(), error.toString());
            assertEquals(TransportErrorCode.PROTOCOL_VIOLATION, e.errorCode(), error.toString());
            assertEquals(0, e.frameType(), error.toString());
            assertEquals(0, e.reasonLength(), error.toString());
        }
        special.forEach((error, type) -> {
            CloseError e = CloseError.fromLibraryError(error, REASON);
            assertEquals(type, e.type(), error.toString());
            assertEquals(TransportErrorCode.NO_ERROR, e.errorCode(), error.toString());
        });
    }

    /** close-spec §1.4: the mapped code is what goes on the wire, in a 0x1c frame with frame type 0. */
    @Test
    void aLibraryErrorCloseCarriesTheMappedCodeOnTheWire() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        Written w = close(c, CloseError.fromLibraryError(LibraryError.VERSION_NEGOTIATION_FAILURE, REASON), 1500,
                Side.CLIENT);
        assertForms(w, PacketForm.ONE_RTT);
        assertTransportClose(w.packets().get(0), TransportErrorCode.VERSION_NEGOTIATION_ERROR, REASON);
        assertEquals(0x1c, transportFrame(w.packets().get(0)).type().frameType());
    }

    /**
     * close-spec project decision 6 and §4.1: error codes and frame types are 62-bit; every factory rejects a negative
     * value or one of 2^62 and above with an {@link IllegalArgumentException}.
     */
    @ParameterizedTest
    @ValueSource(longs = {-1, Long.MIN_VALUE, 1L << 62, (1L << 62) + 1, Long.MAX_VALUE})
    void factoriesRejectCodesAndFrameTypesOutsideSixtyTwoBits(long bad) {
        Executable[] calls = {
            () -> CloseError.transport(bad),
            () -> CloseError.transport(bad, "r"),
            () -> CloseError.transport(bad, 0, REASON),
            () -> CloseError.transport(0, bad, REASON),
            () -> CloseError.transport(bad, 0, "r"),
            () -> CloseError.transport(0, bad, "r"),
            () -> CloseError.application(bad),
            () -> CloseError.application(bad, REASON),
            () -> CloseError.application(bad, "r"),
        };
        for (int i = 0; i < calls.length; i++) {
            assertThrows(IllegalArgumentException.class, calls[i], "factory call #" + i + " with " + bad);
        }
    }

    /** close-spec project decision 6: 2^62-1, the largest varint, is accepted as code and frame type. */
    @Test
    void factoriesAcceptTheLargestSixtyTwoBitValue() {
        CloseError t = CloseError.transport(MAX_PN, MAX_PN, REASON);
        assertEquals(MAX_PN, t.errorCode());
        assertEquals(MAX_PN, t.frameType());
        assertEquals(MAX_PN, CloseError.application(MAX_PN, "r").errorCode());
        assertEquals(0, CloseError.application(MAX_PN, "r").frameType());
    }

    /** close-spec §1.4 {@code ngtcp2_ccerr_set_tls_alert}: a transport close with code {@code 0x100 | alert}. */
    @ParameterizedTest
    @ValueSource(ints = {0, 40, 80, 255})
    void tlsAlertGivesCryptoErrorWithTheAlertInTheLowByte(int alert) {
        CloseError e = CloseError.tlsAlert(alert, REASON);
        assertEquals(CloseError.Type.TRANSPORT, e.type());
        assertEquals(0x100 | alert, e.errorCode());
        assertEquals(0, e.frameType());
        assertArrayEquals(REASON, e.reason());
        if (alert == 40) {
            assertEquals(0x128, e.errorCode(), "handshake_failure");
        }
    }

    /** close-spec §1.4: a TLS alert is one byte; anything outside 0..255 is an illegal argument. */
    @ParameterizedTest
    @ValueSource(ints = {-1, 256, 0x1ff, Integer.MIN_VALUE, Integer.MAX_VALUE})
    void tlsAlertOutsideOneByteIsRejected(int alert) {
        assertThrows(IllegalArgumentException.class, () -> CloseError.tlsAlert(alert, null));
    }

    // ---------------------------------------------------------------------------------------------------------
    // §1.5: path and pi on failures after the state check

    /**
     * close-spec §1.5: {@code path} is copied after the state check and before any write, so it is filled on NOBUF
     * (buffer too small, and the amplification budget); {@code pi->ecn} is NOT-ECT because no packet was written,
     * even on an ECN-capable path.
     */
    @Test
    void pathAndPacketInfoAreFilledOnNobuf() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        c.setEcnState(EcnState.CAPABLE);
        assertFilledOnFailure(c, ByteBuffer.allocate(20), CloseError.transport(1),
                CloseOutcome.NOBUF_BUFFER_TOO_SMALL, CLIENT_PATH, "client, buffer too small");
        assertEquals(ConnectionState.POST_HANDSHAKE, c.state());

        QuicConnection s = ConnectionFixtures.serverWithHandshakeKeys(NULL);
        s.setPathBytesForTesting(10, 0);
        assertFilledOnFailure(s, ByteBuffer.allocate(1500), CloseError.transport(1),
                CloseOutcome.NOBUF_AMPLIFICATION_LIMIT, SERVER_PATH, "server, amplification limit");
        assertFilledOnFailure(s, ByteBuffer.allocate(40), CloseError.transport(1),
                CloseOutcome.NOBUF_BUFFER_TOO_SMALL, SERVER_PATH, "server, buffer too small");
        assertEquals(ConnectionState.SERVER_WAIT_HANDSHAKE, s.state());
    }

    /**
     * close-spec §1.5: {@code path} and {@code pi} are filled before sealing, so a CALLBACK_FAILURE (encrypt or
     * header protection) still leaves them filled; the state does not change (§1.2 step 10).
     */
    @ParameterizedTest
    @EnumSource(value = FailingCryptoProvider.Failure.class, names = {"SEAL", "HEADER_PROTECTION"})
    void pathAndPacketInfoAreFilledOnCallbackFailure(FailingCryptoProvider.Failure failure) throws Exception {
        for (Role role : Role.values()) {
            FailingCryptoProvider crypto = new FailingCryptoProvider(CryptoProvider.nullCrypto());
            Settings settings = Settings.builder().cryptoProvider(crypto).build();
            QuicConnection c = role == Role.CLIENT ? ConnectionFixtures.clientPostHandshake(settings)
                    : ConnectionFixtures.serverAllKeys(settings);
            ConnectionState before = c.state();
            crypto.fail(failure);
            assertFilledOnFailure(c, ByteBuffer.allocate(1500), CloseError.application(3, REASON),
                    CloseOutcome.CALLBACK_FAILURE, role == Role.CLIENT ? CLIENT_PATH : SERVER_PATH, role.name());
            assertEquals(before, c.state(), role.name());
        }
    }

    /**
     * Closes {@code c} into {@code dest} with holders pre-filled with other values, expecting {@code outcome}: the
     * path holder is overwritten with {@code path}, the ECN codepoint with NOT-ECT, and nothing is written.
     */
    private static void assertFilledOnFailure(QuicConnection c, ByteBuffer dest, CloseError error,
            CloseOutcome outcome, NetworkPath path, String what) {
        PathInfo pathInfo = new PathInfo();
        PacketInfo pi = new PacketInfo();
        pathInfo.set(ELSEWHERE);
        pi.setEcn(Ecn.CE);
        assertEquals(outcome, c.writeConnectionClose(pathInfo, pi, dest, error, T0 + 1), what);
        assertEquals(path, pathInfo.path(), what);
        assertEquals(Ecn.NOT_ECT, pi.ecn(), what);
        assertEquals(0, dest.position(), what);
    }

    // ---------------------------------------------------------------------------------------------------------
    // §2.3: the server once its Initial space is discarded

    /**
     * close-spec §2.3, "Handshake tx key, no 1-RTT tx key": the Initial is omitted once the server discarded its
     * Initial space after processing the client's first Handshake packet, so the close is Handshake only.
     */
    @Test
    void transportCloseOfServerAfterTheClientsHandshakePacketIsHandshakeOnly() throws Exception {
        QuicConnection s = serverAfterClientHandshake(false);
        long initialNext = s.nextPacketNumber(EncryptionLevel.INITIAL);
        Written w = close(s, CloseError.transport(TransportErrorCode.PROTOCOL_VIOLATION, 0, REASON), 1500,
                Side.SERVER);
        assertForms(w, PacketForm.HANDSHAKE);
        InspectedPacket p = w.packets().get(0);
        assertTransportClose(p, TransportErrorCode.PROTOCOL_VIOLATION, REASON);
        transportFrame(p);
        assertEquals(0, p.packetNumber());
        assertEquals(SERVER_SCID, p.scid());
        assertEquals(CLIENT_SCID, p.dcid());
        // null crypto leaves the header unmasked: a v1 Handshake long header
        assertEquals(0xe0, w.datagram().get(0) & 0xf0);
        assertEquals(initialNext, s.nextPacketNumber(EncryptionLevel.INITIAL), "no Initial packet number used");
        assertEquals(ConnectionState.CLOSING, s.state());
    }

    /**
     * close-spec §2.3, "1-RTT tx key present, not confirmed": Initial only if that space still exists, so after the
     * client's Handshake packet the close is Handshake + 1-RTT, coalesced in that order, both 0x1c with the same code
     * and reason.
     */
    @Test
    void transportCloseOfUnconfirmedServerWithOneRttKeyAfterTheClientsHandshakePacketIsHandshakeThenOneRtt()
            throws Exception {
        QuicConnection s = serverAfterClientHandshake(true);
        Written w = close(s, CloseError.transport(TransportErrorCode.PROTOCOL_VIOLATION, 0, REASON), 1500,
                Side.SERVER);
        assertForms(w, PacketForm.HANDSHAKE, PacketForm.ONE_RTT);
        for (InspectedPacket p : w.packets()) {
            assertTransportClose(p, TransportErrorCode.PROTOCOL_VIOLATION, REASON);
            transportFrame(p);
            assertEquals(0, p.packetNumber());
        }
        assertEquals(0, w.packets().get(0).offset());
        assertEquals(w.packets().get(0).length(), w.packets().get(1).offset());
        assertEquals(1, s.nextPacketNumber(EncryptionLevel.HANDSHAKE));
        assertEquals(1, s.nextPacketNumber(EncryptionLevel.ONE_RTT));
        assertEquals(ConnectionState.CLOSING, s.state());
    }

    /**
     * close-spec §2.3, application column of the same two rows: Handshake {@code 1c 0c 00 00} alone, then with the
     * 1-RTT key Handshake {@code 1c 0c 00 00} + 1-RTT {@code 1d <code> <reason>}; never an Initial.
     */
    @Test
    void applicationCloseOfServerAfterTheClientsHandshakePacketHasNoInitial() throws Exception {
        QuicConnection hs = serverAfterClientHandshake(false);
        Written w = close(hs, CloseError.application(0x77, REASON), 1500, Side.SERVER);
        assertForms(w, PacketForm.HANDSHAKE);
        assertApplicationErrorReplacement(w.packets().get(0));

        QuicConnection all = serverAfterClientHandshake(true);
        Written w2 = close(all, CloseError.application(0x77, REASON), 1500, Side.SERVER);
        assertForms(w2, PacketForm.HANDSHAKE, PacketForm.ONE_RTT);
        assertApplicationErrorReplacement(w2.packets().get(0));
        assertApplicationClose(w2.packets().get(1), 0x77, REASON);
        assertEquals(0x1d, closeFrame(w2.packets().get(1)).type().frameType());
        assertEquals(ConnectionState.CLOSING, all.state());
    }

    // ---------------------------------------------------------------------------------------------------------
    // §2.4 / §2.1: partial coalescing

    /**
     * close-spec §2.4: writing is best effort per packet; a packet that does not fit is skipped without using a
     * packet number, and the next is still attempted ("Initial + 1-RTT when the Handshake packet did not fit").
     * With 18-byte CIDs and {@code 1c 00 00 00}: Initial 69 bytes, Handshake 68 (its pn offset 47 + 20 needs 67), and
     * 1-RTT 40. A 119-byte buffer leaves 50 after the Initial: the Handshake is skipped, the 1-RTT written.
     */
    @Test
    void aHandshakePacketThatDoesNotFitIsSkippedAndTheOneRttPacketIsStillWritten() throws Exception {
        QuicConnection s = ConnectionFixtures.serverAllKeys(NULL);
        Written w = close(s, CloseError.transport(TransportErrorCode.NO_ERROR), 119, Side.SERVER);
        assertForms(w, PacketForm.INITIAL, PacketForm.ONE_RTT);
        assertEquals(69, w.packets().get(0).length());
        assertEquals(40, w.packets().get(1).length());
        assertEquals(109, w.length());
        for (InspectedPacket p : w.packets()) {
            assertTransportClose(p, TransportErrorCode.NO_ERROR, new byte[0]);
        }
        assertEquals(1, s.nextPacketNumber(EncryptionLevel.INITIAL));
        assertEquals(0, s.nextPacketNumber(EncryptionLevel.HANDSHAKE), "the skipped packet used no number");
        assertEquals(1, s.nextPacketNumber(EncryptionLevel.ONE_RTT));
        assertEquals(ConnectionState.CLOSING, s.state());
    }

    /**
     * close-spec §2.4: with 60 bytes neither the Initial (needs 68) nor the Handshake packet (needs 67) fits, but the
     * 1-RTT packet (40) does: a transport close is that 1-RTT packet alone.
     */
    @Test
    void aTransportCloseSkipsBothLongHeaderPacketsAndWritesTheOneRttPacket() throws Exception {
        QuicConnection s = ConnectionFixtures.serverAllKeys(NULL);
        Written w = close(s, CloseError.transport(TransportErrorCode.NO_ERROR), 60, Side.SERVER);
        assertForms(w, PacketForm.ONE_RTT);
        assertEquals(40, w.length());
        assertTransportClose(w.packets().get(0), TransportErrorCode.NO_ERROR, new byte[0]);
        assertEquals(0, s.nextPacketNumber(EncryptionLevel.INITIAL));
        assertEquals(0, s.nextPacketNumber(EncryptionLevel.HANDSHAKE));
        assertEquals(ConnectionState.CLOSING, s.state());
    }

    static Stream<Arguments> unconfirmedWithOneRttKey() {
        Supplier<QuicConnection> server = () -> {
            try {
                return ConnectionFixtures.serverAllKeys(NULL);
            } catch (CryptoException | QuicException e) {
                throw new AssertionError(e);
            }
        };
        Supplier<QuicConnection> client = () -> {
            try {
                return ConnectionFixtures.clientPostHandshake(NULL);
            } catch (CryptoException e) {
                throw new AssertionError(e);
            }
        };
        return Stream.of(Arguments.of("server with every key", server),
                Arguments.of("client after the handshake", client));
    }

    /**
     * close-spec §2.1, application close: before confirmation the Initial/Handshake part is written first and its
     * errors propagate, so when no Initial or Handshake packet fits the result is NOBUF, even though the 1-RTT
     * packet alone (40 bytes) would fit the 60-byte buffer. Nothing changes: no packet number, no state.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("unconfirmedWithOneRttKey")
    void applicationCloseIsNobufWhenTheHandshakePartDoesNotFitEvenIfTheOneRttPartWould(String name,
            Supplier<QuicConnection> open) {
        QuicConnection c = open.get();
        ConnectionState before = c.state();
        ByteBuffer dest = ByteBuffer.allocate(60);
        assertEquals(CloseOutcome.NOBUF_BUFFER_TOO_SMALL,
                c.writeConnectionClose(null, null, dest, CloseError.application(7), T0 + 1));
        assertEquals(0, dest.position());
        assertEquals(before, c.state());
        for (EncryptionLevel level : new EncryptionLevel[] {EncryptionLevel.HANDSHAKE, EncryptionLevel.ONE_RTT}) {
            assertEquals(0, c.nextPacketNumber(level), level.toString());
        }
        // the same buffer holds the 1-RTT part: a transport close writes it
        Written w = close(c, CloseError.transport(TransportErrorCode.NO_ERROR), 60,
                c.role() == Role.CLIENT ? Side.CLIENT : Side.SERVER);
        assertForms(w, PacketForm.ONE_RTT);
        assertEquals(40, w.length());
    }

    // ---------------------------------------------------------------------------------------------------------
    // §3.2: amplification limit only for an unvalidated path

    /**
     * close-spec §3.2: {@code tx_left} is unlimited once the path is validated, here by a Handshake packet from the
     * client. Before it, the same tiny budget (3 x 10 received) gives the amplification NOBUF; after it, the close is
     * written though it is longer than that budget and the counters alone would leave nothing.
     */
    @Test
    void aHandshakePacketFromTheClientLiftsTheAmplificationLimitForTheClose() throws Exception {
        QuicConnection s = ConnectionFixtures.serverWithHandshakeKeys(NULL);
        s.setPathBytesForTesting(10, 0);
        assertFalse(s.isPathValidated());
        assertEquals(30, s.amplificationBudget());
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.NOBUF_AMPLIFICATION_LIMIT,
                s.writeConnectionClose(null, null, dest, CloseError.transport(1), T0));
        assertEquals(0, dest.position());
        assertEquals(ConnectionState.SERVER_WAIT_HANDSHAKE, s.state());
        assertEquals(0, s.nextPacketNumber(EncryptionLevel.INITIAL));
        assertEquals(0, s.nextPacketNumber(EncryptionLevel.HANDSHAKE));

        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(clientHandshakePacket()), SERVER_PATH, T0));
        assertTrue(s.isPathValidated());
        s.setPathBytesForTesting(10, 1_000_000);
        assertEquals(Long.MAX_VALUE, s.amplificationBudget());
        byte[] reason = new byte[500];
        Written w = close(s, CloseError.transport(1, 0, reason), 1500, Side.SERVER);
        assertForms(w, PacketForm.HANDSHAKE);
        assertTrue(w.length() > 500, "longer than any budget the counters allow: " + w.length());
        assertTransportClose(w.packets().get(0), 1, reason);
        assertEquals(ConnectionState.CLOSING, s.state());
    }

    /**
     * close-spec §3.2: a server created with a validated token ({@code settings.tokenlen != 0}) starts validated, so
     * an empty budget does not stop its close; the same server without the token gets the amplification NOBUF.
     */
    @Test
    void aServerWithAValidatedTokenHasNoAmplificationLimitForTheClose() throws Exception {
        byte[] initial = ConnectionFixtures.clientFirstInitial(NULL);
        QuicConnection validated = ConnectionFixtures.serverBuilder(NULL).validatedToken(new byte[] {1, 2, 3})
                .build(T0);
        QuicConnection unvalidated = ConnectionFixtures.serverBuilder(NULL).build(T0);
        for (QuicConnection s : new QuicConnection[] {validated, unvalidated}) {
            assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(initial.clone()), SERVER_PATH, T0));
            s.setPathBytesForTesting(5, 15);
        }
        assertTrue(validated.isPathValidated());
        assertEquals(Long.MAX_VALUE, validated.amplificationBudget());
        Written w = close(validated, CloseError.transport(TransportErrorCode.INVALID_TOKEN), 1500, Side.SERVER);
        assertForms(w, PacketForm.INITIAL);
        assertTransportClose(w.packets().get(0), TransportErrorCode.INVALID_TOKEN, new byte[0]);
        assertEquals(69, w.length());

        assertFalse(unvalidated.isPathValidated());
        assertEquals(0, unvalidated.amplificationBudget());
        assertEquals(CloseOutcome.NOBUF_AMPLIFICATION_LIMIT, unvalidated.writeConnectionClose(null, null,
                ByteBuffer.allocate(1500), CloseError.transport(TransportErrorCode.INVALID_TOKEN), T0));
        assertEquals(ConnectionState.SERVER_WAIT_HANDSHAKE, unvalidated.state());
    }

    // ---------------------------------------------------------------------------------------------------------
    // §6: packet number exhaustion in the handshake spaces

    static Stream<Arguments> handshakeSpaces() {
        return Stream.of(Arguments.of(Role.CLIENT, EncryptionLevel.INITIAL),
                Arguments.of(Role.CLIENT, EncryptionLevel.HANDSHAKE),
                Arguments.of(Role.SERVER, EncryptionLevel.INITIAL),
                Arguments.of(Role.SERVER, EncryptionLevel.HANDSHAKE));
    }

    private static QuicConnection withHandshakeKeys(Role role) throws Exception {
        return role == Role.CLIENT ? ConnectionFixtures.clientWithHandshakeKeys(NULL)
                : ConnectionFixtures.serverWithHandshakeKeys(NULL);
    }

    /**
     * close-spec §1.2 step 3 and §6: an Initial or Handshake space that still exists and sent 2^62-1 makes the close
     * PKT_NUM_EXHAUSTED; nothing is written, {@code path}/{@code pi} are not touched (§1.5), the state is unchanged.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("handshakeSpaces")
    void exhaustedInitialOrHandshakeSpaceIsReported(Role role, EncryptionLevel level) throws Exception {
        QuicConnection c = withHandshakeKeys(role);
        assertTrue(c.hasTxKey(EncryptionLevel.INITIAL));
        ConnectionState before = c.state();
        c.setLastSentPacketNumberForTesting(level, MAX_PN);
        for (CloseError e : new CloseError[] {CloseError.transport(1), CloseError.application(1)}) {
            PathInfo path = new PathInfo();
            PacketInfo pi = new PacketInfo();
            ByteBuffer dest = ByteBuffer.allocate(1500);
            assertEquals(CloseOutcome.PKT_NUM_EXHAUSTED, c.writeConnectionClose(path, pi, dest, e, T0 + 1));
            assertEquals(0, dest.position());
            assertNull(path.path());
            assertNull(pi.ecn());
            assertEquals(before, c.state());
        }
    }

    /**
     * close-spec §1.2: exhaustion (step 3) is checked before the state (step 4), so it wins over INVALID_STATE both
     * for a client that wrote nothing and for a server without keys; the close type (step 2) comes first of all.
     */
    @Test
    void exhaustionIsReportedBeforeInvalidStateButAfterTheCloseType() throws Exception {
        QuicConnection client = ConnectionFixtures.freshClient(NULL);
        client.setLastSentPacketNumberForTesting(EncryptionLevel.INITIAL, MAX_PN);
        QuicConnection server = ConnectionFixtures.serverBuilder(NULL).build(T0);
        server.setLastSentPacketNumberForTesting(EncryptionLevel.HANDSHAKE, MAX_PN);
        for (QuicConnection c : new QuicConnection[] {client, server}) {
            ConnectionState before = c.state();
            PathInfo path = new PathInfo();
            assertEquals(CloseOutcome.PKT_NUM_EXHAUSTED,
                    c.writeConnectionClose(path, null, ByteBuffer.allocate(1500), CloseError.transport(1), T0));
            assertNull(path.path(), c.role().name());
            assertEquals(CloseOutcome.NOTHING_TO_WRITE,
                    c.writeConnectionClose(path, null, ByteBuffer.allocate(1500), CloseError.idleClose(), T0));
            assertEquals(before, c.state());
        }
    }

    /**
     * close-spec §6 / §5.2: exhaustion is checked first even when CLOSING. The close itself may use 2^62-1 in the
     * Initial (client) or Handshake space; the next close call reports PKT_NUM_EXHAUSTED instead of 0.
     */
    @ParameterizedTest
    @EnumSource(value = EncryptionLevel.class, names = {"INITIAL", "HANDSHAKE"})
    void exhaustionOfAHandshakeSpaceByTheCloseItselfIsReportedWhenClosing(EncryptionLevel level) throws Exception {
        QuicConnection c = level == EncryptionLevel.INITIAL ? ConnectionFixtures.client(NULL)
                : ConnectionFixtures.clientWithHandshakeKeys(NULL);
        c.setLastSentPacketNumberForTesting(level, MAX_PN - 1);
        Written w = close(c, CloseError.transport(1), 1500, Side.CLIENT);
        assertForms(w, level == EncryptionLevel.INITIAL ? PacketForm.INITIAL : PacketForm.HANDSHAKE);
        assertEquals(4, w.packets().get(0).packetNumberLength());
        assertEquals(0xffff_ffffL, w.packets().get(0).packetNumber(), "the low 32 bits of 2^62-1");
        assertEquals(ConnectionState.CLOSING, c.state());
        assertEquals(CloseOutcome.PKT_NUM_EXHAUSTED,
                c.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.transport(1), T0 + 2));
        assertEquals(CloseOutcome.NOTHING_TO_WRITE,
                c.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.retry(), T0 + 2));
    }

    /**
     * close-spec §1.2 step 3: only spaces that still exist count. The server's Initial space, discarded after the
     * client's Handshake packet, may hold 2^62-1 and the close is still written (Handshake only).
     */
    @Test
    void exhaustionOfTheServersDiscardedInitialSpaceIsIgnored() throws Exception {
        QuicConnection s = serverAfterClientHandshake(false);
        s.setLastSentPacketNumberForTesting(EncryptionLevel.INITIAL, MAX_PN);
        Written w = close(s, CloseError.transport(TransportErrorCode.INTERNAL_ERROR), 1500, Side.SERVER);
        assertForms(w, PacketForm.HANDSHAKE);
        assertTransportClose(w.packets().get(0), TransportErrorCode.INTERNAL_ERROR, new byte[0]);
        assertEquals(ConnectionState.CLOSING, s.state());
        // and it stays ignored once closing
        assertEquals(CloseOutcome.NOTHING_TO_WRITE,
                s.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.transport(1), T0 + 2));
    }

    /**
     * close-spec §1.2 step 3: a confirmed connection discarded both handshake spaces; their exhaustion is ignored
     * and the 1-RTT close is written.
     */
    @Test
    void exhaustionOfBothDiscardedHandshakeSpacesOfAConfirmedConnectionIsIgnored() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        QuicConnection s = ConnectionFixtures.serverConfirmed(NULL);
        for (QuicConnection conn : new QuicConnection[] {c, s}) {
            assertFalse(conn.hasTxKey(EncryptionLevel.INITIAL));
            assertFalse(conn.hasTxKey(EncryptionLevel.HANDSHAKE));
            conn.setLastSentPacketNumberForTesting(EncryptionLevel.INITIAL, MAX_PN);
            conn.setLastSentPacketNumberForTesting(EncryptionLevel.HANDSHAKE, MAX_PN);
            Written w = close(conn, CloseError.application(9, REASON),
                    1500, conn.role() == Role.CLIENT ? Side.CLIENT : Side.SERVER);
            assertForms(w, PacketForm.ONE_RTT);
            assertApplicationClose(w.packets().get(0), 9, REASON);
            assertEquals(ConnectionState.CLOSING, conn.state());
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // §1.2 step 1: the timestamp

    /**
     * close-spec §1.2 step 1: the timestamp is stored before anything else, so also by a close type that writes
     * nothing, by INVALID_STATE and PKT_NUM_EXHAUSTED outcomes, and by a call on a CLOSING connection (which keeps
     * the time its closing period began); a later call may not go back before it.
     */
    @Test
    void everyCloseCallRecordsItsTimestampWhateverItWrites() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        assertEquals(CloseOutcome.NOTHING_TO_WRITE,
                c.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.idleClose(), T0 + 5));
        assertEquals(T0 + 5, c.lastTimestamp());
        assertThrows(IllegalArgumentException.class, () -> c.writeConnectionClose(null, null,
                ByteBuffer.allocate(1500), CloseError.idleClose(), T0 + 4));

        assertEquals(CloseOutcome.WRITTEN,
                c.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.transport(0), T0 + 6));
        assertEquals(T0 + 6, c.closeTimestamp());
        assertEquals(CloseOutcome.NOTHING_TO_WRITE,
                c.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.transport(0), T0 + 9));
        assertEquals(T0 + 9, c.lastTimestamp());
        assertEquals(T0 + 6, c.closeTimestamp(), "the closing period still began at the close");
        assertThrows(IllegalArgumentException.class, () -> c.writeConnectionClose(null, null,
                ByteBuffer.allocate(1500), CloseError.transport(0), T0 + 8));
        assertEquals(T0 + 9, c.lastTimestamp());

        QuicConnection fresh = ConnectionFixtures.freshClient(NULL);
        assertEquals(CloseOutcome.INVALID_STATE,
                fresh.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.transport(0), T0 + 3));
        assertEquals(T0 + 3, fresh.lastTimestamp());

        QuicConnection exhausted = ConnectionFixtures.client(NULL);
        exhausted.setLastSentPacketNumberForTesting(EncryptionLevel.INITIAL, MAX_PN);
        assertEquals(CloseOutcome.PKT_NUM_EXHAUSTED, exhausted.writeConnectionClose(null, null,
                ByteBuffer.allocate(1500), CloseError.transport(0), T0 + 7));
        assertEquals(T0 + 7, exhausted.lastTimestamp());
    }
}
