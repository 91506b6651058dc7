package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_SCID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.crypto.InitialSecrets;
import dev.quicj.core.crypto.PacketProtection;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * RTT samples (RFC 9002 §5.1) on any clock, the bounds that keep the PTO, the closing period and the idle timeout
 * from overflowing, and argument checks of the connection API (found by an audit).
 */
class RttSampleAndApiContractTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();
    private static final long MS = 1_000_000L;

    private static byte[] serverInitialPacket(long pn, String framesHex) throws Exception {
        PacketProtection p = ConnectionFixtures.peerProtection(NULL,
                InitialSecrets.serverSecret(QuicVersion.V1, CLIENT_ODCID.toByteArray()));
        return ConnectionFixtures.peerLongPacket(p, LongPacketType.INITIAL, CLIENT_SCID, SERVER_SCID, pn,
                Hex.decode(framesHex), 0);
    }

    /** A client that sent its first Initial (packet 0) at {@code t}. */
    private static QuicConnection clientAfterFirstInitial(Settings settings, long t) throws Exception {
        QuicConnection c = ConnectionFixtures.clientBuilder(settings).build(t);
        c.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        assertEquals(1200, c.writePacket(null, null, ByteBuffer.allocate(1500), t));
        return c;
    }

    @Test
    void anRttSampleIsTakenWhateverTheClocksSign() throws Exception {
        // System.nanoTime() may be negative: "not remembered" must not be a time value
        for (long t : new long[] {-10_000_000_000L, -50 * MS, 0, 1_000_000_000L}) {
            QuicConnection c = clientAfterFirstInitial(NULL, t);
            // ACK of packet 0
            assertEquals(ReceiveStatus.PROCESSED,
                    c.receive(ByteBuffer.wrap(serverInitialPacket(0, "0200000000")), CLIENT_PATH, t + 50 * MS));
            assertEquals(50 * MS, c.smoothedRtt().toNanos(), "clock at " + t);
        }
    }

    @Test
    void anAckWhoseLargestIsAnAckOnlyPacketGivesASampleWhenItAlsoAcknowledgesAnAckElicitingOne() throws Exception {
        long t = 1_000_000_000L;
        QuicConnection c = clientAfterFirstInitial(NULL, t);
        // the server's PING makes the client send an ACK-only packet 1 at t + 10 ms
        assertEquals(ReceiveStatus.PROCESSED,
                c.receive(ByteBuffer.wrap(serverInitialPacket(0, "01")), CLIENT_PATH, t + 5 * MS));
        assertTrue(c.writePacket(null, null, ByteBuffer.allocate(1500), t + 10 * MS) > 0);
        assertEquals(2, c.nextPacketNumber(EncryptionLevel.INITIAL));
        // ACK of 0..1 at t + 60 ms: 1 is the largest (sent at t + 10 ms), 0 was ack-eliciting
        assertEquals(ReceiveStatus.PROCESSED,
                c.receive(ByteBuffer.wrap(serverInitialPacket(1, "0201000001")), CLIENT_PATH, t + 60 * MS));
        assertEquals(1, c.largestAcknowledged(EncryptionLevel.INITIAL));
        assertEquals(50 * MS, c.smoothedRtt().toNanos(), "from the largest's send time");
    }

    @Test
    void anAckWhoseLargestIsAnUnpaddedAckOnlyPacketGivesASampleWhenItAlsoAcknowledgesAnAckElicitingOne()
            throws Exception {
        // RFC 9002 §5.1: a sample when the largest acknowledged is newly acknowledged and at least one newly
        // acknowledged packet was ack-eliciting, latest_rtt from the largest's send time (Appendix A.7 records every
        // sent packet, ACK-only ones too). libngtcp2 takes none here (it keeps no record of an ACK-only packet
        // without padding; Libngtcp2RttVectorsTest asserts that difference): this core deliberately follows the RFC
        long t = 1_000_000_000L;
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        sendOneRtt(c, t);
        assertEquals(1, c.nextPacketNumber(EncryptionLevel.ONE_RTT));
        // the server's PING: the client answers with ACK-only packet 1 at t + 10 ms, 1 + 18 + 1 + 6 + 16 bytes, more
        // than its minimum (its 18-byte SCID + 22), so not padded
        assertEquals(ReceiveStatus.PROCESSED, c.receive(serverShortPacket(c, 1, "01"), CLIENT_PATH, t + 5 * MS));
        assertEquals(1 + 18 + 1 + 6 + 16, c.writePacket(null, null, ByteBuffer.allocate(1500), t + 10 * MS));
        assertEquals(2, c.nextPacketNumber(EncryptionLevel.ONE_RTT));
        // ACK of 0..1 at t + 60 ms (ACK Delay 0): the ack-eliciting packet 0 is newly acknowledged, the largest is 1
        assertEquals(ReceiveStatus.PROCESSED, c.receive(serverShortPacket(c, 2, "0201000001"), CLIENT_PATH,
                t + 60 * MS));
        assertEquals(1, c.largestAcknowledged(EncryptionLevel.ONE_RTT));
        assertTrue(c.rtt.hasSample(), "a sample");
        assertEquals(50 * MS, c.rtt.latestRtt(), "from the ACK-only largest's send time, t + 10 ms");
        assertEquals(50 * MS, c.smoothedRtt().toNanos());
    }

    @Test
    void anAckOfOnlyAckOnlyPacketsGivesNoSample() throws Exception {
        long t = 1_000_000_000L;
        QuicConnection c = clientAfterFirstInitial(NULL, t);
        // ACK of 0 (a sample of 20 ms) with a PING: the client answers with ACK-only packet 1
        assertEquals(ReceiveStatus.PROCESSED,
                c.receive(ByteBuffer.wrap(serverInitialPacket(0, "020000000001")), CLIENT_PATH, t + 20 * MS));
        assertEquals(20 * MS, c.smoothedRtt().toNanos());
        assertTrue(c.writePacket(null, null, ByteBuffer.allocate(1500), t + 30 * MS) > 0);
        // ACK of 1 alone, 500 ms later: newly acknowledged, but not ack-eliciting (RFC 9002 §5.1)
        assertEquals(ReceiveStatus.PROCESSED,
                c.receive(ByteBuffer.wrap(serverInitialPacket(1, "0201000000")), CLIENT_PATH, t + 530 * MS));
        assertEquals(1, c.largestAcknowledged(EncryptionLevel.INITIAL));
        assertEquals(20 * MS, c.smoothedRtt().toNanos(), "no sample from an ACK-only packet");
    }

    @Test
    void theInitialRttIsBoundedSoThatThreePtosCannotOverflow() throws Exception {
        Settings.Builder b = Settings.builder();
        assertThrows(IllegalArgumentException.class, () -> b.initialRtt(Duration.ofDays(400L * 365)));
        assertThrows(IllegalArgumentException.class, () -> b.initialRtt(Settings.MAX_RTT.plusNanos(1)));
        assertThrows(IllegalArgumentException.class, () -> b.initialRtt(Duration.ZERO));
        Settings longest = NULL.toBuilder().initialRtt(Settings.MAX_RTT).maxIdleTimeout(Duration.ofSeconds(30))
                .build();
        QuicConnection c = ConnectionFixtures.clientBuilder(longest).build(0);
        Duration pto = c.pto();
        assertFalse(pto.isNegative());
        assertEquals(pto.multipliedBy(3), c.closingPeriod());
        assertEquals(pto.multipliedBy(3).toNanos(), c.idleTimeoutNanos(), "at least 3 PTO (RFC 9000 §10.1)");
    }

    @Test
    void aHugeRttSampleIsBoundedSoThatThreePtosCannotOverflow() throws Exception {
        QuicConnection c = clientAfterFirstInitial(NULL, 0);
        long ackTime = 1L << 61;
        assertEquals(ReceiveStatus.PROCESSED,
                c.receive(ByteBuffer.wrap(serverInitialPacket(0, "0200000000")), CLIENT_PATH, ackTime));
        assertEquals(Settings.MAX_RTT, c.smoothedRtt());
        Duration pto = c.pto();
        assertFalse(pto.isNegative());
        assertEquals(pto.multipliedBy(3), c.closingPeriod());
        assertTrue(c.idleTimeoutNanos() >= pto.multipliedBy(3).toNanos() || c.idleTimeoutNanos() == 0);
    }

    @Test
    void aServerRefusesAnOriginalDcidShorterThanEightBytes() {
        QuicConnection.ServerBuilder b = ConnectionFixtures.serverBuilder(NULL);
        // RFC 9000 §7.2: an Initial with a shorter DCID is dropped, so such a connection could never start
        assertThrows(IllegalArgumentException.class,
                () -> b.originalDestinationConnectionId(ConnectionId.fromHex("01020304")));
        b.originalDestinationConnectionId(ConnectionId.fromHex("0102030405060708"));
    }

    @Test
    void writesIntoAReadOnlyBufferAreRefusedBeforeAnythingChanges() throws Exception {
        QuicConnection c = ConnectionFixtures.freshClient(NULL);
        c.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        ByteBuffer ro = ByteBuffer.allocate(1500).asReadOnlyBuffer();
        assertThrows(IllegalArgumentException.class, () -> c.writePacket(null, null, ro, ConnectionFixtures.T0));
        assertEquals(0, c.nextPacketNumber(EncryptionLevel.INITIAL));
        assertEquals(ConnectionState.CLIENT_INITIAL, c.state());
        assertEquals(1200, c.writePacket(null, null, ByteBuffer.allocate(1500), ConnectionFixtures.T0));
        assertThrows(IllegalArgumentException.class, () -> c.writeConnectionClose(null, null, ro,
                CloseError.noError(), ConnectionFixtures.T0));
        assertEquals(ConnectionState.CLIENT_WAIT_HANDSHAKE, c.state());
        assertEquals(1, c.nextPacketNumber(EncryptionLevel.INITIAL));
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, ByteBuffer.allocate(1500),
                CloseError.noError(), ConnectionFixtures.T0));
    }

    @Test
    void aServersAckOnlyInitialIsNotPaddedAndAnAckElicitingOneIs() throws Exception {
        // RFC 9000 §14.1: a server pads datagrams with ack-eliciting Initial packets
        QuicConnection s = ConnectionFixtures.server(NULL);
        int ackOnly = s.writePacket(null, null, ByteBuffer.allocate(1500), ConnectionFixtures.T0);
        assertTrue(ackOnly > 0 && ackOnly < 1200, ackOnly + " bytes");
        s.submitCryptoData(EncryptionLevel.INITIAL, new byte[] {2, 0, 0, 0});
        assertTrue(s.writePacket(null, null, ByteBuffer.allocate(1500), ConnectionFixtures.T0) >= 1200);
    }

    /** A 1-RTT packet of the server to {@code c} with the given frames. */
    private static ByteBuffer serverShortPacket(QuicConnection c, long pn, String framesHex) throws Exception {
        return ByteBuffer.wrap(ConnectionFixtures.peerShortPacket(NULL, ConnectionFixtures.SERVER_1RTT_SECRET,
                c.sourceConnectionId(), pn, Hex.decode(framesHex)));
    }

    /** {@code c} sends one ack-eliciting 1-RTT packet (CRYPTO data) at {@code t}. */
    private static void sendOneRtt(QuicConnection c, long t) throws Exception {
        c.submitCryptoData(EncryptionLevel.ONE_RTT, new byte[] {4, 0, 0, 0});
        assertTrue(c.writePacket(null, null, ByteBuffer.allocate(1500), t) > 0);
    }

    @Test
    void beforeConfirmationASampleTheAckDelayWouldTakeBelowMinRttIsIgnored() throws Exception {
        // RFC 9002 §5.3: "prior to handshake confirmation, an endpoint MAY ignore RTT samples if adjusting the RTT
        // sample for acknowledgment delay causes the sample to be less than the min_rtt"; ngtcp2 does (libngtcp2
        // 0.12.1 measured by Libngtcp2RttVectorsTest), and so does this core
        long t = 1_000_000_000L;
        QuicConnection c = ConnectionFixtures.clientPostHandshake(NULL);
        assertFalse(c.isHandshakeConfirmed());
        sendOneRtt(c, t);
        // ACK of packet 0 at t + 30 ms: the first sample, 30 ms
        assertEquals(ReceiveStatus.PROCESSED, c.receive(serverShortPacket(c, 0, "0200000000"), CLIENT_PATH,
                t + 30 * MS));
        assertEquals(30 * MS, c.smoothedRtt().toNanos());
        // packet 1 at t + 40 ms, acknowledged at t + 80 ms with an ACK Delay of 20 ms (2500 x 8 us): 40 ms less
        // 20 ms would be below min_rtt (30 ms), so the sample is ignored, not taken unadjusted
        sendOneRtt(c, t + 40 * MS);
        assertEquals(ReceiveStatus.PROCESSED, c.receive(serverShortPacket(c, 1, "020149c40000"), CLIENT_PATH,
                t + 80 * MS));
        assertEquals(1, c.largestAcknowledged(EncryptionLevel.ONE_RTT));
        assertEquals(30 * MS, c.smoothedRtt().toNanos(), "ignored");
        assertEquals(30 * MS, c.rtt.latestRtt(), "latest_rtt unchanged");
        // packet 2 at t + 100 ms, acknowledged at t + 177.5 ms with an ACK Delay of 37.5 ms (4687 x 8 us = 37.496
        // ms, above the default max_ack_delay of 25 ms, which does not apply before confirmation): 40.004 ms
        sendOneRtt(c, t + 100 * MS);
        assertEquals(ReceiveStatus.PROCESSED, c.receive(serverShortPacket(c, 2, "0202524f0000"), CLIENT_PATH,
                t + 177_500_000L));
        assertEquals(77_500_000L, c.rtt.latestRtt());
        assertEquals((7 * 30 * MS + 40_004_000L) / 8, c.smoothedRtt().toNanos());
    }
}
