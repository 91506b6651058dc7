package dev.quicj.core.interop;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * ngtcp2's example HTTP/3 server ({@code gtlsserver}, Debian package {@code ngtcp2-server}, libngtcp2 0.12.1 with
 * GnuTLS) running on {@code 127.0.0.1} on a free UDP port, with a throwaway self-signed P-256 certificate (CN and SAN
 * {@code localhost}, SAN IP 127.0.0.1, made with {@code openssl}) and its full debug log (every frame sent and
 * received) in a file of a private temp dir. {@link #close()} kills the server and deletes the temp dir (kept with
 * {@code -Dquicj.interop.keep=true}).
 *
 * <pre>{@code
 * Peers.requireTool(Peers.Tool.GTLSSERVER, Peers.Tool.OPENSSL);
 * try (Ngtcp2Server server = Ngtcp2Server.start("--ciphers=NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+CHACHA20-POLY1305")) {
 *     UdpSend.sendOnce(server.port(), closeDatagram);
 *     Ngtcp2Close close = server.awaitClose(Ngtcp2Close.Direction.RECEIVED, Duration.ofSeconds(5)).orElseThrow();
 * }
 * }</pre>
 *
 * Useful options: {@code --ciphers=...} (cipher mismatch: the server closes in Initial with CRYPTO_ERROR 0x128),
 * {@code --handshake-timeout=1ms} (closes every connection with PROTOCOL_VIOLATION), {@code -r 1.0} (drops
 * everything it receives), {@code --qlog-dir=DIR}. The log's failure signatures: {@code pkt could not decrypt packet
 * payload} then {@code ngtcp2_conn_read_pkt: ERR_DROP_CONN} (bad keys/AEAD/header protection), and
 * {@code Unexpected packet received: length=N} (a client's first datagram shorter than 1200 bytes; see
 * {@link #awaitUnexpectedPacket(Duration)}).
 */
public final class Ngtcp2Server implements AutoCloseable {
    /** The default limit for starting (certificate, process, listening). */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(20);
    private static final int START_ATTEMPTS = 5;
    private static final long POLL_MILLIS = 25;

    private final Process process;
    private final int port;
    private final Path directory;
    private final Path logFile;
    private final List<String> command;
    private volatile boolean closed;

    private Ngtcp2Server(Process process, int port, Path directory, Path logFile, List<String> command) {
        this.process = process;
        this.port = port;
        this.directory = directory;
        this.logFile = logFile;
        this.command = List.copyOf(command);
    }

    /**
     * Starts a server with extra gtlsserver options (placed before the positional arguments) and waits until it
     * listens, within {@link #DEFAULT_START_TIMEOUT}.
     *
     * @throws IOException if openssl or gtlsserver fails, or the server does not listen in time
     * @throws IllegalStateException if gtlsserver or openssl is not installed
     */
    public static Ngtcp2Server start(String... options) throws IOException {
        return start(Arrays.asList(options), null, DEFAULT_START_TIMEOUT);
    }

    /**
     * Starts a server and waits until it listens.
     *
     * @param options      extra gtlsserver options, placed before the positional arguments
     * @param keylog       if not {@code null}, the server appends TLS secrets there ({@code SSLKEYLOGFILE}, NSS key
     *                     log format, for {@link Tshark#withKeylog(Path)})
     * @param startTimeout limit for the whole start
     * @throws IOException if openssl or gtlsserver fails, or the server does not listen in time
     * @throws IllegalStateException if gtlsserver or openssl is not installed
     */
    public static Ngtcp2Server start(List<String> options, Path keylog, Duration startTimeout) throws IOException {
        Path gtlsserver = Peers.path(Peers.Tool.GTLSSERVER);
        Path openssl = Peers.path(Peers.Tool.OPENSSL);
        long deadline = System.nanoTime() + startTimeout.toNanos();
        Path dir = Files.createTempDirectory("quicj-ngtcp2-server");
        boolean ok = false;
        try {
            Path htdocs = Files.createDirectories(dir.resolve("htdocs"));
            Files.writeString(htdocs.resolve("index.html"), "hello from ngtcp2 gtlsserver\n",
                    StandardCharsets.US_ASCII);
            makeCertificate(openssl, dir, remaining(deadline));
            Map<String, String> env = new HashMap<>();
            if (keylog != null) {
                env.put("SSLKEYLOGFILE", keylog.toAbsolutePath().toString());
            }
            IOException last = null;
            for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
                int port = ProcNet.freeUdpPort();
                Path log = dir.resolve(attempt == 1 ? "server.log" : "server-" + attempt + ".log");
                List<String> cmd = new ArrayList<>();
                cmd.add(gtlsserver.toString());
                cmd.add("-d");
                cmd.add(htdocs.toString());
                cmd.addAll(options);
                cmd.addAll(List.of("127.0.0.1", Integer.toString(port), dir.resolve("key.pem").toString(),
                        dir.resolve("cert.pem").toString()));
                Process p = Processes.start(cmd, dir, log, env);
                Ngtcp2Server server = new Ngtcp2Server(p, port, dir, log, cmd);
                try {
                    server.awaitListening(remaining(deadline));
                    ok = true;
                    return server;
                } catch (IOException e) {
                    Processes.kill(p, Duration.ofSeconds(2));
                    last = e;
                    // Lost the race for the port to another process: try another port. Anything else is fatal.
                    boolean lostPortRace = Processes.readText(log).contains("Could not bind");
                    if (!lostPortRace || System.nanoTime() > deadline) {
                        break;
                    }
                }
            }
            throw last != null ? last : new IOException("gtlsserver did not start");
        } finally {
            if (!ok) {
                Processes.deleteTree(dir);
            }
        }
    }

    private static void makeCertificate(Path openssl, Path dir, Duration limit) throws IOException {
        Path log = dir.resolve("openssl.log");
        List<String> cmd = List.of(openssl.toString(), "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", dir.resolve("key.pem").toString(), "-out",
                dir.resolve("cert.pem").toString(), "-days", "7", "-subj", "/CN=localhost", "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1");
        Map<String, String> env = new HashMap<>();
        env.put("RANDFILE", dir.resolve(".rnd").toString());
        Process p = Processes.start(cmd, dir, log, env);
        try {
            if (!p.waitFor(Math.max(1, limit.toMillis()), TimeUnit.MILLISECONDS)) {
                Processes.kill(p, Duration.ofSeconds(2));
                throw new IOException("openssl did not make a certificate within " + limit);
            }
        } catch (InterruptedException e) {
            Processes.kill(p, Duration.ofSeconds(2));
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while openssl ran");
        }
        if (p.exitValue() != 0 || !Files.isRegularFile(dir.resolve("cert.pem"))) {
            throw new IOException("openssl exited with " + p.exitValue() + ": "
                    + Processes.tail(Processes.readText(log), 5));
        }
    }

    /**
     * Waits until the server process has its UDP socket bound to {@link #port()} (checked in {@code /proc}).
     *
     * @throws IOException if the process exits or the limit passes first; the message has the log's tail
     */
    public void awaitListening(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("gtlsserver exited with " + process.exitValue() + " at start on port " + port
                        + "; log " + logFile + ":\n" + Processes.tail(log(), 20));
            }
            if (ProcNet.processBindsUdp(process.pid(), port)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("gtlsserver pid " + process.pid() + " is not listening on UDP " + port
                        + " after " + timeout + "; log " + logFile + ":\n" + Processes.tail(log(), 20));
            }
            if (!Processes.sleep(POLL_MILLIS)) {
                throw new java.io.InterruptedIOException("interrupted while waiting for gtlsserver");
            }
        }
    }

    /** The UDP port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:}{@link #port()}. */
    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** The server's process id. */
    public long pid() {
        return process.pid();
    }

    /** Whether the server process still runs. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The private temp dir (certificate, key, htdocs, log). */
    public Path directory() {
        return directory;
    }

    /** The log file (stdout and stderr of gtlsserver). */
    public Path logFile() {
        return logFile;
    }

    /** The self-signed certificate (PEM). */
    public Path certificate() {
        return directory.resolve("cert.pem");
    }

    /** The certificate's private key (PEM, P-256). */
    public Path privateKey() {
        return directory.resolve("key.pem");
    }

    /** The command line the server was started with. */
    public List<String> command() {
        return command;
    }

    /** The whole log so far (ISO-8859-1, byte for byte), for diagnostics. */
    public String log() {
        return Processes.readText(logFile);
    }

    /** Every CONNECTION_CLOSE frame line of the log so far, received and sent, in order. */
    public List<Ngtcp2Close> closes() {
        return Ngtcp2Log.closes(log());
    }

    /**
     * Polls the log until it has a CONNECTION_CLOSE frame in {@code direction} ({@code RECEIVED}: sent to the server
     * by a peer; {@code SENT}: written by the server), or the limit passes.
     *
     * @return the first such frame, or empty on timeout
     */
    public Optional<Ngtcp2Close> awaitClose(Ngtcp2Close.Direction direction, Duration timeout)
            throws InterruptedException {
        Objects.requireNonNull(direction, "direction");
        List<Ngtcp2Close> found = awaitCloses(c -> c.direction() == direction, 1, timeout);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    /**
     * Polls the log until at least {@code count} CONNECTION_CLOSE frames match {@code filter}, or the limit passes.
     *
     * @return all matching frames at that point (fewer than {@code count} on timeout)
     */
    public List<Ngtcp2Close> awaitCloses(Predicate<Ngtcp2Close> filter, int count, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Ngtcp2Close> matching = new ArrayList<>();
            for (Ngtcp2Close c : closes()) {
                if (filter.test(c)) {
                    matching.add(c);
                }
            }
            if (matching.size() >= count || System.nanoTime() > deadline) {
                return matching;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /**
     * Polls the log for {@code Unexpected packet received: length=N} (a datagram the server could not take as the
     * start of a connection, e.g. shorter than 1200 bytes).
     *
     * @return the first N, or empty if none appeared within the limit
     */
    public OptionalInt awaitUnexpectedPacket(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Integer> lengths = Ngtcp2Log.unexpectedPacketLengths(log());
            if (!lengths.isEmpty()) {
                return OptionalInt.of(lengths.get(0));
            }
            if (System.nanoTime() > deadline) {
                return OptionalInt.empty();
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /**
     * Polls the log until {@code count} lines contain {@code text}, e.g. {@code "con recv packet len=1200"}.
     *
     * @return whether they appeared within the limit
     */
    public boolean awaitLog(String text, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int n = 0;
            String log = log();
            for (int i = log.indexOf(text); i >= 0; i = log.indexOf(text, i + 1)) {
                n++;
            }
            if (n >= count) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** Kills the server (SIGTERM, then SIGKILL after 3 s) and deletes its temp dir. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Processes.kill(process, Duration.ofSeconds(3));
        Processes.deleteTree(directory);
    }

    @Override
    public String toString() {
        return "Ngtcp2Server[127.0.0.1:" + port + ", pid " + process.pid() + ", log " + logFile + "]";
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1_000_000L, deadline - System.nanoTime()));
    }
}
