package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.tls.TransportParameters;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * close-spec §5.3: the closing and draining periods last three PTOs, PTO = smoothed_rtt + max(4 * rttvar, 1 ms) +
 * max_ack_delay, with the peer's max_ack_delay only once the TLS handshake completed (before that the Handshake
 * space's PTO, max_ack_delay 0). Absolute values, so that a PTO formula that drifts (granularity dropped, the peer's
 * max_ack_delay counted too early or never) fails here; before any RTT sample, smoothed_rtt is the initial RTT and
 * rttvar half of it (RFC 9002 §6.2.2).
 */
class ClosingPeriodDurationTest {
    private static final Duration PEER_MAX_ACK_DELAY = Duration.ofMillis(25);
    private static final CloseError NO_ERROR = CloseError.transport(TransportErrorCode.NO_ERROR);

    private static Settings withInitialRtt(Duration rtt) {
        return ConnectionFixtures.nullCrypto().toBuilder().initialRtt(rtt).build();
    }

    private static void setPeerMaxAckDelay(QuicConnection c) {
        c.setPeerTransportParameters(TransportParameters.builder()
                .maxAckDelayMillis(PEER_MAX_ACK_DELAY.toMillis()).build());
    }

    private static void close(QuicConnection c) {
        assertEquals(CloseOutcome.WRITTEN,
                c.writeConnectionClose(null, null, ByteBuffer.allocate(1500), NO_ERROR, T0 + 1));
    }

    @Test
    void withTheDefaultInitialRttThePtoIsThreeInitialRtts() throws Exception {
        QuicConnection c = ConnectionFixtures.client(ConnectionFixtures.nullCrypto());
        Duration rtt = Settings.defaults().initialRtt();
        // 333 ms + 4 * 166.5 ms
        assertEquals(rtt.multipliedBy(3), c.pto());
        assertEquals(rtt.multipliedBy(9), c.closingPeriod());
    }

    @Test
    void theGranularityBoundsTheVarianceTermFromBelow() throws Exception {
        Duration rtt = Duration.ofNanos(100_000);
        QuicConnection c = ConnectionFixtures.client(withInitialRtt(rtt));
        // 4 * 50 us < 1 ms: the 1 ms granularity counts instead
        Duration pto = rtt.plusMillis(1);
        assertEquals(pto, c.pto());
        close(c);
        assertEquals(ConnectionState.CLOSING, c.state());
        assertEquals(pto.multipliedBy(3), c.closingPeriod(), "the closed connection keeps what its PTO needs");
    }

    @Test
    void thePeersMaxAckDelayCountsOnlyOnceTheHandshakeCompleted() throws Exception {
        Duration rtt = Duration.ofNanos(100_000);
        QuicConnection handshaking = ConnectionFixtures.clientWithHandshakeKeys(withInitialRtt(rtt));
        setPeerMaxAckDelay(handshaking);
        assertEquals(rtt.plusMillis(1), handshaking.pto(), "the Handshake space's PTO: max_ack_delay 0");

        QuicConnection completed = ConnectionFixtures.clientPostHandshake(withInitialRtt(rtt));
        setPeerMaxAckDelay(completed);
        Duration pto = rtt.plusMillis(1).plus(PEER_MAX_ACK_DELAY);
        assertEquals(pto, completed.pto());
        close(completed);
        assertEquals(pto.multipliedBy(3), completed.closingPeriod());
    }
}
