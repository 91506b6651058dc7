package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.crypto.InitialSecrets;
import dev.quicj.core.tls.TransportParameters;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The idle timeout (RFC 9000 §10.1): which value is in force, and what restarts the timer. The timer is read, never
 * acted on, by quic-core: closing an idle connection silently is the caller's job ({@link CloseError#idleClose()}).
 */
class IdleTimeoutTest {
    private static final long SECOND = 1_000_000_000L;

    private static Settings idle(Duration timeout) {
        return ConnectionFixtures.nullCrypto().toBuilder().maxIdleTimeout(timeout).build();
    }

    private static TransportParameters peerIdle(long millis) {
        return TransportParameters.builder().maxIdleTimeoutMillis(millis).build();
    }

    /** A server Initial with the given frames to the fixture client, protected with the public Initial keys. */
    private static ByteBuffer serverInitial(long pn, String framesHex) throws Exception {
        Settings s = ConnectionFixtures.nullCrypto();
        byte[] dg = ConnectionFixtures.peerLongPacket(
                ConnectionFixtures.peerProtection(s, InitialSecrets.serverSecret(QuicVersion.V1,
                        CLIENT_ODCID.toByteArray())),
                LongPacketType.INITIAL, CLIENT_SCID, SERVER_SCID, pn, Hex.decode(framesHex), 0);
        return ByteBuffer.wrap(dg);
    }

    @Test
    void withoutATimeoutOnEitherSideTheConnectionNeverIdlesOut() throws Exception {
        QuicConnection c = ConnectionFixtures.clientPostHandshake(ConnectionFixtures.nullCrypto());
        assertEquals(Duration.ZERO, Settings.defaults().maxIdleTimeout());
        assertEquals(Duration.ZERO, c.idleTimeout());
        assertFalse(c.isIdleTimeoutExpired(T0 + 1_000_000 * SECOND));
        c.setPeerTransportParameters(peerIdle(0));
        assertEquals(Duration.ZERO, c.idleTimeout());
    }

    /** Once the handshake completed (before, this endpoint's alone: see the next test). */
    @Test
    void theTimeoutIsTheSmallerNonZeroOfBothEndpoints() throws Exception {
        QuicConnection localOnly = ConnectionFixtures.clientPostHandshake(idle(Duration.ofSeconds(30)));
        assertEquals(Duration.ofSeconds(30), localOnly.idleTimeout());
        localOnly.setPeerTransportParameters(peerIdle(0));
        assertEquals(Duration.ofSeconds(30), localOnly.idleTimeout(), "a peer's zero means none, not zero seconds");

        QuicConnection peerOnly = ConnectionFixtures.clientPostHandshake(ConnectionFixtures.nullCrypto());
        peerOnly.setPeerTransportParameters(peerIdle(10_000));
        assertEquals(Duration.ofSeconds(10), peerOnly.idleTimeout());

        QuicConnection both = ConnectionFixtures.clientPostHandshake(idle(Duration.ofSeconds(30)));
        both.setPeerTransportParameters(peerIdle(10_000));
        assertEquals(Duration.ofSeconds(10), both.idleTimeout());
        QuicConnection bothLocalSmaller = ConnectionFixtures.clientPostHandshake(idle(Duration.ofSeconds(5)));
        bothLocalSmaller.setPeerTransportParameters(peerIdle(10_000));
        assertEquals(Duration.ofSeconds(5), bothLocalSmaller.idleTimeout());
    }

