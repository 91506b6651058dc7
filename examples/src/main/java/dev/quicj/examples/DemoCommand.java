package dev.quicj.examples;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.inspect.InspectedFrame;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@code demo}: runs a {@link RejectServer} and a {@link CloseClient} against each other on loopback, in this process,
 * and prints the exchange decoded. Exit status 0 when it went as expected: the client sent its Initial and its
 * Initial close, and the server refused the connection with its Initial close, which the client decoded.
 */
final class DemoCommand {
    static final String USAGE = "usage: demo\n"
            + "  runs reject-server and close-client against each other on 127.0.0.1 (a free port) and prints\n"
            + "  every datagram of the exchange decoded";

    /** What the demo's client closes with. */
    static final CloseError CLIENT_ERROR = CloseError.transport(TransportErrorCode.NO_ERROR, "demo client says bye");
    /** What the demo's server refuses with (the reject-server default). */
    static final CloseError SERVER_ERROR = RejectServer.Config.DEFAULT_CLOSE_ERROR;
    private static final Duration WAIT = Duration.ofSeconds(3);

    private DemoCommand() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) throws UsageException, Exception {
        if (argv.length > 0) {
            throw new UsageException("demo takes no arguments: '" + argv[0] + "'");
        }
        ByteArrayOutputStream serverLog = new ByteArrayOutputStream();
        PrintStream serverOut = new PrintStream(serverLog, true, StandardCharsets.UTF_8);
        RejectServer.Config config = RejectServer.Config.builder()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .closeError(SERVER_ERROR)
                .log(serverOut)
                .build();
        out.println("== demo: reject-server and close-client on loopback, in one process");
        CloseClient.Result r;
        long refused;
        try (RejectServer server = RejectServer.start(config)) {
            out.println("== reject-server listening on " + Describe.address(server.localAddress()) + " ("
                    + server.transport() + "), answering every client Initial with: Initial "
                    + Describe.closeOnWire(SERVER_ERROR, true));
            out.println("== close-client: open a connection, close it at once with "
                    + Describe.closeError(CLIENT_ERROR));
            r = CloseClient.run(server.localAddress(), CLIENT_ERROR, QuicVersion.V1, WAIT, out);
            refused = server.refusedConnections();
        }
        String serverLines = serverLog.toString(StandardCharsets.UTF_8);
        out.println("== reject-server printed:");
        for (String line : serverLines.split("\n")) {
            if (!line.isEmpty()) {
                out.println("  " + line);
            }
        }
        InspectedFrame.ConnectionClose expected = Describe.wireFrame(SERVER_ERROR, true);
        String problem = null;
        if (!r.closeSent()) {
            problem = "the client's close was not sent";
        } else if (r.serverClose() == null) {
            problem = "the server's close did not arrive within " + WAIT.toMillis() + " ms";
        } else if (r.serverCloseLevel() != EncryptionLevel.INITIAL || !r.serverClose().equals(expected)) {
            problem = "the server's close differs: " + r.serverCloseLevel() + " " + r.serverClose() + ", expected "
                    + "INITIAL " + expected;
        } else if (refused != 1 || !serverLines.startsWith("refused ")) {
            problem = "the server reports " + refused + " refused connection(s)";
        }
        if (problem != null) {
            err.println("demo: FAILED: " + problem);
            return 1;
        }
        int resentByClient = r.sent().size() - 2;
        int serverCopies = r.received().size();
        out.println("== what happened:");
        out.println("  1. the client sent its first Initial (a TLS ClientHello) and, right after, an Initial"
                + " CONNECTION_CLOSE");
        out.println("  2. the server accepted the Initial (it decrypts with keys from the DCID), refused the connection"
                + " with its own Initial CONNECTION_CLOSE and entered its closing period");
        out.println("  3. in its closing period the server answered the client's datagrams by re-sending its close,"
                + " rate-limited (RFC 9000 §10.2.1): the client received " + serverCopies + " copy(ies) of it; the"
                + " client, closing too (a closing connection decrypts nothing, so the server's close does not make"
                + " it drain), re-sent its own " + resentByClient + " time(s): a re-send of its 1200-byte close needs"
                + " three times that received in its closing period");
        out.println("== demo OK: the server refused the connection with Initial CONNECTION_CLOSE error 0x"
                + Long.toHexString(expected.errorCode()) + " (" + TransportErrorCode.name(expected.errorCode())
                + ") reason \"" + expected.reasonString() + "\", and the client decoded it");
        return 0;
    }
}
