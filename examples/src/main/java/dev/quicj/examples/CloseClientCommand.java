package dev.quicj.examples;

import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;

/**
 * {@code close-client}: opens a QUIC connection to HOST PORT with a real client Initial, closes it at Initial level
 * and prints what was sent and what the server answered, decoded ({@link CloseClient}).
 */
final class CloseClientCommand {
    static final String USAGE = "usage: close-client HOST PORT [--error N] [--reason TEXT] [--app] [--version 1|2]"
            + " [--wait MS]"
            + " [--follow-retry]\n"
            + "  sends a client Initial (TLS ClientHello), closes the connection at Initial level, prints both\n"
            + "  directions decoded\n"
            + "  --error    error code, decimal or 0x hex (default 0x0, NO_ERROR)\n"
            + "  --reason   reason phrase (default \"client going away\")\n"
            + "  --app      an application close (sent in Initial packets as APPLICATION_ERROR 0xc without reason)\n"
            + "  --version  QUIC version 1 (default) or 2\n"
            + "  --wait     how long to wait for the server's datagrams, in ms (default 1000)\n"
            + "  --follow-retry  close after the server's first datagram (or after --wait without one), not at once;\n"
            + "             a Retry is followed first: the Initial goes again with its token (RFC 9000 §17.2.5.2);\n"
            + "             no close when that datagram ended the connection (the server's close, a Version\n"
            + "             Negotiation)";

    private static final Set<String> VALUED = Set.of("error", "reason", "version", "wait");
    private static final Set<String> SWITCHES = Set.of("app", "follow-retry");
    private static final long MAX_WAIT_MILLIS = 60_000;

    private CloseClientCommand() {
    }

    /** The parsed arguments. */
    record Options(InetSocketAddress server, CloseError error, QuicVersion version, Duration waitTime,
            CloseClient.Mode mode) {
    }

    static Options parse(String[] argv) throws UsageException {
        Args a = new Args(argv, VALUED, SWITCHES);
        if (a.positional().size() != 2) {
            throw new UsageException(a.positional().size() < 2 ? "give HOST and PORT"
                    : "unexpected argument '" + a.positional().get(2) + "'");
        }
        String host = a.positional().get(0);
        String portText = a.positional().get(1);
        int port = Args.port("PORT", portText, false);
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetSocketAddress server = new InetSocketAddress(Args.address("HOST", bare), port);
        CloseError error = a.closeError(TransportErrorCode.NO_ERROR, "client going away");
        QuicVersion version = Main.version(a.string("version", "1"));
        Duration wait = Duration.ofMillis(a.number("wait", CloseClient.DEFAULT_WAIT.toMillis(), 0, MAX_WAIT_MILLIS));
        CloseClient.Mode mode = a.flag("follow-retry") ? CloseClient.Mode.FOLLOW_RETRY : CloseClient.Mode.AT_ONCE;
        return new Options(server, error, version, wait, mode);
    }

    static int run(String[] argv, PrintStream out) throws Exception {
        Options o = parse(argv);
        CloseClient.Result r = CloseClient.run(o.server(), o.error(), o.version(), o.waitTime(), o.mode(), out);
        if (!r.closeSent() && r.closeNotNeeded() == null) {
            throw new CommandException("the client's close was not sent");
        }
        return 0;
    }
}
