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
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * <p>{@code -Dquicj.seed=N} replays the one sequence N; {@code -Dquicj.seedBase=N} moves the whole run.
 */
class QuicCloseHandlerClosingPeriodModelTest {
    private static final int SEQUENCES = Integer.getInteger("quicj.sequences", 500);
    private static final long SEED_BASE = Long.getLong("quicj.seedBase", 0x3c105e_0d31L);
    private static final Long REPLAY = Long.getLong("quicj.seed");

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
        long first = REPLAY != null ? REPLAY : SEED_BASE;
        int count = REPLAY != null ? 1 : SEQUENCES;
        System.out.println("QuicCloseHandlerClosingPeriodModelTest: seeds " + first + ".." + (first + count - 1)
                + " (-Dquicj.seed=N replays one)");
        for (long seed = first; seed < first + count; seed++) {
            Run run = new Run(seed);
            try {
                run.execute();
            } catch (Throwable t) {
                throw new AssertionError("seed " + seed + " (replay: -Dquicj.seed=" + seed + ")\n  "
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
        final Map<InetSocketAddress, M> byRemote = new HashMap<>();
        int servers;
        int clients;
        int pendingCount;
        boolean closeRequested;
        boolean closeIssued;
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

        Run(long seed) {
            this.seed = seed;
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
            handler = new QuicCloseHandler(config);
            ch = new EmbeddedChannel(handler, recorder);
            ch.config().setAllocator(alloc);
            ch.freezeTime();
            ch.advanceTimeBy(TestSupport.CLOCK_START_NANOS, TimeUnit.NANOSECONDS);
            log.add("seed " + seed + " reject=" + reject + " (" + rejectError + ") default=" + defaultError
                    + " idLength=" + idLength + " closeTimeout=" + closeTimeout);
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
            events.add(ended(m.id, m.remote, initiator, error, result, m.version, m.odcid));
        }

        static String ended(ConnectionId id, InetSocketAddress remote, QuicCloseInitiator initiator, CloseError error,
                QuicCloseResult result, QuicVersion version, ConnectionId odcid) {
            return "ended " + id + " " + remote + " " + initiator + " " + error + " " + result + " " + version + " "
                    + odcid;
        }

        void expectFreed(M m) {
            m.phase = Phase.FREED;
            events.add("freed " + m.id + " " + m.remote);
        }

        /** A close the application asked for (command, exception, channel close): only a live connection closes. */
        void close(M m, CloseError error) {
            if (m.phase != Phase.LIVE || m.ended || inactive) {
                return;
            }
            attempt(m, error);
        }

        /**
         * quic-core writes the close if the server's 3x budget allows it (close-spec §3.2; a client has none); a
         * reason the budget cannot carry is dropped (README "Events"); else the close is held back (README "The
         * closing period").
         */
        void attempt(M m, CloseError error) {
            long budget = m.server ? 3 * m.pathReceived - m.pathSent : Long.MAX_VALUE;
            if (m.server && m.conn != null) {
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
            sends.add(new ExpectedSend(m, true));
            expectEnded(m, QuicCloseInitiator.LOCAL, error, QuicCloseResult.SENT);
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

        void expire(M m) {
            if (m.phase == Phase.PENDING) {
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
            if (closeRequested && !closeIssued && pendingCount == 0) {
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
                if (m.phase == Phase.PENDING) {
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
                    channelClose();
                    check();
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

        void step(int i) throws Exception {
            int k = r.nextInt(100);
            if (closeRequested) {
                // after a channel close: datagrams and time only
                k = 40 + r.nextInt(60);
            }
            if (k < 12 || all.isEmpty()) {
                if (r.nextInt(3) == 0 && clients < 2) {
                    newClient();
                } else if (servers < 4) {
                    newServer();
                } else {
                    advance(false);
                }
            } else if (k < 17) {
                spendBudget();
            } else if (k < 25) {
                M m = pick();
                CloseError e = error();
                ConnectionId target = m.server && r.nextInt(4) == 0 ? m.odcid
                        : r.nextInt(10) == 0 ? ConnectionId.of(randomBytes(8)) : m.id;
                log.add("command close " + target + " (" + m + ") " + e);
                ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(target, e));
                if (target.equals(m.id) || target.equals(m.odcid) && m.phase != Phase.FREED) {
                    close(m, e);
                }
                settle();
            } else if (k < 28) {
                CloseError e = error();
                log.add("command closeAll " + e);
                ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeAll(e));
                for (M m : all) {
                    close(m, e);
                }
                settle();
            } else if (k < 36) {
                exception();
            } else if (k < 40) {
                log.add("channel close");
                channelClose();
            } else if (k < 70) {
                M m = pickClosing();
                int boundary = r.nextInt(3) == 0 ? boundarySize(m) : -1;
                datagram(m, boundary > 0 || r.nextInt(4) != 0, boundary > 0 ? boundary : size(m));
                settle();
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
                need = m.closingResent + m.firstClose.length - 3 * m.closingReceived;
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
                    Settings.defaults());
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
            }
            assertEquals(idLength, m.id.length());
            all.add(m);
            byRemote.put(peer, m);
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
            InetSocketAddress server = new InetSocketAddress("127.0.1." + (10 + n), 443);
            QuicVersion v = r.nextBoolean() ? QuicVersion.V1 : QuicVersion.V2;
            ConnectionId odcid = ConnectionId.of(randomBytes(r.nextInt(8, 21)));
            ConnectionId scid = ConnectionId.of(randomBytes(8));
            Client c = new Client(v, odcid, scid, new NetworkPath(CLIENT_LOCAL, server), now(), Settings.defaults());
            M m = new M(all.size(), false, v, odcid, CLIENT_LOCAL, server, odcid.length());
            m.id = scid;
            m.conn = c.connection;
            if (r.nextInt(3) == 0) {
                m.conn.setEcnState(EcnState.CAPABLE);
                m.ecnCapable = true;
            }
            log.add("add client " + scid + " to " + server + " " + v + " odcid=" + odcid + " ecn=" + m.ecnCapable);
            handler.addConnection(c.connection);
            assertEquals(Duration.ofNanos(PERIOD), m.conn.closingPeriod(), "model input: 3 PTO");
            all.add(m);
            byRemote.put(server, m);
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
            ch.pipeline().close();
            closeRequested = true;
            closeAt = now();
            for (M m : all) {
                close(m, defaultError);
            }
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
            ch.pipeline().fireChannelRead(TestSupport.datagram(bytes, from, m.local));
            ch.pipeline().fireChannelReadComplete();
            boolean routed = isPeerClose || bytes.length >= 1 + m.id.length();
            if (!routed || m.phase == Phase.FREED) {
                passedOn++;
                return;
            }
            if (m.phase != Phase.LIVE && m.deadline - now() <= 0) {
                // read after its deadline, before the timer task ran: over, as the task would have made it
                cover("late read after the deadline");
                expire(m);
                passedOn++;
                return;
            }
            boolean onPath = from.equals(m.remote);
            if (onPath) {
                m.ledgerReceived += bytes.length;
            }
            switch (m.phase) {
                case LIVE:
                case PENDING:
                    if (isPeerClose && onPath) {
                        drain(m, m.peerError);
                        return;
                    }
                    // quic-core counts what comes from the path once the header parses (a short header needs the
                    // header protection sample: 4 + 16 bytes after the DCID)
                    if (m.server && onPath && bytes.length >= 1 + m.id.length() + 20) {
                        m.pathReceived += bytes.length;
                    }
                    if (m.server && m.conn != null) {
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
                        int len = m.firstClose.length;
                        if ((n & (n - 1)) == 0 && 3 * m.closingReceived < m.closingResent + len) {
                            cover("re-send held back by the budget");
                        }
                        if ((n & (n - 1)) == 0 && 3 * m.closingReceived == m.closingResent + len) {
                            cover("re-send with the budget exactly spent");
                        }
                        if ((n & (n - 1)) == 0 && 3 * m.closingReceived >= m.closingResent + len) {
                            cover(isPeerClose ? "re-send for the peer's close" : "re-send");
                            m.closingResent += len;
                            sends.add(new ExpectedSend(m, false));
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
                M m = byRemote.get(s.recipient());
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
            assertEquals(normalize(events), normalize(actualEvents), () -> "events " + where);
            assertEquals(exceptions, recorder.exceptions, () -> "exceptions passed on " + where);
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
                for (ByteBuf b : cached) {
                    assertEquals(1, b.refCnt(), () -> "a cached close is held once " + where);
                }
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
                if (!Arrays.equals(m.firstClose, s.bytes())) {
                    throw new AssertionError("a re-send differs from the first close: " + what);
                }
                return;
            }
            assertEquals(m.ecnCapable ? Ecn.ECT_0 : Ecn.NOT_ECT, s.ecn(), what);
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
