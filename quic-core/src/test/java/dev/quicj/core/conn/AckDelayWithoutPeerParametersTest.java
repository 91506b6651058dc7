package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static dev.quicj.core.conn.ConnectionFixtures.peerShortPacket;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * RFC 9002 §5.3: after the handshake is confirmed an endpoint "MUST use the lesser of the acknowledgment delay and the
 * peer's max_ack_delay"; RFC 9000 §18.2: max_ack_delay "If this value is absent, a default of 25 milliseconds is
 * assumed." A confirmed connection whose peer parameters were not given caps the ACK Delay at 25 ms, as it already
 * takes the default ack_delay_exponent (3). (The PTO keeps ngtcp2's 0 without the peer's parameters, close-spec §5.3.)
 */
class AckDelayWithoutPeerParametersTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();
    private static final long MS = 1_000_000L;

    @Test
    void aConfirmedConnectionCapsTheAckDelayAtTheDefaultMaxAckDelay() throws Exception {
        QuicConnection s = ConnectionFixtures.serverConfirmed(NULL);
        assertNull(s.peerTransportParameters());
        long t = T0 + 1000 * MS;
        // 1-RTT packet 0 (HANDSHAKE_DONE), acknowledged 100 ms later: first sample, 100 ms
        assertTrue(s.writePacket(null, null, ByteBuffer.allocate(1500), t) > 0);
        byte[] ack0 = peerShortPacket(NULL, CLIENT_1RTT_SECRET, s.sourceConnectionId(), 0,
                Hex.decode("0200000000"));
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(ack0), SERVER_PATH, t + 100 * MS));
        assertEquals(Duration.ofMillis(100), s.smoothedRtt());
        // 1-RTT packet 1 (CRYPTO), acknowledged 400 ms later with ACK Delay 300 ms (300000 us >> 3 = 37500)
        s.submitCryptoData(EncryptionLevel.ONE_RTT, new byte[] {4, 0, 0, 0});
        assertTrue(s.writePacket(null, null, ByteBuffer.allocate(1500), t + 200 * MS) > 0);
        byte[] ack1 = peerShortPacket(NULL, CLIENT_1RTT_SECRET, s.sourceConnectionId(), 1,
                Hex.decode("0201" + "8000927c" + "0000"));
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(ack1), SERVER_PATH, t + 600 * MS));
        // ack_delay = min(300, 25) = 25 ms; adjusted = 400 - 25 = 375 ms; smoothed = 7/8 * 100 + 1/8 * 375
        assertEquals(Duration.ofNanos(134_375_000), s.smoothedRtt(),
                "an uncapped 300 ms ACK Delay would give 100 ms");
    }
}
