package dev.quicj.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.interop.DecodedDatagram;
import dev.quicj.core.interop.DecodedFrame;
import dev.quicj.core.interop.DecodedPacket;
import dev.quicj.core.interop.LoopbackCapture;
import dev.quicj.core.interop.Ngtcp2Client;
import dev.quicj.core.interop.Ngtcp2Close;
import dev.quicj.core.interop.Ngtcp2Server;
import dev.quicj.core.interop.PacketType;
import dev.quicj.core.interop.Peers;
import dev.quicj.core.interop.Tshark;
import dev.quicj.core.interop.TsharkResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ngtcp2's example client and server (Debian's {@code ngtcp2-client} / {@code ngtcp2-server}, libngtcp2 0.12.1 with
 * GnuTLS) and Wireshark's dissector against the examples, on loopback: {@code gtlsclient} connecting to
 * {@link RejectServer} logs the Initial CONNECTION_CLOSE it received, {@code gtlsserver} logs the close of
 * {@link CloseClient}, and a capture of both exchanges decoded by {@code tshark} shows the same fields. Skipped when
 * the programs are missing, failed instead under {@code CI=true}.
 */
@Timeout(120)
class Ngtcp2PeerTest {
    private static final Duration CLIENT_WAIT = Duration.ofMillis(500);
    private static final Duration LOG_WAIT = Duration.ofSeconds(10);

    private static void assertNgtcp2Close(Ngtcp2Close c, CloseError expected, String name) {
        assertEquals(Ngtcp2Close.Level.INITIAL, c.level(), c::summary);
        assertEquals(0x1c, c.type(), c::summary);
        long code = expected.type() == CloseError.Type.APPLICATION ? TransportErrorCode.APPLICATION_ERROR
                : expected.errorCode();
        String reason = expected.type() == CloseError.Type.APPLICATION ? "" : expected.reasonAsString();
        assertEquals(code, c.errorCode(), c::summary);
        assertEquals(name, c.errorName(), c::summary);
        assertEquals(expected.frameType(), c.frameType(), c::summary);
        assertEquals(reason.length(), c.reasonLength(), c::summary);
        assertEquals(reason, c.reason(), c::summary);
    }

    private static Ngtcp2Client.Result gtlsclient(RejectServer server) throws Exception {
        return Ngtcp2Client.to(server.localAddress().getPort()).handshakeTimeout(Duration.ofSeconds(10))
                .timeout(Duration.ofSeconds(30)).run();
    }

    @Test
    void gtlsclientLogsTheRefusalInAnInitialPacket() throws Exception {
        Peers.requireTool(Peers.Tool.GTLSCLIENT);
        try (RejectServer server = TestPeers.server(RejectServer.Config.DEFAULT_CLOSE_ERROR)) {
            Ngtcp2Client.Result r = gtlsclient(server);
            Ngtcp2Close rx = r.firstReceived().orElseThrow(() -> new AssertionError(r.diagnostics()));
            assertNgtcp2Close(rx, RejectServer.Config.DEFAULT_CLOSE_ERROR, "CONNECTION_REFUSED");
            assertEquals(0, rx.packetNumber());
            assertTrue(r.sent().isEmpty(), r::diagnostics);
            assertFalse(r.timedOut(), r::diagnostics);
            assertEquals(1, server.refusedConnections());
        }
    }

    @Test
    void gtlsclientLogsTheFrameTypeAndAnApplicationCloseAsApplicationError() throws Exception {
        Peers.requireTool(Peers.Tool.GTLSCLIENT);
        try (RejectServer server = TestPeers.server(TestPeers.BAD_STREAM)) {
            Ngtcp2Client.Result r = gtlsclient(server);
            assertNgtcp2Close(r.firstReceived().orElseThrow(() -> new AssertionError(r.diagnostics())),
                    TestPeers.BAD_STREAM, "PROTOCOL_VIOLATION");
        }
        CloseError app = CloseError.application(0x1234, "not in an Initial");
        try (RejectServer server = TestPeers.server(app)) {
            Ngtcp2Client.Result r = gtlsclient(server);
            assertNgtcp2Close(r.firstReceived().orElseThrow(() -> new AssertionError(r.diagnostics())), app,
                    "APPLICATION_ERROR");
        }
    }

