package dev.quicj.netty;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import dev.quicj.core.ConnectionId;
import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.conn.Settings;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.netty.TestSupport.Client;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Drives one {@link QuicCloseHandler} on an {@link EmbeddedChannel} with a sequence of operations chosen by an
 * {@link Input} (arbitrary datagrams, mutated valid client Initials, short headers for live connections, clock
 * jumps, close commands, exceptions, other messages) and checks after every operation:
 * <ol>
 *   <li>no buffer leaked: the only live buffers the handler allocated are its cached close datagrams, each held
 *       once, and every inbound datagram was either released by the handler or passed on untouched;</li>
 *   <li>nothing but the injected exceptions and {@link QuicConnectionException}s left the handler, and every user
 *       event is one of the handler's event types;</li>
 *   <li>nothing was sent to an unvalidated address beyond three times what was received from it (RFC 9000 §8.1);</li>
 *   <li>with a {@code maxConnections} cap, the accept policy never made the handler hold more connections.</li>
 * </ol>
 * Handler methods are called directly (not through the pipeline), so an exception they throw reaches the caller
 * instead of being logged by Netty.
 */
final class HandlerFuzzHarness {
    private static final int MAX_OPS = 48;
    private static final long MAX_CODE = TransportErrorCode.MAX_CODE;
    private static final InetSocketAddress LOCAL = TestSupport.SERVER;
    // peers of server connections the handler creates: their paths are unvalidated
    private static final InetSocketAddress[] PEERS = {
        new InetSocketAddress("127.0.0.1", 50000),
        new InetSocketAddress("127.0.0.1", 50001),
        new InetSocketAddress("127.0.0.2", 50000),
    };
    // the server of the client connection the application adds: a client's path has no amplification limit
    private static final InetSocketAddress CLIENTS_SERVER = new InetSocketAddress("127.0.0.9", 443);
    private static final Settings JCA = Settings.defaults();
    private static final Settings NULL_CRYPTO = Settings.builder().cryptoProvider(CryptoProvider.nullCrypto()).build();
    private static final ConnectionId[] ODCIDS = {
        ConnectionId.fromHex("8394c8f03e515708"),
        ConnectionId.fromHex("00112233445566778899aabbccddeeff0011"),
        ConnectionId.fromHex("0102030405060708090a"),
    };
    private static final ConnectionId[] CLIENT_SCIDS = {
        ConnectionId.fromHex("0102030405060708"),
        ConnectionId.empty(),
        ConnectionId.fromHex("c0ffee"),
    };
    private static final byte[][] JCA_INITIALS = initials(JCA);
    private static final byte[][] NULL_CRYPTO_INITIALS = initials(NULL_CRYPTO);

    private HandlerFuzzHarness() {
    }

