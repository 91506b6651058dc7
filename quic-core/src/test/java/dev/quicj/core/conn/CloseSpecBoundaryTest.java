package dev.quicj.core.conn;

import static dev.quicj.core.conn.CloseWriterUpstreamTest.assertApplicationClose;
import static dev.quicj.core.conn.CloseWriterUpstreamTest.assertApplicationErrorReplacement;
import static dev.quicj.core.conn.CloseWriterUpstreamTest.assertForms;
import static dev.quicj.core.conn.CloseWriterUpstreamTest.assertTransportClose;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.conn.CloseWriterUpstreamTest.Written;
import dev.quicj.core.conn.ConnectionFixtures.Side;
import dev.quicj.core.inspect.InspectedFrame;
import dev.quicj.core.inspect.InspectedPacket;
import dev.quicj.core.packet.PacketForm;
import dev.quicj.core.tls.TransportParameters;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Black-box boundary cases of close-spec §3.1–§3.4, §6, §1.2 and §5.2/§5.4 that the other close tests leave open:
 * buffers and amplification budgets of exactly the needed size, one byte less and one byte more, for every packet
 * type and coalescing combination; packet-number length boundaries; the 1-RTT minimum size for 1–4 byte packet
 * numbers; the peer's max_udp_payload_size at exactly 1200.
 *
 * <p>Sizes with the fixture's 18-byte CIDs and {@code 1c 00 00 00} (close-spec §3.4/§3.5 arithmetic): Initial
 * 1+4+1+18+1+18+1+4+1 = 49 header + 4 + 16 = <b>69</b>; Handshake 48 + 4 + 16 = <b>68</b> (pn offset 47, so its
 * capacity check needs 67); 1-RTT 1+18+1 + 4 + 16 = <b>40</b> (= SCID 18 + 22; pn offset 19, capacity check 39).
 */
class CloseSpecBoundaryTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();
    private static final long MAX_PN = (1L << 62) - 1;
    private static final int INITIAL = 69;
    private static final int HANDSHAKE = 68;
    private static final int ONE_RTT = 40;

    private static Written close(QuicConnection c, CloseError e, int size, Side side) {
        return CloseWriterUpstreamTest.close(c, e, size, side);
    }

    private static CloseOutcome tryClose(QuicConnection c, CloseError e, int size) {
        ByteBuffer dest = ByteBuffer.allocate(size);
        CloseOutcome o = c.writeConnectionClose(null, null, dest, e, T0 + 1);
        if (o != CloseOutcome.WRITTEN) {
            assertEquals(0, dest.position(), "nothing written on " + o);
        }
        return o;
    }

    private static int padding(InspectedPacket p) {
        return p.frames(InspectedFrame.Padding.class).stream().mapToInt(InspectedFrame.Padding::length).sum();
    }

    // ---------------------------------------------------------------------------------------------------------
    // §3.1 / §3.4: caller buffers of exactly the needed size and one byte less, per packet type

    /**
     * §3.3 rule 1 / E16: the client Initial is padded to min(1200, buffer); exactly the unpadded size (69) is written
     * without padding, 68 is NOBUF (the frame does not fit before the tag), 1199 gives 1199, 1201 gives 1200.
     */
    @Test
    void clientInitialAtEveryBufferBoundary() throws Exception {
        int[][] cases = {{69, 69}, {70, 70}, {1199, 1199}, {1200, 1200}, {1201, 1200}};
        for (int[] k : cases) {
            QuicConnection c = ConnectionFixtures.client(NULL);
            Written w = close(c, CloseError.transport(0), k[0], Side.CLIENT);
            assertForms(w, PacketForm.INITIAL);
            assertEquals(k[1], w.length(), "buffer " + k[0]);
            assertEquals(k[1] - INITIAL, padding(w.packets().get(0)), "buffer " + k[0]);
            assertTransportClose(w.packets().get(0), 0, new byte[0]);
            assertEquals(ConnectionState.CLOSING, c.state());
        }
        QuicConnection c = ConnectionFixtures.client(NULL);
        assertEquals(CloseOutcome.NOBUF_BUFFER_TOO_SMALL, tryClose(c, CloseError.transport(0), 68));
        assertEquals(ConnectionState.CLIENT_WAIT_HANDSHAKE, c.state());
        assertEquals(1, c.nextPacketNumber(EncryptionLevel.INITIAL));
        assertNull(c.localCloseError(), "a failed close sent nothing");
    }

    /** §2.2 / §3.4: the client's single Handshake packet: 68 fits exactly, 67 is NOBUF. */
    @Test
    void clientHandshakeOnlyAtItsBufferBoundary() throws Exception {
        QuicConnection c = ConnectionFixtures.clientWithHandshakeKeys(NULL);
        Written w = close(c, CloseError.transport(0), HANDSHAKE, Side.CLIENT);
        assertForms(w, PacketForm.HANDSHAKE);
        assertEquals(HANDSHAKE, w.length());
        QuicConnection d = ConnectionFixtures.clientWithHandshakeKeys(NULL);
        assertEquals(CloseOutcome.NOBUF_BUFFER_TOO_SMALL, tryClose(d, CloseError.transport(0), HANDSHAKE - 1));
        assertEquals(0, d.nextPacketNumber(EncryptionLevel.HANDSHAKE));
    }

    /**
     * §2.2 / §2.4: client POST_HANDSHAKE unconfirmed, transport close = Handshake + 1-RTT = 108. With 107 the 1-RTT
     * packet does not fit (39 bytes left: header check passes, frame does not) and is skipped: Handshake only,
     * WRITTEN, CLOSING, and no 1-RTT packet number used.
     */
    @Test
    void clientHandshakePlusOneRttAtTheBufferBoundary() throws Exception {
        QuicConnection c = ConnectionFixtures.clientPostHandshake(NULL);
        Written w = close(c, CloseError.transport(0), HANDSHAKE + ONE_RTT, Side.CLIENT);
        assertForms(w, PacketForm.HANDSHAKE, PacketForm.ONE_RTT);
        assertEquals(108, w.length());

        QuicConnection d = ConnectionFixtures.clientPostHandshake(NULL);
        Written v = close(d, CloseError.transport(0), HANDSHAKE + ONE_RTT - 1, Side.CLIENT);
        assertForms(v, PacketForm.HANDSHAKE);
        assertEquals(HANDSHAKE, v.length());
        assertEquals(0, d.nextPacketNumber(EncryptionLevel.ONE_RTT));
        assertEquals(1, d.nextPacketNumber(EncryptionLevel.HANDSHAKE));
        assertEquals(ConnectionState.CLOSING, d.state());
    }

    /**
     * §3.3 rule 2 / §3.4 for an application close: the 1-RTT {@code 1d 00 00} packet is 39 bytes unpadded, padded to
     * SCID 18 + 22 = 40 when there is room. Client POST_HANDSHAKE: 108 gives H + padded 1-RTT, 107 gives H + the
     * 39-byte 1-RTT (the minimum is capped by the buffer), 106 gives Handshake only.
     */
    @Test
    void clientApplicationCloseHandshakePlusOneRttAtTheBufferBoundary() throws Exception {
        int[][] cases = {{108, 40}, {107, 39}};
        for (int[] k : cases) {
            QuicConnection c = ConnectionFixtures.clientPostHandshake(NULL);
            Written w = close(c, CloseError.application(0), k[0], Side.CLIENT);
            assertForms(w, PacketForm.HANDSHAKE, PacketForm.ONE_RTT);
            assertEquals(k[0], w.length());
            assertEquals(HANDSHAKE, w.packets().get(0).length());
            assertEquals(k[1], w.packets().get(1).length());
            assertApplicationErrorReplacement(w.packets().get(0));
            assertApplicationClose(w.packets().get(1), 0, new byte[0]);
        }
        QuicConnection c = ConnectionFixtures.clientPostHandshake(NULL);
        Written w = close(c, CloseError.application(0), 106, Side.CLIENT);
        assertForms(w, PacketForm.HANDSHAKE);
        assertEquals(0, c.nextPacketNumber(EncryptionLevel.ONE_RTT));
        assertEquals(ConnectionState.CLOSING, c.state());
    }

    /** §2.2 confirmed client / §2.3 confirmed server: 1-RTT only, 40 fits, 39 is NOBUF. */
    @Test
    void confirmedOneRttAtItsBufferBoundary() throws Exception {
        for (boolean server : new boolean[] {false, true}) {
            QuicConnection c = server ? ConnectionFixtures.serverConfirmed(NULL) : ConnectionFixtures.clientConfirmed(NULL);
            Written w = close(c, CloseError.transport(0), ONE_RTT, server ? Side.SERVER : Side.CLIENT);
            assertForms(w, PacketForm.ONE_RTT);
            assertEquals(ONE_RTT, w.length());
            QuicConnection d = server ? ConnectionFixtures.serverConfirmed(NULL) : ConnectionFixtures.clientConfirmed(NULL);
            assertEquals(CloseOutcome.NOBUF_BUFFER_TOO_SMALL, tryClose(d, CloseError.transport(0), ONE_RTT - 1));
            assertEquals(0, d.nextPacketNumber(EncryptionLevel.ONE_RTT));
        }
    }

    /** §2.3 / §3.3: the server Initial-only close is not padded: 69 fits exactly, 68 is NOBUF, 1500 still gives 69. */
    @Test
    void serverInitialOnlyIsNotPaddedAndFitsExactly() throws Exception {
        for (int size : new int[] {INITIAL + 1, 1500}) {
            QuicConnection s = ConnectionFixtures.server(NULL);
            Written w = close(s, CloseError.transport(0x128), size, Side.SERVER);
            assertForms(w, PacketForm.INITIAL);
            assertEquals(INITIAL + 1, w.length(), "code 0x128 takes 2 bytes; no padding to 1200");
            assertEquals(0, padding(w.packets().get(0)));
        }
        QuicConnection s = ConnectionFixtures.server(NULL);
        assertEquals(CloseOutcome.WRITTEN, tryClose(s, CloseError.transport(0), INITIAL));
        QuicConnection t = ConnectionFixtures.server(NULL);
        assertEquals(CloseOutcome.NOBUF_BUFFER_TOO_SMALL, tryClose(t, CloseError.transport(0), INITIAL - 1));
        assertEquals(ConnectionState.SERVER_WAIT_HANDSHAKE, t.state());
    }

    /** §2.3 / §2.4: server Initial + Handshake = 137; 136 leaves 67 for the Handshake packet: Initial only. */
    @Test
    void serverInitialPlusHandshakeAtTheBufferBoundary() throws Exception {
        QuicConnection s = ConnectionFixtures.serverWithHandshakeKeys(NULL);
        Written w = close(s, CloseError.transport(0), INITIAL + HANDSHAKE, Side.SERVER);
        assertForms(w, PacketForm.INITIAL, PacketForm.HANDSHAKE);
        QuicConnection t = ConnectionFixtures.serverWithHandshakeKeys(NULL);
        Written v = close(t, CloseError.transport(0), INITIAL + HANDSHAKE - 1, Side.SERVER);
        assertForms(v, PacketForm.INITIAL);
        assertEquals(INITIAL, v.length());
        assertEquals(0, t.nextPacketNumber(EncryptionLevel.HANDSHAKE));
        assertEquals(ConnectionState.CLOSING, t.state());
    }

    /** §2.3 / §2.4: server Initial + Handshake + 1-RTT = 177; 176 drops the 1-RTT packet (I + H, 137). */
    @Test
    void serverThreePacketsAtTheBufferBoundary() throws Exception {
        QuicConnection s = ConnectionFixtures.serverAllKeys(NULL);
        Written w = close(s, CloseError.transport(0), 177, Side.SERVER);
        assertForms(w, PacketForm.INITIAL, PacketForm.HANDSHAKE, PacketForm.ONE_RTT);
        assertEquals(177, w.length());
        QuicConnection t = ConnectionFixtures.serverAllKeys(NULL);
        Written v = close(t, CloseError.transport(0), 176, Side.SERVER);
        assertForms(v, PacketForm.INITIAL, PacketForm.HANDSHAKE);
        assertEquals(137, v.length());
        assertEquals(0, t.nextPacketNumber(EncryptionLevel.ONE_RTT));
    }

    /**
     * §2.3 application close on an unconfirmed server: I {@code 1c0c0000} 69 + H 68 + 1-RTT {@code 1d0000} 40
     * (39 + 1 PADDING). 176 still holds all three (the 1-RTT minimum capped at 39), 175 gives I + H.
     */
    @Test
    void serverApplicationCloseThreePacketsAtTheBufferBoundary() throws Exception {
        int[][] cases = {{177, 40}, {176, 39}};
        for (int[] k : cases) {
            QuicConnection s = ConnectionFixtures.serverAllKeys(NULL);
            Written w = close(s, CloseError.application(0), k[0], Side.SERVER);
            assertForms(w, PacketForm.INITIAL, PacketForm.HANDSHAKE, PacketForm.ONE_RTT);
            assertEquals(k[1], w.packets().get(2).length(), "buffer " + k[0]);
            assertApplicationErrorReplacement(w.packets().get(0));
            assertApplicationErrorReplacement(w.packets().get(1));
            assertApplicationClose(w.packets().get(2), 0, new byte[0]);
        }
        QuicConnection s = ConnectionFixtures.serverAllKeys(NULL);
        Written w = close(s, CloseError.application(0), 175, Side.SERVER);
        assertForms(w, PacketForm.INITIAL, PacketForm.HANDSHAKE);
        assertEquals(137, w.length());
        assertEquals(ConnectionState.CLOSING, s.state());
        assertEquals(0, s.nextPacketNumber(EncryptionLevel.ONE_RTT));
    }

    // ---------------------------------------------------------------------------------------------------------
    // §3.2: the amplification budget at exact boundaries

    /**
     * §3.2: budget = 3 x received - sent. 3 x 59 - 0 = 177 holds the whole coalesced close; 3 x 59 - 1 = 176 drops the
     * 1-RTT packet (success with I + H); 3 x 60 - 2 = 178 gives 177. The budget, not the buffer, is short.
     */
    @Test
    void serverAmplificationBudgetAroundTheCoalescedClose() throws Exception {
        long[][] cases = {{59, 0, 177}, {59, 1, 137}, {60, 2, 177}};
        for (long[] k : cases) {
            QuicConnection s = ConnectionFixtures.serverAllKeys(NULL);
            s.setPathBytesForTesting(k[0], k[1]);
            assertEquals(3 * k[0] - k[1], s.amplificationBudget());
            Written w = close(s, CloseError.transport(0), 1500, Side.SERVER);
            assertEquals(CloseOutcome.WRITTEN, w.outcome());
            assertEquals(k[2], w.length(), "budget " + (3 * k[0] - k[1]));
            if (k[2] == 137) {
                assertForms(w, PacketForm.INITIAL, PacketForm.HANDSHAKE);
            } else {
                assertForms(w, PacketForm.INITIAL, PacketForm.HANDSHAKE, PacketForm.ONE_RTT);
            }
            assertEquals(k[1], s.pathBytesSent(), "the close is not counted against the path (§3.2)");
        }
    }

    /** §3.2 / E6: a server Initial-only close of 69 bytes: budget 69 and 70 fit, 68 is the amplification NOBUF. */
    @Test
    void serverAmplificationBudgetAroundTheInitialClose() throws Exception {
        long[][] cases = {{23, 0}, {24, 2}};
        for (long[] k : cases) {
            QuicConnection s = ConnectionFixtures.server(NULL);
            s.setPathBytesForTesting(k[0], k[1]);
            Written w = close(s, CloseError.transport(0), 1500, Side.SERVER);
            assertForms(w, PacketForm.INITIAL);
            assertEquals(INITIAL, w.length());
        }
        QuicConnection s = ConnectionFixtures.server(NULL);
        s.setPathBytesForTesting(23, 1);
        assertEquals(68, s.amplificationBudget());
        assertEquals(CloseOutcome.NOBUF_AMPLIFICATION_LIMIT, tryClose(s, CloseError.transport(0), 1500));
        assertEquals(ConnectionState.SERVER_WAIT_HANDSHAKE, s.state());
        assertEquals(0, s.nextPacketNumber(EncryptionLevel.INITIAL));
    }

    /** §3.2 "Server only": a client is never limited by the amplification counters. */
    @Test
    void aClientIgnoresTheAmplificationCounters() throws Exception {
        QuicConnection c = ConnectionFixtures.client(NULL);
        c.setPathBytesForTesting(0, 100_000);
        Written w = close(c, CloseError.transport(0), 1500, Side.CLIENT);
        assertForms(w, PacketForm.INITIAL);
        assertEquals(1200, w.length());
    }

    /**
     * §3.1 step 4 and step 3 together: with a budget of 10 000 the path size (1200) is still the cap for the server:
     * Initial + Handshake with a 530-byte reason (70 + 530, 69 + 530 = 1199) fit, with 531 the Handshake packet is
     * skipped.
     */
    @Test
    void serverWithLargeBudgetIsStillCappedByThePathSize() throws Exception {
        QuicConnection s = ConnectionFixtures.serverWithHandshakeKeys(NULL);
        s.setPathBytesForTesting(10_000, 0);
        // I 69 + reason r (2-byte length) and H 68 + r: 137 + 2 + 2r <= 1200 -> r <= 530
        Written w = close(s, CloseError.transport(0, 0, new byte[530]), 1500, Side.SERVER);
        assertForms(w, PacketForm.INITIAL, PacketForm.HANDSHAKE);
        assertEquals(1199, w.length());
        QuicConnection t = ConnectionFixtures.serverWithHandshakeKeys(NULL);
        t.setPathBytesForTesting(10_000, 0);
        Written v = close(t, CloseError.transport(0, 0, new byte[531]), 1500, Side.SERVER);
        assertForms(v, PacketForm.INITIAL);
        assertEquals(INITIAL + 1 + 531, v.length());
    }

    // ---------------------------------------------------------------------------------------------------------
    // §3.1 step 1/2: the peer's max_udp_payload_size exactly 1200 and the settings maximum

    /**
     * §3.1 step 1: a peer max_udp_payload_size of exactly 1200 (the TP minimum) caps a 1-RTT close on a path raised
     * to 1500: 41 + 1159 = 1200 bytes fit, one more reason byte is NOBUF.
     */
    @Test
    void peerMaxUdpPayloadSizeOfExactly1200CapsAOneRttClose() throws Exception {
        TransportParameters tp = TransportParameters.builder().maxUdpPayloadSize(1200).build();
        QuicConnection fits = ConnectionFixtures.clientConfirmed(NULL);
        fits.setPathMaxUdpPayloadSize(1500);
        fits.setPeerTransportParameters(tp);
        Written w = close(fits, CloseError.transport(0, 0, new byte[1159]), 1500, Side.CLIENT);
        assertForms(w, PacketForm.ONE_RTT);
        assertEquals(1200, w.length());
        QuicConnection tooLong = ConnectionFixtures.clientConfirmed(NULL);
        tooLong.setPathMaxUdpPayloadSize(1500);
        tooLong.setPeerTransportParameters(tp);
        assertEquals(CloseOutcome.NOBUF_BUFFER_TOO_SMALL,
                tryClose(tooLong, CloseError.transport(0, 0, new byte[1160]), 1500));
    }

    /**
     * §3.1 step 1 / §3.3 rule 1: without shaping the client Initial pads to max_tx (1452), but a peer
     * max_udp_payload_size of exactly 1200 caps it at 1200.
     */
    @Test
    void peerMaxUdpPayloadSizeOfExactly1200CapsAnUnshapedClientInitial() throws Exception {
        Settings s = NULL.toBuilder().udpPayloadShaping(Settings.UdpPayloadShaping.NO_SHAPING).build();
        QuicConnection c = ConnectionFixtures.freshClient(s);
        c.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        assertEquals(1452, c.writePacket(null, null, ByteBuffer.allocate(1500), T0));
        c.setPeerTransportParameters(TransportParameters.builder().maxUdpPayloadSize(1200).build());
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, dest, CloseError.transport(0), T0));
        assertEquals(1200, dest.position());
    }

    /**
     * §3.1 step 2 and §3.3 rule 1: max_tx_udp_payload_size of exactly 1200 without shaping pads to 1200; a peer
     * that allows more does not raise it; values below 1200 are refused (asserted ≥ 1200 since v1.17.0).
     */
    @Test
    void settingsMaximumOfExactly1200() throws Exception {
        Settings s = NULL.toBuilder().udpPayloadShaping(Settings.UdpPayloadShaping.NO_SHAPING)
                .maxTxUdpPayloadSize(1200).build();
        QuicConnection c = ConnectionFixtures.client(s);
        c.setPeerTransportParameters(TransportParameters.builder().maxUdpPayloadSize(65527).build());
        Written w = close(c, CloseError.transport(0), 1500, Side.CLIENT);
        assertForms(w, PacketForm.INITIAL);
        assertEquals(1200, w.length());
        assertThrows(IllegalArgumentException.class, () -> Settings.builder().maxTxUdpPayloadSize(1199));
    }

    // ---------------------------------------------------------------------------------------------------------
    // §3.3 rule 2 with 1-4 byte packet numbers; §6 length boundaries

    /** A confirmed client with DCID 8 and the given SCID whose next 1-RTT number is {@code next}, nothing acked. */
    private static QuicConnection confirmedAt(String scid, long next) throws Exception {
        QuicConnection c = CloseWriterUpstreamTest.confirmedClientWithCids("0102030405060708", scid);
        if (next > 0) {
            c.setLastSentPacketNumberForTesting(EncryptionLevel.ONE_RTT, next - 1);
        }
        c.setLargestAckedForTesting(EncryptionLevel.ONE_RTT, -1);
        assertEquals(next, c.nextPacketNumber(EncryptionLevel.ONE_RTT));
        return c;
    }

    /**
     * §3.3 rule 2: with local SCID 20 the minimum is 42 whatever the packet-number length, so the PADDING shrinks as
     * the number grows (1+8+pn+4+16 = 29 + pn); with SCID 8 (minimum 30) the packets are 30..33 with no padding.
     * pn 0 -> 1 byte, 128 -> 2, 32768 -> 3, 8388608 -> 4 (§6).
     */
    @Test
    void oneRttMinimumSizeForOneToFourBytePacketNumbers() throws Exception {
        long[] pns = {0, 128, 32768, 8388608};
        for (int i = 0; i < pns.length; i++) {
            int pnLength = i + 1;
            Written w20 = close(confirmedAt("00112233445566778899aabbccddeeff00112233", pns[i]),
                    CloseError.transport(0), 1500, Side.CLIENT);
            assertForms(w20, PacketForm.ONE_RTT);
            assertEquals(pnLength, w20.packets().get(0).packetNumberLength());
            assertEquals(42, w20.length(), "pn " + pns[i]);
            assertEquals(42 - 29 - pnLength, padding(w20.packets().get(0)), "pn " + pns[i]);

            Written w8 = close(confirmedAt("1112131415161718", pns[i]), CloseError.transport(0), 1500, Side.CLIENT);
            assertEquals(pnLength, w8.packets().get(0).packetNumberLength());
            assertEquals(29 + pnLength, w8.length(), "pn " + pns[i]);
            assertEquals(0, padding(w8.packets().get(0)));

            // 1d 00 00: 28 + pn, padded to 30 only for the 1-byte number
            Written a8 = close(confirmedAt("1112131415161718", pns[i]), CloseError.application(0), 1500, Side.CLIENT);
            assertEquals(Math.max(30, 28 + pnLength), a8.length(), "pn " + pns[i]);
        }
    }

    /**
     * §6 pn-length rule at each byte boundary, nothing acknowledged: d = pn + 1, m = 2d - 1; 32767 -> 2 bytes
     * (m = 0xffff), 32768 -> 3; 8388607 -> 3 (m = 0xffffff), 8388608 -> 4.
     */
    @Test
    void packetNumberLengthAtEveryByteBoundary() throws Exception {
        long[][] cases = {{255, 2}, {32767, 2}, {32768, 3}, {8388607, 3}, {8388608, 4}, {1L << 40, 4}};
        for (long[] k : cases) {
            QuicConnection c = confirmedAt("1112131415161718", k[0]);
            Written w = close(c, CloseError.transport(0), 1500, Side.CLIENT);
            assertEquals(k[1], w.packets().get(0).packetNumberLength(), "pn " + k[0]);
            assertEquals(k[0] & ((1L << 8 * k[1]) - 1), w.packets().get(0).packetNumber());
            assertEquals(29 + k[1], w.length());
        }
    }

    /**
     * §6: the length depends on the distance to the largest acknowledged number, also at the very end of the space:
     * the close with 2^62-1, two above the largest acknowledged (d = 2, m = 3), takes 1 byte, {@code ff}.
     */
    @Test
    void theLastPacketNumberCloseToTheLargestAckedIsOneByte() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        c.setLastSentPacketNumberForTesting(EncryptionLevel.ONE_RTT, MAX_PN - 1);
        c.setLargestAckedForTesting(EncryptionLevel.ONE_RTT, MAX_PN - 2);
        Written w = close(c, CloseError.transport(0), 1500, Side.CLIENT);
        assertForms(w, PacketForm.ONE_RTT);
        assertEquals(1, w.packets().get(0).packetNumberLength());
        assertEquals(0xff, w.packets().get(0).packetNumber());
        assertEquals(ONE_RTT, w.length());
        assertEquals(CloseOutcome.PKT_NUM_EXHAUSTED, tryClose(c, CloseError.transport(0), 1500));
    }

    // ---------------------------------------------------------------------------------------------------------
    // §6 / §1.2 step 3: exhaustion with coalescing

    /**
     * §6: a coalesced server close whose application space is at 2^62-2 uses 2^62-1 for the 1-RTT packet and the
     * next numbers elsewhere; the next call is PKT_NUM_EXHAUSTED (checked before the CLOSING state).
     */
    @Test
    void aCoalescedCloseUsesTheLastApplicationNumberThenReportsExhaustion() throws Exception {
        QuicConnection s = ConnectionFixtures.serverAllKeys(NULL);
        s.setLastSentPacketNumberForTesting(EncryptionLevel.ONE_RTT, MAX_PN - 1);
        Written w = close(s, CloseError.transport(0), 1500, Side.SERVER);
        assertForms(w, PacketForm.INITIAL, PacketForm.HANDSHAKE, PacketForm.ONE_RTT);
        assertEquals(4, w.packets().get(2).packetNumberLength());
        assertEquals(0xffff_ffffL, w.packets().get(2).packetNumber());
        assertEquals(1, w.packets().get(0).packetNumberLength());
        assertEquals(ConnectionState.CLOSING, s.state());
        assertEquals(CloseOutcome.PKT_NUM_EXHAUSTED, tryClose(s, CloseError.application(1), 1500));
    }

    /**
     * §2.4 / §6: when the 1-RTT packet at 2^62-2 does not fit, it uses no number: the space is not exhausted, and the
     * next call on the CLOSING connection is NOTHING_TO_WRITE, not PKT_NUM_EXHAUSTED.
     */
    @Test
    void aSkippedOneRttPacketDoesNotExhaustTheSpace() throws Exception {
        QuicConnection s = ConnectionFixtures.serverAllKeys(NULL);
        s.setLastSentPacketNumberForTesting(EncryptionLevel.ONE_RTT, MAX_PN - 1);
        // 1-RTT with a 4-byte number is 43 bytes; 137 + 42 leaves too little
        Written w = close(s, CloseError.transport(0), 137 + 42, Side.SERVER);
        assertForms(w, PacketForm.INITIAL, PacketForm.HANDSHAKE);
        assertEquals(MAX_PN, s.nextPacketNumber(EncryptionLevel.ONE_RTT));
        assertEquals(CloseOutcome.NOTHING_TO_WRITE, tryClose(s, CloseError.transport(0), 1500));
    }

    /**
     * §1.2 step 3: the Application space always exists, so its exhaustion is reported for a server that has only
     * Initial keys and for a client that has not even written its first Initial (before INVALID_STATE).
     */
    @Test
    void anExhaustedApplicationSpaceCountsBeforeTheOneRttKeyExists() throws Exception {
        QuicConnection s = ConnectionFixtures.server(NULL);
        s.setLastSentPacketNumberForTesting(EncryptionLevel.ONE_RTT, MAX_PN);
        assertEquals(CloseOutcome.PKT_NUM_EXHAUSTED, tryClose(s, CloseError.transport(1), 1500));
        assertEquals(ConnectionState.SERVER_WAIT_HANDSHAKE, s.state());
        QuicConnection c = ConnectionFixtures.freshClient(NULL);
        c.setLastSentPacketNumberForTesting(EncryptionLevel.ONE_RTT, MAX_PN);
        assertEquals(CloseOutcome.PKT_NUM_EXHAUSTED, tryClose(c, CloseError.application(1), 1500));
        // a client with Initial keys only: its Handshake space exists too
        QuicConnection h = ConnectionFixtures.client(NULL);
        h.setLastSentPacketNumberForTesting(EncryptionLevel.HANDSHAKE, MAX_PN);
        assertEquals(CloseOutcome.PKT_NUM_EXHAUSTED, tryClose(h, CloseError.transport(1), 1500));
    }

    // ---------------------------------------------------------------------------------------------------------
    // §5.2 / §5.4 after the close

    /**
     * §5.2 / §5.4: after an application close before confirmation, the connection reports the close it was asked for
     * (not the {@code 1c 0c} replacement), is in the closing period for 3 x PTO, refuses writes, answers CLOSING to
     * an authentic 1-RTT datagram without processing it, and writes nothing on a second close of any type.
     */
    @Test
    void everythingAfterAnApplicationCloseBeforeConfirmation() throws Exception {
        QuicConnection c = ConnectionFixtures.clientPostHandshake(NULL);
        CloseError e = CloseError.application(0x1234, "bye");
        Written w = close(c, e, 1500, Side.CLIENT);
        assertForms(w, PacketForm.HANDSHAKE, PacketForm.ONE_RTT);
        assertEquals(e, c.localCloseError());
        assertTrue(c.isInClosingPeriod());
        assertFalse(c.isInDrainingPeriod());
        assertEquals(ConnectionState.CLOSING, c.state());
        assertEquals(c.pto().multipliedBy(3), c.closingPeriod());
        assertTrue(c.closingPeriod().compareTo(Duration.ZERO) > 0);
        assertThrows(IllegalStateException.class, () -> c.writePacket(null, null, ByteBuffer.allocate(1500), T0 + 2));
        byte[] peerClose = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.SERVER_1RTT_SECRET, CLIENT_SCID,
                0, Hex.decode("1c000000"));
        assertEquals(ReceiveStatus.CLOSING, c.receive(ByteBuffer.wrap(peerClose), CLIENT_PATH, T0 + 3));
        assertEquals(ConnectionState.CLOSING, c.state());
        for (CloseError again : new CloseError[] {CloseError.transport(1), CloseError.application(2),
                CloseError.retry()}) {
            PathInfo path = new PathInfo();
            PacketInfo pi = new PacketInfo();
            ByteBuffer dest = ByteBuffer.allocate(1500);
            assertEquals(CloseOutcome.NOTHING_TO_WRITE, c.writeConnectionClose(path, pi, dest, again, T0 + 4));
            assertEquals(0, dest.position());
            assertNull(path.path(), "path not filled for the 'returns 0' cases (§1.5)");
            assertNull(pi.ecn());
        }
        assertEquals(e, c.localCloseError());
    }

    /** §5.2: DRAINING, a zero-length datagram is dropped (the pre-check), any other datagram answers DRAINING. */
    @Test
    void aDrainingConnectionAnswersEmptyAndOtherDatagrams() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        byte[] dg = ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.SERVER_1RTT_SECRET, CLIENT_SCID, 1,
                Hex.decode("1c000000"));
        assertEquals(ReceiveStatus.DRAINING, c.receive(ByteBuffer.wrap(dg), CLIENT_PATH, T0));
        assertEquals(ReceiveStatus.DROPPED, c.receive(ByteBuffer.allocate(0), CLIENT_PATH, T0));
        assertEquals(ReceiveStatus.DRAINING, c.receive(ByteBuffer.wrap(new byte[50]), CLIENT_PATH, T0));
        assertNull(c.localCloseError());
        assertEquals(CloseOutcome.NOTHING_TO_WRITE, tryClose(c, CloseError.application(1), 1500));
        assertNull(c.localCloseError());
        assertEquals(ConnectionState.DRAINING, c.state());
    }

    /** §1.2 step 10 / §1.3: a failed (NOBUF) close changes nothing, and the server path stays where it was. */
    @Test
    void aNobufCloseOfAServerLeavesItsStateAndCounters() throws Exception {
        QuicConnection s = ConnectionFixtures.serverAllKeys(NULL);
        long sent = s.packetsSent();
        long bytes = s.bytesSent();
        long pathSent = s.pathBytesSent();
        ConnectionState before = s.state();
        assertEquals(CloseOutcome.NOBUF_BUFFER_TOO_SMALL, tryClose(s, CloseError.transport(0), 38));
        assertEquals(before, s.state());
        assertEquals(sent, s.packetsSent());
        assertEquals(bytes, s.bytesSent());
        assertEquals(pathSent, s.pathBytesSent());
        assertNull(s.localCloseError());
        for (EncryptionLevel level : new EncryptionLevel[] {EncryptionLevel.INITIAL, EncryptionLevel.HANDSHAKE,
                EncryptionLevel.ONE_RTT}) {
            assertEquals(0, s.nextPacketNumber(level), level.toString());
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // more partial fits and CID lengths

    /**
     * §3.2 + §2.1 application close: a budget of 40 fits the unconfirmed server's 1-RTT packet but neither long-header
     * packet; the transport close writes the 1-RTT packet alone, the application close is NOBUF (its I/H part's NOBUF
     * propagates) and, the buffer being large enough, the budget is blamed (project decision 4).
     */
    @Test
    void aBudgetForTheOneRttPacketOnly() throws Exception {
        QuicConnection t = ConnectionFixtures.serverAllKeys(NULL);
        t.setPathBytesForTesting(14, 2);
        assertEquals(40, t.amplificationBudget());
        Written w = close(t, CloseError.transport(0), 1500, Side.SERVER);
        assertForms(w, PacketForm.ONE_RTT);
        assertEquals(ONE_RTT, w.length());
        QuicConnection a = ConnectionFixtures.serverAllKeys(NULL);
        a.setPathBytesForTesting(14, 2);
        assertEquals(CloseOutcome.NOBUF_AMPLIFICATION_LIMIT, tryClose(a, CloseError.application(0), 1500));
        assertEquals(0, a.nextPacketNumber(EncryptionLevel.ONE_RTT));
    }

    /**
     * §3.3 rule 2 uses the LOCAL SCID length (+22), not the remote DCID's (v0.12.1): a confirmed client with a
     * zero-length SCID and an 8-byte DCID writes its {@code 1d 00 00} close in 29 bytes (= pn offset 9 + 20), and its
     * {@code 1c 00 00 00} close in 30, with no PADDING.
     */
    @Test
    void aZeroLengthLocalScidGivesTheHeaderProtectionMinimumOnly() throws Exception {
        Written a = close(CloseWriterUpstreamTest.confirmedClientWithCids("0102030405060708", ""),
                CloseError.application(0), 1500, Side.CLIENT);
        assertForms(a, PacketForm.ONE_RTT);
        assertEquals("40" + "0102030405060708" + "00" + "1d0000" + "00".repeat(16), ConnectionFixtures.hex(a.datagram()));
        Written t = close(CloseWriterUpstreamTest.confirmedClientWithCids("0102030405060708", ""),
                CloseError.transport(0), 1500, Side.CLIENT);
        assertEquals("40" + "0102030405060708" + "00" + "1c000000" + "00".repeat(16),
                ConnectionFixtures.hex(t.datagram()));
    }

    /**
     * §2.4 / §4.2: a client that learned the server's 8-byte SCID closes its Initial to that DCID, padded to exactly
     * 1200 bytes: header 1+4+1+8+1+18+1+4+1 = 39, Length 0x80000000|1162 (pn 1 + 1145 payload + 16).
     */
    @Test
    void aClientInitialToTheServersScidIsPaddedToExactly1200() throws Exception {
        dev.quicj.core.ConnectionId serverScid = dev.quicj.core.ConnectionId.fromHex("f067a5502a4262b5");
        QuicConnection c = ConnectionFixtures.clientAfterServerInitial(NULL, serverScid, "01");
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, dest, CloseError.transport(0), T0 + 1));
        assertEquals(1200, dest.position());
        dest.flip();
        String hex = ConnectionFixtures.hex(dest);
        assertEquals("c0" + "00000001" + "08" + "f067a5502a4262b5" + "12" + CLIENT_SCID.toHex() + "00" + "8000048a"
                + "01" + "1c000000", hex.substring(0, 2 * (39 + 4)));
        assertEquals("00".repeat(1200 - 39 - 4), hex.substring(2 * (39 + 4)));
    }

    /**
     * §2.3 / §3.4: a server whose Initial space was discarded (it processed the client's Handshake packet) and has no
     * 1-RTT key writes one Handshake packet: 68 bytes fit, 67 is NOBUF (not the amplification NOBUF: validated).
     */
    @Test
    void aServerHandshakeOnlyCloseAtItsBufferBoundary() throws Exception {
        for (int size : new int[] {HANDSHAKE, HANDSHAKE - 1}) {
            QuicConnection s = ConnectionFixtures.serverWithHandshakeKeys(NULL);
            byte[] hs = ConnectionFixtures.peerLongPacket(
                    ConnectionFixtures.peerProtection(NULL, ConnectionFixtures.CLIENT_HANDSHAKE_SECRET),
                    dev.quicj.core.LongPacketType.HANDSHAKE, ConnectionFixtures.SERVER_SCID, CLIENT_SCID, 0,
                    Hex.decode("01"), 0);
            assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(hs), SERVER_PATH, T0));
            assertFalse(s.hasTxKey(EncryptionLevel.INITIAL));
            if (size == HANDSHAKE) {
                Written w = close(s, CloseError.application(3, "x"), size, Side.SERVER);
                assertForms(w, PacketForm.HANDSHAKE);
                assertApplicationErrorReplacement(w.packets().get(0));
                assertEquals(HANDSHAKE, w.length());
            } else {
                assertEquals(CloseOutcome.NOBUF_BUFFER_TOO_SMALL, tryClose(s, CloseError.application(3, "x"), size));
            }
        }
    }

    /**
     * §4.1: every varint is minimal; at each length boundary of the error code, the frame type (project decision 2)
     * and the reason length, a confirmed client's 1-RTT close grows by exactly the extra varint bytes (base 40 =
     * 1 + DCID 18 + pn 1 + {@code 1c 00 00 00} + 16), and a buffer one byte short of it is NOBUF.
     */
    @Test
    void varintBoundariesGiveExactSizes() throws Exception {
        long[] values = {63, 64, 16383, 16384, (1L << 30) - 1, 1L << 30, MAX_PN};
        int[] extra = {0, 1, 1, 3, 3, 7, 7};
        for (int i = 0; i < values.length; i++) {
            long v = values[i];
            int expected = ONE_RTT + extra[i];
            CloseError[] errors = {CloseError.transport(v), CloseError.transport(0, v, (byte[]) null)};
            for (CloseError e : errors) {
                Written w = close(ConnectionFixtures.clientConfirmed(NULL), e, 1500, Side.CLIENT);
                assertForms(w, PacketForm.ONE_RTT);
                assertEquals(expected, w.length(), e.toString());
                assertEquals(0, padding(w.packets().get(0)), e.toString());
                assertEquals(CloseOutcome.NOBUF_BUFFER_TOO_SMALL,
                        tryClose(ConnectionFixtures.clientConfirmed(NULL), e, expected - 1), e.toString());
            }
            // 1d code 00: 39 + extra, padded to 40
            Written a = close(ConnectionFixtures.clientConfirmed(NULL), CloseError.application(v), 1500, Side.CLIENT);
            assertEquals(Math.max(ONE_RTT, 39 + extra[i]), a.length(), "application " + v);
        }
        // reason length 63 (1-byte varint) and 64 (2 bytes)
        assertEquals(ONE_RTT + 63, close(ConnectionFixtures.clientConfirmed(NULL),
                CloseError.transport(0, 0, new byte[63]), 1500, Side.CLIENT).length());
        assertEquals(ONE_RTT + 65, close(ConnectionFixtures.clientConfirmed(NULL),
                CloseError.transport(0, 0, new byte[64]), 1500, Side.CLIENT).length());
        assertEquals(CloseOutcome.NOBUF_BUFFER_TOO_SMALL,
                tryClose(ConnectionFixtures.clientConfirmed(NULL), CloseError.transport(0, 0, new byte[64]), 104));
    }

    /**
     * §1.2 order with the README's AEAD check (after the state, before the out-parameters): a CLOSING connection at
     * the confidentiality limit answers NOTHING_TO_WRITE; an exhausted one PKT_NUM_EXHAUSTED.
     */
    @Test
    void theAeadLimitComesAfterExhaustionAndTheState() throws Exception {
        QuicConnection closing = ConnectionFixtures.clientConfirmed(NULL);
        assertEquals(CloseOutcome.WRITTEN, tryClose(closing, CloseError.transport(0), 1500));
        QuicConnection exhausted = ConnectionFixtures.clientConfirmed(NULL);
        exhausted.setLastSentPacketNumberForTesting(EncryptionLevel.ONE_RTT, MAX_PN);
        exhausted.setSealedPacketsForTesting(EncryptionLevel.ONE_RTT, 1L << 23);
        assertEquals(CloseOutcome.PKT_NUM_EXHAUSTED, tryClose(exhausted, CloseError.transport(0), 1500));
        QuicConnection limited = ConnectionFixtures.clientConfirmed(NULL);
        limited.setSealedPacketsForTesting(EncryptionLevel.ONE_RTT, 1L << 23);
        assertEquals(CloseOutcome.AEAD_LIMIT_REACHED, tryClose(limited, CloseError.transport(0), 1500));
        assertEquals(CloseOutcome.NOTHING_TO_WRITE, tryClose(limited, CloseError.idleClose(), 1500));
    }

    /** §3.1 step 1: a peer max_udp_payload_size below 1200 is a transport parameter error (RFC 9000 §18.2). */
    @Test
    void aPeerMaxUdpPayloadSizeBelow1200IsRefused() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        Throwable t = assertThrows(Throwable.class, () -> {
            TransportParameters tp = TransportParameters.builder().maxUdpPayloadSize(1199).build();
            c.checkPeerTransportParameters(tp);
            c.setPeerTransportParameters(tp);
        });
        assertTrue(t instanceof IllegalArgumentException || t instanceof dev.quicj.core.QuicException, t.toString());
    }
}
