package dev.quicj.core.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.CloseOutcome;
import dev.quicj.core.conn.ConnectionFixtures;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.conn.StatelessClose;
import dev.quicj.core.crypto.CryptoProvider;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Close datagrams written by the core, checked by peers nobody here wrote: Wireshark's dissector decodes the client
 * and server Initial closes with the same fields, and ngtcp2's server logs the client close.
 */
@Timeout(120)
class CoreCloseInteropTest {
    private static final ConnectionId ODCID = ConnectionId.fromHex("5c6f1a9b2e804d37");
    private static final ConnectionId CLIENT_SCID = ConnectionId.fromHex("c11e4700aa55");
    private static final ConnectionId SERVER_SCID = ConnectionId.fromHex("5e77e7000b0b0c0c");
    private static final String REASON = "interop close, frame type given";
    private static final long FRAME_TYPE = 0x08;

    /** A real (JCA) client that sent its first Initial, then closes with PROTOCOL_VIOLATION, frame type and reason. */
    private static byte[] clientClose(long code) throws Exception {
        NetworkPath path = new NetworkPath(new InetSocketAddress("127.0.0.1", 50000),
                new InetSocketAddress("127.0.0.1", 443));
        long now = System.nanoTime();
        QuicConnection c = QuicConnection.clientBuilder().version(QuicVersion.V1).originalDestinationConnectionId(ODCID)
                .sourceConnectionId(CLIENT_SCID).path(path).build(now);
        c.submitCryptoData(EncryptionLevel.INITIAL, ConnectionFixtures.CLIENT_HELLO);
        assertEquals(1200, c.writePacket(null, null, ByteBuffer.allocate(1500), now));
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, c.writeConnectionClose(null, null, dest,
                CloseError.transport(code, FRAME_TYPE, REASON), now));
        return Arrays.copyOf(dest.array(), dest.position());
    }

    private static byte[] serverClose() {
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN, StatelessClose.write(dest, QuicVersion.V1, ODCID, CLIENT_SCID, SERVER_SCID,
                CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, FRAME_TYPE, REASON), CryptoProvider.jca()));
        return Arrays.copyOf(dest.array(), dest.position());
    }

    private static void assertClose(DecodedFrame.ConnectionClose f, long code) {
        assertEquals(0x1c, f.type());
        assertEquals(code, f.errorCode());
        assertEquals(FRAME_TYPE, f.triggeringFrameType().orElseThrow());
        assertEquals(REASON.length(), f.reasonLength());
        assertArrayEquals(REASON.getBytes(StandardCharsets.US_ASCII), f.reason());
    }

    @Test
    void tsharkDecodesTheClientInitialCloseWithTheSameFields() throws Exception {
        Peers.requireTool(Peers.Tool.TSHARK);
        byte[] dg = clientClose(TransportErrorCode.PROTOCOL_VIOLATION);
        TsharkResult r = Tshark.create().decode(Datagram.fromClient(dg));
        List<DecodedPacket> packets = r.packets();
        assertEquals(1, packets.size(), r::summary);
        DecodedPacket p = packets.get(0);
        assertEquals(PacketType.INITIAL, p.type(), r::summary);
        assertFalse(p.decryptionFailed(), r::summary);
        assertEquals(1, p.version().orElseThrow());
        assertEquals(ODCID.toHex(), p.dcid());
        assertEquals(CLIENT_SCID.toHex(), p.scid());
        assertEquals(1, p.packetNumber().orElseThrow());
        assertEquals(1200, p.packetLength());
        assertClose(p.frames(DecodedFrame.ConnectionClose.class).get(0), TransportErrorCode.PROTOCOL_VIOLATION);
        assertEquals(1, p.frames(DecodedFrame.Padding.class).size(), r::summary);
    }

    @Test
    void tsharkDecodesTheServerInitialCloseWithTheSameFields() throws Exception {
        Peers.requireTool(Peers.Tool.TSHARK);
        byte[] dg = serverClose();
        TsharkResult r = Tshark.create().decode(ODCID.toByteArray(), List.of(Datagram.fromServer(dg)));
        DecodedPacket p = r.packets().get(0);
        assertEquals(PacketType.INITIAL, p.type(), r::summary);
        assertFalse(p.decryptionFailed(), r::summary);
        assertEquals(CLIENT_SCID.toHex(), p.dcid());
        assertEquals(SERVER_SCID.toHex(), p.scid());
        assertEquals(0, p.packetNumber().orElseThrow());
        assertEquals(0, p.tokenLength());
        assertEquals(dg.length, p.packetLength());
        assertClose(p.frames(DecodedFrame.ConnectionClose.class).get(0), TransportErrorCode.CONNECTION_REFUSED);
    }

    @Test
    void ngtcp2ServerLogsTheClientClose() throws Exception {
        Peers.requireTool(Peers.Tool.GTLSSERVER, Peers.Tool.OPENSSL);
        byte[] dg = clientClose(TransportErrorCode.CONNECTION_REFUSED);
        try (Ngtcp2Server server = Ngtcp2Server.start()) {
            UdpSend.sendOnce(server.port(), dg);
            Ngtcp2Close rx = server.awaitClose(Ngtcp2Close.Direction.RECEIVED, Duration.ofSeconds(10))
                    .orElseThrow(() -> new AssertionError("no close in the server log:\n" + server.log()));
            assertEquals(Ngtcp2Close.Level.INITIAL, rx.level());
            assertEquals(0x1c, rx.type());
            assertEquals(TransportErrorCode.CONNECTION_REFUSED, rx.errorCode());
            assertEquals("CONNECTION_REFUSED", rx.errorName());
            assertEquals(FRAME_TYPE, rx.frameType());
            assertEquals(1, rx.packetNumber());
            assertEquals(REASON.length(), rx.reasonLength());
            assertEquals(REASON, rx.reason());
            assertTrue(server.isAlive());
        }
    }
}