    /**
     * RFC 9000 §6: gtlsclient starting with a version nobody speaks gets the server's Version Negotiation, logs the
     * versions it lists (ours and a reserved one), picks version 1 from them and is then refused in a v1 Initial.
     */
    @Test
    void gtlsclientOfAnUnknownVersionIsNegotiatedToVersion1AndThenRefused() throws Exception {
        Peers.requireTool(Peers.Tool.GTLSCLIENT);
        try (RejectServer server = TestPeers.server(RejectServer.Config.DEFAULT_CLOSE_ERROR)) {
            Ngtcp2Client.Result r = Ngtcp2Client.to(server.localAddress().getPort())
                    .options("--version=0x1a2a3a4a", "--preferred-versions=v1")
                    .handshakeTimeout(Duration.ofSeconds(10)).timeout(Duration.ofSeconds(30)).run();
            List<String> offered = new ArrayList<>();
            for (String line : r.log().split("\n")) {
                int at = line.indexOf(" VN v=0x");
                if (line.contains(" pkt rx ") && at >= 0) {
                    offered.add(line.substring(at + " VN v=0x".length()).trim());
                }
            }
            assertEquals(3, offered.size(), r::diagnostics);
            assertEquals(List.of("00000001", "6b3343cf"), offered.subList(0, 2), r::diagnostics);
            assertTrue(dev.quicj.core.conn.VersionNegotiation.isReservedVersion(
                    Integer.parseUnsignedInt(offered.get(2), 16)), r::diagnostics);
            assertTrue(r.log().contains("Client selected version 0x1"), r::diagnostics);
            assertNgtcp2Close(r.firstReceived().orElseThrow(() -> new AssertionError(r.diagnostics())),
                    RejectServer.Config.DEFAULT_CLOSE_ERROR, "CONNECTION_REFUSED");
            assertEquals(1, server.refusedConnections());
            assertEquals(0, server.ignoredDatagrams());
        }
    }

    private static Ngtcp2Close closeClientTo(Ngtcp2Server server, CloseError error) throws Exception {
        TestPeers.Capture out = new TestPeers.Capture();
        CloseClient.Result r = CloseClient.run(server.address(), error, QuicVersion.V1, CLIENT_WAIT, out.stream);
        assertTrue(r.closeSent(), out::text);
        return server.awaitClose(Ngtcp2Close.Direction.RECEIVED, LOG_WAIT)
                .orElseThrow(() -> new AssertionError("no close in gtlsserver's log:\n" + server.log()
                        + "\nclose-client printed:\n" + out.text()));
    }

