package dev.quicj.examples;

import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.crypto.CryptoProvider;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code reject-server}: runs a {@link RejectServer} until Ctrl-C (a shutdown hook stops it cleanly), printing one
 * line per refused connection.
 */
final class RejectServerCommand {
    static final String USAGE = "usage: reject-server [--bind HOST:PORT] [--error N] [--reason TEXT] [--app]"
            + " [--stateless [--unauthenticated]]"
            + " [--max-connections N] [--event-loops N]\n"
            + "  answers every QUIC client Initial with an Initial CONNECTION_CLOSE until Ctrl-C\n"
            + "  --bind     address to listen on (default 127.0.0.1:4433; [::1]:4433 for IPv6)\n"
            + "  --error    error code, decimal or 0x hex (default 0x2, CONNECTION_REFUSED)\n"
            + "  --reason   reason phrase (default \"server busy\")\n"
            + "  --app      an application close (sent in Initial packets as APPLICATION_ERROR 0xc without reason)\n"
            + "  --stateless  keep no state per refusal (no closing period): answer every Initial afresh\n"
            + "  --unauthenticated  with --stateless: answer from the header alone, without decrypting the Initial\n"
            + "  --max-connections  keep at most N refused connections in their closing period; refuse the rest"
            + " statelessly (default: no limit; per event loop)\n"
            + "  --event-loops  serve the port with N event loops, each with its own SO_REUSEPORT socket (epoll only;"
            + " default 1)";

    private static final Set<String> VALUED = Set.of("bind", "error", "reason", "max-connections", "event-loops");
    private static final Set<String> SWITCHES = Set.of("app", "stateless", "unauthenticated");
    // how long the shutdown hook waits for the server to stop
    private static final long HOOK_WAIT_SECONDS = 15;

    private RejectServerCommand() {
    }

    /** The server's configuration from the arguments. */
    static RejectServer.Config config(String[] argv, PrintStream log) throws UsageException {
        Args a = new Args(argv, VALUED, SWITCHES);
        if (!a.positional().isEmpty()) {
            throw new UsageException("unexpected argument '" + a.positional().get(0) + "'");
        }
        InetSocketAddress bind = a.has("bind") ? Args.hostPort("bind", a.string("bind", ""))
                : RejectServer.Config.DEFAULT_BIND;
        CloseError error = a.closeError(TransportErrorCode.CONNECTION_REFUSED, "server busy");
        if (a.flag("unauthenticated") && !a.flag("stateless")) {
            throw new UsageException("--unauthenticated needs --stateless: a connection kept for its closing period"
                    + " reads its Initial");
        }
        if (a.has("max-connections") && a.flag("stateless")) {
            throw new UsageException("--max-connections has no effect with --stateless, which keeps no connection");
        }
        RejectServer.Mode mode = !a.flag("stateless") ? RejectServer.Mode.CLOSING_PERIOD
                : a.flag("unauthenticated") ? RejectServer.Mode.STATELESS_UNAUTHENTICATED : RejectServer.Mode.STATELESS;
        int maxConnections = (int) a.number("max-connections", Integer.MAX_VALUE, 1, Integer.MAX_VALUE);
        int eventLoops = (int) a.number("event-loops", 1, 1, 256);
        return RejectServer.Config.builder().bind(bind).closeError(error).mode(mode).maxConnections(maxConnections)
                .eventLoops(eventLoops).log(log).build();
    }

    /** Runs until Ctrl-C (SIGINT or SIGTERM). */
    static int run(String[] argv, PrintStream out) throws Exception {
        RejectServer.Config config = config(argv, out);
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(HOOK_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "reject-server-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return serve(config, out, stop);
        } finally {
            stopped.countDown();
            if (stop.getCount() > 0) {
                // not stopped by a signal (the server failed to start): the hook has nothing left to do
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // the JVM is already shutting down
                }
            }
        }
    }

    /** Starts the server, waits for {@code stop}, stops the server; a seam for tests. */
    static int serve(RejectServer.Config config, PrintStream out, CountDownLatch stop) throws Exception {
        if (config.eventLoops() > 1 && config.transport().resolve() != RejectServer.Transport.EPOLL) {
            throw new CommandException("--event-loops " + config.eventLoops() + " needs the epoll transport (each loop"
                    + " has its own SO_REUSEPORT socket), which is not available here");
        }
        RejectServer server;
        try {
            server = RejectServer.start(config);
        } catch (IOException e) {
            // BindException on NIO, NativeIoException on epoll
            throw new CommandException("cannot listen on " + Describe.address(config.bind()) + ": " + e.getMessage());
        }
        try {
            out.println("reject-server listening on " + Describe.address(server.localAddress()) + " ("
                    + server.transport() + (config.eventLoops() > 1 ? ", " + config.eventLoops() + " event loops" : "")
                    + "); every client Initial is answered with: Initial "
                    + Describe.closeOnWire(config.closeError(), true));
            // which crypto paths this JVM got: the fast ones need java.base opened (the jar's manifest does it)
            out.println("  crypto: AES-GCM " + CryptoProvider.aesGcmImplementation() + ", SHA-256 "
                    + CryptoProvider.sha256Implementation());
            if (config.closeError().type() == CloseError.Type.APPLICATION) {
                out.println("  note: " + Describe.closeError(config.closeError()) + " cannot be sent before 1-RTT keys"
                        + " exist; RFC 9000 §10.2.3 turns it into APPLICATION_ERROR (0xc) without the reason");
            }
            if (!server.localAddress().getAddress().isLoopbackAddress()) {
                out.println("  note: listening beyond loopback, on " + Describe.address(server.localAddress()));
            }
            out.println("  Ctrl-C stops it");
            stop.await();
        } finally {
            server.close();
        }
        // statelessly, every Initial is refused on its own (retransmissions too): the count is of Initials; with
        // --max-connections, the Initials refused statelessly beyond the limit are counted one by one among the
        // connections
        String refused = server.config().mode() != RejectServer.Mode.CLOSING_PERIOD
                ? " Initial(s) refused statelessly, "
                : server.config().maxConnections() == Integer.MAX_VALUE ? " connection(s) refused, "
                : " refusal(s) (a connection each, or an Initial refused statelessly beyond --max-connections), ";
        out.println("reject-server stopped: " + server.refusedConnections() + refused
                + server.ignoredDatagrams() + " datagram(s) ignored");
        return 0;
    }
}