    /**
     * The peer's max_idle_timeout counts only once the handshake completed ({@link QuicConnection#handshakeCompleted}),
     * as in libngtcp2 0.12.1: before, this endpoint's alone is in force, even when it is none and the peer's parameters
     * are known (RFC 9001 §8.2: their value "is not authenticated until the handshake completes"). Measured with a
     * throwaway C program modelled on benchmarks/ngtcp2/ngtcp2-close-vectors.c (client and server ngtcp2_conn pairs,
     * keys installed by hand, every step at T0, ngtcp2_conn_handle_expiry probed in a forked child for the first
     * timestamp returning NGTCP2_ERR_IDLE_CLOSE): local 30 s / peer 10 s gave T0 + 30 000 ms on the server after it
     * read the client's Initial and decoded its transport parameters, with Handshake and 1-RTT keys of both
     * directions, and T0 + 10 000 ms from ngtcp2_conn_handshake_completed on (confirmed included); on the client
     * T0 + 30 000 ms after it decoded the server's parameters and installed its 1-RTT keys, T0 + 10 000 ms from
     * ngtcp2_conn_handshake_completed (before its Finished was even written) through HANDSHAKE_DONE. Local 0 / peer
     * 10 s (server; client: peer 30 s): no idle expiry at all before completion, T0 + 10 000 ms (30 000 ms) after.
     * Local 10 s / peer 30 s: T0 + 10 000 ms throughout, on both.
     */
    @Test
    void thePeersTimeoutCountsOnlyOnceTheHandshakeCompleted() throws Exception {
        QuicConnection client = ConnectionFixtures.clientWithOneRttKeys(idle(Duration.ofSeconds(30)));
        client.setPeerTransportParameters(peerIdle(10_000));
        assertEquals(Duration.ofSeconds(30), client.idleTimeout(), "the peer's parameters are known, not in force");
        assertFalse(client.isIdleTimeoutExpired(T0 + 10 * SECOND));
        client.handshakeCompleted();
        assertEquals(Duration.ofSeconds(10), client.idleTimeout(), "completed (POST_HANDSHAKE), not yet confirmed");
        assertTrue(client.isIdleTimeoutExpired(T0 + 10 * SECOND));

        QuicConnection server = ConnectionFixtures.serverAllKeys(idle(Duration.ofSeconds(30)));
        server.setPeerTransportParameters(peerIdle(10_000));
        assertEquals(Duration.ofSeconds(30), server.idleTimeout(), "1-RTT keys of both directions are not enough");
        server.handshakeCompleted();
        assertEquals(Duration.ofSeconds(10), server.idleTimeout());

        QuicConnection localNone = ConnectionFixtures.clientWithOneRttKeys(ConnectionFixtures.nullCrypto());
        localNone.setPeerTransportParameters(peerIdle(10_000));
        assertEquals(Duration.ZERO, localNone.idleTimeout(), "no local timeout: none until the handshake completed");
        assertFalse(localNone.isIdleTimeoutExpired(T0 + 1_000 * SECOND));
        localNone.handshakeCompleted();
        assertEquals(Duration.ofSeconds(10), localNone.idleTimeout());

        QuicConnection localSmaller = ConnectionFixtures.serverAllKeys(idle(Duration.ofSeconds(10)));
        localSmaller.setPeerTransportParameters(peerIdle(30_000));
        assertEquals(Duration.ofSeconds(10), localSmaller.idleTimeout());
        localSmaller.handshakeCompleted();
        assertEquals(Duration.ofSeconds(10), localSmaller.idleTimeout());
    }

    /**
     * The 3 x PTO floor (RFC 9000 §10.1 MUST) is taken with the current PTO, which counts the peer's max_ack_delay once
     * the handshake completed: libngtcp2 0.12.1, measured as above with 1 s on both sides, gave a server T0 + 2 997 ms
     * (3 x 999) before ngtcp2_conn_handshake_completed and T0 + 3 072 ms (3 x (999 + 25), ngtcp2_conn_get_pto 1 024 ms)
     * right after it, before any RTT sample.
     */
    @Test
    void theThreePtoFloorCountsThePeersMaxAckDelayOnceTheHandshakeCompleted() throws Exception {
        QuicConnection server = ConnectionFixtures.serverAllKeys(idle(Duration.ofSeconds(1)));
        server.setPeerTransportParameters(peerIdle(1_000));
        assertEquals(Duration.ofMillis(2997), server.idleTimeout());
        server.handshakeCompleted();
        assertEquals(Duration.ofMillis(1024), server.pto());
        assertEquals(Duration.ofMillis(3072), server.idleTimeout());
    }

    @Test
    void aTimeoutShorterThanThreePtosIsRaisedToThreePtos() throws Exception {
        QuicConnection c = ConnectionFixtures.client(idle(Duration.ofMillis(1)));
        // 333 ms initial RTT: PTO = 333 + 4 * 166.5 = 999 ms
        assertEquals(Duration.ofMillis(2997), c.idleTimeout());
        assertEquals(c.closingPeriod(), c.idleTimeout());
        assertFalse(c.isIdleTimeoutExpired(T0 + 2997_000_000L - 1));
        assertTrue(c.isIdleTimeoutExpired(T0 + 2997_000_000L));
    }

    @Test
    void aHugePeerTimeoutIsCappedInsteadOfOverflowing() throws Exception {
        QuicConnection c = ConnectionFixtures.clientPostHandshake(ConnectionFixtures.nullCrypto());
        c.setPeerTransportParameters(peerIdle((1L << 62) - 1));
        long capped = c.idleTimeout().toNanos();
        assertTrue(capped >= 1L << 60 && capped <= 1L << 61, "capped at about 73 years: " + capped);
        assertFalse(c.isIdleTimeoutExpired(T0 + (1L << 60)));
        assertTrue(c.isIdleTimeoutExpired(T0 + capped));
    }

    @Test
    void theTimerStartsAtCreationAndExpiresExactlyAfterTheTimeout() throws Exception {
        QuicConnection c = ConnectionFixtures.freshClient(idle(Duration.ofSeconds(30)));
        assertEquals(T0, c.idleTimerStart());
        assertFalse(c.isIdleTimeoutExpired(T0 + 30 * SECOND - 1));
        assertTrue(c.isIdleTimeoutExpired(T0 + 30 * SECOND));
    }

