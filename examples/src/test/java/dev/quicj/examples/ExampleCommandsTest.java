package dev.quicj.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.examples.CommandLineTest.Result;
import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The {@code demo}, {@code reject-server} and {@code close-client} commands, run through {@link Main}. */
@Timeout(120)
class ExampleCommandsTest {
    private static final String SERVER_CLOSE = "CONNECTION_CLOSE type=0x1c error=0x2 (CONNECTION_REFUSED) frame_type=0x0"
            + " reason_len=11 reason=\"server busy\"";

    private static int indexOf(String text, String part) {
        int i = text.indexOf(part);
        assertTrue(i >= 0, () -> "missing '" + part + "' in:\n" + text);
        return i;
    }

    @Test
    void demoShowsBothDirectionsDecodedAndExitsZero() {
        Result r = CommandLineTest.run("demo");
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals("", r.err());
        String out = r.out();
        int initial = indexOf(out, ">>> client -> server  1200 bytes  (the client's first Initial");
        int hello = indexOf(out, "frame CRYPTO offset=0 length=");
        indexOf(out, ": ClientHello (ALPN h3,hq-interop, QUIC transport parameters)");
        int clientClose = indexOf(out, ">>> client -> server  1200 bytes  (the client closes the connection at Initial"
                + " level)");
        int clientFrame = indexOf(out, "frame CONNECTION_CLOSE type=0x1c error=0x0 (NO_ERROR) frame_type=0x0"
                + " reason_len=20 reason=\"demo client says bye\"");
        int answer = indexOf(out, "<<< server -> client");
        int serverKeys = indexOf(out, "keys=\"server Initial\"");
        int serverFrame = indexOf(out, "frame " + SERVER_CLOSE);
        assertTrue(initial < hello && hello < clientClose && clientClose < clientFrame, out);
        assertTrue(answer < serverKeys && serverKeys < serverFrame, out);
        indexOf(out, "packet INITIAL version=0x00000001");
        indexOf(out, "  server closed: Initial " + SERVER_CLOSE);
        Matcher m = Pattern.compile("(?m)^  refused 127\\.0\\.0\\.1:[0-9]+ v1 dcid=\\p{XDigit}{16} scid=\\p{XDigit}{16}: "
                + "Initial " + Pattern.quote(SERVER_CLOSE) + "$").matcher(out);
        assertTrue(m.find(), out);
        indexOf(out, "== demo OK");
    }

    @Test
    void closeClientPrintsWhatItSentAndTheServersClose() throws Exception {
        try (RejectServer server = TestPeers.server(RejectServer.Config.DEFAULT_CLOSE_ERROR)) {
            Result r = CommandLineTest.run("close-client", "127.0.0.1",
                    Integer.toString(server.localAddress().getPort()), "--error", "0x1", "--reason", "tested",
                    "--version", "2", "--wait", "10000");
            assertEquals(0, r.status(), r.err());
            String out = r.out();
            indexOf(out, "QUIC version 2");
            indexOf(out, "packet INITIAL version=0x6b3343cf");
            indexOf(out, "  client sent:   Initial CONNECTION_CLOSE type=0x1c error=0x1 (INTERNAL_ERROR) frame_type=0x0"
                    + " reason_len=6 reason=\"tested\"");
            indexOf(out, "  server closed: Initial " + SERVER_CLOSE);
            assertEquals(1, server.refusedConnections());
        }
    }

    @Test
    void closeClientSendsAnApplicationCloseAsApplicationError() throws Exception {
        try (RejectServer server = TestPeers.server(RejectServer.Config.DEFAULT_CLOSE_ERROR)) {
            Result r = CommandLineTest.run("close-client", "127.0.0.1",
                    Integer.toString(server.localAddress().getPort()), "--app", "--error", "77", "--reason", "gone",
                    "--wait", "10000");
            assertEquals(0, r.status(), r.err());
            indexOf(r.out(), "  client sent:   Initial CONNECTION_CLOSE type=0x1c error=0xc (APPLICATION_ERROR)"
                    + " frame_type=0x0 reason_len=0 reason=\"\"");
        }
    }

