package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.crypto.InitialSecrets;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * close-spec §1 (contract), §3 (sizing), §5 (state afterwards) and §6 (packet numbers): the rules no other test pinned
 * on their own, each checked independently of the project's encoder and decoder: the datagrams are opened with JCA
 * only ({@link IndependentQuic}), sizes and durations are computed here from the spec's and the RFCs' arithmetic, and
 * "nothing changed" is checked byte for byte against an untouched twin connection.
 */
class CloseSpecContractAuditTest {
    private static final Settings JCA = Settings.defaults();
    private static final Settings NULL = ConnectionFixtures.nullCrypto();
    private static final long MS = 1_000_000L;
    private static final NetworkPath ELSEWHERE = new NetworkPath(new InetSocketAddress("127.0.0.1", 1),
            new InetSocketAddress("127.0.0.1", 2));
    // PROTOCOL_VIOLATION, frame type 0, reason "spec": 1c 0a 00 04 73 70 65 63
    private static final CloseError PROTOCOL_VIOLATION = CloseError.transport(0x0a, "spec");
    private static final String PROTOCOL_VIOLATION_FRAME = "1c0a0004" + "73706563";

    // ---------------------------------------------------------------------------------------------------------
    // §6: the starting packet number

    /** close-spec §6: {@code settings.initial_pkt_num} is 0..INT32_MAX; both ends of the range are taken. */
    @ParameterizedTest
    @ValueSource(longs = {0, Integer.MAX_VALUE})
    void theInitialPacketNumberAcceptsBothEndsOfZeroToTwoToThe31MinusOne(long pn) {
        assertEquals(pn, Settings.builder().initialPacketNumber(pn).build().initialPacketNumber());
    }

    /** close-spec §6: anything outside 0..INT32_MAX is an illegal argument, refused when it is set. */
    @ParameterizedTest
    @ValueSource(longs = {-1, Integer.MAX_VALUE + 1L, Long.MIN_VALUE, Long.MAX_VALUE, (1L << 62) - 1})
    void theInitialPacketNumberOutsideZeroToTwoToThe31MinusOneIsRejected(long pn) {
        assertThrows(IllegalArgumentException.class, () -> Settings.builder().initialPacketNumber(pn));
    }

    // ---------------------------------------------------------------------------------------------------------
    // §1.2 step 10, §1.3, project decision 4: NOBUF changes nothing

    /**
     * close-spec §1.3 / project decision 4: NOBUF leaves the state unchanged, "so the caller may retry later". A
     * server with every key, not confirmed (Initial 73 + Handshake 72 + 1-RTT 44 bytes with 18-byte CIDs and the
     * 8-byte frame {@code 1c 0a 00 04 "spec"}), is asked for the close into every buffer from 0 to 43 bytes, where no
     * packet fits (the smallest, 1-RTT, needs 1 + 18 + 1 + 8 + 16 = 44); then into 1500 bytes. The datagram is byte for byte that of an identical server asked once, and
     * opened with JCA each packet has packet number 0 and the close frame: no failed call used a number, sealed
     * anything, or recorded a close.
     */
    @Test
    void bufferTooSmallChangesNothingSoTheRetryIsTheCloseOfAnUntouchedTwin() throws Exception {
        QuicConnection retried = ConnectionFixtures.serverAllKeys(JCA);
        ConnectionState before = retried.state();
        for (int size = 0; size < 44; size++) {
            ByteBuffer small = ByteBuffer.allocate(size);
            assertEquals(CloseOutcome.NOBUF_BUFFER_TOO_SMALL,
                    retried.writeConnectionClose(null, null, small, PROTOCOL_VIOLATION, T0 + 1), "size " + size);
            assertEquals(0, small.position(), "size " + size);
        }
        assertNull(retried.localCloseError(), "a failed close is not the connection's close");
        assertEquals(before, retried.state());
        assertEquals(0, retried.bytesSent());
        byte[] after = closeInto(retried, 1500);

        byte[] twin = closeInto(ConnectionFixtures.serverAllKeys(JCA), 1500);
        assertArrayEquals(twin, after);
        assertEquals(73 + 72 + 44, after.length);
        assertServerThreePacketsNumberedZero(after);
        assertEquals(ConnectionState.CLOSING, retried.state());
        assertEquals(PROTOCOL_VIOLATION, retried.localCloseError());
    }