    @Test
    void aProcessedPacketRestartsTheTimerAndAnUndecryptableDatagramDoesNot() throws Exception {
        QuicConnection c = ConnectionFixtures.client(idle(Duration.ofSeconds(30)));
        assertEquals(ReceiveStatus.PROCESSED, c.receive(serverInitial(0, "01"), CLIENT_PATH, T0 + 10 * SECOND));
        assertEquals(T0 + 10 * SECOND, c.idleTimerStart());

        ByteBuffer corrupt = serverInitial(1, "01");
        corrupt.put(corrupt.limit() - 1, (byte) (corrupt.get(corrupt.limit() - 1) ^ 1));
        assertEquals(ReceiveStatus.DROPPED, c.receive(corrupt, CLIENT_PATH, T0 + 20 * SECOND));
        assertEquals(T0 + 10 * SECOND, c.idleTimerStart(), "a packet that does not authenticate is not activity");
        assertFalse(c.isIdleTimeoutExpired(T0 + 40 * SECOND - 1));
        assertTrue(c.isIdleTimeoutExpired(T0 + 40 * SECOND));
    }

    @Test
    void onlyTheFirstAckElicitingPacketSentAfterAReceiveRestartsTheTimer() throws Exception {
        QuicConnection c = ConnectionFixtures.client(idle(Duration.ofSeconds(30)));
        // the ClientHello sent at T0 was the first ack-eliciting packet: the timer started then
        assertEquals(T0, c.idleTimerStart());
        c.submitCryptoData(EncryptionLevel.INITIAL, new byte[] {1, 2, 3});
        assertTrue(c.writePacket(null, null, ByteBuffer.allocate(1500), T0 + SECOND) > 0);
        assertEquals(T0, c.idleTimerStart(), "no packet was processed since the last ack-eliciting one was sent");

        // a PING from the server: processed (restart), then acknowledged by an ACK-only packet (not ack-eliciting)
        assertEquals(ReceiveStatus.PROCESSED, c.receive(serverInitial(0, "01"), CLIENT_PATH, T0 + 10 * SECOND));
        assertTrue(c.writePacket(null, null, ByteBuffer.allocate(1500), T0 + 12 * SECOND) > 0);
        assertEquals(T0 + 10 * SECOND, c.idleTimerStart(), "an ACK alone does not restart the timer");

        c.submitCryptoData(EncryptionLevel.INITIAL, new byte[] {4, 5, 6});
        assertTrue(c.writePacket(null, null, ByteBuffer.allocate(1500), T0 + 15 * SECOND) > 0);
        assertEquals(T0 + 15 * SECOND, c.idleTimerStart(), "the first ack-eliciting packet after a receive does");
        c.submitCryptoData(EncryptionLevel.INITIAL, new byte[] {7, 8, 9});
        assertTrue(c.writePacket(null, null, ByteBuffer.allocate(1500), T0 + 16 * SECOND) > 0);
        assertEquals(T0 + 15 * SECOND, c.idleTimerStart(), "later ones do not");
    }

    @Test
    void aClosingOrDrainingConnectionIsNeverIdle() throws Exception {
        QuicConnection closing = ConnectionFixtures.client(idle(Duration.ofSeconds(30)));
        assertEquals(CloseOutcome.WRITTEN, closing.writeConnectionClose(null, null, ByteBuffer.allocate(1500),
                CloseError.transport(0), T0 + SECOND));
        assertFalse(closing.isIdleTimeoutExpired(T0 + 100 * SECOND), "the closing period governs it");

        QuicConnection draining = ConnectionFixtures.client(idle(Duration.ofSeconds(30)));
        assertEquals(ReceiveStatus.DRAINING, draining.receive(serverInitial(0, "1c" + "00" + "00" + "00"),
                CLIENT_PATH, T0 + SECOND));
        assertFalse(draining.isIdleTimeoutExpired(T0 + 100 * SECOND));
    }

    @Test
    void theSettingIsWholeMillisecondsWithinTheTransportParametersRange() {
        Settings.Builder b = Settings.builder();
        assertThrows(IllegalArgumentException.class, () -> b.maxIdleTimeout(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> b.maxIdleTimeout(Duration.ofNanos(1_500_000)));
        assertThrows(IllegalArgumentException.class, () -> b.maxIdleTimeout(Duration.ofMillis(1L << 62)));
        assertThrows(NullPointerException.class, () -> b.maxIdleTimeout(null));
        assertThrows(IllegalArgumentException.class, () -> b.maxIdleTimeout(Duration.ofSeconds(Long.MAX_VALUE)));
        Duration max = Duration.ofMillis((1L << 62) - 1);
        assertEquals(max, b.maxIdleTimeout(max).build().maxIdleTimeout());
        Settings s = b.maxIdleTimeout(Duration.ofSeconds(7)).build();
        assertEquals(Duration.ofSeconds(7), s.toBuilder().build().maxIdleTimeout());
        assertEquals(Duration.ZERO, s.toBuilder().maxIdleTimeout(Duration.ZERO).build().maxIdleTimeout());
    }
}
