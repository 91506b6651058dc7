package dev.quicj.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.inspect.InspectedFrame;
import dev.quicj.core.inspect.InspectedPacket;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** Shared pieces of the examples' tests: servers on a free loopback port, real client Initials, decoding. */
final class TestPeers {
    /** A close with a frame type, to see that the triggering frame type travels too. */
    static final CloseError BAD_STREAM = CloseError.transport(0xa, 0x08, "bad stream frame");

    private TestPeers() {
    }

    /** A silent reject server on 127.0.0.1, a free port, NIO or epoll as available. */
    static RejectServer server(CloseError error) throws Exception {
        return RejectServer.start(RejectServer.Config.builder().bind(new InetSocketAddress("127.0.0.1", 0))
                .closeError(error).build());
    }

    /**
     * The first datagram of a real client (quic-core, TLS ClientHello with transport parameters, padded to 1200
     * bytes) whose Initial keys derive from {@code odcid}.
     */
    static byte[] clientInitial(QuicVersion version, ConnectionId odcid, ConnectionId scid) throws Exception {
        long now = System.nanoTime();
        QuicConnection c = QuicConnection.clientBuilder().version(version).originalDestinationConnectionId(odcid)
                .sourceConnectionId(scid).path(new NetworkPath(new InetSocketAddress("127.0.0.1", 50000),
                        new InetSocketAddress("127.0.0.1", 4433))).build(now);
        c.submitCryptoData(EncryptionLevel.INITIAL, ClientHellos.encode(version, scid, "localhost", "h3"));
        ByteBuffer dest = ByteBuffer.allocate(1500);
        int n = c.writePacket(null, null, dest, now);
        assertEquals(QuicConnection.MIN_INITIAL_DATAGRAM_SIZE, n);
        return Arrays.copyOf(dest.array(), n);
    }

    /** The single packet of a datagram, decoded with Initial keys from {@code odcid}. */
    static InspectedPacket onlyPacket(byte[] datagram, ConnectionId odcid) {
        List<InspectedPacket> packets = Describe.inspect(datagram, odcid);
        assertEquals(1, packets.size(), packets::toString);
        return packets.get(0);
    }

    /** The single CONNECTION_CLOSE frame of a packet. */
    static InspectedFrame.ConnectionClose onlyClose(InspectedPacket p) {
        List<InspectedFrame.ConnectionClose> closes = p.frames(InspectedFrame.ConnectionClose.class);
        assertEquals(1, closes.size(), p::toString);
        return closes.get(0);
    }

    /** A PrintStream into a buffer, for commands' output. */
    static final class Capture {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
