package dev.quicj.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.inspect.InspectedFrame;
import dev.quicj.core.inspect.InspectedPacket;
import dev.quicj.core.interop.UdpSend;
import dev.quicj.core.packet.PacketForm;
import dev.quicj.core.wire.CloseType;
import io.netty.channel.epoll.Epoll;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link RejectServer} on a real loopback socket, driven by a plain UDP socket sending quic-core client Initials. */
@Timeout(60)
class RejectServerTest {
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);

    private static RejectServer start(RejectServer.Transport transport, CloseError error, TestPeers.Capture log)
            throws Exception {
        return RejectServer.start(RejectServer.Config.builder().bind(new InetSocketAddress("127.0.0.1", 0))
                .transport(transport).closeError(error).log(log == null ? null : log.stream).build());
    }

    private static byte[] reply(UdpSend udp) throws Exception {
        Optional<byte[]> r = udp.receive(REPLY_TIMEOUT);
        assertTrue(r.isPresent(), "no answer within " + REPLY_TIMEOUT);
        return r.get();
    }

    @ParameterizedTest
    @EnumSource(value = RejectServer.Transport.class, names = {"NIO", "EPOLL"})
    void answersAClientInitialWithAServerInitialClose(RejectServer.Transport transport) throws Exception {
        assertTrue(transport != RejectServer.Transport.EPOLL || Epoll.isAvailable(),
                () -> "the examples ship netty-transport-native-epoll for linux-x86_64: " + Epoll.unavailabilityCause());
        ConnectionId odcid = ConnectionId.random(8);
        ConnectionId scid = ConnectionId.random(8);
        TestPeers.Capture log = new TestPeers.Capture();
        try (RejectServer server = start(transport, RejectServer.Config.DEFAULT_CLOSE_ERROR, log);
                UdpSend udp = UdpSend.open()) {
            assertEquals(transport, server.transport());
            udp.send(server.localAddress().getPort(), TestPeers.clientInitial(QuicVersion.V1, odcid, scid));
            byte[] answer = reply(udp);
            InspectedPacket p = TestPeers.onlyPacket(answer, odcid);
            assertEquals(PacketForm.INITIAL, p.form());
            assertEquals(EncryptionLevel.INITIAL, p.level());
            assertEquals("server Initial", p.keys());
            assertEquals(QuicVersion.V1, p.version());
            assertEquals(scid, p.dcid());
            assertEquals(0, p.packetNumber());
            assertEquals(0, p.tokenLength());
            InspectedFrame.ConnectionClose close = TestPeers.onlyClose(p);
            assertEquals(CloseType.TRANSPORT, close.type());
            assertEquals(TransportErrorCode.CONNECTION_REFUSED, close.errorCode());
            assertEquals(0, close.frameType());
            assertEquals("server busy", close.reasonString());
            assertEquals(1, server.refusedConnections());
            assertEquals(0, server.ignoredDatagrams());
            String expected = "refused 127.0.0.1:" + udp.localPort() + " v1 dcid=" + odcid.toHex() + " scid="
                    + scid.toHex() + ": Initial CONNECTION_CLOSE type=0x1c error=0x2 (CONNECTION_REFUSED) frame_type=0x0"
                    + " reason_len=11 reason=\"server busy\"\n";
            assertEquals(expected, log.text());
        }
    }

    @Test
    void theStatelessModeAnswersEveryInitialIncludingARetransmission() throws Exception {
        ConnectionId odcid = ConnectionId.random(8);
        ConnectionId scid = ConnectionId.random(8);
        TestPeers.Capture log = new TestPeers.Capture();
        try (RejectServer server = RejectServer.start(RejectServer.Config.builder()
                .bind(new InetSocketAddress("127.0.0.1", 0)).mode(RejectServer.Mode.STATELESS)
                .log(log.stream).build()); UdpSend udp = UdpSend.open()) {
            byte[] initial = TestPeers.clientInitial(QuicVersion.V1, odcid, scid);
            for (int round = 1; round <= 2; round++) {
                udp.send(server.localAddress().getPort(), initial);
                InspectedPacket p = TestPeers.onlyPacket(reply(udp), odcid);
                assertEquals("server Initial", p.keys());
                assertEquals(scid, p.dcid());
                assertEquals(0, p.packetNumber(), "every stateless answer is packet number 0");
                InspectedFrame.ConnectionClose close = TestPeers.onlyClose(p);
                assertEquals(TransportErrorCode.CONNECTION_REFUSED, close.errorCode());
                assertEquals("server busy", close.reasonString());
                assertEquals(round, server.refusedConnections());
            }
            String line = "refused 127.0.0.1:" + udp.localPort() + " v1 dcid=" + odcid.toHex() + " scid="
                    + scid.toHex() + ": Initial CONNECTION_CLOSE type=0x1c error=0x2 (CONNECTION_REFUSED) frame_type=0x0"
                    + " reason_len=11 reason=\"server busy\"\n";
            assertEquals(line + line, log.text());
        }
    }

    @Test
    void answersVersion2InVersion2WithTheConfiguredFrameType() throws Exception {
        ConnectionId odcid = ConnectionId.random(12);
        ConnectionId scid = ConnectionId.random(4);
        try (RejectServer server = TestPeers.server(TestPeers.BAD_STREAM); UdpSend udp = UdpSend.open()) {
            udp.send(server.localAddress().getPort(), TestPeers.clientInitial(QuicVersion.V2, odcid, scid));
            InspectedPacket p = TestPeers.onlyPacket(reply(udp), odcid);
            assertEquals(QuicVersion.V2, p.version());
            assertEquals(PacketForm.INITIAL, p.form());
            assertEquals(scid, p.dcid());
            assertEquals(new InspectedFrame.ConnectionClose(CloseType.TRANSPORT, 0xa, 0x08,
                    "bad stream frame".getBytes(StandardCharsets.US_ASCII)), TestPeers.onlyClose(p));
        }
    }

    @Test
    void anApplicationCloseGoesOutAsApplicationErrorWithoutReason() throws Exception {
        ConnectionId odcid = ConnectionId.random(8);
        TestPeers.Capture log = new TestPeers.Capture();
        try (RejectServer server = start(RejectServer.Transport.NIO, CloseError.application(0x77, "no app here"), log);
                UdpSend udp = UdpSend.open()) {
            udp.send(server.localAddress().getPort(), TestPeers.clientInitial(QuicVersion.V1, odcid,
                    ConnectionId.random(8)));
            InspectedFrame.ConnectionClose close = TestPeers.onlyClose(TestPeers.onlyPacket(reply(udp), odcid));
            // RFC 9000 §10.2.3: no 0x1d frame in an Initial packet
            assertEquals(new InspectedFrame.ConnectionClose(CloseType.TRANSPORT, TransportErrorCode.APPLICATION_ERROR,
                    0, new byte[0]), close);
            assertTrue(log.text().endsWith(": Initial CONNECTION_CLOSE type=0x1c error=0xc (APPLICATION_ERROR)"
                    + " frame_type=0x0 reason_len=0 reason=\"\"\n"), log.text());
        }
    }

    @Test
    void ignoresDatagramsThatAreNotAcceptableClientInitialsAndNegotiatesUnknownVersions() throws Exception {
        ConnectionId odcid = ConnectionId.random(8);
        ConnectionId scid = ConnectionId.random(8);
        byte[] good = TestPeers.clientInitial(QuicVersion.V1, odcid, scid);
        byte[] tooShort = Arrays.copyOf(good, 1199);
        byte[] unknownVersion = good.clone();
        unknownVersion[1] = 0x1a;
        unknownVersion[2] = 0x2a;
        unknownVersion[3] = 0x3a;
        unknownVersion[4] = 0x4a;
        byte[] undecryptable = good.clone();
        undecryptable[good.length - 1] ^= 1;
        byte[] notQuic = "hello".getBytes(StandardCharsets.US_ASCII);
        try (RejectServer server = TestPeers.server(RejectServer.Config.DEFAULT_CLOSE_ERROR);
                UdpSend udp = UdpSend.open()) {
            int port = server.localAddress().getPort();
            for (byte[] d : List.of(tooShort, unknownVersion, undecryptable, notQuic, good)) {
                udp.send(port, d);
            }
            // the server reads one socket in order: the unknown version is answered with Version Negotiation (RFC 9000
            // §6.1), and an answer to the other bad ones would come before the close
            InspectedPacket vn = TestPeers.onlyPacket(reply(udp), odcid);
            assertEquals(PacketForm.VERSION_NEGOTIATION, vn.form(), vn::toString);
            assertEquals(scid, vn.dcid());
            assertEquals(odcid, vn.scid());
            InspectedPacket p = TestPeers.onlyPacket(reply(udp), odcid);
            assertEquals(scid, p.dcid());
            assertEquals("server busy", TestPeers.onlyClose(p).reasonString());
            assertEquals(3, server.ignoredDatagrams());
            assertEquals(1, server.refusedConnections());
        }
    }

    @Test
    void reSendsItsCloseForAClientDatagramInTheClosingPeriod() throws Exception {
        ConnectionId odcid = ConnectionId.random(8);
        byte[] initial = TestPeers.clientInitial(QuicVersion.V1, odcid, ConnectionId.random(8));
        try (RejectServer server = TestPeers.server(RejectServer.Config.DEFAULT_CLOSE_ERROR);
                UdpSend udp = UdpSend.open()) {
            int port = server.localAddress().getPort();
            udp.send(port, initial);
            byte[] first = reply(udp);
            // the client repeats its Initial (as if the close were lost): same connection, the same close again
            udp.send(port, initial);
            assertArrayEquals(first, reply(udp));
            assertEquals(1, server.refusedConnections());
            assertEquals(0, server.ignoredDatagrams());
        }
    }

    @Test
    void refusesEveryConnectionOfABurst() throws Exception {
        int connections = 100;
        TestPeers.Capture log = new TestPeers.Capture();
        try (RejectServer server = start(RejectServer.Transport.AUTO, RejectServer.Config.DEFAULT_CLOSE_ERROR, log);
                UdpSend udp = UdpSend.open()) {
            Set<ConnectionId> scids = new HashSet<>();
            for (int i = 0; i < connections; i++) {
                ConnectionId scid = ConnectionId.random(8);
                scids.add(scid);
                udp.send(server.localAddress().getPort(), TestPeers.clientInitial(QuicVersion.V1,
                        ConnectionId.random(8), scid));
            }
            Set<ConnectionId> answered = new HashSet<>();
            while (answered.size() < connections) {
                byte[] d = reply(udp);
                answered.add(Describe.inspect(d, ConnectionId.empty()).get(0).dcid());
            }
            assertEquals(scids, answered);
            assertEquals(connections, server.refusedConnections());
            Matcher m = Pattern.compile("(?m)^refused 127\\.0\\.0\\.1:" + udp.localPort() + " v1 dcid=\\p{XDigit}{16} "
                    + "scid=(\\p{XDigit}{16}): Initial CONNECTION_CLOSE type=0x1c error=0x2 \\(CONNECTION_REFUSED\\) "
                    + "frame_type=0x0 reason_len=11 reason=\"server busy\"$").matcher(log.text());
            Set<String> logged = new HashSet<>();
            while (m.find()) {
                logged.add(m.group(1));
            }
            assertEquals(connections, logged.size(), log.text());
            assertEquals(connections, log.text().split("\n").length);
        }
    }

    @Test
    void closeStopsTheServerAndCanBeRepeated() throws Exception {
        RejectServer server = TestPeers.server(RejectServer.Config.DEFAULT_CLOSE_ERROR);
        InetSocketAddress address = server.localAddress();
        server.close();
        server.close();
        // the port is free again
        try (RejectServer again = RejectServer.start(RejectServer.Config.builder().bind(address).build())) {
            assertEquals(address, again.localAddress());
        }
    }

    @Test
    void beyondMaxConnectionsRefusalsAreStateless() throws Exception {
        ConnectionId kept = ConnectionId.random(8);
        ConnectionId over = ConnectionId.random(8);
        ConnectionId scid = ConnectionId.random(8);
        try (RejectServer server = RejectServer.start(RejectServer.Config.builder()
                .bind(new InetSocketAddress("127.0.0.1", 0)).maxConnections(1).build()); UdpSend udp = UdpSend.open()) {
            int port = server.localAddress().getPort();
            byte[] first = TestPeers.clientInitial(QuicVersion.V1, kept, scid);
            udp.send(port, first);
            byte[] keptClose = reply(udp);
            // a retransmission reaches the kept connection, which re-sends its cached close, byte for byte
            udp.send(port, first);
            assertArrayEquals(keptClose, reply(udp), "the closing connection re-sends the same datagram");

            // the second connection finds the server full: each of its Initials is refused afresh, with a new
            // server connection ID every time and nothing kept
            byte[] second = TestPeers.clientInitial(QuicVersion.V1, over, scid);
            udp.send(port, second);
            InspectedPacket a = TestPeers.onlyPacket(reply(udp), over);
            udp.send(port, second);
            InspectedPacket b = TestPeers.onlyPacket(reply(udp), over);
            for (InspectedPacket p : List.of(a, b)) {
                assertEquals("server Initial", p.keys());
                assertEquals(0, p.packetNumber());
                assertEquals(TransportErrorCode.CONNECTION_REFUSED, TestPeers.onlyClose(p).errorCode());
                assertEquals("server busy", TestPeers.onlyClose(p).reasonString());
            }
            assertNotEquals(a.scid(), b.scid(), "no state: every refusal picks its own connection ID");
            assertEquals(3, server.refusedConnections());
        }
    }

    @Test
    void theUnauthenticatedStatelessModeAnswersFromTheHeaderAlone() throws Exception {
        ConnectionId odcid = ConnectionId.random(8);
        ConnectionId scid = ConnectionId.random(8);
        try (RejectServer server = RejectServer.start(RejectServer.Config.builder()
                .bind(new InetSocketAddress("127.0.0.1", 0)).mode(RejectServer.Mode.STATELESS_UNAUTHENTICATED)
                .build()); UdpSend udp = UdpSend.open()) {
            byte[] initial = TestPeers.clientInitial(QuicVersion.V1, odcid, scid);
            // the last byte is in the AEAD tag: this Initial does not decrypt, and is answered all the same
            initial[initial.length - 1] ^= 1;
            udp.send(server.localAddress().getPort(), initial);
            InspectedPacket p = TestPeers.onlyPacket(reply(udp), odcid);
            assertEquals("server Initial", p.keys());
            assertEquals(scid, p.dcid());
            assertEquals(0, p.packetNumber());
            assertEquals(TransportErrorCode.CONNECTION_REFUSED, TestPeers.onlyClose(p).errorCode());
            assertEquals(1, server.refusedConnections());
        }
    }

    @Test
    void severalEventLoopsShareThePortAndEachRefusesItsOwnClients() throws Exception {
        assertTrue(Epoll.isAvailable(), () -> "epoll: " + Epoll.unavailabilityCause());
        int clients = 32;
        for (RejectServer.Mode mode : List.of(RejectServer.Mode.CLOSING_PERIOD, RejectServer.Mode.STATELESS)) {
            try (RejectServer server = RejectServer.start(RejectServer.Config.builder()
                    .bind(new InetSocketAddress("127.0.0.1", 0)).transport(RejectServer.Transport.EPOLL).mode(mode)
                    .eventLoops(2).build())) {
                List<UdpSend> sockets = new ArrayList<>();
                try {
                    for (int i = 0; i < clients; i++) {
                        sockets.add(UdpSend.open());
                    }
                    List<ConnectionId> odcids = new ArrayList<>();
                    for (UdpSend udp : sockets) {
                        ConnectionId odcid = ConnectionId.random(8);
                        odcids.add(odcid);
                        udp.send(server.localAddress().getPort(),
                                TestPeers.clientInitial(QuicVersion.V1, odcid, ConnectionId.random(8)));
                    }
                    byte[] firstClose = null;
                    for (int i = 0; i < clients; i++) {
                        byte[] answer = reply(sockets.get(i));
                        firstClose = i == 0 ? answer : firstClose;
                        InspectedPacket p = TestPeers.onlyPacket(answer, odcids.get(i));
                        assertEquals(TransportErrorCode.CONNECTION_REFUSED, TestPeers.onlyClose(p).errorCode());
                    }
                    if (mode == RejectServer.Mode.CLOSING_PERIOD) {
                        // a retransmission reaches the loop that keeps the connection: its cached close comes back
                        byte[] again = TestPeers.clientInitial(QuicVersion.V1, odcids.get(0), ConnectionId.random(8));
                        sockets.get(0).send(server.localAddress().getPort(), again);
                        assertArrayEquals(firstClose, reply(sockets.get(0)), "the closing connection's cached close");
                    }
                } finally {
                    for (UdpSend udp : sockets) {
                        udp.close();
                    }
                }
                assertEquals(clients, server.refusedConnections());
                List<Long> byLoop = server.refusedByEventLoop();
                assertEquals(2, byLoop.size());
                // 32 client ports hashed over two sockets: both get some (all on one: probability 2^-31)
                assertTrue(byLoop.get(0) > 0 && byLoop.get(1) > 0, byLoop::toString);
                assertTrue(server.toString().contains(" x2"), server::toString);
            }
        }
    }

    @Test
    void severalEventLoopsNeedEpoll() {
        RejectServer.Config c = RejectServer.Config.builder().bind(new InetSocketAddress("127.0.0.1", 0))
                .transport(RejectServer.Transport.NIO).eventLoops(2).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RejectServer.start(c));
        assertTrue(e.getMessage().contains("SO_REUSEPORT"), e.getMessage());
    }

    @Test
    void configHasTheDocumentedDefaultsAndChecksItsArguments() throws Exception {
        assertEquals(7, RejectServerCommand.config(new String[] {"--max-connections", "7"}, null).maxConnections());
        assertEquals(3, RejectServerCommand.config(new String[] {"--event-loops", "3"}, null).eventLoops());
        assertEquals(RejectServer.Mode.STATELESS_UNAUTHENTICATED,
                RejectServerCommand.config(new String[] {"--stateless", "--unauthenticated"}, null).mode());
        assertEquals(RejectServer.Mode.STATELESS, RejectServerCommand.config(new String[] {"--stateless"}, null).mode());
        assertThrows(UsageException.class, () -> RejectServerCommand.config(new String[] {"--unauthenticated"}, null));
        assertThrows(UsageException.class, () -> RejectServerCommand.config(new String[] {"--event-loops", "0"}, null));
        assertThrows(UsageException.class,
                () -> RejectServerCommand.config(new String[] {"--stateless", "--max-connections", "5"}, null),
                "a limit that would do nothing");
        assertEquals(1, RejectServer.Config.builder().build().eventLoops());
        assertThrows(IllegalArgumentException.class, () -> RejectServer.Config.builder().eventLoops(0));
        RejectServer.Config c = RejectServer.Config.builder().build();
        assertEquals(Integer.MAX_VALUE, c.maxConnections(), "no limit");
        assertEquals(new InetSocketAddress("127.0.0.1", 4433), c.bind());
        assertEquals(CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, "server busy"), c.closeError());
        assertEquals(RejectServer.Transport.AUTO, c.transport());
        assertNull(c.log());
        RejectServer.Config.Builder b = RejectServer.Config.builder();
        assertThrows(IllegalArgumentException.class, () -> b.closeError(CloseError.idleClose()));
        assertThrows(IllegalArgumentException.class, () -> b.closeError(CloseError.dropConnection()));
        assertThrows(NullPointerException.class, () -> b.closeError(null));
        assertThrows(NullPointerException.class, () -> b.bind(null));
        assertThrows(NullPointerException.class, () -> b.transport(null));
        assertThrows(IllegalArgumentException.class, () -> b.maxConnections(0));
    }

    @Test
    void autoPicksEpollWhereItLoads() throws Exception {
        try (RejectServer server = TestPeers.server(RejectServer.Config.DEFAULT_CLOSE_ERROR)) {
            assertEquals(Epoll.isAvailable() ? RejectServer.Transport.EPOLL : RejectServer.Transport.NIO,
                    server.transport());
        }
    }

    @Test
    void aTakenPortFailsTheStart() throws Exception {
        try (RejectServer server = TestPeers.server(RejectServer.Config.DEFAULT_CLOSE_ERROR)) {
            RejectServer.Config c = RejectServer.Config.builder().bind(server.localAddress())
                    .transport(RejectServer.Transport.NIO).build();
            assertThrows(java.net.BindException.class, () -> RejectServer.start(c));
        }
    }

    /**
     * Several event loops bind with SO_REUSEPORT, which would let them join another server's sockets on the same port
     * and take half its clients: a port taken by a server with several loops fails the start too.
     */
    @Test
    void aPortTakenBySeveralEventLoopsFailsTheStartOfAnotherServerWithSeveral() throws Exception {
        assertTrue(Epoll.isAvailable(), () -> "epoll: " + Epoll.unavailabilityCause());
        try (RejectServer server = RejectServer.start(RejectServer.Config.builder()
                .bind(new InetSocketAddress("127.0.0.1", 0)).eventLoops(2).build())) {
            RejectServer.Config c = RejectServer.Config.builder().bind(server.localAddress()).eventLoops(2).build();
            assertThrows(java.io.IOException.class, () -> RejectServer.start(c).close());
            RejectServer.Config plain = RejectServer.Config.builder().bind(server.localAddress())
                    .transport(RejectServer.Transport.NIO).build();
            assertThrows(java.io.IOException.class, () -> RejectServer.start(plain).close());
        }
    }
}
