package dev.quicj.core.interop;

import java.io.IOException;
import java.io.InterruptedIOException;
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
import java.util.concurrent.TimeUnit;

/**
 * One run of ngtcp2's example HTTP/3 client ({@code gtlsclient}, Debian package {@code ngtcp2-client}, libngtcp2
 * 0.12.1 with GnuTLS) against {@code 127.0.0.1:PORT}, with a time limit, capturing its full debug log.
 *
 * <p>The command is {@code gtlsclient --exit-on-all-streams-close --handshake-timeout=T --no-quic-dump
 * --no-http-dump [options...] 127.0.0.1 PORT URI} (defaults first, so options can override them), with URI
 * {@code https://127.0.0.1:PORT/} unless set. With {@code --exit-on-all-streams-close}, a server that answers the
 * request normally gets a 1-RTT CONNECTION_CLOSE(0x1d, 0x100 H3_NO_ERROR) from the client; a silent server makes the
 * client give up after the handshake timeout with its own 1200-byte Initial CONNECTION_CLOSE (0x1c,
 * PROTOCOL_VIOLATION 0xa).
 *
 * <pre>{@code
 * Ngtcp2Client.Result r = Ngtcp2Client.to(server.port())
 *         .options("--ciphers=NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM")
 *         .run();
 * Ngtcp2Close close = r.firstReceived().orElseThrow(() -> new AssertionError(r.diagnostics()));
 * }</pre>
 *
 * Instances are mutable builders; {@link #run()} may be called more than once.
 */
public final class Ngtcp2Client {
    /** The default overall limit for one run. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);
    /** The default {@code --handshake-timeout}. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);

    private final int port;
    private final List<String> options = new ArrayList<>();
    private Duration timeout = DEFAULT_TIMEOUT;
    private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
    private String uri;
    private Path keylog;
    private Path logFile;

    private Ngtcp2Client(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port);
        }
        this.port = port;
    }

    /** A client for {@code 127.0.0.1:port}. */
    public static Ngtcp2Client to(int port) {
        return new Ngtcp2Client(port);
    }

    /** A client for the given server. */
    public static Ngtcp2Client to(Ngtcp2Server server) {
        return new Ngtcp2Client(server.port());
    }

    /** Appends gtlsclient options (after the defaults, before the positional arguments). */
    public Ngtcp2Client options(String... more) {
        options.addAll(Arrays.asList(more));
        return this;
    }

    /** The overall limit; the client is killed when it passes ({@link Result#timedOut()}). Default 15 s. */
    public Ngtcp2Client timeout(Duration limit) {
        this.timeout = Objects.requireNonNull(limit);
        return this;
    }

    /** The {@code --handshake-timeout} passed to gtlsclient (rounded to milliseconds). Default 5 s. */
    public Ngtcp2Client handshakeTimeout(Duration limit) {
        this.handshakeTimeout = Objects.requireNonNull(limit);
        return this;
    }

    /** The request URI (default {@code https://127.0.0.1:PORT/}). */
    public Ngtcp2Client uri(String requestUri) {
        this.uri = Objects.requireNonNull(requestUri);
        return this;
    }

    /** Makes the client append its TLS secrets to {@code file} ({@code SSLKEYLOGFILE}, NSS key log format). */
    public Ngtcp2Client keylog(Path file) {
        this.keylog = file.toAbsolutePath();
        return this;
    }

    /** Keeps the log in {@code file} (truncated first) instead of a temp file deleted after the run. */
    public Ngtcp2Client logFile(Path file) {
        this.logFile = file.toAbsolutePath();
        return this;
    }