    private static byte[][] initials(Settings settings) {
        byte[][] out = new byte[ODCIDS.length][];
        try {
            for (int i = 0; i < ODCIDS.length; i++) {
                out[i] = new Client(ODCIDS[i], CLIENT_SCIDS[i], new NetworkPath(PEERS[i], LOCAL), 0, settings)
                        .firstInitial;
            }
        } catch (CryptoException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** Where the harness takes its decisions from. */
    interface Input {
        /** Whether another operation follows. */
        boolean more();

        boolean bool();

        /** An int in [lo, hi]. */
        int intIn(int lo, int hi);

        /** A long in [lo, hi]. */
        long longIn(long lo, long hi);

        /** Up to {@code max} bytes. */
        byte[] bytes(int max);
    }

    /** Decisions from Jazzer. */
    static Input of(FuzzedDataProvider d) {
        return new Input() {
            @Override
            public boolean more() {
                return d.remainingBytes() > 0;
            }

            @Override
            public boolean bool() {
                return d.consumeBoolean();
            }

            @Override
            public int intIn(int lo, int hi) {
                return d.consumeInt(lo, hi);
            }

            @Override
            public long longIn(long lo, long hi) {
                return d.consumeLong(lo, hi);
            }

            @Override
            public byte[] bytes(int max) {
                return d.consumeBytes(d.consumeInt(0, max));
            }
        };
    }

    /** Decisions from a seeded generator, for a random number of operations. */
    static Input seeded(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] ops = {r.nextInt(1, MAX_OPS + 1)};
        return new Input() {
            @Override
            public boolean more() {
                return ops[0]-- > 0;
            }

            @Override
            public boolean bool() {
                return r.nextBoolean();
            }

            @Override
            public int intIn(int lo, int hi) {
                return (int) longIn(lo, hi);
            }

            @Override
            public long longIn(long lo, long hi) {
                return hi == Long.MAX_VALUE ? r.nextLong(lo, hi) : r.nextLong(lo, hi + 1);
            }

            @Override
            public byte[] bytes(int max) {
                byte[] b = new byte[r.nextInt(0, max + 1)];
                r.nextBytes(b);
                return b;
            }
        };
    }

    /** Runs one sequence; throws on the first broken invariant. */
    static void run(Input in) throws Exception {
        new Run(in).execute();
    }

    private static final class Run {
        private final Input in;
        private final boolean nullCrypto;
        private final QuicCloseHandler handler;
        private final TestSupport.Recorder sink = new TestSupport.Recorder();
        private final EmbeddedChannel ch;
        private final ChannelHandlerContext ctx;
        private final TrackingAllocator alloc = new TrackingAllocator();
        // bytes received from and sent to each address
        private final Map<InetSocketAddress, long[]> ledger = new HashMap<>();
        // the inbound buffers of the current operation, and the messages that may come out of the pipeline
        private final List<ByteBuf> inbound = new ArrayList<>();
        private final Set<Object> mayPassOn = Collections.newSetFromMap(new IdentityHashMap<>());
        private final Set<Throwable> injected = Collections.newSetFromMap(new IdentityHashMap<>());
        private final List<String> log = new ArrayList<>();
        // the connections reported ended, refused ones included (the handler keeps those only as closing records,
        // which connections() does not list): later datagrams may target them, closing or already freed
        private final List<QuicConnectionEndedEvent> ended = new ArrayList<>();
        // each connection's place in its life as the events told it: accepted, ended (freed ones are forgotten)
        private final Map<ConnectionId, String> lifecycle = new HashMap<>();

        Run(Input in) throws Exception {
            this.in = in;
            nullCrypto = in.bool();
            Settings settings = nullCrypto ? NULL_CRYPTO : JCA;
            if (in.bool()) {
                // accepted connections idle out (RFC 9000 §10.1), some before 3 PTOs would allow
                settings = settings.toBuilder().maxIdleTimeout(Duration.ofMillis(in.longIn(1, 8_000))).build();
            }
            QuicCloseHandlerConfig.Builder config = QuicCloseHandlerConfig.builder()
                    .settings(settings)
                    .maxUdpPayloadSize(in.bool() ? QuicCloseHandlerConfig.MIN_UDP_PAYLOAD_SIZE
                            : QuicCloseHandlerConfig.DEFAULT_MAX_UDP_PAYLOAD_SIZE)
                    .localConnectionIdLength(in.intIn(1, ConnectionId.MAX_LENGTH))
                    .defaultCloseError(sendingError(in));
            switch (in.intIn(0, 4)) {
                case 0:
                    config.acceptPolicy(AcceptPolicy.accept());
                    break;
                case 1:
                    config.acceptPolicy(AcceptPolicy.reject(sendingError(in)));
                    break;
                case 2:
                    config.acceptPolicy(AcceptPolicy.rejectStateless(sendingError(in)));
                    break;
                case 3:
                    config.acceptPolicy(AcceptPolicy.rejectStatelessUnauthenticated(sendingError(in)));
                    break;
                default:
                    config.acceptPolicy(AcceptPolicy.ignore());
                    break;
            }
            if (in.bool()) {
                config.maxConnections(in.intIn(1, 3));
            }
            handler = new QuicCloseHandler(config.build());
            log.add(handler.config().toString() + " nullCrypto=" + nullCrypto);
            ch = new EmbeddedChannel(handler, sink);
            ch.config().setAllocator(alloc);
            ch.freezeTime();
            ch.advanceTimeBy(TestSupport.CLOCK_START_NANOS, TimeUnit.NANOSECONDS);
            ctx = ch.pipeline().context(handler);
            if (in.bool()) {
                ConnectionId scid = ConnectionId.of(in.bytes(ConnectionId.MAX_LENGTH));
                Client c = new Client(ODCIDS[0], scid, new NetworkPath(LOCAL, CLIENTS_SERVER), now(),
                        nullCrypto ? NULL_CRYPTO : JCA);
                handler.addConnection(c.connection);
                log.add("client " + scid);
            }
        }

        void execute() throws Exception {
            try {
                for (int op = 0; op < MAX_OPS && in.more(); op++) {
                    step();
                    check();
                }
                log.add("channel close");
                ch.close();
                ch.runPendingTasks();
                check();
            } catch (Throwable t) {
                throw new AssertionError("fuzz sequence failed: " + t + "\n  " + String.join("\n  ", log), t);
            } finally {
                ch.finishAndReleaseAll();
            }
            if (lifecycle.containsValue("accepted")) {
                throw new AssertionError("accepted connections never reported ended: " + lifecycle + "\n  "
                        + String.join("\n  ", log));
            }
            List<ByteBuf> live = alloc.live();
            if (!live.isEmpty() || !handler.cachedCloseDatagrams().isEmpty() || handler.connectionCount() != 0) {
                throw new AssertionError("after close: live buffers " + live + ", connections "
                        + handler.connections() + "\n  " + String.join("\n  ", log));
            }
        }

        private long now() {
            return ch.eventLoop().ticker().nanoTime();
        }

        private void step() throws Exception {
            switch (in.intIn(0, 9)) {
                case 0:
                    read("arbitrary", in.bytes(1500), peer());
                    break;
                case 1:
                    read("initial", mutatedInitial(), peer());
                    break;
                case 2:
                    shortHeaderToAConnection();
                    break;
                case 3: {
                    long nanos = in.longIn(0, TimeUnit.SECONDS.toNanos(4));
                    log.add("advance " + nanos);
                    TestSupport.advance(ch, nanos);
                    break;
                }
                case 4:
                    command();
                    break;
                case 5:
                    exception();
                    break;
                case 6: {
                    Object message = "not a datagram";
                    mayPassOn.add(message);
                    log.add("message");
                    handler.channelRead(ctx, message);
                    break;
                }
                case 7:
                    skewAConnection();
                    break;
                case 8:
                    statelessReset();
                    break;
                default:
                    read("to the client", clientBound(), CLIENTS_SERVER);
                    break;
            }
        }

        /**
         * The application drives a connection it holds on its own clock, up to a second ahead of the channel's:
         * quic-core then refuses the handler's later calls ("timestamp went backwards"), which must stay that
         * connection's typed failure.
         */
        private void skewAConnection() throws Exception {
            List<QuicConnection> cs = handler.connections();
            if (cs.isEmpty()) {
                return;
            }
            QuicConnection c = cs.get(in.intIn(0, cs.size() - 1));
            long at = Math.max(now(), c.lastTimestamp()) + in.longIn(0, TimeUnit.SECONDS.toNanos(1));
            log.add("skew " + c.sourceConnectionId() + " to " + at);
            // one byte: dropped, after the timestamp is taken
            c.receive(ByteBuffer.wrap(new byte[] {0}), c.path(), at);
        }

        /**
         * What a peer that lost its state sends (RFC 9000 §10.3): a short header of unpredictable bytes ending in a
         * stateless reset token, here one a connection was given (from its peer, or from anywhere) or any 16 bytes,
         * in a datagram of 16 to 80 bytes.
         */
        private void statelessReset() throws Exception {
            List<QuicConnection> cs = handler.connections();
            byte[] token = in.bytes(16);
            token = Arrays.copyOf(token, 16);
            InetSocketAddress from = peer();
            if (!cs.isEmpty() && in.bool()) {
                QuicConnection c = cs.get(in.intIn(0, cs.size() - 1));
                c.addStatelessResetToken(token);
                log.add("reset token of " + c.sourceConnectionId());
                if (in.bool()) {
                    from = c.path().remote();
                }
            }
            byte[] b = in.bytes(64);
            b = Arrays.copyOf(b, b.length + 16);
            b[0] = (byte) (0x40 | (b[0] & 0x3f));
            System.arraycopy(token, 0, b, b.length - 16, 16);
            read("stateless reset", b, from);
        }

        private InetSocketAddress peer() {
            return PEERS[in.intIn(0, PEERS.length - 1)];
        }

        private byte[] mutatedInitial() {
            byte[][] initials = nullCrypto ? NULL_CRYPTO_INITIALS : JCA_INITIALS;
            byte[] b = initials[in.intIn(0, initials.length - 1)].clone();
            int mutations = in.intIn(0, 4);
            for (int i = 0; i < mutations; i++) {
                b[in.intIn(0, b.length - 1)] ^= (byte) in.intIn(1, 255);
            }
            if (in.intIn(0, 7) == 0) {
                // another version (0 for Version Negotiation, a reserved one, anything): answered with Version
                // Negotiation or passed on, never a connection
                java.nio.ByteBuffer.wrap(b, 1, 4).putInt(in.intIn(0, 2) == 0 ? 0 : (int) in.longIn(0, 0xffffffffL));
            }
            if (in.bool()) {
                b = Arrays.copyOf(b, in.intIn(0, b.length));
            }
            return b;
        }

        private void shortHeaderToAConnection() throws Exception {
            List<QuicConnection> cs = handler.connections();
            if (!ended.isEmpty() && (cs.isEmpty() || in.bool())) {
                QuicConnectionEndedEvent e = ended.get(in.intIn(0, ended.size() - 1));
                shortHeaderTo("ended " + e.connectionId(), e.connectionId(), e.remoteAddress());
                return;
            }
            if (cs.isEmpty()) {
                read("short header, no connection", in.bytes(64), peer());
                return;
            }
            QuicConnection c = cs.get(in.intIn(0, cs.size() - 1));
            shortHeaderTo(c.sourceConnectionId().toString(), c.sourceConnectionId(), c.path().remote());
        }

        /** A short header carrying {@code id} and fuzzed bytes, from the connection's peer or from anywhere. */
        private void shortHeaderTo(String what, ConnectionId id, InetSocketAddress peerAddress) throws Exception {
            byte[] idBytes = id.toByteArray();
            byte[] tail = in.bytes(80);
            byte[] b = new byte[1 + idBytes.length + tail.length];
            b[0] = (byte) (0x40 | in.intIn(0, 0x3f));
            System.arraycopy(idBytes, 0, b, 1, idBytes.length);
            System.arraycopy(tail, 0, b, 1 + idBytes.length, tail.length);
            read("short header to " + what, b, in.bool() ? peerAddress : peer());
        }

        private byte[] clientBound() {
            byte[] b = in.bytes(1300);
            List<QuicConnection> cs = handler.connections();
            if (!cs.isEmpty() && b.length > 0 && in.bool()) {
                byte[] id = cs.get(0).sourceConnectionId().toByteArray();
                b[0] = (byte) (b[0] & 0x7f);
                System.arraycopy(id, 0, b, 1, Math.min(id.length, b.length - 1));
            }
            return b;
        }

        private void read(String what, byte[] bytes, InetSocketAddress from) throws Exception {
            log.add(what + " " + bytes.length + " bytes from " + from);
            ByteBuf content = ByteBufAllocator.DEFAULT.buffer(bytes.length).writeBytes(bytes);
            DatagramPacket packet = new DatagramPacket(content, LOCAL, from);
            inbound.add(content);
            mayPassOn.add(packet);
            ledger.computeIfAbsent(from, a -> new long[2])[0] += bytes.length;
            handler.channelRead(ctx, packet);
            handler.channelReadComplete(ctx);
        }

        private ConnectionId someConnectionId() {
            List<QuicConnection> cs = handler.connections();
            int i = in.intIn(0, cs.size());
            if (i == cs.size()) {
                return ConnectionId.of(in.bytes(ConnectionId.MAX_LENGTH));
            }
            QuicConnection c = cs.get(i);
            ConnectionId odcid = c.originalDestinationConnectionId();
            return odcid != null && in.bool() ? odcid : c.sourceConnectionId();
        }

        private void command() throws Exception {
            CloseError error = anyError(in);
            QuicCloseCommand command = in.bool() ? QuicCloseCommand.closeAll(error)
                    : QuicCloseCommand.closeConnection(someConnectionId(), error);
            log.add(command.toString());
            handler.userEventTriggered(ctx, command);
        }

        private void exception() throws Exception {
            Throwable t;
            switch (in.intIn(0, 3)) {
                case 0:
                    t = new QuicException(in.longIn(0, MAX_CODE), in.longIn(0, MAX_CODE), "fuzz");
                    break;
                case 1:
                    t = new QuicConnectionException(someConnectionId(),
                            new QuicException(in.longIn(0, MAX_CODE), in.longIn(0, MAX_CODE), "fuzz"));
                    break;
                case 2:
                    t = new QuicConnectionException(someConnectionId(), new IOException("fuzz"));
                    break;
                default:
                    t = new IllegalStateException("fuzz");
                    break;
            }
            log.add("exception " + t);
            injected.add(t);
            handler.exceptionCaught(ctx, t);
        }

        private void check() {
            // the accept policy never makes the handler hold more than maxConnections (the application's one client
            // counts but is not refused)
            int cap = handler.config().maxConnections();
            if (cap != Integer.MAX_VALUE && handler.connectionCount() > Math.max(cap, 1)) {
                throw new AssertionError(handler.connectionCount() + " connections held, maxConnections " + cap);
            }
            if (handler.connections().size() > handler.connectionCount()) {
                throw new AssertionError(handler.connections() + " listed, " + handler.connectionCount() + " counted");
            }
            // what was written: only QuicDatagramPackets, counted per recipient, then released
            for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
                try {
                    if (!(o instanceof QuicDatagramPacket)) {
                        throw new AssertionError("wrote something else than a QuicDatagramPacket: " + o);
                    }
                    QuicDatagramPacket p = (QuicDatagramPacket) o;
                    ledger.computeIfAbsent(p.recipient(), a -> new long[2])[1] += p.content().readableBytes();
                } finally {
                    io.netty.util.ReferenceCountUtil.release(o);
                }
            }
            // what was passed on: only what went in, untouched
            for (Object o = ch.readInbound(); o != null; o = ch.readInbound()) {
                try {
                    if (!mayPassOn.contains(o)) {
                        throw new AssertionError("passed on something that did not come in: " + o);
                    }
                    if (o instanceof DatagramPacket && ((DatagramPacket) o).refCnt() != 1) {
                        throw new AssertionError("passed on a datagram it released or retained: " + o);
                    }
                } finally {
                    io.netty.util.ReferenceCountUtil.release(o);
                }
            }
            mayPassOn.clear();
            for (ByteBuf b : inbound) {
                if (b.refCnt() != 0) {
                    throw new AssertionError("an inbound datagram was neither released nor passed on");
                }
            }
            inbound.clear();
            // what was reported
            for (Throwable t : sink.exceptions) {
                if (!injected.contains(t) && !(t instanceof QuicConnectionException)) {
                    throw new AssertionError("an unexpected exception left the handler", t);
                }
            }
            sink.exceptions.clear();
            for (Object e : sink.events) {
                if (!(e instanceof QuicConnectionAcceptedEvent || e instanceof QuicConnectionEndedEvent
                        || e instanceof QuicConnectionFreedEvent)) {
                    throw new AssertionError("an unexpected user event: " + e);
                }
                if (e instanceof QuicConnectionEndedEvent
                        && ((QuicConnectionEndedEvent) e).initiator() == QuicCloseInitiator.IDLE
                        && ((QuicConnectionEndedEvent) e).result() != QuicCloseResult.NOTHING_TO_SEND) {
                    throw new AssertionError("an idle close sent something: " + e);
                }
                if (e instanceof QuicConnectionEndedEvent && ended.size() < 16) {
                    ended.add((QuicConnectionEndedEvent) e);
                }
                // each connection: accepted once, freed only after its end (a stateless refusal's random ID, never
                // freed, may come again: short IDs collide)
                if (e instanceof QuicConnectionAcceptedEvent) {
                    ConnectionId id = ((QuicConnectionAcceptedEvent) e).connection().sourceConnectionId();
                    if ("accepted".equals(lifecycle.put(id, "accepted"))) {
                        throw new AssertionError("accepted twice: " + e);
                    }
                } else if (e instanceof QuicConnectionEndedEvent) {
                    lifecycle.put(((QuicConnectionEndedEvent) e).connectionId(), "ended");
                } else {
                    ConnectionId id = ((QuicConnectionFreedEvent) e).connectionId();
                    if (!"ended".equals(lifecycle.remove(id))) {
                        throw new AssertionError("freed before its end was reported: " + e);
                    }
                }
            }
            sink.events.clear();
            ch.checkException();
            // leaks: the handler holds exactly its cached close datagrams, once each
            Set<ByteBuf> cached = Collections.newSetFromMap(new IdentityHashMap<>());
            cached.addAll(handler.cachedCloseDatagrams());
            for (ByteBuf b : alloc.live()) {
                if (!cached.contains(b)) {
                    throw new AssertionError("a buffer the handler allocated is still alive: " + b);
                }
                if (b.refCnt() != 1) {
                    throw new AssertionError("a cached close datagram is referenced " + b.refCnt() + " times");
                }
            }
            // RFC 9000 §10.1: no live connection outlives its idle timeout (the timers that are due have run)
            for (QuicConnection c : handler.connections()) {
                if (c.isIdleTimeoutExpired(now())) {
                    throw new AssertionError("an idle connection is still held: " + c);
                }
            }
            // RFC 9000 §8.1: at most three times the bytes received, towards every unvalidated address
            for (InetSocketAddress peer : PEERS) {
                long[] io = ledger.getOrDefault(peer, new long[2]);
                if (io[1] > QuicConnection.AMPLIFICATION_FACTOR * io[0]) {
                    throw new AssertionError("sent " + io[1] + " bytes to " + peer + " after receiving " + io[0]);
                }
            }
        }
    }

    private static String reason(Input in) {
        return new String(in.bytes(40), StandardCharsets.ISO_8859_1);
    }

    /** A transport or application close. */
    private static CloseError sendingError(Input in) {
        long code = in.longIn(0, MAX_CODE);
        return in.bool() ? CloseError.transport(code, in.longIn(0, MAX_CODE), reason(in))
                : CloseError.application(code, reason(in));
    }

    /** Any close, silent types included. */
    private static CloseError anyError(Input in) {
        switch (in.intIn(0, 3)) {
            case 0:
                return CloseError.idleClose();
            case 1:
                return CloseError.dropConnection();
            default:
                return sendingError(in);
        }
    }
}