    @Test
    void gtlsserverLogsTheCloseOfCloseClient() throws Exception {
        Peers.requireTool(Peers.Tool.GTLSSERVER, Peers.Tool.OPENSSL);
        CloseError error = CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, 0x08, "close-client says bye");
        try (Ngtcp2Server server = Ngtcp2Server.start()) {
            Ngtcp2Close rx = closeClientTo(server, error);
            assertNgtcp2Close(rx, error, "CONNECTION_REFUSED");
            // the client's first Initial had packet number 0, its close 1
            assertEquals(1, rx.packetNumber());
            assertTrue(server.isAlive());
        }
    }

    @Test
    void anAddressValidatingGtlsserverTakesTheInitialAfterItsRetryAndLogsTheClose() throws Exception {
        // gtlsserver -V answers a first Initial with a Retry (RFC 9000 §8.1.2). close-client --follow-retry takes it
        // (its integrity tag checked, RFC 9001 §5.8) and sends its Initial again with the token, to the Retry's SCID
        // under keys derived from it (RFC 9001 §5.2): ngtcp2 validates the token, answers with its ServerHello, and
        // reads the close that follows, which repeats the token too (close-spec decision 1)
        Peers.requireTool(Peers.Tool.GTLSSERVER, Peers.Tool.OPENSSL);
        CloseError error = CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, 0, "after the Retry");
        try (Ngtcp2Server server = Ngtcp2Server.start("-V")) {
            TestPeers.Capture out = new TestPeers.Capture();
            CloseClient.Result r = CloseClient.run(server.address(), error, QuicVersion.V1, CLIENT_WAIT,
                    CloseClient.Mode.FOLLOW_RETRY, out.stream);
            assertTrue(r.closeSent(), out::text);
            assertTrue(r.retryScid() != null, () -> "no Retry followed:\n" + out.text() + "\n" + server.log());
            Ngtcp2Close rx = server.awaitClose(Ngtcp2Close.Direction.RECEIVED, LOG_WAIT)
                    .orElseThrow(() -> new AssertionError("no close in gtlsserver's log:\n" + server.log()
                            + "\nclose-client printed:\n" + out.text()));
            assertNgtcp2Close(rx, error, "CONNECTION_REFUSED");
            // pn 0 the first Initial, pn 1 the Initial after the Retry, pn 2 the close
            assertEquals(2, rx.packetNumber());
            String log = server.log();
            assertTrue(log.contains("Sending Retry packet") && log.contains("Token was successfully validated"), log);
            assertTrue(out.text().contains("ServerHello (cipher"), out::text);
        }
    }

    @Test
    void gtlsserverLogsAnApplicationCloseOfCloseClientAsApplicationError() throws Exception {
        Peers.requireTool(Peers.Tool.GTLSSERVER, Peers.Tool.OPENSSL);
        CloseError error = CloseError.application(0x77, "app reason stays home");
        try (Ngtcp2Server server = Ngtcp2Server.start()) {
            assertNgtcp2Close(closeClientTo(server, error), error, "APPLICATION_ERROR");
        }
    }

    private static List<DecodedPacket> closesFrom(TsharkResult r, int srcPort, int dstPort) {
        List<DecodedPacket> out = new ArrayList<>();
        for (DecodedDatagram d : r.datagrams()) {
            if ((srcPort == 0 || d.srcPort() == srcPort) && (dstPort == 0 || d.dstPort() == dstPort)) {
                for (DecodedPacket p : d.packets()) {
                    if (!p.frames(DecodedFrame.ConnectionClose.class).isEmpty()) {
                        out.add(p);
                    }
                }
            }
        }
        return out;
    }

    private static void assertTsharkClose(DecodedPacket p, CloseError expected, TsharkResult r) {
        assertEquals(PacketType.INITIAL, p.type(), r::summary);
        assertFalse(p.decryptionFailed(), r::summary);
        assertEquals(1, p.version().orElseThrow());
        DecodedFrame.ConnectionClose f = p.frames(DecodedFrame.ConnectionClose.class).get(0);
        assertEquals(0x1c, f.type(), r::summary);
        assertEquals(expected.errorCode(), f.errorCode(), r::summary);
        assertEquals(expected.frameType(), f.triggeringFrameType().orElseThrow(), r::summary);
        assertEquals(expected.reasonLength(), f.reasonLength(), r::summary);
        assertEquals(expected.reasonAsString(), new String(f.reason(), StandardCharsets.UTF_8), r::summary);
    }

    @Test
    void aLoopbackCaptureOfBothExchangesShowsTheSameFieldsToTshark(@TempDir Path dir) throws Exception {
        Peers.requireTool(Peers.Tool.TSHARK, Peers.Tool.GTLSCLIENT, Peers.Tool.GTLSSERVER, Peers.Tool.OPENSSL);
        Peers.requireLoopbackCapture();
        CloseError clientError = CloseError.transport(TransportErrorCode.NO_ERROR, 0x06, "captured client close");
        try (RejectServer reject = TestPeers.server(TestPeers.BAD_STREAM);
                Ngtcp2Server ngtcp2 = Ngtcp2Server.start()) {
            int rejectPort = reject.localAddress().getPort();
            int ngtcp2Port = ngtcp2.port();
            Path pcap;
            try (LoopbackCapture capture = LoopbackCapture.start("udp port " + rejectPort + " or udp port "
                    + ngtcp2Port, dir.resolve("both.pcapng"), LoopbackCapture.DEFAULT_READY_TIMEOUT)) {
                // 1: ngtcp2's client against reject-server
                Ngtcp2Client.Result r = gtlsclient(reject);
                assertTrue(r.firstReceived().isPresent(), r::diagnostics);
                // 2: close-client against ngtcp2's server
                closeClientTo(ngtcp2, clientError);
                pcap = capture.stop();
            }
            TsharkResult t = Tshark.create().withQuicPort(rejectPort).withQuicPort(ngtcp2Port).decodeCapture(pcap);
            List<DecodedPacket> serverCloses = closesFrom(t, rejectPort, 0);
            assertFalse(serverCloses.isEmpty(), t::summary);
            for (DecodedPacket p : serverCloses) {
                assertTsharkClose(p, TestPeers.BAD_STREAM, t);
            }
            List<DecodedPacket> clientCloses = closesFrom(t, 0, ngtcp2Port);
            assertFalse(clientCloses.isEmpty(), t::summary);
            for (DecodedPacket p : clientCloses) {
                assertTsharkClose(p, clientError, t);
                assertEquals(1200, p.packetLength(), t::summary);
            }
        }
    }
}