    /**
     * close-spec §3.2 / project decision 4: a server whose amplification budget ({@code 3 * 10 - 0 = 30}) holds
     * neither its Initial (73) nor its Handshake (72) packet gets NOBUF_AMPLIFICATION_LIMIT and nothing changes (the
     * check that the buffer alone would have held the close must not seal or number anything either); once 1200
     * bytes are received its close is byte for byte that of a server that had them from the start.
     */
    @Test
    void amplificationLimitedNobufChangesNothingSoTheRetryIsTheCloseOfAnUntouchedTwin() throws Exception {
        QuicConnection retried = ConnectionFixtures.serverWithHandshakeKeys(JCA);
        retried.setPathBytesForTesting(10, 0);
        assertEquals(30, retried.amplificationBudget());
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.NOBUF_AMPLIFICATION_LIMIT,
                retried.writeConnectionClose(null, null, dest, PROTOCOL_VIOLATION, T0 + 1));
        assertEquals(0, dest.position());
        assertNull(retried.localCloseError());
        assertEquals(0, retried.packetsSent());
        retried.setPathBytesForTesting(1200, 0);
        byte[] after = closeInto(retried, 1500);

        QuicConnection twin = ConnectionFixtures.serverWithHandshakeKeys(JCA);
        twin.setPathBytesForTesting(1200, 0);
        assertArrayEquals(closeInto(twin, 1500), after);
        assertEquals(73 + 72, after.length);
        IndependentQuic.Opened initial = IndependentQuic.open(after, 0,
                IndependentQuic.initialKeys(IndependentQuic.V1, CLIENT_ODCID.toByteArray(), true), 0);
        IndependentQuic.Opened handshake = IndependentQuic.open(after, initial.end(),
                IndependentQuic.keys(IndependentQuic.V1, ConnectionFixtures.SERVER_HANDSHAKE_SECRET), 0);
        assertEquals(after.length, handshake.end());
        for (IndependentQuic.Opened p : List.of(initial, handshake)) {
            assertEquals(0, p.pn());
            assertEquals(PROTOCOL_VIOLATION_FRAME, p.payloadHex());
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // §1.5, §5.2: holders after a close that writes nothing because the connection is closed

    /**
     * close-spec §1.5: {@code path} and {@code pi} are not filled in "the returns 0 cases"; §5.2: in CLOSING and
     * DRAINING every close type returns 0. Holders pre-filled with other values keep them, and the destination is
     * untouched.
     */
    @ParameterizedTest
    @MethodSource("closedConnectionsAndCloseTypes")
    void aClosingOrDrainingConnectionLeavesThePathAndPacketInfoHoldersAlone(String closedBy, CloseError second)
            throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        c.setEcnState(EcnState.CAPABLE);
        if (closedBy.equals("local close")) {
            assertEquals(CloseOutcome.WRITTEN,
                    c.writeConnectionClose(null, null, ByteBuffer.allocate(1500), CloseError.transport(1), T0 + 1));
            assertTrue(c.isInClosingPeriod());
        } else {
            byte[] peerClose = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.SERVER_1RTT_SECRET,
                    CLIENT_SCID, 1, Hex.decode("1c000000"));
            assertEquals(ReceiveStatus.DRAINING, c.receive(ByteBuffer.wrap(peerClose), CLIENT_PATH, T0 + 1));
            assertTrue(c.isInDrainingPeriod());
        }
        PathInfo path = new PathInfo();
        path.set(ELSEWHERE);
        PacketInfo pi = new PacketInfo();
        pi.setEcn(Ecn.CE);
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.NOTHING_TO_WRITE, c.writeConnectionClose(path, pi, dest, second, T0 + 2));
        assertSame(ELSEWHERE, path.path());
        assertEquals(Ecn.CE, pi.ecn());
        assertEquals(0, dest.position());
        assertEquals(T0 + 2, c.lastTimestamp(), "the timestamp is taken before anything else (§1.2 step 1)");
    }

    static Stream<Arguments> closedConnectionsAndCloseTypes() {
        CloseError[] types = {CloseError.transport(2, "x"), CloseError.application(3, "y"), CloseError.idleClose(),
                CloseError.dropConnection(), CloseError.retry(), CloseError.versionNegotiation()};
        return Stream.of("local close", "peer close")
                .flatMap(by -> Arrays.stream(types).map(t -> Arguments.of(by, t)));
    }

    // ---------------------------------------------------------------------------------------------------------
    // §5.3: the closing period after real RTT samples

    /**
     * close-spec §5.3: the closing period is 3 x PTO, PTO = smoothed_rtt + max(4 * rttvar, 1 ms) + max_ack_delay,
     * with max_ack_delay 0 before the handshake completed. Two samples, computed here with RFC 9002 §5.3: the first
     * (20 ms) gives smoothed_rtt 20 ms, rttvar 10 ms; the second (60 ms; ACK Delay is not used in Initial packets)
     * gives rttvar = 3/4 * 10 + 1/4 * |20 - 60| = 17.5 ms and smoothed_rtt = 7/8 * 20 + 1/8 * 60 = 25 ms. PTO =
     * 25 + 70 = 95 ms, the closing period 285 ms, before and after the close.
     */
    @Test
    void theClosingPeriodIsThreeRfc9002PtosAfterTwoRttSamples() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        // the first Initial (pn 0) went out at T0; the server acknowledges it at T0 + 20 ms
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(serverInitial(0, "0200000000")),
                CLIENT_PATH, T0 + 20 * MS));
        assertEquals(Duration.ofMillis(20), c.smoothedRtt());
        // more ClientHello bytes (ack-eliciting) in pn 1 at T0 + 30 ms, acknowledged at T0 + 90 ms
        c.submitCryptoData(EncryptionLevel.INITIAL, new byte[100]);
        assertEquals(1200, ConnectionFixtures.write(c, ByteBuffer.allocate(1500), T0 + 30 * MS));
        assertEquals(2, c.nextPacketNumber(EncryptionLevel.INITIAL));
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(serverInitial(1, "0201000000")),
                CLIENT_PATH, T0 + 90 * MS));
        assertEquals(Duration.ofMillis(25), c.smoothedRtt());
        assertEquals(Duration.ofMillis(95), c.pto());
        assertEquals(Duration.ofMillis(285), c.closingPeriod());

        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, ByteBuffer.allocate(1500),
                CloseError.noError(), T0 + 100 * MS));
        assertEquals(T0 + 100 * MS, c.closeTimestamp());
        assertEquals(Duration.ofMillis(285), c.closingPeriod(), "the closed connection keeps its estimate");
    }

    // ---------------------------------------------------------------------------------------------------------
    // §3.5: worked sizes of a 1-RTT close, opened with JCA

    /**
     * close-spec §3.5 (and §3.3 rule 2, max(local SCID + 22, pn_offset + 20)): 1-RTT closes of a confirmed client,
     * sealed with AES-128-GCM and opened here with JCA. DCID 8 / SCID 8 with {@code 1c 00 00 00}: 1 + 8 + 1 + 4 +
     * 16 = 30 = 8 + 22, no padding; SCID 9: 31 (one PADDING byte); {@code 1d 00 00}: 29, padded to 30; 18-byte CIDs:
     * 40 = 18 + 22.
     */
    @ParameterizedTest
    @MethodSource("workedOneRttSizes")
    void aOneRttCloseHasTheWorkedSize(String dcidHex, String scidHex, CloseError error, int size, String payload)
            throws Exception {
        ConnectionId dcid = ConnectionId.fromHex(dcidHex);
        QuicConnection c = confirmedClient(dcid, ConnectionId.fromHex(scidHex));
        byte[] dg = closeInto(c, 1500, error);
        assertEquals(size, dg.length);
        IndependentQuic.Opened p = IndependentQuic.open(dg, 0,
                IndependentQuic.keys(IndependentQuic.V1, ConnectionFixtures.CLIENT_1RTT_SECRET), dcid.length());
        assertEquals(0x40, p.firstByte(), "fixed bit, spin 0, key phase 0, 1-byte packet number");
        assertArrayEquals(dcid.toByteArray(), p.dcid());
        assertEquals(0, p.pn(), "the client sent no 1-RTT packet before");
        assertEquals(payload, p.payloadHex());
    }

    static Stream<Arguments> workedOneRttSizes() {
        String cid18 = "dd" + "aa".repeat(16) + "dd";
        String scid18 = "ee" + "aa".repeat(16) + "ee";
        return Stream.of(
                Arguments.of("0102030405060708", "1112131415161718", CloseError.noError(), 30, "1c000000"),
                Arguments.of("0102030405060708", "111213141516171819", CloseError.noError(), 31, "1c00000000"),
                Arguments.of("0102030405060708", "1112131415161718", CloseError.application(0), 30, "1d000000"),
                Arguments.of(cid18, scid18, CloseError.noError(), 40, "1c000000"));
    }

    // ---------------------------------------------------------------------------------------------------------
    // helpers

    private static byte[] closeInto(QuicConnection c, int size) {
        return closeInto(c, size, PROTOCOL_VIOLATION);
    }

    private static byte[] closeInto(QuicConnection c, int size, CloseError error) {
        ByteBuffer dest = ByteBuffer.allocate(size);
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, dest, error, T0 + 2));
        return Arrays.copyOf(dest.array(), dest.position());
    }

    /** A confirmed JCA client: {@link CloseWriterUpstreamTest#confirmedClient}. */
    private static QuicConnection confirmedClient(ConnectionId dcid, ConnectionId scid) throws Exception {
        return CloseWriterUpstreamTest.confirmedClient(JCA, dcid, scid);
    }

    /** The server's Initial {@code pn} to the fixture client, carrying {@code frames} (hex), under null crypto. */
    private static byte[] serverInitial(long pn, String frames) throws Exception {
        return ConnectionFixtures.peerLongPacket(ConnectionFixtures.peerProtection(NULL,
                        InitialSecrets.serverSecret(QuicVersion.V1, CLIENT_ODCID.toByteArray())),
                LongPacketType.INITIAL, CLIENT_SCID, SERVER_SCID, pn, Hex.decode(frames), 0);
    }

    /** Opens the fixture server's Initial + Handshake + 1-RTT close with JCA: each is packet number 0. */
    private static void assertServerThreePacketsNumberedZero(byte[] dg) throws Exception {
        IndependentQuic.Opened initial = IndependentQuic.open(dg, 0,
                IndependentQuic.initialKeys(IndependentQuic.V1, CLIENT_ODCID.toByteArray(), true), 0);
        IndependentQuic.Opened handshake = IndependentQuic.open(dg, initial.end(),
                IndependentQuic.keys(IndependentQuic.V1, ConnectionFixtures.SERVER_HANDSHAKE_SECRET), 0);
        byte[] rest = Arrays.copyOfRange(dg, handshake.end(), dg.length);
        IndependentQuic.Opened oneRtt = IndependentQuic.open(rest, 0,
                IndependentQuic.keys(IndependentQuic.V1, ConnectionFixtures.SERVER_1RTT_SECRET), CLIENT_SCID.length());
        assertEquals(0xc0, initial.firstByte());
        assertEquals(0xe0, handshake.firstByte());
        for (IndependentQuic.Opened p : List.of(initial, handshake, oneRtt)) {
            assertEquals(0, p.pn());
            assertEquals(PROTOCOL_VIOLATION_FRAME, p.payloadHex(), HexFormat.of().formatHex(dg));
        }
    }
}
