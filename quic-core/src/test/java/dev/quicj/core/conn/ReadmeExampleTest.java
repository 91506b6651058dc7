package dev.quicj.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.tls.ClientHello;
import dev.quicj.core.tls.TransportParameters;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The core API example of the README, verbatim, so it cannot rot. */
class ReadmeExampleTest {

    @Test
    void readmeExampleRuns() throws Exception {
        // --- README example begins
        long now = System.nanoTime();
        NetworkPath path = new NetworkPath(new InetSocketAddress("127.0.0.1", 50000),
                new InetSocketAddress("127.0.0.1", 4433));
        QuicConnection conn = QuicConnection.clientBuilder()
                .version(QuicVersion.V1)
                .originalDestinationConnectionId(ConnectionId.random(8))   // Initial keys derive from it
                .sourceConnectionId(ConnectionId.random(8))
                .path(path)
                .build(now);

        // the client's first Initial (a real TLS ClientHello in CRYPTO frames, padded to 1200 bytes); your TLS stack
        // makes the ClientHello; dev.quicj.core.tls.ClientHello.builder() builds one for tests and tools
        // (an HTTP/3 server such as gtlsserver refuses these minimal parameters with CRYPTO_ERROR 0x150, "peer does not
        // allow at least 3 unidirectional streams": add .initialMaxStreamsUni(3) to get its ServerHello)
        byte[] clientHello = ClientHello.builder().applicationProtocols("h3")
                .transportParameters(TransportParameters.builder()
                        .initialSourceConnectionId(conn.sourceConnectionId().toByteArray()).build())
                .build().encode();
        conn.submitCryptoData(EncryptionLevel.INITIAL, clientHello);
        ByteBuffer datagram = ByteBuffer.allocate(1452);
        // a fresh timestamp, taken just before the datagram goes out: it is the send time of the Initial, which the
        // server's ACK turns into the first RTT sample (a stale "now", one taken before a cold JVM built the keys and
        // the ClientHello, inflates the PTO and so the closing period)
        int n = conn.writePacket(null, null, datagram, System.nanoTime());

        // ... later: close it. One datagram, the right packet types for the handshake state.
        PathInfo sendOn = new PathInfo();
        PacketInfo how = new PacketInfo();
        datagram.clear();
        CloseOutcome outcome = conn.writeConnectionClose(sendOn, how, datagram,
                CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, "server busy"), System.nanoTime());
        switch (outcome) {
            case WRITTEN:                   // datagram.flip() and send it to sendOn.path().remote() with how.ecn()
                datagram.flip();
                break;
            case NOBUF_AMPLIFICATION_LIMIT: // a server must wait for more bytes from the peer, then retry
            case NOBUF_BUFFER_TOO_SMALL:    // retry with a larger buffer
            case NOTHING_TO_WRITE:          // already closing or draining, or a silent close type
            default:                        // INVALID_STATE, PKT_NUM_EXHAUSTED, AEAD_LIMIT_REACHED, CALLBACK_FAILURE
                break;
        }
        // conn.state() is now CLOSING; keep it for conn.closingPeriod() (3 x PTO), then drop it
        // --- README example ends
        assertEquals(1200, n);
        assertEquals(CloseOutcome.WRITTEN, outcome);
        assertEquals(1200, datagram.remaining());
        assertEquals(path, sendOn.path());
        assertEquals(Ecn.NOT_ECT, how.ecn());
        assertEquals(ConnectionState.CLOSING, conn.state());
    }
}
