package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.inspect.InspectedFrame;
import dev.quicj.core.tls.TransportParameters;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * RFC 9000 §19.3: the ACK Delay field "is decoded by multiplying the value in the field by 2 to the power of the
 * ack_delay_exponent transport parameter sent by the sender of the ACK frame": this endpoint encodes it with the
 * exponent its own transport parameters carry ({@link QuicConnection#setLocalTransportParameters}), 3 by default.
 */
class AckDelayExponentTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();
    private static final long DELAY_MICROS = 8192;

    /** The ACK Delay field of a confirmed server's 1-RTT ACK sent 8192 µs after the client's PING arrived. */
    private static long ackDelayField(TransportParameters local) throws Exception {
        QuicConnection s = ConnectionFixtures.serverConfirmed(NULL);
        if (local != null) {
            s.setLocalTransportParameters(local);
        }
        // HANDSHAKE_DONE first
        s.writePacket(null, null, ByteBuffer.allocate(1500), T0);
        long receivedAt = T0 + 1_000_000L;
        byte[] ping = ConnectionFixtures.peerShortPacket(NULL, CLIENT_1RTT_SECRET, s.sourceConnectionId(), 0,
                new byte[] {0x01});
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(ping), SERVER_PATH, receivedAt));
        ByteBuffer out = ByteBuffer.allocate(1500);
        assertTrue(s.writePacket(null, null, out, receivedAt + DELAY_MICROS * 1000) > 0, "an ACK is written");
        out.flip();
        return ConnectionFixtures.inspect(out, ConnectionFixtures.Side.SERVER, NULL).stream()
                .filter(p -> p.level() == EncryptionLevel.ONE_RTT)
                .flatMap(p -> p.frames(InspectedFrame.Ack.class).stream())
                .findFirst().orElseThrow().ackDelay();
    }

    @Test
    void theAdvertisedExponentEncodesTheAckDelay() throws Exception {
        assertEquals(DELAY_MICROS >> 10, ackDelayField(TransportParameters.builder().ackDelayExponent(10).build()));
        assertEquals(DELAY_MICROS, ackDelayField(TransportParameters.builder().ackDelayExponent(0).build()));
    }

    @Test
    void withoutTheParametersOrWithoutTheExponentItIsTheDefaultThree() throws Exception {
        assertEquals(DELAY_MICROS >> 3, ackDelayField(null));
        assertEquals(DELAY_MICROS >> 3, ackDelayField(TransportParameters.builder().build()));
    }
}
