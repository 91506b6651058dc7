package dev.quicj.core.conn;

import static dev.quicj.core.conn.CloseWriterUpstreamTest.assertApplicationErrorReplacement;
import static dev.quicj.core.conn.CloseWriterUpstreamTest.assertForms;
import static dev.quicj.core.conn.CloseWriterUpstreamTest.assertTransportClose;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseWriterUpstreamTest.Written;
import dev.quicj.core.conn.ConnectionFixtures.Side;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.inspect.InspectedFrame;
import dev.quicj.core.inspect.InspectedPacket;
import dev.quicj.core.packet.PacketForm;
import dev.quicj.core.tls.TransportParameters;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * Requirements of close-spec §1.2, §2, §3, §4.2 and §6 that the other close tests leave open: a coalesced datagram
 * checked byte for byte against bytes built by hand from §4.2, the destlen cap chain for packets other than the client
 * Initial, the 1-RTT minimum size capped by the buffer, {@code initial_pkt_num}, packet-number skips, a client holding
 * the 1-RTT key before its handshake completed, and the packet numbers of a call that fails half-way.
 */
class CloseSpecAuditTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();
    // the fixed inputs of close-spec §8.3
    private static final ConnectionId ODCID = ConnectionId.fromHex("8394c8f03e515708");
    private static final ConnectionId CLIENT_SCID = ConnectionId.fromHex("0102030405060708");
    private static final ConnectionId SERVER_SCID = ConnectionId.fromHex("f067a5502a4262b5");
    private static final NetworkPath CLIENT_PATH = new NetworkPath(new InetSocketAddress("127.0.0.1", 50000),
            new InetSocketAddress("127.0.0.1", 443));
    private static final NetworkPath SERVER_PATH = new NetworkPath(CLIENT_PATH.remote(), CLIENT_PATH.local());
    private static final String TAG = "00".repeat(16);

    /** A server with the §8.3 CIDs that read the client's first Initial, with every transmit key, not confirmed. */
    private static QuicConnection serverAllKeys8(Settings settings) throws Exception {
        QuicConnection c = QuicConnection.clientBuilder().version(QuicVersion.V1).originalDestinationConnectionId(ODCID)
                .sourceConnectionId(CLIENT_SCID).path(CLIENT_PATH).settings(settings).build(T0);
        c.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        ByteBuffer initial = ByteBuffer.allocate(1500);
        assertEquals(1200, c.writePacket(null, null, initial, T0));
        initial.flip();
        QuicConnection s = QuicConnection.serverBuilder().version(QuicVersion.V1).sourceConnectionId(SERVER_SCID)
                .path(SERVER_PATH).settings(settings).build(T0);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(initial, SERVER_PATH, T0));
        s.installTxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_HANDSHAKE_SECRET);
        s.installTxKey(EncryptionLevel.ONE_RTT, ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_1RTT_SECRET);
        assertTrue(!s.isHandshakeConfirmed() && s.hasTxKey(EncryptionLevel.INITIAL));
        return s;
    }

    // ---------------------------------------------------------------------------------------------------------
    // §2.3, §2.4, §3.5, §4.2: the coalesced datagram byte for byte (null crypto: header ‖ payload ‖ 00×16)

    /**
     * close-spec §2.3 "1-RTT tx key present, not confirmed" with a transport close: Initial (49 bytes) + Handshake
     * (48) + 1-RTT (30) in that order, each with pn 0 in its own space, 1-byte packet numbers, the 4-byte Length
     * field {@code 80000015}, the v1 type bits (0xc0, 0xe0), reserved bits and key phase 0, an empty Initial token,
     * no padding (all are at least SCID 8 + 22 = 30 bytes). The expected bytes are built from §4.2, not from the
     * encoder.
     */
    @Test
    void unconfirmedServerTransportCloseIsInitialHandshakeOneRttByteForByte() throws Exception {
        String initial = "c0" + "00000001" + "08" + "0102030405060708" + "08" + "f067a5502a4262b5" + "00"
                + "80000015" + "00" + "1c000000" + TAG;
        String handshake = "e0" + "00000001" + "08" + "0102030405060708" + "08" + "f067a5502a4262b5"
                + "80000015" + "00" + "1c000000" + TAG;
        String oneRtt = "40" + "0102030405060708" + "00" + "1c000000" + TAG;
        assertEquals(49 + 48 + 30, (initial + handshake + oneRtt).length() / 2);
        assertEquals(initial + handshake + oneRtt,
                ConnectionFixtures.closeHex(serverAllKeys8(NULL), CloseError.transport(TransportErrorCode.NO_ERROR)));
    }

    /**
     * close-spec §2.3 / §4.1 with an application close: Initial and Handshake carry exactly {@code 1c 0c 00 00}, the
     * 1-RTT packet {@code 1d <code> <reason length> <reason>} (32 bytes, no padding).
     */
    @Test
    void unconfirmedServerApplicationCloseIsReplacedBelowOneRttByteForByte() throws Exception {
        String initial = "c0" + "00000001" + "08" + "0102030405060708" + "08" + "f067a5502a4262b5" + "00"
                + "80000015" + "00" + "1c0c0000" + TAG;
        String handshake = "e0" + "00000001" + "08" + "0102030405060708" + "08" + "f067a5502a4262b5"
                + "80000015" + "00" + "1c0c0000" + TAG;
        String oneRtt = "40" + "0102030405060708" + "00" + "1d" + "05" + "03" + "666f6f" + TAG;
        assertEquals(initial + handshake + oneRtt, ConnectionFixtures.closeHex(serverAllKeys8(NULL), CloseError.application(5, "foo")));
    }

    // ---------------------------------------------------------------------------------------------------------
    // §1.1: dest and destlen are the buffer's position and remaining bytes

    /**
     * close-spec §1.1: {@code destlen} is what lies between the destination's position and its limit. Written at
     * position 100 of a heap slice with an array offset, and of a direct buffer, with the limit 1200 bytes on, the
     * datagrams (client Initial padded to 1200; coalesced server close) equal those written at position 0, and no
     * byte before the position or after the limit changes.
     */
    @Test
    void theDatagramGoesBetweenThePositionAndTheLimitOfAnyBuffer() throws Exception {
        for (boolean server : new boolean[] {false, true}) {
            String expected = ConnectionFixtures.closeHex(server ? ConnectionFixtures.serverAllKeys(NULL) : ConnectionFixtures.client(NULL),
                    CloseError.transport(7, "reason"));
            byte[] backing = new byte[1600];
            Arrays.fill(backing, (byte) 0x5a);
            ByteBuffer heap = ByteBuffer.wrap(backing, 50, 1550).slice();
            ByteBuffer direct = ByteBuffer.allocateDirect(1550);
            direct.put(new byte[1550]).clear();
            for (int i = 0; i < 1550; i++) {
                direct.put(i, (byte) 0x5a);
            }
            for (ByteBuffer dest : new ByteBuffer[] {heap, direct}) {
                dest.position(100).limit(1300);
                QuicConnection c = server ? ConnectionFixtures.serverAllKeys(NULL) : ConnectionFixtures.client(NULL);
                assertEquals(CloseOutcome.WRITTEN,
                        c.writeConnectionClose(null, null, dest, CloseError.transport(7, "reason"), T0 + 1));
                int end = dest.position();
                assertEquals(expected.length() / 2, end - 100);
                assertEquals(1300, dest.limit());
                assertEquals(expected, ConnectionFixtures.hex(dest.duplicate().position(100).limit(end)));
                ByteBuffer all = dest.duplicate().clear();
                for (int i = 0; i < 1550; i++) {
                    if (i < 100 || i >= 1300) {
                        assertEquals((byte) 0x5a, all.get(i), "byte " + i + " outside the datagram's room");
                    }
                }
            }
            assertEquals((byte) 0x5a, backing[49], "before the slice");
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // §3.1: the destlen cap chain for packets that are not padded to it

    /** A transport close of a confirmed fixture client whose 1-RTT packet is {@code 41 + reasonLength} bytes. */
    private static CloseOutcome closeWithReason(QuicConnection c, int reasonLength, int buffer, int expectedLength) {
        ByteBuffer dest = ByteBuffer.allocate(buffer);
        CloseOutcome o = c.writeConnectionClose(null, null, dest, CloseError.transport(0, 0, new byte[reasonLength]),
                T0 + 1);
        if (o == CloseOutcome.WRITTEN) {
            // 1 + DCID 18 + pn 1 + (type, code, frame type, 2-byte length) 5 + reason + tag 16
            assertEquals(expectedLength, dest.position(), "reason " + reasonLength);
        } else {
            assertEquals(0, dest.position());
        }
        return o;
    }

    /**
     * close-spec §3.1 step 3: unless shaping is off, the datagram is capped at the path's size, 1200 until PMTUD
     * raises it, whatever the buffer: a 1-RTT close of 1200 bytes fits, one of 1201 is NOBUF with a 1500-byte buffer.
     */
    @Test
    void aOneRttCloseIsCappedAtTheDefaultPathSizeOf1200() throws Exception {
        assertEquals(CloseOutcome.NOBUF_BUFFER_TOO_SMALL,
                closeWithReason(ConnectionFixtures.clientConfirmed(NULL), 1160, 1500, 0));
        assertEquals(CloseOutcome.WRITTEN, closeWithReason(ConnectionFixtures.clientConfirmed(NULL), 1159, 1500, 1200));
    }

    /** close-spec §3.1 step 3: once PMTUD raised the path to 1400, the close may be 1400 bytes and no more. */
    @Test
    void aRaisedPathSizeRaisesTheCap() throws Exception {
        QuicConnection tooLong = ConnectionFixtures.clientConfirmed(NULL);
        tooLong.setPathMaxUdpPayloadSize(1400);
        assertEquals(CloseOutcome.NOBUF_BUFFER_TOO_SMALL, closeWithReason(tooLong, 1360, 1500, 0));
        QuicConnection fits = ConnectionFixtures.clientConfirmed(NULL);
        fits.setPathMaxUdpPayloadSize(1400);
        assertEquals(CloseOutcome.WRITTEN, closeWithReason(fits, 1359, 1500, 1400));
    }

    /**
     * close-spec §3.1 step 2: {@code max_tx_udp_payload_size} (default 1452) caps the datagram even when the path and
     * the buffer allow more.
     */
    @Test
    void theSettingsMaximumCapsAboveAnyPathSize() throws Exception {
        QuicConnection tooLong = ConnectionFixtures.clientConfirmed(NULL);
        tooLong.setPathMaxUdpPayloadSize(9000);
        assertEquals(CloseOutcome.NOBUF_BUFFER_TOO_SMALL, closeWithReason(tooLong, 1412, 9000, 0));
        QuicConnection fits = ConnectionFixtures.clientConfirmed(NULL);
        fits.setPathMaxUdpPayloadSize(9000);
        assertEquals(CloseOutcome.WRITTEN, closeWithReason(fits, 1411, 9000, 1452));
    }

    /**
     * close-spec §3.1 step 3: with {@code no_tx_udp_payload_size_shaping} the path size (still 1200) is not applied,
     * so the settings maximum is the cap.
     */
    @Test
    void withoutShapingThePathSizeIsNotACap() throws Exception {
        Settings noShaping = NULL.toBuilder().udpPayloadShaping(Settings.UdpPayloadShaping.NO_SHAPING).build();
        assertEquals(CloseOutcome.WRITTEN, closeWithReason(confirmedClient(noShaping), 1411, 1500, 1452));
        assertEquals(CloseOutcome.NOBUF_BUFFER_TOO_SMALL, closeWithReason(confirmedClient(noShaping), 1412, 1500, 0));
    }

    /** A confirmed fixture client whose first Initial may have any size (the fixture insists on 1200). */
    private static QuicConnection confirmedClient(Settings settings) throws Exception {
        QuicConnection c = ConnectionFixtures.freshClient(settings);
        c.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        assertTrue(c.writePacket(null, null, ByteBuffer.allocate(1500), T0) >= 1200);
        c.installTxKey(EncryptionLevel.HANDSHAKE, ConnectionFixtures.SUITE, ConnectionFixtures.CLIENT_HANDSHAKE_SECRET);
        c.installTxKey(EncryptionLevel.ONE_RTT, ConnectionFixtures.SUITE, ConnectionFixtures.CLIENT_1RTT_SECRET);
        c.installRxKey(EncryptionLevel.ONE_RTT, ConnectionFixtures.SUITE, ConnectionFixtures.SERVER_1RTT_SECRET);
        c.handshakeCompleted();
        byte[] done = ConnectionFixtures.peerShortPacket(settings, ConnectionFixtures.SERVER_1RTT_SECRET,
                c.sourceConnectionId(), 0, new byte[] {0x1e});
        assertEquals(ReceiveStatus.PROCESSED, c.receive(ByteBuffer.wrap(done), ConnectionFixtures.CLIENT_PATH, T0));
        assertTrue(c.isHandshakeConfirmed());
        return c;
    }

    /** close-spec §3.1 step 1: the peer's max_udp_payload_size caps the datagram below path and settings. */
    @Test
    void thePeersMaxUdpPayloadSizeCapsAOneRttClose() throws Exception {
        TransportParameters tp = TransportParameters.builder().maxUdpPayloadSize(1300).build();
        QuicConnection tooLong = ConnectionFixtures.clientConfirmed(NULL);
        tooLong.setPathMaxUdpPayloadSize(1500);
        tooLong.setPeerTransportParameters(tp);
        assertEquals(CloseOutcome.NOBUF_BUFFER_TOO_SMALL, closeWithReason(tooLong, 1260, 1500, 0));
        QuicConnection fits = ConnectionFixtures.clientConfirmed(NULL);
        fits.setPathMaxUdpPayloadSize(1500);
        fits.setPeerTransportParameters(tp);
        assertEquals(CloseOutcome.WRITTEN, closeWithReason(fits, 1259, 1500, 1300));
    }

    /**
     * close-spec §3.3 rule 1 (HEAD, not v0.12.1): with shaping the client Initial is padded to exactly 1200, not to
     * whatever the datagram could hold: a path raised to 1400 and a 1500-byte buffer still give 1200 bytes.
     */
    @Test
    void aClientInitialCloseIsPaddedTo1200EvenWhenThePathAllowsMore() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        c.setPathMaxUdpPayloadSize(1400);
        Written w = CloseWriterUpstreamTest.close(c, CloseError.transport(0), 1500, Side.CLIENT);
        assertForms(w, PacketForm.INITIAL);
        assertEquals(1200, w.length());
    }

    // ---------------------------------------------------------------------------------------------------------
    // §3.3 rule 2: the minimum packet size, capped by the buffer

    /**
     * close-spec §3.3 rule 2: a 1-RTT close is padded to local SCID length + 22 (here 20 + 22 = 42; the frame alone
     * makes 30), but never beyond the buffer: 35 bytes of buffer give a 35-byte packet, 30 the unpadded one.
     */
    @Test
    void theMinimumPacketSizeIsCappedByTheBuffer() throws Exception {
        String scid20 = "00112233445566778899aabbccddeeff00112233";
        int[][] cases = {{1500, 42}, {42, 42}, {35, 35}, {30, 30}};
        for (int[] k : cases) {
            QuicConnection c = CloseWriterUpstreamTest.confirmedClientWithCids("0102030405060708", scid20);
            Written w = CloseWriterUpstreamTest.close(c, CloseError.transport(0), k[0], Side.CLIENT);
            assertForms(w, PacketForm.ONE_RTT);
            assertEquals(k[1], w.length(), "buffer " + k[0]);
            assertTransportClose(w.packets().get(0), 0, new byte[0]);
            int padding = w.packets().get(0).frames(InspectedFrame.Padding.class).stream()
                    .mapToInt(InspectedFrame.Padding::length).sum();
            assertEquals(k[1] - 30, padding, "buffer " + k[0]);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // §6: initial_pkt_num and the packet-number length

    /**
     * close-spec §6 "Starting value": every space starts at {@code settings.initial_pkt_num}. A server with 1000 writes
     * its Initial, Handshake and 1-RTT close packets with packet number 1000 each, in 2 bytes (d = 1001, m = 2001).
     */
    @Test
    void everySpaceStartsAtTheInitialPacketNumber() throws Exception {
        Settings settings = NULL.toBuilder().initialPacketNumber(1000).build();
        QuicConnection s = ConnectionFixtures.serverAllKeys(settings);
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN,
                s.writeConnectionClose(null, null, dest, CloseError.transport(0), T0 + 1));
        dest.flip();
        var packets = ConnectionFixtures.inspect(dest, Side.SERVER, settings);
        assertEquals(3, packets.size());
        for (InspectedPacket p : packets) {
            assertEquals(1000, p.packetNumber(), p::toString);
            assertEquals(2, p.packetNumberLength(), p::toString);
        }
        for (EncryptionLevel level : new EncryptionLevel[] {EncryptionLevel.INITIAL, EncryptionLevel.HANDSHAKE,
                EncryptionLevel.ONE_RTT}) {
            assertEquals(1001, s.nextPacketNumber(level), level.toString());
        }
    }

    /**
     * close-spec §6: the largest {@code initial_pkt_num}, 2^31-1, is the client's first Initial; its close uses
     * 2^31 in 4 bytes (d = 2^31 + 1, m > 0xffffff), still padded to 1200.
     */
    @Test
    void theLargestInitialPacketNumberGivesAFourByteCloseNumber() throws Exception {
        Settings settings = NULL.toBuilder().initialPacketNumber(Integer.MAX_VALUE).build();
        QuicConnection c = ConnectionFixtures.client(settings);
        Written w = CloseWriterUpstreamTest.close(c, CloseError.transport(0), 1500, Side.CLIENT);
        assertForms(w, PacketForm.INITIAL);
        assertEquals(1200, w.length());
        assertEquals(4, w.packets().get(0).packetNumberLength());
        assertEquals(1L << 31, w.packets().get(0).packetNumber());
    }

    // ---------------------------------------------------------------------------------------------------------
    // §2.4, §6: skipped packet numbers

    /**
     * close-spec §2.4: "before a 1-RTT packet is built, a pending skip of a packet number is applied, even if the
     * packet then does not fit". The NOBUF call leaves the skipped number recorded; the retry uses the number after.
     */
    @Test
    void aScheduledSkipIsAppliedEvenWhenTheOneRttCloseDoesNotFit() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        long next = c.nextPacketNumber(EncryptionLevel.ONE_RTT);
        c.schedulePacketNumberSkip(next);
        assertEquals(CloseOutcome.NOBUF_BUFFER_TOO_SMALL,
                c.writeConnectionClose(null, null, ByteBuffer.allocate(20), CloseError.transport(0), T0 + 1));
        assertEquals(next + 1, c.nextPacketNumber(EncryptionLevel.ONE_RTT), "the skip was applied");
        assertEquals(next, c.application.skipped[0]);
        Written w = CloseWriterUpstreamTest.close(c, CloseError.transport(0), 1500, Side.CLIENT);
        assertForms(w, PacketForm.ONE_RTT);
        assertEquals(next + 1, w.packets().get(0).packetNumber());
    }

    /**
     * close-spec §6: random skips begin at least 4 packets in, so packet number 0 is never skipped; with the smallest
     * draw the first skipped number is 4, and a close that would use it uses 5.
     */
    @Test
    void randomSkipsNeverTouchPacketNumberZeroAndStartFourIn() throws Exception {
        RandomGenerator smallest = () -> 0L;
        Settings settings = NULL.toBuilder().packetNumberSkipRandom(smallest).build();
        Written first = CloseWriterUpstreamTest.close(ConnectionFixtures.clientConfirmed(settings),
                CloseError.transport(0), 1500, Side.CLIENT);
        assertEquals(0, first.packets().get(0).packetNumber());

        QuicConnection c = ConnectionFixtures.clientConfirmed(settings);
        c.setLastSentPacketNumberForTesting(EncryptionLevel.ONE_RTT, 3);
        Written w = CloseWriterUpstreamTest.close(c, CloseError.transport(0), 1500, Side.CLIENT);
        assertEquals(5, w.packets().get(0).packetNumber());
    }

    // ---------------------------------------------------------------------------------------------------------
    // §2.1 / §2.2: a client with the 1-RTT key before its handshake completed

    /**
     * close-spec §2.1: a client's top level is 1-RTT only in POST_HANDSHAKE, and the application close writes 1-RTT
     * only then; holding the 1-RTT transmit key before the handshake completed changes nothing: Handshake only, for
     * either close type.
     */
    @Test
    void aClientWithTheOneRttKeyBeforeCompletionClosesInHandshakeOnly() throws Exception {
        for (CloseError e : new CloseError[] {CloseError.transport(0x0a), CloseError.application(9, "app")}) {
            QuicConnection c = ConnectionFixtures.clientWithHandshakeKeys(NULL);
            c.installTxKey(EncryptionLevel.ONE_RTT, ConnectionFixtures.SUITE, ConnectionFixtures.CLIENT_1RTT_SECRET);
            assertEquals(ConnectionState.CLIENT_WAIT_HANDSHAKE, c.state());
            Written w = CloseWriterUpstreamTest.close(c, e, 1500, Side.CLIENT);
            assertForms(w, PacketForm.HANDSHAKE);
            if (e.type() == CloseError.Type.APPLICATION) {
                assertApplicationErrorReplacement(w.packets().get(0));
            } else {
                assertTransportClose(w.packets().get(0), 0x0a, new byte[0]);
            }
            assertEquals(0, c.nextPacketNumber(EncryptionLevel.ONE_RTT));
            assertEquals(ConnectionState.CLOSING, c.state());
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // §1.2 step 10, §5.4: what a failed or successful call leaves in the spaces

    /**
     * close-spec §1.2 step 10: when sealing fails on the Handshake packet, the call is CALLBACK_FAILURE and the state
     * is unchanged, but the Initial packet that was fully written keeps its packet number; the later packets used
     * none. A retry then continues from there.
     */
    @Test
    void aFailureInTheSecondPacketKeepsTheFirstPacketsNumber() throws Exception {
        FailingCryptoProvider crypto = new FailingCryptoProvider(CryptoProvider.nullCrypto());
        Settings settings = Settings.builder().cryptoProvider(crypto).build();
        QuicConnection s = ConnectionFixtures.serverAllKeys(settings);
        ConnectionState before = s.state();
        crypto.failAfter(FailingCryptoProvider.Failure.SEAL, 1);
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.CALLBACK_FAILURE,
                s.writeConnectionClose(null, null, dest, CloseError.transport(1), T0 + 1));
        assertEquals(0, dest.position());
        assertEquals(before, s.state());
        assertEquals(1, s.nextPacketNumber(EncryptionLevel.INITIAL), "the Initial was written");
        assertEquals(0, s.nextPacketNumber(EncryptionLevel.HANDSHAKE));
        assertEquals(0, s.nextPacketNumber(EncryptionLevel.ONE_RTT));

        crypto.fail(FailingCryptoProvider.Failure.NONE);
        Written w = CloseWriterUpstreamTest.close(s, CloseError.transport(1), 1500, Side.SERVER);
        assertForms(w, PacketForm.INITIAL, PacketForm.HANDSHAKE, PacketForm.ONE_RTT);
        assertEquals(1, w.packets().get(0).packetNumber());
        assertEquals(0, w.packets().get(1).packetNumber());
        assertEquals(0, w.packets().get(2).packetNumber());
    }

    /**
     * close-spec §5.4 / §8.1 upstream case 8 ("sent-packet store empty afterwards"): close packets are never recorded
     * as sent in any space, so no RTT sample or loss state can come from them.
     */
    @Test
    void closePacketsAreNotRecordedAsSent() throws Exception {
        QuicConnection s = ConnectionFixtures.serverAllKeys(NULL);
        s.retainSendStateForBenchmark();
        Written w = CloseWriterUpstreamTest.close(s, CloseError.transport(0), 1500, Side.SERVER);
        assertForms(w, PacketForm.INITIAL, PacketForm.HANDSHAKE, PacketForm.ONE_RTT);
        assertEquals(-1, s.initial.sentIndex(w.packets().get(0).packetNumber()));
        assertEquals(-1, s.handshake.sentIndex(w.packets().get(1).packetNumber()));
        assertEquals(-1, s.application.sentIndex(w.packets().get(2).packetNumber()));
    }
}
