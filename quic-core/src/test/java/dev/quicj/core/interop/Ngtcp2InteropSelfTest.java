package dev.quicj.core.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end self-tests of the harness with real peers only (gtlsserver, gtlsclient, dumpcap, tshark): no code of
 * this project writes a packet here.
 */
@Timeout(120)
class Ngtcp2InteropSelfTest {
    static final String CHACHA_ONLY = "--ciphers=NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+CHACHA20-POLY1305";
    static final String AES128_ONLY = "--ciphers=NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    @BeforeEach
    void requirePeers() {
        Peers.requireTool(Peers.Tool.GTLSSERVER, Peers.Tool.GTLSCLIENT, Peers.Tool.OPENSSL, Peers.Tool.TSHARK,
                Peers.Tool.DUMPCAP);
        Peers.requireLoopbackCapture();
    }

    /** Cipher mismatch: the server refuses the handshake with an Initial CONNECTION_CLOSE, CRYPTO_ERROR 0x128. */
    @Test
    void serverInitialCloseSeenByClientLogAndByTshark() throws Exception {
        try (Ngtcp2Server server = Ngtcp2Server.start(CHACHA_ONLY);
             LoopbackCapture capture = LoopbackCapture.start(server.port(), tmp.resolve("mismatch.pcapng"))) {
            Ngtcp2Client.Result client = Ngtcp2Client.to(server).options(AES128_ONLY).timeout(Duration.ofSeconds(30))
                    .run();
            assertFalse(client.timedOut(), client::diagnostics);
            Ngtcp2Close rx = client.firstReceived().orElseThrow(() -> new AssertionError(client.diagnostics()));
            assertEquals(Ngtcp2Close.Level.INITIAL, rx.level(), client::diagnostics);
            assertEquals(0x1c, rx.type());
            assertEquals(0x128, rx.errorCode());
            assertEquals("CRYPTO_ERROR", rx.errorName());
            assertEquals(0, rx.frameType());
            assertEquals(0, rx.reasonLength());
            assertEquals("", rx.reason());
            assertEquals("peer-close level=initial type=0x1c error=0x128 frame_type=0x0 pn=" + rx.packetNumber()
                    + " error_name=CRYPTO_ERROR reason_len=0 reason=\"\"", client.summary());

            Ngtcp2Close tx = server.awaitClose(Ngtcp2Close.Direction.SENT, WAIT)
                    .orElseThrow(() -> new AssertionError("no close in the server log:\n" + server.log()));
            assertEquals(0x128, tx.errorCode());
            assertEquals(Ngtcp2Close.Level.INITIAL, tx.level());

            assertTrue(capture.awaitPackets(2, WAIT), "dumpcap saw " + capture.packetCount() + " packets");
            Path pcap = capture.stop();
            TsharkResult decoded = Tshark.create().withQuicPort(server.port()).decodeCapture(pcap);
            List<DecodedPacket> closing = decoded.packetsWithConnectionClose();
            assertFalse(closing.isEmpty(), decoded::summary);
            DecodedPacket packet = closing.get(0);
            DecodedDatagram datagram = decoded.datagram(packet.datagram());
            assertEquals(server.port(), datagram.srcPort(), decoded::summary);
            assertEquals(PacketType.INITIAL, packet.type(), decoded::summary);
            assertEquals(OptionalLong.of(rx.packetNumber()), packet.packetNumber(), decoded::summary);
            DecodedFrame.ConnectionClose cc = packet.frames(DecodedFrame.ConnectionClose.class).get(0);
            assertEquals(0x1c, cc.type());
            assertEquals(0x128, cc.errorCode());
            assertEquals(OptionalLong.of(0), cc.triggeringFrameType());
            assertEquals(0, cc.reasonLength());
            assertEquals(OptionalInt.of(40), cc.tlsAlert(), "TLS alert 40 = handshake_failure");
            // The client's first Initial came first and decrypts as well (its DCID keys the Initial secrets).
            DecodedPacket first = decoded.datagram(1).packets().get(0);
            assertEquals(server.port(), decoded.datagram(1).dstPort());
            assertEquals(PacketType.INITIAL, first.type());
            assertFalse(first.decryptionFailed(), decoded::summary);
            assertEquals(first.scid(), packet.dcid(), decoded::summary);
        }
    }

