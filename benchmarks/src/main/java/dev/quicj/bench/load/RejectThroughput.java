package dev.quicj.bench.load;

import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.examples.RejectServer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Loopback reject throughput: the {@link LoadGenerator} sends distinct client Initials from one {@link InitialPool}
 * to the examples' {@link RejectServer} (a {@code QuicCloseHandler} with a reject accept policy) for a fixed time
 * and counts the CONNECTION_CLOSE datagrams that come back, one per Initial, each a QUIC v1 Initial packet addressed to
 * the SCID of an Initial the generator has in flight (and the server's own count of refused connections); then the same
 * generator sends the same datagrams, in the same order, to a plain Netty {@link EchoServer}, whose echo rate is the
 * I/O limit of this machine. Each server gets a warm-up run first (the JIT), from the same pool, so the measured run
 * still sends Initials the server has never seen.
 *
 * <p>Prints, after {@code #} comment lines with the details of every run:
 * <pre>result metric=reject_throughput conn_per_s=X echo_dgram_per_s=Y ratio=Z
 * result metric=reject_throughput_stateless conn_per_s=X echo_dgram_per_s=Y ratio=Z</pre>
 * with the medians over the rounds.
 *
 * <p>Options: {@code --seconds S} (5), {@code --warmup-seconds S} (5), {@code --rounds N} (1), {@code --threads N}
 * (1), {@code --window N} (64 datagrams in flight per thread; 0 with no rate: a flood), {@code --rate N} (a paced
 * load instead), {@code --pool N} (Initials to generate, 1000000), {@code --max-connections N} (the reject-server's
 * {@code --max-connections}: no limit by default, per event loop), {@code --server-loops N} (1: event loops of the
 * reject server and of the echo server alike, each with its own {@code SO_REUSEPORT} socket; epoll only),
 * {@code --sockets N} (1: sockets, so client 4-tuples, per generator thread; the kernel spreads 4-tuples, not
 * datagrams, over the server's sockets), {@code --echo-reply-bytes whole|match|N} (whole, the default: a plain
 * echo, the whole datagram sent back, the baseline issue 5 defines; match: the first bytes of each datagram, as many
 * as the reject server's closes of the same round were long on average, so that both servers receive 1200 bytes and
 * send a reply of the same size, a stricter baseline; N: its first N bytes), {@code --transport auto|nio|epoll} (auto),
 * {@code --mode closing-period|stateless|stateless-unauthenticated|both|all} (both: the
 * examples' reject-server in its default mode, which keeps each refused connection for its closing period, and in
 * {@code --stateless} mode; a line each, {@code reject_throughput} and {@code reject_throughput_stateless}; all adds
 * {@code --stateless --unauthenticated}, {@code reject_throughput_stateless_unauthenticated}).
 */
public final class RejectThroughput {
    private RejectThroughput() {
    }

    private static final String USAGE = "usage: RejectThroughput [--seconds S] [--warmup-seconds S] [--rounds N]"
            + " [--threads N] [--window N] [--rate N] [--pool N] [--max-connections N] [--server-loops N]"
            + " [--sockets N] [--echo-reply-bytes whole|match|N] [--transport auto|nio|epoll]"
            + " [--mode closing-period|stateless|stateless-unauthenticated|both|all]";

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(USAGE);
            return;
        }
        try {
            run(args);
        } catch (BadArgument e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        }
    }

    /** A command-line argument that cannot be used, with what is wrong with it. */
    private static final class BadArgument extends Exception {
        BadArgument(String message) {
            super(message);
        }
    }

    private static double seconds(String option, String value, boolean zeroAllowed) throws BadArgument {
        try {
            double d = Double.parseDouble(required(option, value));
            if (!(zeroAllowed ? d >= 0 : d > 0) || Double.isInfinite(d)) {
                throw new BadArgument(option + " must be a " + (zeroAllowed ? "non-negative" : "positive")
                        + " number of seconds: " + value);
            }
            return d;
        } catch (NumberFormatException e) {
            throw new BadArgument(option + " must be a number: " + value);
        }
    }

    private static long count(String option, String value, long min) throws BadArgument {
        try {
            long n = Long.parseLong(required(option, value));
            if (n < min || n > Integer.MAX_VALUE) {
                throw new BadArgument(option + " must be an integer from " + min + " to " + Integer.MAX_VALUE + ": "
                        + value);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BadArgument(option + " must be an integer: " + value);
        }
    }

    private static void run(String[] args) throws Exception {
        double seconds = 5;
        double warmup = 5;
        int rounds = 1;
        int threads = 1;
        long rate = 0;
        int window = 64;
        int poolSize = 1_000_000;
        int maxConnections = Integer.MAX_VALUE;
        int serverLoops = 1;
        int sockets = 1;
        // 0: whole datagrams (a plain echo); MATCH: the mean size of the round's refusals
        int echoReplyBytes = 0;
        EchoServer.Kind transport = EchoServer.Kind.AUTO;
        List<RejectServer.Mode> modes = List.of(RejectServer.Mode.CLOSING_PERIOD, RejectServer.Mode.STATELESS);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--seconds" -> seconds = seconds(a, v, false);
                case "--warmup-seconds" -> warmup = seconds(a, v, true);
                case "--rounds" -> rounds = (int) count(a, v, 1);
                case "--threads" -> threads = (int) count(a, v, 1);
                case "--rate" -> rate = count(a, v, 0);
                case "--window" -> window = (int) count(a, v, 0);
                case "--pool" -> poolSize = (int) count(a, v, 1);
                case "--max-connections" -> maxConnections = (int) count(a, v, 1);
                case "--server-loops" -> serverLoops = (int) count(a, v, 1);
                case "--sockets" -> sockets = (int) count(a, v, 1);
                case "--echo-reply-bytes" -> echoReplyBytes = "match".equals(v) ? MATCH
                        : "whole".equals(v) ? 0 : (int) count(a, v, 1);
                case "--transport" -> {
                    try {
                        transport = EchoServer.Kind.valueOf(required(a, v).toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw new BadArgument("--transport auto|nio|epoll: " + v);
                    }
                }
                case "--mode" -> modes = switch (required(a, v)) {
                    case "closing-period" -> List.of(RejectServer.Mode.CLOSING_PERIOD);
                    case "stateless" -> List.of(RejectServer.Mode.STATELESS);
                    case "stateless-unauthenticated" -> List.of(RejectServer.Mode.STATELESS_UNAUTHENTICATED);
                    case "both" -> List.of(RejectServer.Mode.CLOSING_PERIOD, RejectServer.Mode.STATELESS);
                    case "all" -> List.of(RejectServer.Mode.values());
                    default -> throw new BadArgument(
                            "--mode closing-period|stateless|stateless-unauthenticated|both|all: " + v);
                };
                default -> throw new BadArgument("unknown option " + a);
            }
            i++;
        }
        transport = transport.resolve();
        String load = rate > 0 ? "paced at " + rate + "/s" : window > 0 ? "window of " + window + " per thread"
                : "flood";
        System.out.printf(Locale.ROOT, "# reject_throughput: transport=%s seconds=%.1f warmup=%.1f rounds=%d "
                + "threads=%d sockets=%d server-loops=%d load=%s max-connections=%s echo-reply=%s aes-gcm=%s "
                + "sha-256=%s%n", transport, seconds, warmup, rounds, threads, sockets, serverLoops, load,
                maxConnections == Integer.MAX_VALUE ? "none" : String.valueOf(maxConnections),
                echoReplyBytes == MATCH ? "the refusals' size" : echoReplyBytes == 0 ? "whole datagram"
                        : echoReplyBytes + " bytes",
                CryptoProvider.aesGcmImplementation(), CryptoProvider.sha256Implementation());
        long t0 = System.nanoTime();
        InitialPool pool = InitialPool.generate(poolSize, 0x5eed);
        System.out.printf(Locale.ROOT, "# generated %d distinct client Initials (1200 bytes) in %.1f s%n", poolSize,
                (System.nanoTime() - t0) / 1e9);

        InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 0);
        CloseError error = CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, "busy");
        Map<RejectServer.Mode, List<Double>> conn = new EnumMap<>(RejectServer.Mode.class);
        List<Double> echo = new ArrayList<>();
        CpuMeter cpu = new CpuMeter();
        for (int round = 1; round <= rounds; round++) {
            List<LoadGenerator.Result> refusals = new ArrayList<>();
            for (RejectServer.Mode mode : modes) {
                pool.rewind();
                RejectServer.Config config = RejectServer.Config.builder().bind(loopback).closeError(error)
                        .transport(RejectServer.Transport.valueOf(transport.name())).mode(mode)
                        .maxConnections(maxConnections).eventLoops(serverLoops).log(null).build();
                try (RejectServer server = RejectServer.start(config)) {
                    LoadGenerator.run(server.localAddress(), pool, warmup, threads, rate, window, sockets);
                    long refusedBefore = server.refusedConnections();
                    cpu.start();
                    LoadGenerator.Result r = LoadGenerator.run(server.localAddress(), pool, seconds, threads, rate,
                            window, sockets);
                    long used = cpu.stop();
                    long refused = server.refusedConnections() - refusedBefore;
                    refusals.add(r);
                    printCpu("reject (" + mode + ")", used, cpu.processNanos(), r, "refused connection");
                    conn.computeIfAbsent(mode, m -> new ArrayList<>()).add(r.repliesPerSecond());
                    System.out.printf(Locale.ROOT, "# round %d reject (%s): sent %d (%.0f/s), close datagrams %d "
                            + "(%.0f/s, %.0f bytes each), late %d, stray datagrams %d, window write-offs %d (%d never "
                            + "answered), refused by the server %d (%.0f/s)%s%n", round, mode, r.sent(),
                            r.sentPerSecond(), r.replies(), r.repliesPerSecond(), r.meanReplyBytes(),
                            r.lateReplies(), r.strays(), r.writeOffs(), r.unanswered(), refused, refused / seconds,
                            pool.wrapped() ? ", POOL WRAPPED: some Initials were sent twice (raise --pool)" : "");
                }
            }
            pool.rewind();
            int replyBytes = echoReplyBytes(echoReplyBytes, refusals);
            System.out.printf(Locale.ROOT, "# round %d echo replies: %s%n", round,
                    replyBytes == 0 ? "whole datagrams" : "the first " + replyBytes + " bytes of each datagram");
            try (EchoServer server = EchoServer.start(loopback, transport, serverLoops, replyBytes)) {
                LoadGenerator.run(server.localAddress(), pool, warmup, threads, rate, window, sockets);
                cpu.start();
                LoadGenerator.Result r = LoadGenerator.run(server.localAddress(), pool, seconds, threads, rate,
                        window, sockets);
                long used = cpu.stop();
                printCpu("echo", used, cpu.processNanos(), r, "echo");
                echo.add(r.repliesPerSecond());
                System.out.printf(Locale.ROOT, "# round %d echo: sent %d (%.0f/s), echoes %d (%.0f/s, %.0f bytes "
                        + "each), late %d, stray datagrams %d, window write-offs %d (%d never answered)%n", round,
                        r.sent(), r.sentPerSecond(), r.replies(), r.repliesPerSecond(), r.meanReplyBytes(),
                        r.lateReplies(), r.strays(), r.writeOffs(), r.unanswered());
            }
        }
        double e = median(echo);
        for (RejectServer.Mode mode : modes) {
            double c = median(conn.get(mode));
            String metric = switch (mode) {
                case CLOSING_PERIOD -> "reject_throughput";
                case STATELESS -> "reject_throughput_stateless";
                case STATELESS_UNAUTHENTICATED -> "reject_throughput_stateless_unauthenticated";
            };
            System.out.printf(Locale.ROOT, "result metric=%s conn_per_s=%.0f echo_dgram_per_s=%.0f ratio=%.3f%n",
                    metric, c, e, e == 0 ? 0 : c / e);
        }
    }

    /**
     * One comment line: the CPU the server side (every Java thread but the generator's), the server with the JVM's
     * own threads (the process less the generator: garbage collection and JIT) and the generator used per reply over
     * the measured run, and the share of a core each used (over the run's nominal length: the measured window also
     * spans the start delay and the grace period, about 5 % more).
     */
    private static void printCpu(String what, long used, long process, LoadGenerator.Result r, String per) {
        long n = Math.max(1, r.replies());
        long gen = r.generatorCpuNanos();
        double core = r.seconds() * 1e9;
        String withJvm = process < 0 ? "" : String.format(Locale.ROOT, ", with GC and JIT %.2f us",
                (process - gen) / 1e3 / n);
        System.out.printf(Locale.ROOT, "# cpu %s: server side %.2f us per %s (%.0f%% of a core)%s, generator %.2f us"
                + " (%.0f%% of a core)%n", what, used / 1e3 / n, per, 100.0 * used / core, withJvm, gen / 1e3 / n,
                100.0 * gen / core);
    }

    /** {@code --echo-reply-bytes match}. */
    static final int MATCH = -1;

    /**
     * The echo server's reply size for {@code option} ({@link #MATCH}, 0 for whole datagrams, or a size): for
     * {@link #MATCH}, the mean size of the replies in {@code refusals}, rounded (whole datagrams if there were none).
     */
    static int echoReplyBytes(int option, List<LoadGenerator.Result> refusals) {
        if (option != MATCH) {
            return option;
        }
        long bytes = 0;
        long n = 0;
        for (LoadGenerator.Result r : refusals) {
            bytes += r.replyBytes();
            n += r.replies() + r.lateReplies();
        }
        return n == 0 ? 0 : (int) Math.max(1, Math.round(bytes / (double) n));
    }

    private static String required(String option, String value) throws BadArgument {
        if (value == null) {
            throw new BadArgument(option + " needs a value");
        }
        return value;
    }

    private static double median(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }
}
