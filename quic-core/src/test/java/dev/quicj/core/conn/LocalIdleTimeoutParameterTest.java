package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.tls.TransportParameters;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * RFC 9000 §10.1: "Each endpoint advertises a max_idle_timeout, but the effective value at an endpoint is computed as
 * the minimum of the two advertised values (or the sole advertised value, if only one endpoint advertises a non-zero
 * value)." What this endpoint advertised is its own transport parameters, once the TLS layer passed them to
 * {@link QuicConnection#setLocalTransportParameters}, as for the ack_delay_exponent of its ACK frames.
 */
class LocalIdleTimeoutParameterTest {
    private static final long SECOND = 1_000_000_000L;

    private static TransportParameters local(long idleMillis) {
        return TransportParameters.builder().initialSourceConnectionId(CLIENT_SCID.toByteArray())
                .maxIdleTimeoutMillis(idleMillis).build();
    }

    @Test
    void theSoleAdvertisedValueIsTheOneThisEndpointSent() throws Exception {
        // Settings say nothing (the default, no idle timeout); the parameters this endpoint sent say 5 s
        QuicConnection c = ConnectionFixtures.client(ConnectionFixtures.nullCrypto());
        c.setLocalTransportParameters(local(5_000));
        c.setPeerTransportParameters(TransportParameters.builder().build()); // the peer advertises none
        assertEquals(Duration.ofSeconds(5), c.idleTimeout());
        assertTrue(c.isIdleTimeoutExpired(T0 + 6 * SECOND), "the peer gives up after 5 s: so must this endpoint");
    }

    @Test
    void theMinimumIsTakenOverWhatThisEndpointAdvertised() throws Exception {
        QuicConnection c = ConnectionFixtures.client(ConnectionFixtures.nullCrypto().toBuilder()
                .maxIdleTimeout(Duration.ofSeconds(30)).build());
        c.setLocalTransportParameters(local(5_000));
        c.setPeerTransportParameters(TransportParameters.builder().maxIdleTimeoutMillis(10_000).build());
        assertEquals(Duration.ofSeconds(5), c.idleTimeout());
    }
}
