package dev.quicj.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicException;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.CloseOutcome;
import dev.quicj.core.conn.Ecn;
import dev.quicj.core.conn.EcnState;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.conn.ReceiveStatus;
import dev.quicj.core.conn.Settings;
import dev.quicj.core.inspect.DatagramInspector;
import dev.quicj.core.inspect.InspectedFrame;
import dev.quicj.core.inspect.InspectedPacket;
import dev.quicj.core.wire.CloseType;
import dev.quicj.netty.TestSupport.Client;
import dev.quicj.netty.TestSupport.Recorder;
import dev.quicj.netty.TestSupport.Sent;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A seeded, model-based test of the handler's closing and draining periods (close-spec §5.3 and E25, README "The
 * closing period", RFC 9000 §10.2, §10.2.1, §10.2.2, §8.1) on EmbeddedChannel's clock.
 *
 * <p>Each sequence drives one handler (accept or reject policy) holding several connections: server connections the
 * policy makes for client Initials (v1 and v2, each client on its own address, some with part or all of their 3x
 * budget spent on a handshake flight the application wrote), and client connections the application adds. Random
 * operations close them (close commands, typed and untyped exceptions, a channel close), deliver datagrams for them
 * (their own path or another address; tiny ones that only count for the closing period, up to 1500 bytes), deliver
 * the peer's CONNECTION_CLOSE before or after our close, and move the clock by random amounts around the 3xPTO
 * deadlines, sometimes reading a datagram after a deadline before the timer task ran (an event loop reads first).
 *
 * <p>After every operation everything observable is compared exactly with an independent model of the contract:
 * each datagram written (which connection, in which order, first close or re-send, recipient, sender, ECN, first close
 * length and decrypted CONNECTION_CLOSE fields, re-sends byte-identical), every ended/freed/accepted event with its
 * content and order, the exceptions passed on, the datagrams passed on, the number of connections held and of cached
 * closes; after every operation nothing sent to an unvalidated peer exceeds 3x what came from it; at the end no
 * buffer is left (TrackingAllocator) and the leak gate finds no leak.
 *
 * <p>Where the contract leaves room, the model follows the README and the current code (each checked against RFC
 * 9000): the 3x check of the re-sends counts the closing period only and applies on every path, a client's validated
 * one included (close-spec E25, README); the re-send happens on the power-of-two datagram itself or not at all (a
 * budget that holds one back waits for the next power of two, where ngtcp2's {@code examples/server.cc} re-sends on
 * the next datagram the budget allows); only datagrams from the close's own path count and are answered (RFC 9000
 * §8.1); the peer's CONNECTION_CLOSE arriving after ours is one more datagram of the closing period, re-sent to on the
 * same schedule (a closing endpoint decrypts nothing, RFC 9000 §10.2.1); a held-back close is given up one closing
 * period after it was held back, and once sent gets a whole closing period from its send; the ended event of an
 * application close sent before the handshake (on the wire {@code 1c 0c 00 00}, RFC 9000 §10.2.3) carries the
 * application error as asked, reason included, while a reason dropped for the budget is left out of it (README
 * "Events": what was sent); connections a timer frees at the same nanosecond may be reported in any order.
 *
 * <p>The lifecycle run ({@link #lifecycleSequencesMatchTheModel}) checks the same things around the rest of a
 * connection's life, on a pipeline {@code [step runner, failing writes, handler, listener, recorder]}:
 * <ul>
 *   <li>Idle timeouts (RFC 9000 §10.1, README "Idle timeout"): accepted servers get the handler's
 *       {@code maxIdleTimeout}, clients their own (below, at and above the 3 PTO floor); the timer restarted by the
 *       server's first flight; silent IDLE ends from the timer, from a datagram, close command, close-all, exception or
 *       channel close that comes after the idle deadline but before the timer task ran, of held-back closes at the
 *       end of their wait, on the next datagram or when the channel goes inactive; an explicit idle close command.
 *   <li>Stateless resets (§10.3.1, README): tokens held from {@code addConnection} or added later (indexed from the
 *       connection's next datagram), two clients per server address from two local ports; resets routed by a random
 *       DCID (the sender's address and our local address must be the connection's path) or by the connection's own
 *       DCID; 20 and 21 bytes; other tokens; from other addresses; a live or held-back connection drains as
 *       STATELESS_RESET, a closing or draining one, or one past its idle deadline, lets the datagram pass on.
 *   <li>Failed writes: a downstream handler fails the writes to some peers (toggled during the run) at the write or
 *       at the flush: each failed close or re-send is one QuicConnectionException naming the connection (in order
 *       with the others passed on), the ended event still says SENT (quic-core wrote it; README "Events"), the
 *       closing period goes on with its counters, and the cached copy is neither leaked nor released twice (the
 *       channel allocator's live buffers are exactly the cached closes after every step).
 *   <li>Listeners acting from inside ended and freed events (before or after passing them on): a close command
 *       (idle close included), a close-all, a datagram or reset fired into the pipeline (read at once from a timer,
 *       command, exception or the closes of a channel close; after the current read, in order, from inside a
 *       read). The idle timer is where the handler last read the deadline: activity it did not see (the server's
 *       own first flight) is found when that timer fires.
 * </ul>
 * Where the contract leaves room the lifecycle model follows the code: connections a timer acts on at the same
 * nanosecond are handled in the order the handler fired their events (seen by the listener, which makes the order
 * visible); a datagram a listener fires for a connection whose end it is handling changes nothing (the handler
 * frees it next) and nothing is sent for it; the client's close arriving after its server connection ended (idle)
 * opens a draining connection as a new Initial does; exceptions are compared in their own order, not interleaved
 * with the events (a write that fails at once is reported before the ended event of its close, one that fails at
 * the flush after it). Each step runs as one inbound event of EmbeddedChannel, which otherwise
 * runs due timer tasks inside any write made outside its own calls (no event loop does). Of a channel close the
 * listener acts only from the events of the closes it writes (not from the held-back closes it waits for, the
 * timers after it, nor the channel going inactive).
 *
 * <p>{@code -Dquicj.seed=N} replays the one sequence N (in both tests); {@code -Dquicj.seedBase=N} and
 * {@code -Dquicj.lifecycleSeedBase=N} move the runs, {@code -Dquicj.sequences} and
 * {@code -Dquicj.lifecycleSequences} size them.
 */
class QuicCloseHandlerClosingPeriodModelTest {
    private static final int SEQUENCES = Integer.getInteger("quicj.sequences", 500);
    private static final long SEED_BASE = Long.getLong("quicj.seedBase", 0x3c105e_0d31L);
    private static final Long REPLAY = Long.getLong("quicj.seed");
    private static final int LIFECYCLE_SEQUENCES = Integer.getInteger("quicj.lifecycleSequences", 800);
    private static final long LIFECYCLE_SEED_BASE = Long.getLong("quicj.lifecycleSeedBase", 0x11fec7c1eL);

    private static final InetSocketAddress SERVER_LOCAL = new InetSocketAddress("127.0.0.1", 4433);
    private static final InetSocketAddress CLIENT_LOCAL = new InetSocketAddress("127.0.0.1", 40000);
    // an address no connection has as its peer
    private static final InetSocketAddress STRANGER = new InetSocketAddress("127.0.0.99", 9999);
    // RFC 9000 §10.2: 3 PTO; with no RTT sample PTO = initial RTT + 4 * initial RTT / 2 (+ max_ack_delay 0 before the
    // handshake completes) = 3 * initial RTT
    private static final long PERIOD = 9 * Settings.DEFAULT_INITIAL_RTT.toNanos();
    private static final CloseError INTERNAL = CloseError.transport(TransportErrorCode.INTERNAL_ERROR);
    // how often each modelled situation came up in the run, printed at the end (a model that never reaches a case
    // checks nothing there)
    private static final Map<String, Integer> COVERAGE = new java.util.TreeMap<>();

    static void cover(String what) {
        COVERAGE.merge(what, 1, Integer::sum);
    }

    @Test
    void randomSequencesMatchTheModel() throws Exception {
        runAll(false, SEED_BASE, SEQUENCES);
    }

    /**
     * The same model with the rest of a connection's life around its closing period: idle timeouts (RFC 9000 §10.1),
     * stateless resets (§10.3.1, routed by DCID or by the peer's address), close datagrams whose writes fail in a
     * downstream handler (at the write or at the flush) and event listeners acting on the handler from inside its
     * events (close commands and re-entrant reads from ended and freed events). See the class documentation.
     */
    @Test
    void lifecycleSequencesMatchTheModel() throws Exception {
        runAll(true, LIFECYCLE_SEED_BASE, LIFECYCLE_SEQUENCES);
    }

    private static void runAll(boolean lifecycle, long seedBase, int sequences) {
        long first = REPLAY != null ? REPLAY : seedBase;
        int count = REPLAY != null ? 1 : sequences;
        System.out.println("QuicCloseHandlerClosingPeriodModelTest" + (lifecycle ? " (lifecycle)" : "") + ": seeds "
                + first + ".." + (first + count - 1) + " (-Dquicj.seed=N replays one)");
        COVERAGE.clear();
        for (long seed = first; seed < first + count; seed++) {
            Run run = new Run(seed, lifecycle);
            try {
                run.execute();
            } catch (Throwable t) {
                throw new AssertionError((lifecycle ? "lifecycle " : "") + "seed " + seed
                        + " (replay: -Dquicj.seed=" + seed + ")\n  "
                        + String.join("\n  ", run.log), t);
            }
        }
        System.out.println("coverage: " + COVERAGE);
    }

    enum Phase { LIVE, PENDING, CLOSING, DRAINING, FREED }

    /** The model of one connection. */
    static final class M {
        final int order;
        final boolean server;
        final QuicVersion version;
        ConnectionId id;
        final ConnectionId odcid;
        final InetSocketAddress local;
        final InetSocketAddress remote;
        // the Destination Connection ID length of the packets this connection sends
        final int dcidLength;
        QuicConnection conn;
        // a server's client (whose close is the peer's), or a client's server (made when its close is needed)
        Client peerClient;
        byte[] peerClose;
        CloseError peerError;
        boolean ecnCapable;
        // quic-core's amplification counters of a server's path (close datagrams are not counted as sent)
        long pathReceived;
        long pathSent;
        Phase phase = Phase.LIVE;
        boolean ended;
        CloseError pendingError;
        long deadline;
        CloseError sentError;
        byte[] firstClose;
        long closingDatagrams;
        long closingReceived;
        long closingResent;
        // everything received from / sent to the peer's address for this connection, for the RFC 9000 §8.1 check
        long ledgerReceived;
        long ledgerSent;
        // the length of the close the model expects (its first send may have failed: nothing learnt from the wire)
        int closeLen;
        // RFC 9000 §10.1: the idle timeout in force (0: none) and when the idle timer last restarted; whether the next
        // ack-eliciting packet the application sends restarts it (the first one after a processed packet)
        long idleTimeout;
        long idleStart;
        boolean restartOnSend;
        // where the handler's timer has it while live: the idle deadline as the handler last read it (at the add, after
        // each datagram routed to it, when the timer found it restarted); activity the handler does not see (the
        // application's own sends) moves the real deadline only (README "Idle timeout")
        long timerAt;
        // the stateless reset token this connection holds (null: none), and whether the handler indexed it by its
        // peer's address (at addConnection, or after the next datagram routed to it while live)
        byte[] token;
        boolean indexed;

        M(int order, boolean server, QuicVersion version, ConnectionId odcid, InetSocketAddress local,
                InetSocketAddress remote, int dcidLength) {
            this.order = order;
            this.server = server;
            this.version = version;
            this.odcid = odcid;
            this.local = local;
            this.remote = remote;
            this.dcidLength = dcidLength;
        }

        NetworkPath path() {
            return new NetworkPath(local, remote);
        }

        @Override
        public String toString() {
            return (server ? "S" : "C") + order + "[" + id + " " + phase + "]";
        }
    }

    record ExpectedSend(M m, boolean first) {
    }

    /** How a datagram the model delivers reaches the handler. */
    enum Kind {
        /** a short header naming the connection, or too short to name one */
        DATA,
        /** the peer's CONNECTION_CLOSE */
        PEER_CLOSE,
        /** a stateless reset (or a datagram of its shape) whose DCID is the connection's: routed to it */
        RESET_ROUTED,
        /** a stateless reset with a random DCID: routed to none, offered to the connections of the sender's address */
        RESET_UNROUTED
    }

    /** What a listener does from inside one event: a close command, a close-all, or a datagram fired into the pipeline. */
    record Reaction(String kind, boolean reactFirst, M target, CloseError error, byte[] bytes, InetSocketAddress from,
            InetSocketAddress to, Kind readKind) {
        @Override
        public String toString() {
            return kind + (reactFirst ? " (before passing the event on)" : "") + " " + target + " " + error
                    + (bytes != null ? " " + readKind + " " + bytes.length + " bytes from " + from + " to " + to : "");
        }
    }

    /**
     * An event listener placed after the handler: once per planned event (keyed "ended ID" or "freed ID") it acts on
     * the handler from inside that event, before or after passing the event on. Nothing once the test disabled it
     * (once a channel close has written its closes).
     */
    static final class Reactor extends ChannelInboundHandlerAdapter {
        final Map<String, Reaction> plan = new HashMap<>();
        boolean enabled = true;
        // whether it acted during the current operation (quic-core's state then moved on after the point the model
        // is at: the model's cross-checks of quic-core's counters are skipped)
        boolean acted;
        // the ended and freed events in the order the handler fired them (a listener acting before it passes an event
        // on makes the events it causes reach the end of the pipeline first)
        final List<String> fired = new ArrayList<>();

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            String key = evt instanceof QuicConnectionEndedEvent e ? "ended " + e.connectionId()
                    : evt instanceof QuicConnectionFreedEvent f ? "freed " + f.connectionId() : null;
            if (key != null) {
                fired.add(key);
            }
            Reaction r = key != null && enabled ? plan.remove(key) : null;
            acted |= r != null;
            if (r != null && r.reactFirst()) {
                act(ctx, r);
            }
            ctx.fireUserEventTriggered(evt);
            if (r != null && !r.reactFirst()) {
                act(ctx, r);
            }
        }

        private static void act(ChannelHandlerContext ctx, Reaction r) {
            switch (r.kind()) {
                case "close":
                    ctx.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(r.target().id, r.error()));
                    break;
                case "closeAll":
                    ctx.pipeline().fireUserEventTriggered(QuicCloseCommand.closeAll(r.error()));
                    break;
                default:
                    ctx.pipeline().fireChannelRead(TestSupport.datagram(r.bytes(), r.from(), r.to()));
                    ctx.pipeline().fireChannelReadComplete();
                    break;
            }
        }
    }

    /**
     * A downstream outbound handler that fails the writes of the datagrams to the addresses in {@code failing}
     * (releasing them), at once or when they are flushed, as a transport refusing them does; passes the others on.
     */
    static final class Failer extends ChannelOutboundHandlerAdapter {
        final Set<InetSocketAddress> failing = new HashSet<>();
        final boolean atFlush;
        final List<ChannelPromise> held = new ArrayList<>();
        final List<IOException> heldCauses = new ArrayList<>();

        Failer(boolean atFlush) {
            this.atFlush = atFlush;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof DatagramPacket p && failing.contains(p.recipient())) {
                IOException cause = new IOException("network is unreachable: " + p.recipient());
                ReferenceCountUtil.release(msg);
                if (atFlush) {
                    held.add(promise);
                    heldCauses.add(cause);
                } else {
                    promise.setFailure(cause);
                }
                return;
            }
            ctx.write(msg, promise);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            List<ChannelPromise> promises = new ArrayList<>(held);
            List<IOException> causes = new ArrayList<>(heldCauses);
            held.clear();
            heldCauses.clear();
            for (int i = 0; i < promises.size(); i++) {
                promises.get(i).setFailure(causes.get(i));
            }
            ctx.flush();
        }
    }

    /** One step of the test, run by {@link ExecHandler} as an inbound event. */
    record Exec(Runnable step) {
    }

    /** First in the pipeline: runs the test's steps handed to it with EmbeddedChannel.writeOneInbound. */
    static final class ExecHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Exec e) {
                e.step().run();
            } else {
                ctx.fireChannelRead(msg);
            }
        }
    }

    /** The model's expectation of a failed close write: a QuicConnectionException naming the connection. */
    static final class ExpectedWriteFailure extends RuntimeException {
        final ConnectionId id;

        ExpectedWriteFailure(ConnectionId id) {
            super(null, null, false, false);
            this.id = id;
        }
    }

    static final class Run {
        final long seed;
        final SplittableRandom r;
        final List<String> log = new ArrayList<>();
        final boolean reject;
        final CloseError rejectError;
        final CloseError defaultError;
        final int idLength;
        final long closeTimeout;
        final QuicCloseHandler handler;
        final Recorder recorder = new Recorder();
        final TrackingAllocator alloc = new TrackingAllocator();
        final EmbeddedChannel ch;
        final List<M> all = new ArrayList<>();
        // by the path of the datagrams the handler writes for it (recipient, sender)
        final Map<String, M> byPath = new HashMap<>();
        // the lifecycle run: idle timeouts, stateless resets, failing writes, listeners acting from inside events
        final boolean lifecycle;
        final long serverIdleMillis;
        final Reactor reactor;
        final Failer failer;
        // the model's copy of the listener's plan
        final Map<String, Reaction> plan = new HashMap<>();
        // RFC 9000 §10.1 aside: the model's "reading" flag and the datagrams listeners fired meanwhile (README
        // "Events": they wait, in order, until that read is done)
        boolean reading;
        final ArrayDeque<Object[]> deferred = new ArrayDeque<>();
        int servers;
        int clients;
        int pendingCount;
        boolean closeRequested;
        boolean closeIssued;
        boolean writingCloses;
        boolean inactive;
        long closeAt;
        boolean timeoutArmed;

        // what the current operation is expected to produce
        final List<ExpectedSend> sends = new ArrayList<>();
        final List<String> events = new ArrayList<>();
        final List<Throwable> exceptions = new ArrayList<>();
        int passedOn;
        // the connections a timer freed in this operation, with their deadline, for ties in the timer's order
        final Map<ConnectionId, Long> timerFreed = new HashMap<>();

        Run(long seed, boolean lifecycle) {
            this.seed = seed;
            this.lifecycle = lifecycle;
            r = new SplittableRandom(seed);
            reject = r.nextInt(4) == 0;
            rejectError = smallError();
            defaultError = error();
            idLength = new int[] {8, 8, 12, 20}[r.nextInt(4)];
            closeTimeout = new long[] {Duration.ofSeconds(3).toNanos(), Duration.ofMillis(500).toNanos(),
                Duration.ofSeconds(10).toNanos()}[r.nextInt(3)];
            QuicCloseHandlerConfig config = QuicCloseHandlerConfig.builder()
                    .acceptPolicy(reject ? AcceptPolicy.reject(rejectError) : AcceptPolicy.accept())
                    .defaultCloseError(defaultError)
                    .localConnectionIdLength(idLength)
                    .closeTimeout(Duration.ofNanos(closeTimeout))
                    .build();
            if (lifecycle) {
                serverIdleMillis = r.nextInt(3) == 0 ? 0 : idleMillis();
                config = config.toBuilder().settings(idleSettings(serverIdleMillis)).build();
                reactor = new Reactor();
                failer = new Failer(r.nextBoolean());
            } else {
                serverIdleMillis = 0;
                reactor = null;
                failer = null;
            }
            handler = new QuicCloseHandler(config);
            ch = lifecycle ? new EmbeddedChannel(new ExecHandler(), failer, handler, reactor, recorder)
                    : new EmbeddedChannel(handler, recorder);
            ch.config().setAllocator(alloc);
            ch.freezeTime();
            ch.advanceTimeBy(TestSupport.CLOCK_START_NANOS, TimeUnit.NANOSECONDS);
            log.add("seed " + seed + " reject=" + reject + " (" + rejectError + ") default=" + defaultError
                    + " idLength=" + idLength + " closeTimeout=" + closeTimeout
                    + (lifecycle ? " serverIdle=" + serverIdleMillis + "ms failAtFlush=" + failer.atFlush : ""));
        }

        /** An idle timeout in milliseconds: below, at and above 3 PTO (the floor, RFC 9000 §10.1), a few seconds. */
        long idleMillis() {
            switch (r.nextInt(5)) {
                case 0:
                    return r.nextLong(1, 2997);
                case 1:
                    return PERIOD / 1_000_000;
                case 2:
                    return PERIOD / 1_000_000 + 1;
                default:
                    return r.nextLong(3000, 9000);
            }
        }

        /** Whether quic-core's state is still where the model is (no listener acted from inside an event). */
        boolean crossCheck() {
            return reactor == null || !reactor.acted;
        }

        static Settings idleSettings(long millis) {
            return millis == 0 ? Settings.defaults()
                    : Settings.defaults().toBuilder().maxIdleTimeout(Duration.ofMillis(millis)).build();
        }

        /** The idle timeout quic-core puts in force: the setting, at least 3 PTO; none without one. */
        static long idleNanos(long millis) {
            return millis == 0 ? 0 : Math.max(millis * 1_000_000L, PERIOD);
        }

        static String pathKey(InetSocketAddress recipient, InetSocketAddress sender) {
            return recipient + "|" + sender;
        }

        /** RFC 9000 §10.1: past its idle deadline while live (its end not reported yet) or while its close waits. */
        boolean idleExpired(M m) {
            boolean open = m.phase == Phase.LIVE && !m.ended || m.phase == Phase.PENDING;
            boolean expired = open && m.idleTimeout > 0 && now() - m.idleStart >= m.idleTimeout;
            if (open && m.conn != null && crossCheck()) {
                assertEquals(expired, m.conn.isIdleTimeoutExpired(now()), () -> "model of quic-core's idle timer " + m);
            }
            return expired;
        }

        long now() {
            return ch.eventLoop().ticker().nanoTime();
        }

        // ---------------------------------------------------------------------------------------------------------
        // random inputs

        byte[] randomBytes(int n) {
            byte[] b = new byte[n];
            r.nextBytes(b);
            return b;
        }

        String reason() {
            int k = r.nextInt(10);
            int n = k < 4 ? 0 : k < 8 ? r.nextInt(1, 41) : r.nextInt(100, 301);
            StringBuilder sb = new StringBuilder(n);
            for (int i = 0; i < n; i++) {
                sb.append((char) r.nextInt('a', 'z' + 1));
            }
            return sb.toString();
        }

        long code() {
            switch (r.nextInt(6)) {
                case 0:
                    return 0;
                case 1:
                    return r.nextLong(64);
                case 2:
                    return r.nextLong(64, 16384);
                case 3:
                    return r.nextLong(16384, 1L << 30);
                case 4:
                    return r.nextLong(1L << 30, 1L << 62);
                default:
                    return TransportErrorCode.PROTOCOL_VIOLATION;
            }
        }

        CloseError error() {
            return r.nextBoolean() ? CloseError.transport(code(), r.nextBoolean() ? 0 : code(), reason())
                    : CloseError.application(code(), reason());
        }

        /** An error whose close always fits a fresh server's 3x budget of one Initial. */
        CloseError smallError() {
            CloseError e;
            do {
                e = error();
            } while (e.reasonLength() > 100);
            return e;
        }

        // ---------------------------------------------------------------------------------------------------------
        // the model of what the handler writes

        static int varintLength(long v) {
            return v < 64 ? 1 : v < 16384 ? 2 : v < (1L << 30) ? 4 : 8;
        }

        /**
         * The length of the close datagram (close-spec §2-§4): one Initial packet (the connections have only Initial
         * keys); a client's is padded to 1200 bytes (§3.3); a server's is header (1 + version 4 + DCID 1+n + SCID 1+n
         * + token length 1 + Length 4 + packet number 1) + frame + AEAD tag 16; an application close is sent as
         * {@code 1c 0c 00 00} at the Initial level (RFC 9000 §10.2.3).
         */
        int closeLength(M m, CloseError e) {
            if (!m.server) {
                return 1200;
            }
            int frame = e.type() == CloseError.Type.APPLICATION ? 4
                    : 1 + varintLength(e.errorCode()) + varintLength(e.frameType()) + varintLength(e.reasonLength())
                            + e.reasonLength();
            return 13 + m.dcidLength + m.id.length() + frame + 16;
        }

        static CloseError withoutReason(CloseError e) {
            return e.type() == CloseError.Type.APPLICATION ? CloseError.application(e.errorCode())
                    : CloseError.transport(e.errorCode(), e.frameType(), (byte[]) null);
        }

        void expectEnded(M m, QuicCloseInitiator initiator, CloseError error, QuicCloseResult result) {
            if (m.ended) {
                throw new AssertionError("model: ended twice " + m);
            }
            m.ended = true;
            String event = ended(m.id, m.remote, initiator, error, result, m.version, m.odcid);
            fired("ended " + m.id, event);
        }

        /**
         * An event the handler fires: recorded, and the listener's planned reaction to it run where the handler runs
         * it, in the middle of what the handler was doing (before or after the event reaches the end of the pipeline).
         */
        void fired(String key, String event) {
            Reaction reaction = lifecycle && (!closeRequested || writingCloses) ? plan.remove(key) : null;
            if (reaction != null && writingCloses) {
                cover("listener acts inside a channel close");
            }
            if (reaction != null && reaction.reactFirst()) {
                react(reaction);
            }
            events.add(event);
            if (reaction != null && !reaction.reactFirst()) {
                react(reaction);
            }
        }

        void react(Reaction x) {
            cover("listener " + x.kind() + (x.readKind() != null ? " " + x.readKind() : "") + (reading ? " inside a read" : ""));
            switch (x.kind()) {
                case "close":
                    close(x.target(), x.error());
                    break;
                case "closeAll":
                    for (M m : all) {
                        close(m, x.error());
                    }
                    break;
                default:
                    deliver(x.target(), x.bytes(), x.from(), x.to(), x.readKind());
                    break;
            }
        }

        static String ended(ConnectionId id, InetSocketAddress remote, QuicCloseInitiator initiator, CloseError error,
                QuicCloseResult result, QuicVersion version, ConnectionId odcid) {
            return "ended " + id + " " + remote + " " + initiator + " " + error + " " + result + " " + version + " "
                    + odcid;
        }

        void expectFreed(M m) {
            if (m.phase == Phase.FREED) {
                // freed from inside its own ended event (a listener's datagram): the handler frees it once
                return;
            }
            m.phase = Phase.FREED;
            fired("freed " + m.id, "freed " + m.id + " " + m.remote);
        }

        /**
         * A close the application asked for (command, exception, channel close): only a live connection closes; one
         * past its idle deadline (the timer task has not run yet), or asked to close with the idle close, ends
         * silently (RFC 9000 §10.1, README "Idle timeout").
         */
        void close(M m, CloseError error) {
            if (m.phase != Phase.LIVE || m.ended || inactive) {
                return;
            }
            if (error.type() == CloseError.Type.IDLE_CLOSE || idleExpired(m)) {
                cover(error.type() == CloseError.Type.IDLE_CLOSE ? "idle close asked for" : "close of an idled-out one");
                idleEnd(m);
                return;
            }
            attempt(m, error);
        }

        /** Closed silently: IDLE, nothing sent, freed at once (and a held-back close no longer waited for). */
        void idleEnd(M m) {
            if (m.phase == Phase.PENDING) {
                pendingCount--;
                m.pendingError = null;
                cover("held-back close ends idle");
            }
            cover("idle end");
            expectEnded(m, QuicCloseInitiator.IDLE, CloseError.idleClose(), QuicCloseResult.NOTHING_TO_SEND);
            expectFreed(m);
            maybeIssueClose();
        }

        /**
         * quic-core writes the close if the server's 3x budget allows it (close-spec §3.2; a client has none); a
         * reason the budget cannot carry is dropped (README "Events"); else the close is held back (README "The
         * closing period").
         */
        void attempt(M m, CloseError error) {
            long budget = m.server ? 3 * m.pathReceived - m.pathSent : Long.MAX_VALUE;
            if (m.server && m.conn != null && crossCheck()) {
                assertEquals(Math.max(0, budget), m.conn.amplificationBudget(), "model of quic-core's budget " + m);
            }
            if (m.phase == Phase.PENDING) {
                cover(closeLength(m, error) <= budget || closeLength(m, withoutReason(error)) <= budget
                        ? "held-back close sent" : "held-back close still held");
            }
            if (closeLength(m, error) == budget || closeLength(m, withoutReason(error)) == budget) {
                cover("close with the budget exactly spent");
            }
            if (closeLength(m, error) <= budget) {
                send(m, error);
            } else if (error.reasonLength() > 0 && closeLength(m, withoutReason(error)) <= budget) {
                cover("reason dropped for the budget");
                send(m, withoutReason(error));
            } else if (m.phase == Phase.LIVE) {
                cover("close held back");
                m.phase = Phase.PENDING;
                m.pendingError = error;
                m.deadline = now() + PERIOD;
                pendingCount++;
            }
        }

        void send(M m, CloseError error) {
            if (m.phase == Phase.PENDING) {
                pendingCount--;
                m.pendingError = null;
            }
            m.phase = Phase.CLOSING;
            m.deadline = now() + PERIOD;
            m.sentError = error;
            m.closingDatagrams = 0;
            m.closingReceived = 0;
            m.closingResent = 0;
            m.closeLen = closeLength(m, error);
            write(m, true);
            expectEnded(m, QuicCloseInitiator.LOCAL, error, QuicCloseResult.SENT);
        }

        /**
         * A close datagram handed to the channel: written, or (its path failing downstream) not written and reported
         * as a QuicConnectionException naming the connection (README "Events"); the closing period goes on as if it
         * had been sent.
         */
        void write(M m, boolean first) {
            if (failer != null && failer.failing.contains(m.remote)) {
                cover(first ? "close write failed" : "re-send write failed");
                exceptions.add(new ExpectedWriteFailure(m.id));
            } else {
                sends.add(new ExpectedSend(m, first));
            }
        }

        /** RFC 9000 §10.2.2: the peer's close; nothing more is sent, freed after 3 PTO. */
        void drain(M m, CloseError peerError) {
            if (m.phase == Phase.PENDING) {
                pendingCount--;
                m.pendingError = null;
            }
            cover(m.phase == Phase.PENDING ? "peer close while held back" : "peer close while live");
            m.phase = Phase.DRAINING;
            m.deadline = now() + PERIOD;
            expectEnded(m, QuicCloseInitiator.PEER, peerError, QuicCloseResult.NOTHING_TO_SEND);
            maybeIssueClose();
        }

        /** RFC 9000 §10.3.1: a stateless reset of a connection that has not closed: it drains, silently. */
        void drainReset(M m) {
            if (m.phase == Phase.PENDING) {
                pendingCount--;
                m.pendingError = null;
            }
            cover(m.phase == Phase.PENDING ? "reset while held back" : "reset while live");
            m.phase = Phase.DRAINING;
            m.deadline = now() + PERIOD;
            expectEnded(m, QuicCloseInitiator.STATELESS_RESET, null, QuicCloseResult.NOTHING_TO_SEND);
            maybeIssueClose();
        }

        void expire(M m) {
            if (m.phase == Phase.PENDING && idleExpired(m)) {
                cover("held-back close past its idle deadline at its deadline");
                idleEnd(m);
            } else if (m.phase == Phase.PENDING) {
                pendingCount--;
                expectEnded(m, QuicCloseInitiator.LOCAL, m.pendingError, QuicCloseResult.AMPLIFICATION_LIMITED);
                expectFreed(m);
                cover("held-back close given up at its deadline");
                maybeIssueClose();
            } else {
                expectFreed(m);
            }
        }

        void maybeIssueClose() {
            // not while the channel close is still closing the connections (an idle one ending there)
            if (closeRequested && !closeIssued && !writingCloses && pendingCount == 0) {
                closeIssued = true;
            }
        }

        void freeAll() {
            inactive = true;
            for (M m : all) {
                if (m.phase == Phase.FREED) {
                    continue;
                }
                cover("freed by the channel going inactive: " + m.phase);
                if (idleExpired(m)) {
                    cover("idled out when the channel went inactive");
                    if (m.phase == Phase.PENDING) {
                        pendingCount--;
                    }
                    expectEnded(m, QuicCloseInitiator.IDLE, CloseError.idleClose(), QuicCloseResult.NOTHING_TO_SEND);
                } else if (m.phase == Phase.PENDING) {
                    pendingCount--;
                    expectEnded(m, QuicCloseInitiator.LOCAL, m.pendingError, QuicCloseResult.AMPLIFICATION_LIMITED);
                } else if (m.phase == Phase.LIVE) {
                    expectEnded(m, QuicCloseInitiator.LOCAL, null, QuicCloseResult.CHANNEL_INACTIVE);
                }
                expectFreed(m);
            }
        }

        /** What the event loop does after the operation: its queued tasks, the due timers, the tasks they queued. */
        void settle() {
            if (lifecycle) {
                settleLifecycle();
                return;
            }
            // queued tasks: a channel close that waited for writes or held-back closes; the channel going inactive
            maybeIssueClose();
            if (closeIssued && !inactive) {
                freeAll();
            }
            // due scheduled tasks: the close timeout, the handler's deadlines (freed in deadline order)
            long now = now();
            if (timeoutArmed && !closeIssued && now - (closeAt + closeTimeout) >= 0) {
                cover("close timeout");
                closeIssued = true;
            }
            List<M> due = new ArrayList<>();
            for (M m : all) {
                if (m.phase != Phase.LIVE && m.phase != Phase.FREED && m.deadline - now <= 0) {
                    due.add(m);
                }
            }
            due.sort(Comparator.comparingLong(m -> m.deadline));
            for (M m : due) {
                timerFreed.put(m.id, m.deadline);
                cover(due.size() > 1 ? "timer frees several" : "timer frees one");
                expire(m);
            }
            // the tasks those queued
            if (closeIssued && !inactive) {
                freeAll();
            }
            ch.runPendingTasks();
            ch.runPendingTasks();
        }

        /** When the handler's timer acts on {@code m}: its idle deadline while live, else its period's; null: never. */
        Long timerDeadline(M m) {
            if (m.phase == Phase.LIVE) {
                return !m.ended && m.idleTimeout > 0 ? m.idleStart + m.idleTimeout : null;
            }
            return m.phase == Phase.FREED ? null : m.deadline;
        }

        /**
         * {@link #settle} of the lifecycle run. The handler's timer acts on due connections in deadline order; the
         * order of those due at the same nanosecond is the handler's choice, which listeners acting from inside their
         * events make visible: the handler's tasks run first, and the model takes that order from the events they
         * fired (everything else it checks as usual).
         */
        void settleLifecycle() {
            ch.runPendingTasks();
            ch.runPendingTasks();
            List<String> observed = reactor.fired;
            maybeIssueClose();
            if (closeIssued && !inactive) {
                freeAll();
            }
            long now = now();
            if (timeoutArmed && !closeIssued && now - (closeAt + closeTimeout) >= 0) {
                cover("close timeout");
                closeIssued = true;
            }
            List<M> due = new ArrayList<>();
            for (M m : all) {
                Long d = timerDeadline(m);
                if (d != null && d - now <= 0) {
                    due.add(m);
                } else if (d != null && m.phase == Phase.LIVE && m.timerAt - now <= 0) {
                    // the timer finds the connection restarted since: it is set to the new deadline, silently
                    cover("idle timer finds activity it did not see");
                    m.timerAt = d;
                }
            }
            due.sort(Comparator.comparingLong((M m) -> m.phase == Phase.LIVE ? m.timerAt : m.deadline)
                    .thenComparingInt(m -> firstSeen(observed, m)));
            for (M m : due) {
                Long d = timerDeadline(m);
                if (d == null || d - now > 0) {
                    // a listener acting from an earlier one's event ended it meanwhile
                    cover("due connection ended by a listener first");
                    continue;
                }
                cover(due.size() > 1 ? "timer acts on several" : "timer acts on one");
                if (m.phase == Phase.LIVE) {
                    cover("idle timer");
                    idleEnd(m);
                } else {
                    expire(m);
                }
            }
            if (closeIssued && !inactive) {
                freeAll();
            }
        }

        static int firstSeen(List<String> observed, M m) {
            for (int i = 0; i < observed.size(); i++) {
                if (observed.get(i).equals("ended " + m.id) || observed.get(i).equals("freed " + m.id)) {
                    return i;
                }
            }
            return Integer.MAX_VALUE;
        }

        // ---------------------------------------------------------------------------------------------------------
        // operations

        void execute() throws Exception {
            try {
                int ops = r.nextInt(10, 50);
                for (int i = 0; i < ops && !inactive; i++) {
                    step(i);
                }
                // the end: a channel close, then time until the channel is inactive
                if (!closeRequested) {
                    log.add("channel close (end)");
                    inEventLoop(() -> {
                        channelClose();
                        check();
                    });
                }
                for (int i = 0; i < 20 && !inactive; i++) {
                    long d = r.nextLong(1, Duration.ofSeconds(4).toNanos());
                    log.add("advance " + d + " (end)");
                    ch.advanceTimeBy(d, TimeUnit.NANOSECONDS);
                    settle();
                    check();
                }
                assertEquals(true, inactive, "the channel closed");
                assertEquals(false, ch.isOpen(), "the channel closed");
                for (M m : all) {
                    assertEquals(Phase.FREED, m.phase, m::toString);
                }
                assertEquals(List.of(), alloc.live(), "buffers left");
                assertEquals(List.of(), handler.cachedCloseDatagrams());
                assertEquals(0, handler.connectionCount());
            } finally {
                ch.finishAndReleaseAll();
            }
        }

        interface Step {
            void run() throws Exception;
        }

        /**
         * Runs {@code step} as one event of a real event loop in the lifecycle run: EmbeddedChannel runs its due tasks
         * inside any write made outside one of its own calls (a timer task in the middle of a close command, which no
         * event loop does); directly in the other run.
         */
        void inEventLoop(Step step) throws Exception {
            if (!lifecycle) {
                step.run();
                return;
            }
            Throwable[] failure = new Throwable[1];
            ch.writeOneInbound(new Exec(() -> {
                try {
                    step.run();
                } catch (Throwable t) {
                    failure[0] = t;
                }
            }));
            if (failure[0] instanceof Exception e) {
                throw e;
            } else if (failure[0] != null) {
                throw (Error) failure[0];
            }
        }

        void step(int i) throws Exception {
            if (lifecycle) {
                inEventLoop(() -> {
                    lifecycleStep();
                    check();
                });
                return;
            }
            int k = r.nextInt(100);
            if (closeRequested) {
                // after a channel close: datagrams and time only
                k = 40 + r.nextInt(60);
            }
            if (k < 12 || all.isEmpty()) {
                newConnection(3, 2);
            } else if (k < 17) {
                spendBudget();
            } else if (k < 25) {
                commandClose(this::error);
            } else if (k < 28) {
                commandCloseAll(this::error);
            } else if (k < 36) {
                exception();
            } else if (k < 40) {
                log.add("channel close");
                channelClose();
            } else if (k < 70) {
                closingDatagram();
            } else if (k < 78) {
                peerClose();
            } else if (k < 90) {
                advance(false);
            } else {
                advance(true);
            }
            check();
        }

        M pick() {
            return all.get(r.nextInt(all.size()));
        }

        /** A new client (one time in {@code clientOdds}, up to {@code maxClients}) or server, or time if full. */
        void newConnection(int clientOdds, int maxClients) throws Exception {
            if (r.nextInt(clientOdds) == 0 && clients < maxClients) {
                newClient();
            } else if (servers < 4) {
                newServer();
            } else {
                advance(false);
            }
        }

        /** A datagram for a closing connection, sometimes of exactly the size at its re-send budget's boundary. */
        void closingDatagram() throws Exception {
            M m = pickClosing();
            int boundary = r.nextInt(3) == 0 ? boundarySize(m) : -1;
            datagram(m, boundary > 0 || r.nextInt(4) != 0, boundary > 0 ? boundary : size(m));
            settle();
        }

        void lifecycleStep() throws Exception {
            int k = r.nextInt(100);
            if (closeRequested) {
                k = 32 + r.nextInt(68);
            }
            if (k < 10 || all.isEmpty()) {
                newConnection(2, 4);
            } else if (k < 14) {
                spendBudget();
            } else if (k < 20) {
                commandClose(this::commandError);
            } else if (k < 23) {
                commandCloseAll(this::commandError);
            } else if (k < 29) {
                exception();
            } else if (k < 32) {
                log.add("channel close");
                channelClose();
            } else if (k < 48) {
                closingDatagram();
            } else if (k < 54) {
                peerClose();
            } else if (k < 63) {
                reset();
                settle();
            } else if (k < 67) {
                addToken();
            } else if (k < 71) {
                toggleFailing();
            } else if (k < 80) {
                planReaction();
            } else if (k < 87) {
                advance(false);
            } else if (k < 92) {
                advance(true);
            } else {
                lateOp();
            }
        }

        CloseError commandError() {
            return lifecycle && r.nextInt(8) == 0 ? CloseError.idleClose() : error();
        }

        void commandClose(java.util.function.Supplier<CloseError> errors) {
            M m = pick();
            CloseError e = errors.get();
            ConnectionId target = m.server && r.nextInt(4) == 0 ? m.odcid
                    : r.nextInt(10) == 0 ? ConnectionId.of(randomBytes(8)) : m.id;
            log.add("command close " + target + " (" + m + ") " + e);
            ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(target, e));
            if (target.equals(m.id) || target.equals(m.odcid) && m.phase != Phase.FREED) {
                close(m, e);
            }
            settle();
        }

        void commandCloseAll(java.util.function.Supplier<CloseError> errors) {
            CloseError e = errors.get();
            log.add("command closeAll " + e);
            ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeAll(e));
            for (M m : all) {
                close(m, e);
            }
            settle();
        }

        /** A random DCID that names no connection (nor a server's original DCID): routed to none. */
        byte[] unroutedBytes(int length) {
            while (true) {
                byte[] b = randomBytes(length);
                b[0] = (byte) (0x40 | (b[0] & 0x3f));
                boolean names = false;
                for (M x : all) {
                    for (ConnectionId id : new ConnectionId[] {x.id, x.odcid}) {
                        byte[] idb = id.toByteArray();
                        if (length >= 1 + idb.length && Arrays.equals(b, 1, 1 + idb.length, idb, 0, idb.length)) {
                            names = true;
                        }
                    }
                }
                if (!names) {
                    return b;
                }
            }
        }

        /**
         * A stateless reset (RFC 9000 §10.3) for a connection: with its token or another, of the smallest size or
         * larger (or one byte too short), from its peer or another address, to its local address or a sibling's;
         * routed by a random DCID to none, or by its own DCID to it. Returns {bytes, from, to, kind}; the caller
         * delivers it.
         */
        Object[] resetFor(M m) {
            int length = switch (r.nextInt(6)) {
                case 0 -> 21;
                case 1 -> 20;
                default -> r.nextInt(22, 120);
            };
            byte[] token = m.token != null && r.nextInt(5) != 0 ? m.token : randomBytes(16);
            boolean routed = r.nextInt(4) == 0 && length >= 1 + m.id.length() + 16;
            byte[] b;
            if (routed) {
                b = TestSupport.shortHeader(m.id, length);
                for (int i = 1 + m.id.length(); i < length; i++) {
                    b[i] = (byte) r.nextInt(256);
                }
            } else {
                b = unroutedBytes(length);
            }
            System.arraycopy(token, 0, b, length - 16, 16);
            InetSocketAddress from = m.remote;
            InetSocketAddress to = m.local;
            if (!routed) {
                int w = r.nextInt(10);
                if (w == 0) {
                    from = STRANGER;
                } else if (w == 1) {
                    from = pick().remote;
                } else if (w == 2) {
                    // a sibling's local address: another client of the same server address, or the other local
                    List<M> siblings = new ArrayList<>();
                    for (M x : all) {
                        if (x != m && x.remote.equals(m.remote)) {
                            siblings.add(x);
                        }
                    }
                    to = siblings.isEmpty() ? (m.server ? CLIENT_LOCAL : SERVER_LOCAL)
                            : siblings.get(r.nextInt(siblings.size())).local;
                }
            }
            return new Object[] {b, from, to, routed ? Kind.RESET_ROUTED : Kind.RESET_UNROUTED};
        }

        void reset() {
            reset(pickResettable());
        }

        void reset(M m) {
            Object[] x = resetFor(m);
            byte[] b = (byte[]) x[0];
            log.add("reset " + x[3] + " " + b.length + " bytes for " + m + " token="
                    + (m.token != null && Arrays.equals(m.token, Arrays.copyOfRange(b, b.length - 16, b.length)))
                    + " from " + x[1] + " to " + x[2]);
            read(m, b, (InetSocketAddress) x[1], (InetSocketAddress) x[2], (Kind) x[3]);
        }

        /** Mostly a connection holding a token. */
        M pickResettable() {
            List<M> with = new ArrayList<>();
            for (M m : all) {
                if (m.token != null && m.phase != Phase.FREED) {
                    with.add(m);
                }
            }
            return with.isEmpty() || r.nextInt(5) == 0 ? pick() : with.get(r.nextInt(with.size()));
        }

        /** The application gives a live connection a reset token (a NEW_CONNECTION_ID it processed, say). */
        void addToken() {
            List<M> live = new ArrayList<>();
            for (M m : all) {
                if (m.phase == Phase.LIVE && !m.ended && m.conn != null && m.token == null) {
                    live.add(m);
                }
            }
            if (live.isEmpty()) {
                advance(false);
                return;
            }
            M m = live.get(r.nextInt(live.size()));
            m.token = randomBytes(16);
            m.conn.addStatelessResetToken(m.token);
            // README: counted from the connection's next datagram
            log.add("token added to " + m);
            settle();
        }

        /** The route to a connection's peer goes down (writes to it fail downstream) or comes back. */
        void toggleFailing() {
            InetSocketAddress a = pick().remote;
            if (!failer.failing.remove(a)) {
                failer.failing.add(a);
            }
            log.add("writes to " + a + (failer.failing.contains(a) ? " fail" : " succeed again"));
            settle();
        }

        /** A listener will act from inside the next ended (or freed) event of a connection. */
        void planReaction() {
            List<M> open = new ArrayList<>();
            for (M m : all) {
                if (m.phase != Phase.FREED) {
                    open.add(m);
                }
            }
            if (open.isEmpty() || closeRequested) {
                advance(false);
                return;
            }
            M source = open.get(r.nextInt(open.size()));
            String key = (source.ended || r.nextInt(3) == 0 ? "freed " : "ended ") + source.id;
            if (plan.containsKey(key)) {
                advance(false);
                return;
            }
            M target = open.get(r.nextInt(open.size()));
            boolean first = r.nextBoolean();
            Reaction x;
            switch (r.nextInt(5)) {
                case 0:
                    x = new Reaction("close", first, target, commandError(), null, null, null, null);
                    break;
                case 1:
                    x = new Reaction("closeAll", first, target, commandError(), null, null, null, null);
                    break;
                case 2: {
                    Object[] reset = resetFor(target);
                    x = new Reaction("read", first, target, null, (byte[]) reset[0], (InetSocketAddress) reset[1],
                            (InetSocketAddress) reset[2], (Kind) reset[3]);
                    break;
                }
                default: {
                    int boundary = r.nextInt(3) == 0 ? boundarySize(target) : -1;
                    int size = boundary > 0 ? boundary : size(target);
                    byte[] bytes = Arrays.copyOf(TestSupport.shortHeader(target.id, Math.max(size,
                            1 + target.id.length())), size);
                    x = new Reaction("read", first, target, null, bytes, r.nextInt(5) == 0 ? STRANGER : target.remote,
                            target.local, Kind.DATA);
                    break;
                }
            }
            plan.put(key, x);
            reactor.plan.put(key, x);
            log.add("listener on " + key + " (" + source + "): " + x);
            settle();
        }

        /**
         * The clock moves to around a deadline (an idle one included) and something happens before the timer task
         * runs (an event loop reads and handles events before it runs due tasks).
         */
        void lateOp() throws Exception {
            List<Long> deadlines = new ArrayList<>();
            List<M> owners = new ArrayList<>();
            for (M m : all) {
                Long d = timerDeadline(m);
                if (d != null) {
                    deadlines.add(d);
                    owners.add(m);
                }
                if (m.phase == Phase.PENDING && m.idleTimeout > 0) {
                    deadlines.add(m.idleStart + m.idleTimeout);
                    owners.add(m);
                }
            }
            if (deadlines.isEmpty()) {
                advance(false);
                return;
            }
            int which = r.nextInt(deadlines.size());
            long target = deadlines.get(which);
            M owner = owners.get(which);
            long d = Math.max(0, target + r.nextInt(-1, 2) - now());
            ch.advanceTimeBy(d, TimeUnit.NANOSECONDS);
            log.add("advance " + d + " to " + (now() - target) + " after a deadline, then before the timers run:");
            switch (closeRequested ? r.nextInt(2) : r.nextInt(6)) {
                case 0: {
                    M m = r.nextBoolean() ? owner : pickClosing();
                    datagram(m, r.nextInt(4) != 0, size(m));
                    settle();
                    break;
                }
                case 1:
                    reset(r.nextBoolean() ? owner : pickResettable());
                    settle();
                    break;
                case 2:
                    commandClose(this::commandError);
                    break;
                case 3:
                    commandCloseAll(this::commandError);
                    break;
                case 4:
                    exception();
                    break;
                default:
                    log.add("channel close");
                    channelClose();
                    break;
            }
        }

        /** Mostly a connection in its closing or draining period, or whose close is held back. */
        M pickClosing() {
            List<M> closing = new ArrayList<>();
            List<M> pending = new ArrayList<>();
            for (M m : all) {
                if (m.phase == Phase.PENDING) {
                    pending.add(m);
                }
                if (m.phase == Phase.PENDING || m.phase == Phase.CLOSING || m.phase == Phase.DRAINING) {
                    closing.add(m);
                }
            }
            if (!pending.isEmpty() && r.nextBoolean()) {
                return pending.get(r.nextInt(pending.size()));
            }
            return closing.isEmpty() || r.nextInt(4) == 0 ? pick() : closing.get(r.nextInt(closing.size()));
        }

        int size(M m) {
            int min = 1 + m.id.length();
            switch (r.nextInt(6)) {
                case 0:
                    // too short to be routed
                    return r.nextInt(1, min);
                case 1:
                case 2:
                    // tiny: routed, no header protection sample
                    return r.nextInt(min, min + 20);
                case 3:
                    return r.nextInt(min + 20, 200);
                case 4:
                    return r.nextInt(200, 1000);
                default:
                    return r.nextInt(1000, 1501);
            }
        }

        /**
         * A size that puts the budget exactly at (or one datagram byte short of) what the next send needs: for a held
         * back close, the close with or without its reason; in the closing period, the re-send on the next power of
         * two. -1 when there is none in range.
         */
        int boundarySize(M m) {
            int min = 1 + m.id.length();
            long need;
            if (m.phase == Phase.PENDING && m.server) {
                min += 20;
                CloseError e = r.nextBoolean() ? m.pendingError : withoutReason(m.pendingError);
                need = closeLength(m, e) + m.pathSent - 3 * m.pathReceived;
            } else if (m.phase == Phase.CLOSING) {
                long n = m.closingDatagrams + 1;
                if ((n & (n - 1)) != 0) {
                    return -1;
                }
                need = m.closingResent + m.closeLen - 3 * m.closingReceived;
            } else {
                return -1;
            }
            long size = (need + 2) / 3 - r.nextInt(0, 2);
            return size >= min && size <= 1500 ? (int) size : -1;
        }

        void newServer() throws Exception {
            int n = servers++;
            InetSocketAddress peer = new InetSocketAddress("127.0.0." + (10 + n), 50000 + n);
            QuicVersion v = r.nextBoolean() ? QuicVersion.V1 : QuicVersion.V2;
            ConnectionId odcid = ConnectionId.of(randomBytes(r.nextInt(8, 21)));
            ConnectionId clientScid = ConnectionId.of(randomBytes(r.nextInt(0, 21)));
            Client client = new Client(v, odcid, clientScid, new NetworkPath(peer, SERVER_LOCAL), now(),
                    lifecycle && r.nextBoolean() ? idleSettings(idleMillis()) : Settings.defaults());
            M m = new M(all.size(), true, v, odcid, SERVER_LOCAL, peer, clientScid.length());
            m.peerClient = client;
            log.add("client Initial from " + peer + " " + v + " odcid=" + odcid + " scid=" + clientScid);
            ch.pipeline().fireChannelRead(TestSupport.datagram(client.firstInitial, peer, SERVER_LOCAL));
            ch.pipeline().fireChannelReadComplete();
            m.ledgerReceived += client.firstInitial.length;
            m.pathReceived = client.firstInitial.length;
            // the handler chose the connection's ID: learnt from its first event
            List<Object> evs = recorder.events;
            if (evs.isEmpty()) {
                throw new AssertionError("no event for a new connection");
            }
            Object first = evs.get(0);
            if (reject) {
                m.id = ((QuicConnectionEndedEvent) first).connectionId();
            } else {
                m.conn = ((QuicConnectionAcceptedEvent) first).connection();
                m.id = m.conn.sourceConnectionId();
                events.add("accepted " + m.id);
                assertEquals(Duration.ofNanos(PERIOD), m.conn.closingPeriod(), "model input: 3 PTO");
                if (r.nextInt(4) == 0) {
                    m.conn.setEcnState(EcnState.CAPABLE);
                    m.ecnCapable = true;
                }
                // the server's idle timeout is the handler's settings' (the client's transport parameters are never
                // set: quic-core does not read them from the Initial), its timer started by the client's Initial
                m.idleTimeout = idleNanos(serverIdleMillis);
                m.idleStart = now();
                m.restartOnSend = true;
                m.timerAt = m.idleStart + m.idleTimeout;
                assertEquals(m.idleTimeout, m.conn.idleTimeoutNanos(), "model input: the idle timeout");
                assertEquals(m.idleStart, m.conn.idleTimerStart(), "model input: the idle timer");
                if (lifecycle && r.nextInt(3) == 0) {
                    // the application gives it the client's reset token (a NEW_CONNECTION_ID, say): indexed from its
                    // next datagram
                    m.token = randomBytes(16);
                    m.conn.addStatelessResetToken(m.token);
                }
            }
            assertEquals(idLength, m.id.length());
            all.add(m);
            byPath.put(pathKey(peer, SERVER_LOCAL), m);
            if (reject) {
                attempt(m, rejectError);
            }
            settle();
            if (!reject && r.nextBoolean()) {
                check();
                spend(m);
            }
        }

        void newClient() throws Exception {
            int n = clients++;
            // in the lifecycle run two clients share each server address (from two local ports): a reset is looked
            // for among the connections of the sender's address, on the path it arrived on
            InetSocketAddress server = new InetSocketAddress("127.0.1." + (10 + (lifecycle ? n / 2 : n)), 443);
            InetSocketAddress local = lifecycle ? new InetSocketAddress(CLIENT_LOCAL.getAddress(), 40000 + n)
                    : CLIENT_LOCAL;
            QuicVersion v = r.nextBoolean() ? QuicVersion.V1 : QuicVersion.V2;
            ConnectionId odcid = ConnectionId.of(randomBytes(r.nextInt(8, 21)));
            ConnectionId scid = ConnectionId.of(randomBytes(8));
            long idle = lifecycle && r.nextInt(3) != 0 ? idleMillis() : 0;
            Client c = new Client(v, odcid, scid, new NetworkPath(local, server), now(), idleSettings(idle));
            M m = new M(all.size(), false, v, odcid, local, server, odcid.length());
            m.idleTimeout = idleNanos(idle);
            m.idleStart = now();
            m.timerAt = m.idleStart + m.idleTimeout;
            assertEquals(m.idleTimeout, c.connection.idleTimeoutNanos(), "model input: the idle timeout");
            assertEquals(m.idleStart, c.connection.idleTimerStart(), "model input: the idle timer");
            if (lifecycle && r.nextBoolean()) {
                m.token = randomBytes(16);
                c.connection.addStatelessResetToken(m.token);
                m.indexed = true;
            }
            m.id = scid;
            m.conn = c.connection;
            if (r.nextInt(3) == 0) {
                m.conn.setEcnState(EcnState.CAPABLE);
                m.ecnCapable = true;
            }
            log.add("add client " + scid + " from " + local + " to " + server + " " + v + " odcid=" + odcid + " ecn="
                    + m.ecnCapable + " idle=" + m.idleTimeout + " token=" + (m.token != null));
            handler.addConnection(c.connection);
            assertEquals(Duration.ofNanos(PERIOD), m.conn.closingPeriod(), "model input: 3 PTO");
            all.add(m);
            byPath.put(pathKey(server, local), m);
            settle();
        }

        /** The application spends part or all of a live server's 3x budget on its handshake flight. */
        void spendBudget() throws Exception {
            M m = pick();
            if (!m.server || m.conn == null || m.phase != Phase.LIVE) {
                advance(false);
                return;
            }
            spend(m);
        }

        void spend(M m) throws Exception {
            m.conn.submitCryptoData(EncryptionLevel.INITIAL, new byte[r.nextInt(100, 5000)]);
            int packets = r.nextBoolean() ? 8 : r.nextInt(1, 8);
            long spent = 0;
            for (int i = 0; i < packets; i++) {
                int w = m.conn.writePacket(null, null, ByteBuffer.allocate(1500), now());
                if (w <= 0) {
                    break;
                }
                spent += w;
            }
            m.pathSent += spent;
            m.ledgerSent += spent;
            if (spent > 0 && m.restartOnSend) {
                // RFC 9000 §10.1: the first ack-eliciting packet sent after a processed one restarts the idle timer
                m.restartOnSend = false;
                m.idleStart = now();
            }
            if (lifecycle) {
                assertEquals(m.idleStart, m.conn.idleTimerStart(), "model input: the idle timer");
            }
            log.add("server " + m + " writes its handshake flight: " + spent + " bytes, budget now "
                    + m.conn.amplificationBudget());
            settle();
            if (m.conn.amplificationBudget() == 0 && r.nextBoolean()) {
                // the server's Initials fill 1200-byte datagrams (RFC 9000 §14.1), so its budget moves by 3600s;
                // the client's next datagram leaves one around the size of a close, with or without its reason
                check();
                datagram(m, true, r.nextInt(1 + m.id.length() + 20, 140));
                settle();
            }
        }

        void exception() {
            M m = pick();
            Throwable t;
            switch (r.nextInt(5)) {
                case 0:
                case 1: {
                    long code = code();
                    long ft = r.nextBoolean() ? 0 : code();
                    String msg = reason();
                    t = new QuicConnectionException(r.nextInt(5) == 0 && m.server ? m.odcid : m.id,
                            new QuicException(code, ft, msg));
                    log.add("exception " + t + " for " + m);
                    ch.pipeline().fireExceptionCaught(t);
                    if (m.phase != Phase.FREED) {
                        close(m, CloseError.transport(code, ft, msg));
                    }
                    break;
                }
                case 2:
                    t = new QuicConnectionException(m.id, new IOException("tls layer failed"));
                    log.add("exception " + t + " for " + m);
                    ch.pipeline().fireExceptionCaught(t);
                    close(m, INTERNAL);
                    break;
                case 3: {
                    long code = code();
                    String msg = reason();
                    t = new QuicException(code, 0, msg);
                    log.add("exception " + t);
                    ch.pipeline().fireExceptionCaught(t);
                    for (M x : all) {
                        close(x, CloseError.transport(code, 0, msg));
                    }
                    break;
                }
                default:
                    t = new IllegalStateException("application bug");
                    log.add("exception " + t);
                    ch.pipeline().fireExceptionCaught(t);
                    for (M x : all) {
                        close(x, INTERNAL);
                    }
                    break;
            }
            exceptions.add(t);
            settle();
        }

        void channelClose() {
            // listeners act from the events of the closes a channel close writes, not from later ones (the held-back
            // closes it waits for, the timers, the channel going inactive)
            ch.pipeline().close();
            if (reactor != null) {
                reactor.enabled = false;
            }
            closeRequested = true;
            closeAt = now();
            writingCloses = true;
            for (M m : all) {
                close(m, defaultError);
            }
            writingCloses = false;
            timeoutArmed = pendingCount > 0;
            maybeIssueClose();
            settle();
        }

        /** A datagram for {@code m}: a short header carrying its ID, from its peer or from another address. */
        void datagram(M m, boolean ownPath, int size) {
            InetSocketAddress from = ownPath ? m.remote : r.nextBoolean() ? STRANGER
                    : new InetSocketAddress(m.remote.getAddress(), m.remote.getPort() + 1);
            byte[] bytes = TestSupport.shortHeader(m.id, Math.max(size, 1 + m.id.length()));
            bytes = Arrays.copyOf(bytes, size);
            log.add("datagram " + size + " bytes for " + m + " from " + from);
            read(m, bytes, from, false);
        }

        /** Delivers a datagram for {@code m} (null if it can be routed to none) and models what the handler does. */
        void read(M m, byte[] bytes, InetSocketAddress from, boolean isPeerClose) {
            read(m, bytes, from, m.local, isPeerClose ? Kind.PEER_CLOSE : Kind.DATA);
        }

        void read(M m, byte[] bytes, InetSocketAddress from, InetSocketAddress to, Kind kind) {
            ch.pipeline().fireChannelRead(TestSupport.datagram(bytes, from, to));
            ch.pipeline().fireChannelReadComplete();
            deliver(m, bytes, from, to, kind);
        }

        /**
         * The model of the handler reading a datagram; one a listener fires while another is read waits until that
         * read is done, in order (README "Events").
         */
        void deliver(M m, byte[] bytes, InetSocketAddress from, InetSocketAddress to, Kind kind) {
            if (reading) {
                deferred.add(new Object[] {m, bytes, from, to, kind});
                return;
            }
            reading = true;
            try {
                readNow(m, bytes, from, to, kind);
                for (Object[] d = deferred.poll(); d != null; d = deferred.poll()) {
                    readNow((M) d[0], (byte[]) d[1], (InetSocketAddress) d[2], (InetSocketAddress) d[3], (Kind) d[4]);
                }
            } finally {
                reading = false;
            }
        }

        /**
         * A datagram that names no connection: offered to the connections of its sender's address that hold a reset
         * token (RFC 9000 §10.3.1; README: only live ones and ones whose close is held back, not past their idle
         * deadline, on the path it arrived on); otherwise passed on (the accept policy takes no short header).
         */
        void unrouted(byte[] bytes, InetSocketAddress from, InetSocketAddress to) {
            if (bytes.length >= 21) {
                byte[] last = Arrays.copyOfRange(bytes, bytes.length - 16, bytes.length);
                for (M x : all) {
                    if (x.token == null || !x.indexed || !(x.phase == Phase.LIVE || x.phase == Phase.PENDING)
                            || !x.remote.equals(from) || !Arrays.equals(last, x.token)) {
                        continue;
                    }
                    if (!x.local.equals(to)) {
                        cover("reset on another local address");
                        continue;
                    }
                    if (idleExpired(x)) {
                        cover("reset for an idled-out connection");
                        continue;
                    }
                    if (x.ended) {
                        // its silent end is being reported (a listener of that event fired this): consumed, silent
                        cover("reset for a connection whose end is being reported");
                        return;
                    }
                    drainReset(x);
                    return;
                }
                if (lifecycle) {
                    cover("unrouted datagram of reset size passed on");
                }
            }
            passedOn++;
        }

        /**
         * A datagram for {@code m} that no connection takes (m was freed, or is freed by this read): the client's
         * CONNECTION_CLOSE in an Initial for the original DCID is a new client Initial to the accept policy, which
         * leaves a draining connection for it (README "What it does with inbound datagrams": reported as the peer's
         * close, never accepted, freed 3xPTO later; "Idle timeout": routed as if the connection were already freed);
         * not once a channel close was asked for. Anything else is offered for a reset, then passed on.
         */
        void unrouted(M m, byte[] bytes, InetSocketAddress from, InetSocketAddress to, Kind kind) {
            if (kind != Kind.PEER_CLOSE || !m.server || closeRequested) {
                unrouted(bytes, from, to);
                return;
            }
            // the handler chose its ID: learnt from its ended event
            ConnectionId id = null;
            for (Object o : recorder.events) {
                if (o instanceof QuicConnectionEndedEvent e && e.initiator() == QuicCloseInitiator.PEER
                        && m.odcid.equals(e.originalDestinationConnectionId()) && !e.connectionId().equals(m.id)
                        && !knownId(e.connectionId())) {
                    id = e.connectionId();
                }
            }
            if (id == null) {
                throw new AssertionError("no draining connection made for the peer's close to " + m);
            }
            cover("the peer's close opens a draining connection after the old one ended");
            // on the path it came from (another address than the old connection's, say)
            M d = new M(all.size(), true, m.version, m.odcid, m.local, from, m.dcidLength);
            d.id = id;
            d.peerClient = m.peerClient;
            d.peerClose = m.peerClose;
            d.peerError = m.peerError;
            d.phase = Phase.DRAINING;
            d.deadline = now() + PERIOD;
            d.ledgerReceived = bytes.length;
            all.add(d);
            expectEnded(d, QuicCloseInitiator.PEER, m.peerError, QuicCloseResult.NOTHING_TO_SEND);
        }

        boolean knownId(ConnectionId id) {
            for (M x : all) {
                if (id.equals(x.id)) {
                    return true;
                }
            }
            return false;
        }

        void readNow(M m, byte[] bytes, InetSocketAddress from, InetSocketAddress to, Kind kind) {
            if (kind == Kind.RESET_UNROUTED) {
                unrouted(bytes, from, to);
                return;
            }
            boolean isPeerClose = kind == Kind.PEER_CLOSE;
            boolean routed = isPeerClose || bytes.length >= 1 + m.id.length();
            if (!routed || m.phase == Phase.FREED) {
                unrouted(m, bytes, from, to, kind);
                return;
            }
            // its end is being reported (the timer task or a close ended it; a listener of that event fired this
            // datagram) and it is freed next
            boolean beingEnded = m.ended && (m.phase == Phase.LIVE || m.phase == Phase.PENDING);
            if (!beingEnded && m.phase != Phase.LIVE && m.deadline - now() <= 0) {
                // read after its deadline, before the timer task ran: over, as the task would have made it
                cover("late read after the deadline");
                expire(m);
                unrouted(m, bytes, from, to, kind);
                return;
            }
            if (beingEnded && m.phase == Phase.PENDING && m.idleTimeout > 0 && now() - m.idleStart >= m.idleTimeout) {
                // past its idle deadline: freed now, silently (its end was reported already)
                cover("datagram for an idled-out held-back close being ended");
                expectFreed(m);
                unrouted(m, bytes, from, to, kind);
                return;
            }
            if (idleExpired(m)) {
                // RFC 9000 §10.1: the same for a connection past its idle deadline (README "Idle timeout")
                cover("late read after the idle deadline: " + m.phase);
                idleEnd(m);
                unrouted(m, bytes, from, to, kind);
                return;
            }
            boolean onPath = from.equals(m.remote);
            if (onPath) {
                m.ledgerReceived += bytes.length;
            }
            if ((m.phase == Phase.LIVE || m.phase == Phase.PENDING) && m.ended) {
                // its end is being reported (a listener of that event fired this datagram) and it is freed next: no
                // close may be sent for it any more
                cover("datagram for a connection whose end is being reported: " + m.phase);
                return;
            }
            switch (m.phase) {
                case LIVE:
                case PENDING:
                    if (isPeerClose && onPath) {
                        drain(m, m.peerError);
                        return;
                    }
                    if (kind == Kind.RESET_ROUTED && onPath && m.token != null && bytes.length >= 21 && Arrays.equals(
                            Arrays.copyOfRange(bytes, bytes.length - 16, bytes.length), m.token)) {
                        cover("routed reset");
                        drainReset(m);
                        return;
                    }
                    if (m.phase == Phase.LIVE && m.token != null && !m.indexed) {
                        cover("token indexed after a datagram");
                        m.indexed = true;
                    }
                    if (m.phase == Phase.LIVE) {
                        // the handler reads the idle deadline again
                        m.timerAt = m.idleStart + m.idleTimeout;
                    }
                    // quic-core counts every datagram the handler routes to the connection from its path, even one
                    // too short for the header protection sample (4 + 16 bytes after the DCID), whose packet it
                    // discards: RFC 9000 §8.1, as libngtcp2
                    if (m.server && onPath && bytes.length >= 1 + m.id.length()) {
                        m.pathReceived += bytes.length;
                    }
                    if (m.server && m.conn != null && crossCheck()) {
                        assertEquals(m.pathReceived, m.conn.pathBytesReceived(), "model of quic-core's counting");
                    }
                    if (m.phase == Phase.PENDING) {
                        attempt(m, m.pendingError);
                    }
                    return;
                case CLOSING:
                    // close-spec E25: counted on the close's path only; re-sent on the 1st, 2nd, 4th... datagram
                    // while 3 * received >= re-sent + length
                    if (!onPath) {
                        cover("closing datagram from another address");
                    }
                    if (onPath) {
                        m.closingDatagrams++;
                        m.closingReceived += bytes.length;
                        long n = m.closingDatagrams;
                        int len = m.closeLen;
                        if ((n & (n - 1)) == 0 && 3 * m.closingReceived < m.closingResent + len) {
                            cover("re-send held back by the budget");
                        }
                        if ((n & (n - 1)) == 0 && 3 * m.closingReceived == m.closingResent + len) {
                            cover("re-send with the budget exactly spent");
                        }
                        if ((n & (n - 1)) == 0 && 3 * m.closingReceived >= m.closingResent + len) {
                            cover(isPeerClose ? "re-send for the peer's close" : "re-send");
                            m.closingResent += len;
                            write(m, false);
                        }
                    }
                    return;
                default:
                    // draining: silent
                    return;
            }
        }

        /** The peer's CONNECTION_CLOSE (re-sent if it was sent before), to a connection that is not freed. */
        void peerClose() throws Exception {
            List<M> candidates = new ArrayList<>();
            for (M m : all) {
                if (m.phase != Phase.FREED) {
                    candidates.add(m);
                }
            }
            if (candidates.isEmpty()) {
                advance(false);
                return;
            }
            M m = candidates.get(r.nextInt(candidates.size()));
            if (m.peerClose == null) {
                CloseError e = smallError();
                ByteBuffer out = ByteBuffer.allocate(1500);
                if (m.server) {
                    assertEquals(CloseOutcome.WRITTEN,
                            m.peerClient.connection.writeConnectionClose(null, null, out, e, now()));
                } else {
                    QuicConnection peer = QuicConnection.serverBuilder().version(m.version)
                            .sourceConnectionId(ConnectionId.of(randomBytes(8)))
                            .path(new NetworkPath(m.remote, m.local)).build(now());
                    // the client's first Initial, as the server received it
                    assertEquals(ReceiveStatus.PROCESSED, peer.receive(ByteBuffer.wrap(clientInitial(m)),
                            new NetworkPath(m.remote, m.local), now()));
                    assertEquals(CloseOutcome.WRITTEN, peer.writeConnectionClose(null, null, out, e, now()));
                }
                m.peerClose = Arrays.copyOf(out.array(), out.position());
                // at the Initial level an application close travels as APPLICATION_ERROR without its reason
                m.peerError = e.type() == CloseError.Type.APPLICATION
                        ? CloseError.transport(TransportErrorCode.APPLICATION_ERROR) : e;
            }
            boolean ownPath = r.nextInt(5) != 0;
            InetSocketAddress from = ownPath ? m.remote : STRANGER;
            log.add("peer close " + m.peerClose.length + " bytes (" + m.peerError + ") for " + m + " from " + from);
            read(m, m.peerClose, from, true);
            settle();
        }

        byte[] clientInitial(M m) throws Exception {
            // a fresh client with the same IDs writes the same first Initial but for its random parts; any one the
            // server authenticates gives it the keys, and its close then reaches m (same IDs, same version)
            return new Client(m.version, m.odcid, m.id, m.path(), now(), Settings.defaults()).firstInitial;
        }

        /** Moves the clock: by a random amount or to around a deadline; optionally a datagram read first. */
        void advance(boolean lateRead) {
            long now = now();
            List<M> timed = new ArrayList<>();
            for (M m : all) {
                if (m.phase != Phase.LIVE && m.phase != Phase.FREED) {
                    timed.add(m);
                }
            }
            long d;
            M target = timed.isEmpty() ? null : timed.get(r.nextInt(timed.size()));
            if (lateRead && target != null) {
                d = Math.max(0, target.deadline + r.nextInt(0, 2) - now);
            } else if (target != null && r.nextInt(3) != 0) {
                d = Math.max(0, target.deadline + r.nextInt(-2, 2) - now);
            } else if (timeoutArmed && !closeIssued && r.nextBoolean()) {
                d = Math.max(0, closeAt + closeTimeout + r.nextInt(-1, 2) - now);
            } else {
                d = r.nextBoolean() ? r.nextLong(0, Duration.ofMillis(50).toNanos())
                        : r.nextLong(0, Duration.ofSeconds(2).toNanos());
            }
            ch.advanceTimeBy(d, TimeUnit.NANOSECONDS);
            if (lateRead && target != null) {
                int size = r.nextInt(1 + target.id.length(), 1300);
                log.add("advance " + d + " to " + (now() - target.deadline) + " after " + target
                        + "'s deadline, then before the timers run");
                datagram(target, true, size);
            } else {
                log.add("advance " + d);
            }
            settle();
        }

        // ---------------------------------------------------------------------------------------------------------
        // the comparison

        void check() {
            String where = "after: " + log.get(log.size() - 1);
            // datagrams written
            List<Sent> sent = TestSupport.drainOutbound(ch);
            List<String> expectedSends = new ArrayList<>();
            for (ExpectedSend s : sends) {
                expectedSends.add((s.first() ? "close " : "re-send ") + s.m());
            }
            List<String> actualSends = new ArrayList<>();
            for (Sent s : sent) {
                M m = byPath.get(pathKey(s.recipient(), s.sender()));
                String kind = actualSends.size() < sends.size() && sends.get(actualSends.size()).first() ? "close "
                        : "re-send ";
                actualSends.add(m == null ? "to " + s.recipient() : kind + m);
            }
            assertEquals(expectedSends, actualSends, () -> "datagrams " + where);
            for (int i = 0; i < sent.size(); i++) {
                checkSent(sends.get(i), sent.get(i), where);
            }
            // events
            List<String> actualEvents = new ArrayList<>();
            for (Object o : recorder.events) {
                actualEvents.add(describe(o));
            }
            if (lifecycle) {
                assertEquals(events, actualEvents, () -> "events " + where);
            } else {
                assertEquals(normalize(events), normalize(actualEvents), () -> "events " + where);
            }
            assertEquals(describeAll(exceptions), describeAll(recorder.exceptions),
                    () -> "exceptions passed on " + where);
            // datagrams passed on
            int passed = 0;
            for (Object o = ch.readInbound(); o != null; o = ch.readInbound()) {
                passed++;
                ReferenceCountUtil.release(o);
            }
            assertEquals(passedOn, passed, () -> "datagrams passed on " + where);
            // RFC 9000 §8.1 on every server path
            for (M m : all) {
                if (m.server && m.ledgerSent > 3 * m.ledgerReceived) {
                    throw new AssertionError("sent " + m.ledgerSent + " bytes to " + m.remote + ", received "
                            + m.ledgerReceived + " " + where);
                }
            }
            if (!inactive) {
                int held = 0;
                int closing = 0;
                for (M m : all) {
                    held += m.phase != Phase.FREED ? 1 : 0;
                    closing += m.phase == Phase.CLOSING ? 1 : 0;
                }
                assertEquals(held, handler.connectionCount(), () -> "connections held " + where);
                List<ByteBuf> cached = handler.cachedCloseDatagrams();
                assertEquals(closing, cached.size(), () -> "cached closes " + where);
                if (lifecycle) {
                    // the only buffers of the channel's allocator: the cached closes (each datagram written shares one)
                    assertEquals(closing, alloc.live().size(), () -> "buffers held " + where);
                }
                for (ByteBuf b : cached) {
                    assertEquals(1, b.refCnt(), () -> "a cached close is held once " + where);
                }
            }
            if (reactor != null) {
                reactor.acted = false;
                reactor.fired.clear();
            }
            sends.clear();
            events.clear();
            exceptions.clear();
            recorder.clear();
            passedOn = 0;
            timerFreed.clear();
        }

        void checkSent(ExpectedSend e, Sent s, String where) {
            M m = e.m();
            String what = (e.first() ? "close of " : "re-send of ") + m + " " + where;
            assertEquals(m.remote, s.recipient(), what);
            assertEquals(m.local, s.sender(), what);
            m.ledgerSent += s.bytes().length;
            if (!e.first()) {
                assertEquals(Ecn.NOT_ECT, s.ecn(), what);
                if (m.firstClose != null) {
                    if (!Arrays.equals(m.firstClose, s.bytes())) {
                        throw new AssertionError("a re-send differs from the first close: " + what);
                    }
                    return;
                }
                // the first send failed downstream: the first re-send is checked as the close
                cover("first re-send after a failed first write");
            } else {
                assertEquals(m.ecnCapable ? Ecn.ECT_0 : Ecn.NOT_ECT, s.ecn(), what);
            }
            assertEquals(closeLength(m, m.sentError), s.bytes().length, what);
            m.firstClose = s.bytes();
            List<InspectedPacket> packets = DatagramInspector.inspect(s.bytes(),
                    DatagramInspector.initialKeys(m.odcid, Settings.defaults().cryptoProvider()), -1);
            assertEquals(1, packets.size(), what);
            InspectedPacket p = packets.get(0);
            assertEquals(EncryptionLevel.INITIAL, p.level(), what);
            assertEquals(true, p.decrypted(), what);
            List<InspectedFrame.ConnectionClose> closes = p.frames(InspectedFrame.ConnectionClose.class);
            assertEquals(1, closes.size(), what);
            InspectedFrame.ConnectionClose c = closes.get(0);
            CloseError err = m.sentError;
            boolean app = err.type() == CloseError.Type.APPLICATION;
            assertEquals(CloseType.TRANSPORT, c.type(), what);
            assertEquals(app ? TransportErrorCode.APPLICATION_ERROR : err.errorCode(), c.errorCode(), what);
            assertEquals(app ? 0 : err.frameType(), c.frameType(), what);
            assertEquals(app ? "" : new String(err.reason(), StandardCharsets.UTF_8), c.reasonString(), what);
        }

        static List<String> describeAll(List<Throwable> list) {
            List<String> out = new ArrayList<>();
            for (Throwable t : list) {
                if (t instanceof ExpectedWriteFailure w) {
                    out.add("write of " + w.id + " failed");
                } else if (t instanceof QuicConnectionException q && q.getCause() instanceof IOException io
                        && io.getMessage() != null && io.getMessage().startsWith("network is unreachable")) {
                    out.add("write of " + q.connectionId() + " failed" + (q.quicException() != null ? " (typed)" : "")
                            + (q.getSuppressed().length > 0 ? " (suppressed)" : ""));
                } else {
                    out.add(t + " @" + System.identityHashCode(t));
                }
            }
            return out;
        }

        String describe(Object o) {
            if (o instanceof QuicConnectionEndedEvent e) {
                return ended(e.connectionId(), e.remoteAddress(), e.initiator(), e.error(), e.result(), e.version(),
                        e.originalDestinationConnectionId());
            }
            if (o instanceof QuicConnectionFreedEvent e) {
                return "freed " + e.connectionId() + " " + e.remoteAddress();
            }
            if (o instanceof QuicConnectionAcceptedEvent e) {
                return "accepted " + e.connection().sourceConnectionId();
            }
            return "other " + o;
        }

        /**
         * Connections a timer frees at the same deadline (closed by one close-all) may be freed in any order: runs of
         * such events are put in one order, in both lists, before they are compared.
         */
        List<String> normalize(List<String> list) {
            List<String> out = new ArrayList<>(list);
            int i = 0;
            while (i < out.size()) {
                Long d = timerDeadline(out.get(i));
                if (d == null) {
                    i++;
                    continue;
                }
                int j = i + 1;
                while (j < out.size() && d.equals(timerDeadline(out.get(j)))) {
                    j++;
                }
                List<String> run = out.subList(i, j);
                run.sort(Comparator.comparing((String s) -> s.split(" ")[1]).thenComparing(s -> s));
                i = j;
            }
            return out;
        }

        Long timerDeadline(String event) {
            String[] parts = event.split(" ");
            if (parts.length < 2 || !(parts[0].equals("freed") || parts[0].equals("ended"))) {
                return null;
            }
            for (Map.Entry<ConnectionId, Long> e : timerFreed.entrySet()) {
                if (e.getKey().toString().equals(parts[1])) {
                    return e.getValue();
                }
            }
            return null;
        }
    }
}