    @Test
    void closeClientSaysWhenNoCloseCameBack() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Result r = CommandLineTest.run("close-client", "127.0.0.1", Integer.toString(silent.getLocalPort()),
                    "--wait", "200");
            assertEquals(0, r.status(), r.err());
            indexOf(r.out(), "  server sent no CONNECTION_CLOSE within 200 ms");
            indexOf(r.out(), "  client sent:   Initial CONNECTION_CLOSE type=0x1c error=0x0 (NO_ERROR)");
        }
    }

    /** Writes a fake server's answer to the client's first Initial (its DCID at offset 6, its SCID right after). */
    @FunctionalInterface
    private interface Answer {
        void write(byte[] initial, int dcidLength, int scidLength, java.io.ByteArrayOutputStream reply);
    }

    /** A started thread that answers the first datagram {@code peer} receives, once. */
    /** Version Negotiation (RFC 9000 §17.2.1) listing one version: the client's connection IDs swapped. */
    private static Answer versionNegotiation(int version) {
        return (d, dcidLength, scidLength, reply) -> {
            reply.writeBytes(new byte[] {(byte) 0x80, 0, 0, 0, 0});
            reply.write(scidLength);
            reply.write(d, 7 + dcidLength, scidLength);
            reply.write(dcidLength);
            reply.write(d, 6, dcidLength);
            reply.writeBytes(new byte[] {(byte) (version >>> 24), (byte) (version >>> 16), (byte) (version >>> 8),
                    (byte) version});
        };
    }

    private static Thread answerFirstDatagram(DatagramSocket peer, Answer answer) {
        Thread t = new Thread(() -> {
            try {
                java.net.DatagramPacket in = new java.net.DatagramPacket(new byte[1500], 1500);
                peer.receive(in);
                byte[] d = in.getData();
                int dcidLength = d[5];
                java.io.ByteArrayOutputStream reply = new java.io.ByteArrayOutputStream();
                answer.write(d, dcidLength, d[6 + dcidLength], reply);
                byte[] b = reply.toByteArray();
                peer.send(new java.net.DatagramPacket(b, b.length, in.getSocketAddress()));
            } catch (IOException e) {
                // the client then sees nothing from the server, and the test fails on what it expected
            }
        });
        t.start();
        return t;
    }

    @Test
    void closeClientFollowingARetryDoesNotCloseAConnectionTheServerAlreadyClosed() throws Exception {
        // reject-server answers the first Initial with its close: the client drains and sends nothing (RFC 9000
        // §10.2.2), which is not a failure of the command
        try (RejectServer server = TestPeers.server(RejectServer.Config.DEFAULT_CLOSE_ERROR)) {
            Result r = CommandLineTest.run("close-client", "127.0.0.1",
                    Integer.toString(server.localAddress().getPort()), "--wait", "500", "--follow-retry");
            assertEquals(0, r.status(), r.out() + r.err());
            indexOf(r.out(), "  client sent no close: the server closed the connection first, and a draining endpoint"
                    + " sends nothing (RFC 9000 §10.2.2)");
            indexOf(r.out(), "  server closed: Initial CONNECTION_CLOSE type=0x1c error=0x2 (CONNECTION_REFUSED)");
            assertEquals(1, server.refusedConnections());
        }
    }

    @Test
    void closeClientFollowingARetryDoesNotCloseAfterVersionNegotiation() throws Exception {
        try (DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            // Version Negotiation (RFC 9000 §17.2.1): the client's CIDs swapped, one version it does not speak
            Thread answering = answerFirstDatagram(peer, versionNegotiation(0x0a1a2a3a));
            Result r = CommandLineTest.run("close-client", "127.0.0.1", Integer.toString(peer.getLocalPort()),
                    "--wait", "500", "--follow-retry");
            answering.join(10_000);
            assertEquals(0, r.status(), r.out() + r.err());
            indexOf(r.out(), "  client sent no close: the connection already ended: the server does not speak its"
                    + " version (Version Negotiation, RFC 9000 §6.2)");
        }
    }

    @Test
    void closeClientDoesNotSayTheServerLacksItsVersionWhenTheVersionNegotiationListsIt() throws Exception {
        // a Version Negotiation packet that lists the client's own version is discarded (RFC 9000 §6.2), and the
        // client closes as usual; the summary used to read "server VERSION_NEGOTIATION: 1 packet, 27 bytes: the server
        // does not speak QUIC version 1", which that packet itself contradicts
        try (DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            // version 1, the client's
            Thread answering = answerFirstDatagram(peer, versionNegotiation(0x00000001));
            Result r = CommandLineTest.run("close-client", "127.0.0.1", Integer.toString(peer.getLocalPort()),
                    "--wait", "500", "--follow-retry");
            answering.join(10_000);
            assertEquals(0, r.status(), r.out() + r.err());
            String out = r.out();
            indexOf(out, "  client sent:   Initial CONNECTION_CLOSE type=0x1c error=0x0 (NO_ERROR)");
            String line = out.substring(indexOf(out, "  server VERSION_NEGOTIATION: 1 packet, "));
            line = line.substring(0, line.indexOf('\n'));
            assertFalse(line.contains("does not speak QUIC version 1"), line);
        }
    }

    @Test
    void closeClientDoesNotBlameTlsKeysForARetryOrAnUnparsedPacket() throws Exception {
        // an address-validating server (gtlsserver -V) answers the client's Initial with a Retry, which has no
        // encrypted payload: the summary used to read "server RETRY: 1 packet, 46 bytes, not decrypted (its keys come
        // from the TLS handshake, which this client does not run)", and the same for bytes that do not parse. With
        // --follow-retry the client waits for that Retry, whose zero tag it does not take (RFC 9001 §5.8), and says so
        for (int variant = 0; variant < 3; variant++) {
            boolean retry = variant < 2;
            boolean follow = variant == 1;
            try (DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                Thread answering = answerFirstDatagram(peer, (d, dcidLength, scidLength, reply) -> {
                    if (retry) {
                        // Retry, version 1: DCID = the client's SCID, a new SCID, a token, a 16-byte tag
                        reply.write(0xf0);
                        reply.write(d, 1, 4);
                        reply.write(scidLength);
                        reply.write(d, 7 + dcidLength, scidLength);
                        reply.write(8);
                        reply.writeBytes(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
                        reply.writeBytes("token".getBytes(StandardCharsets.US_ASCII));
                        reply.writeBytes(new byte[16]);
                    } else {
                        reply.writeBytes(new byte[] {(byte) 0xc0, 0, 0});   // a long header cut short
                    }
                });
                String[] args = {"close-client", "127.0.0.1", Integer.toString(peer.getLocalPort()), "--wait", "500"};
                if (follow) {
                    args = java.util.Arrays.copyOf(args, args.length + 1);
                    args[args.length - 1] = "--follow-retry";
                }
                Result r = CommandLineTest.run(args);
                answering.join(10_000);
                assertEquals(0, r.status(), r.err());
                String out = r.out();
                String line = out.substring(indexOf(out,
                        retry ? "  server RETRY: 1 packet, " : "  server unparsed: 1 packet, "));
                line = line.substring(0, line.indexOf('\n'));
                assertFalse(line.contains("TLS handshake"), line);
                String expected = follow ? ": a Retry (address validation) the client did not take (it takes one,"
                        + " with a valid integrity tag, before any other server packet: RFC 9000 §17.2.5.2)"
                        : retry ? ": a Retry (address validation); this client closed right after its first Initial,"
                        + " so it did not send it again with the token (--follow-retry does)"
                        : ": not a QUIC packet this client can parse";
                assertTrue(line.endsWith(expected), line);
                indexOf(out, "  client sent:   Initial CONNECTION_CLOSE type=0x1c error=0x0 (NO_ERROR)");
            }
        }
    }

    @Test
    void closeClientSummaryReportsTheCloseItReallySentAfterALongRetryToken() throws Exception {
        // a valid Retry (RFC 9000 §17.2.5, integrity tag of RFC 9001 §5.8) with a 300-byte token: every later Initial
        // repeats the token, so the 1000-byte reason no longer fits the 1200-byte close Initial, and the handler sends
        // the close without it. The summary ("the close it sent", README) used to print the configured 1000-byte
        // reason although the datagram carried reason_len=0
        try (DatagramSocket peer = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Thread answering = answerFirstDatagram(peer, (d, dcidLength, scidLength, reply) -> {
                java.io.ByteArrayOutputStream retry = new java.io.ByteArrayOutputStream();
                retry.write(0xf0);
                retry.write(d, 1, 4);
                retry.write(scidLength);
                retry.write(d, 7 + dcidLength, scidLength);
                retry.write(8);
                retry.writeBytes(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
                retry.writeBytes(new byte[300]);
                byte[] packet = retry.toByteArray();
                java.io.ByteArrayOutputStream pseudo = new java.io.ByteArrayOutputStream();
                pseudo.write(dcidLength);
                pseudo.write(d, 6, dcidLength);
                pseudo.writeBytes(packet);
                try {
                    javax.crypto.Cipher gcm = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
                    gcm.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(
                            dev.quicj.core.Hex.decode("be0c690b9f66575a1d766b54e368c84e"), "AES"),
                            new javax.crypto.spec.GCMParameterSpec(128,
                                    dev.quicj.core.Hex.decode("461599d35d632bf2239825bb")));
                    gcm.updateAAD(pseudo.toByteArray());
                    reply.writeBytes(packet);
                    reply.writeBytes(gcm.doFinal());
                } catch (java.security.GeneralSecurityException e) {
                    throw new AssertionError(e);
                }
            });
            String reason = "r".repeat(Args.MAX_REASON_BYTES);
            Result r = CommandLineTest.run("close-client", "127.0.0.1", Integer.toString(peer.getLocalPort()),
                    "--wait", "500", "--follow-retry", "--reason", reason);
            answering.join(10_000);
            assertEquals(0, r.status(), r.out() + r.err());
            String out = r.out();
            indexOf(out, "  (the client took the server's Retry");
            // the CONNECTION_CLOSE frame decoded from the datagram the client sent
            int closing = indexOf(out, "(the client closes the connection at Initial level)");
            int frameAt = out.indexOf("frame CONNECTION_CLOSE ", closing);
            assertTrue(frameAt >= 0, out);
            String onWire = out.substring(frameAt + "frame ".length(), out.indexOf('\n', frameAt));
            String summary = out.substring(indexOf(out, "  client sent:   Initial "));
            summary = summary.substring("  client sent:   Initial ".length(), summary.indexOf('\n'));
            assertEquals(onWire, summary, out);
        }
    }

    @Test
    void closeClientWhoseSocketRefusesTheDatagramsSaysSo() throws Exception {
        // port 0 cannot be sent to (EINVAL): the handler wrote the close to the channel (its result is SENT) but the
        // socket refused it; the summary used to read "client sent no close: SENT"
        TestPeers.Capture out = new TestPeers.Capture();
        CloseClient.Result r = CloseClient.run(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                CloseError.transport(TransportErrorCode.NO_ERROR, "x"), QuicVersion.V1, Duration.ofMillis(200),
                out.stream);
        assertFalse(r.closeSent(), out::text);
        assertTrue(r.sent().isEmpty(), out::text);
        assertFalse(out.text().contains("SENT"), out::text);
        indexOf(out.text(), "  client sent nothing: the socket did not take its datagrams");
    }

    @Test
    void closeClientResultCarriesBothCloses() throws Exception {
        try (RejectServer server = TestPeers.server(TestPeers.BAD_STREAM)) {
            TestPeers.Capture out = new TestPeers.Capture();
            CloseClient.Result r = CloseClient.run(server.localAddress(),
                    CloseError.transport(TransportErrorCode.NO_ERROR, "x"), QuicVersion.V1,
                    Duration.ofSeconds(10), out.stream);
            assertTrue(r.closeSent(), out::text);
            assertEquals(Describe.wireFrame(TestPeers.BAD_STREAM, true), r.serverClose(), out::text);
            assertEquals(EncryptionLevel.INITIAL, r.serverCloseLevel());
            assertEquals(1200, r.sent().get(0).length);
            assertEquals(r.scid(), TestPeers.onlyPacket(r.received().get(0), r.originalDcid()).dcid());
        }
    }

    @Test
    void rejectServerWithSeveralEventLoopsWithoutEpollSaysWhyInOneLine() throws Exception {
        // what `--event-loops 2` gives on a platform without epoll: used to print
        // "reject-server failed: java.lang.IllegalStateException: ..."
        RejectServer.Config config = RejectServer.Config.builder()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .transport(RejectServer.Transport.NIO).eventLoops(2).build();
        CommandException e = assertThrows(CommandException.class,
                () -> RejectServerCommand.serve(config, new TestPeers.Capture().stream,
                        new CountDownLatch(0)));
        assertTrue(e.getMessage().startsWith("--event-loops 2 needs the epoll transport"), e.getMessage());
    }

    @Test
    void rejectServerThatCannotBindSaysWhy() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Result r = CommandLineTest.run("reject-server", "--bind", "127.0.0.1:" + taken.getLocalPort());
            assertEquals(1, r.status(), r.out());
            assertTrue(r.err().startsWith("error: cannot listen on 127.0.0.1:" + taken.getLocalPort()), r.err());
            assertEquals(1, r.err().split("\n").length, r.err());
        }
    }

    @Test
    void rejectServerWithMaxConnectionsDoesNotCountStatelessRefusalsAsConnections() throws Exception {
        // two clients against --max-connections 1: the first is kept for its closing period, both Initials of the
        // second (its ClientHello and its close) are refused statelessly, 3 refusals; the stop line used to say
        // "3 connection(s) refused" for 2 connections
        RejectServer.Config config = RejectServer.Config.builder()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).maxConnections(1).build();
        TestPeers.Capture out = new TestPeers.Capture();
        CountDownLatch stop = new CountDownLatch(1);
        Throwable[] failure = new Throwable[1];
        Thread serving = new Thread(() -> {
            try {
                RejectServerCommand.serve(config, out.stream, stop);
            } catch (Throwable t) {
                failure[0] = t;
            }
        }, "reject-server");
        serving.start();
        try {
            Matcher listening = awaitText(out, Pattern.compile("reject-server listening on 127\\.0\\.0\\.1:([0-9]+) "));
            InetSocketAddress server = new InetSocketAddress("127.0.0.1", Integer.parseInt(listening.group(1)));
            for (int i = 0; i < 2; i++) {
                CloseClient.Result r = CloseClient.run(server, CloseError.noError(), QuicVersion.V1,
                        Duration.ofSeconds(10), new TestPeers.Capture().stream);
                assertTrue(r.closeSent());
                assertEquals("server busy", r.serverClose().reasonString());
            }
        } finally {
            stop.countDown();
            serving.join(30_000);
        }
        assertEquals(null, failure[0]);
        String text = out.text();
        assertFalse(text.contains("connection(s) refused"), text);
        assertTrue(text.contains("reject-server stopped: 3 refusal(s) (a connection each, or an Initial refused"
                + " statelessly beyond --max-connections), 0 datagram(s) ignored"), text);
    }

    private static Matcher awaitText(TestPeers.Capture capture, Pattern pattern) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = pattern.matcher(capture.text());
            if (m.find()) {
                return m;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("'" + pattern + "' did not appear in:\n" + capture.text());
    }

    /** Whether process {@code pid} ignores signal {@code number} (Linux: the SigIgn mask of /proc/pid/status). */
    private static boolean signalIgnored(long pid, int number) throws IOException {
        for (String line : Files.readAllLines(Paths.get("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 1L << (number - 1)) != 0;
            }
        }
        return false;
    }

    @Test
    void rejectServerRunsUntilCtrlCAndStopsCleanly(@TempDir Path dir) throws Exception {
        Path javaBin = Paths.get(System.getProperty("java.home"), "bin", "java");
        Path output = dir.resolve("out.txt");
        Process p = new ProcessBuilder(javaBin.toString(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "reject-server", "--bind", "127.0.0.1:0", "--reason", "busy, try later")
                .redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        try {
            Matcher listening = await(output, Pattern.compile("reject-server listening on 127\\.0\\.0\\.1:([0-9]+) "));
            int port = Integer.parseInt(listening.group(1));
            // this child JVM runs without the --add-opens flags: the public JCA fallbacks, which must work as well
            await(output, Pattern.compile("(?m)^  crypto: AES-GCM jca \\(.*\\), SHA-256 message-digest \\(.*\\)$"));
            TestPeers.Capture client = new TestPeers.Capture();
            CloseClient.Result r = CloseClient.run(new InetSocketAddress("127.0.0.1", port),
                    CloseError.noError(), QuicVersion.V1, Duration.ofSeconds(10), client.stream);
            assertEquals("busy, try later", r.serverClose().reasonString(), client.text());
            await(output, Pattern.compile("(?m)^refused 127\\.0\\.0\\.1:" + r.local().getPort() + " v1 dcid="
                    + r.originalDcid().toHex() + " "));
            // Ctrl-C; but a command that a non-interactive shell starts in the background (`cmd &`, as CI harnesses
            // do) inherits SIGINT ignored, and the JVM keeps it ignored: there the same stop is asked for with
            // SIGTERM, which reject-server handles alike
            boolean intIgnored = signalIgnored(p.pid(), 2);
            String signal = intIgnored ? "TERM" : "INT";
            Process kill = new ProcessBuilder("sh", "-c", "kill -" + signal + " " + p.pid()).inheritIO().start();
            assertEquals(0, kill.waitFor());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "reject-server did not stop on SIG" + signal);
            String text = Files.readString(output, StandardCharsets.UTF_8);
            assertTrue(text.contains("reject-server stopped: 1 connection(s) refused, 0 datagram(s) ignored"), text);
            // 128 + the signal: the JVM ran the shutdown hook and exited on the signal
            assertEquals(intIgnored ? 143 : 130, p.exitValue(), text);
        } finally {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static Matcher await(Path file, Pattern pattern) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String text = "";
        while (System.nanoTime() < deadline) {
            text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
            Matcher m = pattern.matcher(text);
            if (m.find()) {
                return m;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("'" + pattern + "' did not appear in:\n" + text);
    }

    @Test
    void helpPrintsEachCommandsUsage() {
        for (String command : List.of("demo", "reject-server", "close-client")) {
            Result r = CommandLineTest.run(command, "--help");
            assertEquals(0, r.status(), command);
            assertTrue(r.out().startsWith("usage: " + command), r.out());
        }
        Result all = CommandLineTest.run("--help");
        for (String command : List.of("demo", "reject-server", "close-client", "write-close", "decode")) {
            assertTrue(all.out().contains("  " + command + " "), all.out());
        }
    }

    @Test
    void badArgumentsPrintOneErrorLineAndTheUsage() {
        String longReason = "r".repeat(Args.MAX_REASON_BYTES + 1);
        String[][] bad = {
            {"reject-server", "--bind", "nonsense"},
            {"reject-server", "--bind", "127.0.0.1:70000"},
            {"reject-server", "--bind", "127.0.0.1:x"},
            {"reject-server", "--bind", "::1:4433"},
            {"reject-server", "--bind", ":4433"},
            {"reject-server", "--error", "-1"},
            {"reject-server", "--error", "4611686018427387904"},
            {"reject-server", "--error", "0xZZ"},
            {"reject-server", "--reason", longReason},
            {"reject-server", "--app=yes"},
            {"reject-server", "--bogus"},
            {"reject-server", "--max-connections", "0"},
            {"reject-server", "--max-connections", "many"},
            {"reject-server", "extra"},
            {"close-client"},
            {"close-client", "127.0.0.1"},
            {"close-client", "127.0.0.1", "x"},
            {"close-client", "127.0.0.1", "0"},
            {"close-client", "127.0.0.1", "65536"},
            {"close-client", "127.0.0.1", "4433", "extra"},
            {"close-client", "127.0.0.1", "4433", "--version", "3"},
            {"close-client", "127.0.0.1", "4433", "--wait", "soon"},
            {"close-client", "127.0.0.1", "4433", "--wait", "60001"},
            {"close-client", "127.0.0.1", "4433", "--error", "4611686018427387904"},
            {"close-client", "127.0.0.1", "4433", "--reason"},
            {"close-client", "127.0.0.1", "4433", "--reason", longReason},
            {"demo", "now"},
        };
        for (String[] args : bad) {
            Result r = CommandLineTest.run(args);
            String what = String.join(" ", args);
            assertEquals(2, r.status(), what);
            String[] lines = r.err().split("\n");
            assertTrue(lines[0].startsWith("error: "), what + ": " + r.err());
            assertTrue(lines[1].startsWith("usage: " + args[0]), what + ": " + r.err());
            assertEquals("", r.out(), what);
        }
    }
}