    /**
     * The command line {@link #run()} executes.
     *
     * @throws IllegalStateException if gtlsclient is not installed
     */
    public List<String> command() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Peers.path(Peers.Tool.GTLSCLIENT).toString());
        cmd.add("--exit-on-all-streams-close");
        cmd.add("--handshake-timeout=" + Math.max(1, handshakeTimeout.toMillis()) + "ms");
        cmd.add("--no-quic-dump");
        cmd.add("--no-http-dump");
        cmd.addAll(options);
        cmd.add("127.0.0.1");
        cmd.add(Integer.toString(port));
        cmd.add(uri != null ? uri : "https://127.0.0.1:" + port + "/");
        return cmd;
    }

    /**
     * Runs the client once and waits for it to exit (or kills it at the limit).
     *
     * @throws IOException if gtlsclient cannot be started
     * @throws IllegalStateException if gtlsclient is not installed
     */
    public Result run() throws IOException {
        List<String> cmd = command();
        Path dir = Files.createTempDirectory("quicj-ngtcp2-client");
        try {
            Path log = logFile != null ? logFile : dir.resolve("client.log");
            Files.deleteIfExists(log);
            Files.createFile(log);
            Map<String, String> env = new HashMap<>();
            if (keylog != null) {
                env.put("SSLKEYLOGFILE", keylog.toString());
            }
            long start = System.nanoTime();
            Process p = Processes.start(cmd, dir, log, env);
            boolean timedOut;
            try {
                timedOut = !p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Processes.kill(p, Duration.ofSeconds(2));
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while gtlsclient ran");
            }
            if (timedOut) {
                Processes.kill(p, Duration.ofSeconds(2));
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            int exit = p.isAlive() ? -1 : p.exitValue();
            String text = Processes.readText(log);
            return new Result(cmd, exit, timedOut, elapsed, text, Ngtcp2Log.closes(text),
                    Optional.ofNullable(keylog), Optional.ofNullable(logFile));
        } finally {
            Processes.deleteTree(dir);
        }
    }

    /**
     * The outcome of one client run.
     *
     * @param command  the command line
     * @param exitCode gtlsclient's exit status (-1 if it could not be reaped after a kill)
     * @param timedOut whether it was killed at the limit
     * @param elapsed  wall-clock run time
     * @param log      the whole log (stdout and stderr, ISO-8859-1 byte for byte)
     * @param closes   every CONNECTION_CLOSE frame line of the log, received and sent, in order
     * @param keylog   the key log file, if one was requested
     * @param logFile  the kept log file, if one was requested
     */
    public record Result(List<String> command, int exitCode, boolean timedOut, Duration elapsed, String log,
                         List<Ngtcp2Close> closes, Optional<Path> keylog, Optional<Path> logFile) {
        /** Copies the lists. */
        public Result {
            command = List.copyOf(command);
            closes = List.copyOf(closes);
        }

        /** The CONNECTION_CLOSE frames the client received, in order. */
        public List<Ngtcp2Close> received() {
            return closes.stream().filter(Ngtcp2Close::received).toList();
        }

        /** The CONNECTION_CLOSE frames the client sent, in order (libngtcp2 may log one frame twice). */
        public List<Ngtcp2Close> sent() {
            return closes.stream().filter(c -> !c.received()).toList();
        }

        /** The first CONNECTION_CLOSE frame the client received. */
        public Optional<Ngtcp2Close> firstReceived() {
            return received().stream().findFirst();
        }

        /** The first CONNECTION_CLOSE frame the client sent. */
        public Optional<Ngtcp2Close> firstSent() {
            return sent().stream().findFirst();
        }

        /** The last error-looking line of the log (see {@link Ngtcp2Log#lastErrorLine(String)}). */
        public Optional<String> lastErrorLine() {
            return Ngtcp2Log.lastErrorLine(log);
        }

        /**
         * The one-line verdict of {@code ngtcp2-client-expect-close.sh}: the first received close's summary, or
         * {@code no-close rc=N local_close=LEVEL/TYPE/ERROR|none detail="..."}.
         */
        public String summary() {
            Optional<Ngtcp2Close> rx = firstReceived();
            if (rx.isPresent()) {
                return rx.get().summary();
            }
            String local = firstSent().map(c -> c.level().label() + "/0x" + Long.toHexString(c.type()) + "/0x"
                    + Long.toHexString(c.errorCode())).orElse("none");
            String detail = timedOut ? "timed out after " + elapsed.toMillis() + " ms" : "";
            Optional<String> err = lastErrorLine();
            if (err.isPresent()) {
                detail = detail.isEmpty() ? err.get() : detail + "; " + err.get();
            }
            return "no-close rc=" + exitCode + " local_close=" + local + " detail=\""
                    + detail.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }

        /** The summary, the command and the last 40 log lines, for assertion messages. */
        public String diagnostics() {
            return summary() + "\ncommand: " + String.join(" ", command) + "\nlog tail:\n" + Processes.tail(log, 40);
        }

        @Override
        public String toString() {
            return summary();
        }
    }
}