    /**
     * A client that gives up on a silent server sends a 1200-byte Initial CONNECTION_CLOSE; captured and replayed
     * with {@link UdpSend} to a fresh server, that server logs it as received (after rejecting a truncated copy).
     */
    @Test
    void replayedClientInitialCloseIsReadByAFreshServer() throws Exception {
        byte[] closeDatagram;
        long closePn;
        try (Ngtcp2Server silent = Ngtcp2Server.start("-r", "1.0");
             LoopbackCapture capture = LoopbackCapture.start(silent.port(), tmp.resolve("silent.pcapng"))) {
            Ngtcp2Client.Result client = Ngtcp2Client.to(silent).handshakeTimeout(Duration.ofSeconds(1))
                    .timeout(Duration.ofSeconds(30)).run();
            assertFalse(client.timedOut(), client::diagnostics);
            assertTrue(client.received().isEmpty(), client::diagnostics);
            Ngtcp2Close tx = client.firstSent().orElseThrow(() -> new AssertionError(client.diagnostics()));
            assertEquals(Ngtcp2Close.Level.INITIAL, tx.level(), client::diagnostics);
            assertEquals(0x1c, tx.type());
            assertEquals(0xa, tx.errorCode());
            assertTrue(client.summary().startsWith("no-close rc=0 local_close=initial/0x1c/0xa detail=\""),
                    client::diagnostics);
            assertTrue(client.lastErrorLine().orElse("").contains("ERR_HANDSHAKE_TIMEOUT"), client::diagnostics);

            assertTrue(capture.awaitPackets(2, WAIT), "dumpcap saw " + capture.packetCount() + " packets");
            TsharkResult decoded = Tshark.create().withQuicPort(silent.port()).decodeCapture(capture.stop());
            DecodedDatagram close = decoded.datagrams().stream()
                    .filter(d -> d.dstPort() == silent.port() && !d.connectionCloses().isEmpty())
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no client close captured:\n" + decoded.summary()));
            assertEquals(1200, close.length(), decoded::summary);
            DecodedPacket packet = close.packets().get(0);
            assertEquals(PacketType.INITIAL, packet.type());
            assertEquals(OptionalLong.of(tx.packetNumber()), packet.packetNumber(), decoded::summary);
            DecodedFrame.ConnectionClose cc = close.connectionCloses().get(0);
            assertEquals(0x1c, cc.type());
            assertEquals(0xa, cc.errorCode());
            assertEquals(1200, packet.packetLength(), decoded::summary);
            closeDatagram = close.payload();
            closePn = tx.packetNumber();
        }

        try (Ngtcp2Server fresh = Ngtcp2Server.start()) {
            UdpSend.sendOnce(fresh.port(), Arrays.copyOf(closeDatagram, 1100));
            assertEquals(OptionalInt.of(1100), fresh.awaitUnexpectedPacket(WAIT), fresh::log);
            UdpSend.sendOnce(fresh.port(), closeDatagram);
            Ngtcp2Close rx = fresh.awaitClose(Ngtcp2Close.Direction.RECEIVED, WAIT)
                    .orElseThrow(() -> new AssertionError("no close in the server log:\n" + fresh.log()));
            assertEquals("peer-close level=initial type=0x1c error=0xa frame_type=0x0 pn=" + closePn
                    + " error_name=PROTOCOL_VIOLATION reason_len=0 reason=\"\"", rx.summary());
            assertTrue(fresh.isAlive());
        }
    }
    /**
     * A normal request: the client ends it with a 1-RTT CONNECTION_CLOSE (0x1d, H3_NO_ERROR 0x100), which the server
     * logs and which tshark decrypts with the client's key log (and cannot without it).
     */
    @Test
    void clientOneRttApplicationCloseDecryptsWithKeylog() throws Exception {
        Path keylog = tmp.resolve("keys.txt");
        try (Ngtcp2Server server = Ngtcp2Server.start();
             LoopbackCapture capture = LoopbackCapture.start(server.port(), tmp.resolve("normal.pcapng"))) {
            Ngtcp2Client.Result client = Ngtcp2Client.to(server).keylog(keylog).timeout(Duration.ofSeconds(30)).run();
            assertFalse(client.timedOut(), client::diagnostics);
            assertEquals(0, client.exitCode(), client::diagnostics);
            assertTrue(client.received().isEmpty(), client::diagnostics);
            Ngtcp2Close tx = client.firstSent().orElseThrow(() -> new AssertionError(client.diagnostics()));
            assertEquals(Ngtcp2Close.Level.ONE_RTT, tx.level());
            assertEquals(0x1d, tx.type());
            assertEquals(0x100, tx.errorCode());
            assertEquals("unknown", tx.errorName());

            Ngtcp2Close rx = server.awaitClose(Ngtcp2Close.Direction.RECEIVED, WAIT)
                    .orElseThrow(() -> new AssertionError("no close in the server log:\n" + server.log()));
            assertEquals("peer-close level=1rtt type=0x1d error=0x100 frame_type=0x0 pn=" + tx.packetNumber()
                    + " error_name=unknown reason_len=0 reason=\"\"", rx.summary());

            assertTrue(capture.awaitPackets(4, WAIT), "dumpcap saw " + capture.packetCount() + " packets");
            Path pcap = capture.stop();
            assertTrue(Files.size(keylog) > 0, "gtlsclient wrote no key log");
            Tshark tshark = Tshark.create().withQuicPort(server.port());
            TsharkResult decoded = tshark.withKeylog(keylog).decodeCapture(pcap);
            List<DecodedPacket> closing = decoded.packetsWithConnectionClose();
            assertEquals(1, closing.size(), decoded::summary);
            DecodedPacket packet = closing.get(0);
            assertEquals(PacketType.ONE_RTT, packet.type(), decoded::summary);
            assertEquals(OptionalLong.empty(), packet.version());
            assertEquals(OptionalLong.of(tx.packetNumber()), packet.packetNumber(), decoded::summary);
            assertEquals(server.port(), decoded.datagram(packet.datagram()).dstPort());
            DecodedFrame.ConnectionClose cc = packet.frames(DecodedFrame.ConnectionClose.class).get(0);
            assertEquals(0x1d, cc.type());
            assertFalse(cc.isTransport());
            assertEquals(0x100, cc.errorCode());
            assertEquals(OptionalLong.empty(), cc.triggeringFrameType());
            assertEquals(0, cc.reasonLength());
            assertTrue(decoded.packets().stream().anyMatch(p -> p.type() == PacketType.HANDSHAKE
                    && !p.decryptionFailed()), decoded::summary);

            TsharkResult withoutKeys = tshark.decodeCapture(pcap);
            assertTrue(withoutKeys.connectionCloses().isEmpty(), withoutKeys::summary);
            DecodedPacket same = withoutKeys.datagram(packet.datagram()).packets().stream()
                    .filter(p -> p.type() == PacketType.ONE_RTT).findFirst()
                    .orElseThrow(() -> new AssertionError(withoutKeys.summary()));
            assertTrue(same.decryptionFailed(), withoutKeys::summary);
            assertEquals(packet.dcid(), same.dcid());
        }
    }
}
