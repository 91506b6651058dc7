package dev.quicj.netty;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.CloseOutcome;
import dev.quicj.core.conn.ConnectionState;
import dev.quicj.core.conn.Ecn;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.PacketInfo;
import dev.quicj.core.conn.PathInfo;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.conn.ReceiveStatus;
import dev.quicj.core.conn.Settings;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ChannelDuplexHandler} for a datagram pipeline (NIO or epoll {@code DatagramChannel}, or
 * {@code EmbeddedChannel} in tests) that owns the channel's QUIC connections and makes sure each of them ends with a
 * correct CONNECTION_CLOSE on the wire, followed by the closing period of
 * <a href="https://www.rfc-editor.org/rfc/rfc9000#section-10.2">RFC 9000 §10.2</a>. Not sharable: one instance per
 * channel.
 *
 * <h2>Inbound</h2>
 * Each {@link DatagramPacket} is routed by its Destination Connection ID (long headers: the DCID field; short headers:
 * the first bytes, trying every connection ID length in use, the {@linkplain
 * QuicCloseHandlerConfig#localConnectionIdLength() configured length} and those of the connections the application
 * added, longest first, so that an ID that is a prefix of another cannot take its datagrams; a zero-length ID only with
 * its connection's addresses, RFC 9000 §5.2). Server connections are also reachable by the client's original DCID until
 * the handshake is confirmed. A routed datagram is copied, fed to {@link QuicConnection#receive}, which keeps the
 * amplification and state accounting, and released. A datagram for no connection that carries an acceptable client
 * Initial is handled as the {@linkplain QuicCloseHandlerConfig#acceptPolicy() accept policy} says; unless that policy
 * ignores Initials, one of a version this library does not speak, in a datagram of at least 1200 bytes, is answered
 * with Version Negotiation ({@link QuicCloseHandlerConfig#versionNegotiation()}) and consumed. Every other datagram,
 * and every message that is not a {@link DatagramPacket}, is passed on unchanged with {@code fireChannelRead}.
 *
 * <h2>What closes connections</h2>
 * <ul>
 *   <li>{@link #close(ChannelHandlerContext, ChannelPromise) Closing the channel}: every live connection writes its
 *       CONNECTION_CLOSE with the {@linkplain QuicCloseHandlerConfig#defaultCloseError() default error}, the datagrams
 *       are flushed, and the channel closes when those writes complete (and closes held back by the amplification
 *       limit were sent), or when the {@linkplain QuicCloseHandlerConfig#closeTimeout() close timeout} fires.
 *       Calling close again is harmless; every promise completes when the channel has closed.</li>
 *   <li>{@link #exceptionCaught exceptionCaught}: a {@link QuicConnectionException} closes its connection, with the
 *       transport error code, frame type and message of its cause when that is a {@link QuicException}, otherwise
 *       with INTERNAL_ERROR. A bare {@link QuicException} names no connection and closes them all with its code,
 *       frame type and message. Any other exception closes them all with INTERNAL_ERROR and no reason phrase. In
 *       every case the exception is then passed on with {@code ctx.fireExceptionCaught}, so the handlers after this
 *       one still see it. To reach this handler, fire exceptions from the pipeline's head
 *       ({@code channel.pipeline().fireExceptionCaught(e)}) or from a handler placed before it.</li>
 *   <li>A {@link QuicCloseCommand} user event closes one connection or all of them with the error it carries.</li>
 *   <li>A peer that breaks the protocol ({@link QuicConnection#receive} throws {@link QuicException}): that
 *       connection closes with the exception's error.</li>
 *   <li>The idle timeout (RFC 9000 §10.1): a live connection with an {@linkplain QuicConnection#idleTimeout() idle
 *       timeout} (its {@link Settings#maxIdleTimeout()}, for accepted connections the one of
 *       {@link QuicCloseHandlerConfig#settings()}, and the peer's max_idle_timeout once its transport parameters are
 *       set and the handshake completed, as in ngtcp2) is closed silently when that long has passed since its
 *       {@linkplain QuicConnection#idleTimerStart() idle timer} last restarted: nothing is sent, a
 *       {@link QuicConnectionEndedEvent} reports {@link QuicCloseInitiator#IDLE} and
 *       {@link QuicCloseResult#NOTHING_TO_SEND}, and the connection is freed at once. The timeout is read when the
 *       connection is added, after each datagram routed to it and when its timer fires: a handshake completed (or peer
 *       transport parameters set) outside {@code receive} counts from then. Without a timeout on either
 *       side a live connection is held until something else closes it, so a server that
 *       {@linkplain AcceptPolicy#accept() accepts} connections should set one: otherwise peers that send one Initial
 *       and go away fill {@link QuicCloseHandlerConfig#maxConnections()}.</li>
 * </ul>
 *
 * <h2>What the handler writes</h2>
 * Each CONNECTION_CLOSE is written by quic-core into a reused heap buffer, copied into a pooled direct buffer of
 * exactly its length from {@code ctx.alloc()}, and sent as a {@link QuicDatagramPacket} addressed from quic-core's
 * path (recipient: the path's remote address, sender: its local address) and carrying the ECN codepoint quic-core
 * chose; see {@link EcnMode}. A copy is kept for the closing period: for each datagram received for a closing
 * connection from the path the close was written for (datagrams from other addresses are neither counted nor
 * answered), the copy is re-sent on the 1st, 2nd, 4th, 8th... such datagram, and only while three times the bytes
 * received in the closing period cover what was re-sent plus this datagram (ngtcp2's {@code examples/server.cc} rule);
 * re-sends are not ECN-marked. The connection is freed three PTOs after the close ({@link
 * QuicConnection#closingPeriod()}; the deadlines of all connections share one heap and one event-loop task). When the
 * peer's CONNECTION_CLOSE (or a stateless reset) arrives before the connection closed, it drains: nothing more is
 * sent, and it is freed after the same period. A closing connection decrypts nothing (RFC 9000 §10.2.1), so a peer's
 * close arriving after ours is answered like any other datagram of the closing period. A close that the amplification
 * limit holds back is retried on each datagram received for that connection, and given up when the closing period has
 * passed; a connection that passes its idle deadline meanwhile ends silently ({@link QuicCloseInitiator#IDLE}, nothing
 * sent, RFC 9000 §10.1).
 *
 * <h2>Events</h2>
 * {@link QuicConnectionAcceptedEvent} (a server connection was accepted), {@link QuicConnectionEndedEvent} (once
 * per connection: who ended it, with which error, and what was sent), {@link QuicConnectionFreedEvent} (its state
 * was dropped), and {@link QuicConnectionException} through {@code exceptionCaught} when a close datagram could not
 * be written, quic-core threw while writing a close, {@link QuicConnection#receive} failed other than with a
 * protocol error, the listener factory of {@link AcceptPolicy#accept(java.util.function.Function)} threw, or a
 * connection added before the handler was in a pipeline is ahead of the channel's clock.
 *
 * <h2>Threading and time</h2>
 * Everything runs on the channel's event loop: once the handler is in a pipeline, {@link #addConnection}, {@link
 * #connection}, {@link #connections} and {@link #connectionCount} throw {@code IllegalStateException} when called from
 * another thread (submit them to {@code channel.eventLoop()}). Time comes from {@code ctx.executor().ticker()}, which
 * {@code EmbeddedChannel}'s {@code advanceTimeBy} and {@code freezeTime} control; connections given to
 * {@link #addConnection} must use the same clock ({@code channel.eventLoop().ticker().nanoTime()}).
 *
 * <h2>Buffers</h2>
 * Inbound datagrams the handler consumes are released exactly once; the ones it passes on are untouched. Each close
 * datagram buffer is either handed to {@code ctx.write} or released where it was allocated; the cached copies are
 * released when their connection is freed, at the latest when the channel becomes inactive or the handler is removed.
 */
public final class QuicCloseHandler extends ChannelDuplexHandler {
    // the largest datagram the handler reads; larger ones belong to no connection
    private static final int MAX_DATAGRAM_SIZE = 65535;
    // RFC 9000 §10.3: the smallest Stateless Reset, 5 unpredictable bytes and the 16-byte token
    private static final int MIN_STATELESS_RESET_LENGTH = 21;
    // what connections close with for a failure that is not a protocol error (no reason: internal details stay here)
    private static final CloseError INTERNAL_ERROR = CloseError.transport(TransportErrorCode.INTERNAL_ERROR);
    // what a live connection whose idle timeout expired closes with: nothing is sent
    private static final CloseError IDLE_CLOSE = CloseError.idleClose();

    private final QuicCloseHandlerConfig config;
    // the connections: by connection ID, by peer address, in the order they were added, and the one being accepted
    private final ConnectionRegistry registry;
    // EcnMode.SOCKET_TOS: the socket's ECN bits, set for each close and given back at the handler's next flush
    private final SocketTosEcn socketEcn;
    // the closing periods, held-back closes and idle deadlines, and the one event-loop task armed for the earliest
    private final ConnectionTimers timers;
    // reused out-parameters of writeConnectionClose
    private final PathInfo pathInfo = new PathInfo();
    private final PacketInfo packetInfo = new PacketInfo();
    // the accept path: connections the accept policy makes, and the stateless answers to Initials that make none
    private final ConnectionAcceptor acceptor;
    // the copy of the datagram being read (receive decrypts in place), allocated on first use
    private ByteBuffer scratch;
    // where quic-core writes each close (a heap buffer: AES-GCM runs on arrays without staging copies); the
    // datagram is then copied into a pooled direct buffer of exactly its length, so a closing connection holds
    // tens of bytes of direct memory for a server's close rather than a whole maxUdpPayloadSize buffer
    private ByteBuffer closeScratch;

    // volatile only for checkInEventLoop, which other threads call: once handlerAdded set it, a thread that never
    // synchronized with the event loop sees it too. Before handlerAdded the check cannot run (no event loop yet), and
    // the handler's state is empty
    private volatile ChannelHandlerContext ctx;
    // writes not yet flushed
    private boolean flushPending;
    // datagrams written whose futures have not completed
    private int writesInFlight;
    // connections in CLOSE_PENDING
    private int pendingCloses;
    // set by the first close(): completes when the channel has closed; every close() promise follows it
    private ChannelPromise closeDone;
    // true while close() writes the connections' closes: a write completing meanwhile (an early flush, an ECN
    // change) must not close the channel before the other connections had their turn
    private boolean writingCloses;
    // whether ctx.close was called
    private boolean closeIssued;
    // fires close() after the timeout
    private ScheduledFuture<?> closeTimeout;
    // whether handlerRemoved ran
    private boolean removed;
    // whether a datagram is being read (read() uses scratch, the parsed header and the peer-index lookup), and the
    // datagrams fired back into this handler meanwhile, read once it is done; allocated with the first one
    private boolean reading;
    private ArrayDeque<DatagramPacket> deferredReads;
    // set by channelInactive: the socket is gone, connections added now could never be freed by a closing period
    private boolean inactive;

    /** A handler with the {@linkplain QuicCloseHandlerConfig#defaults() default configuration}. */
    public QuicCloseHandler() {
        this(QuicCloseHandlerConfig.defaults());
    }

    /** A handler with the given configuration. */
    public QuicCloseHandler(QuicCloseHandlerConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.registry = new ConnectionRegistry(config.localConnectionIdLength());
        this.acceptor = new ConnectionAcceptor(this, config, registry);
        this.socketEcn = new SocketTosEcn(this, config.ecnMode() == EcnMode.SOCKET_TOS);
        this.timers = new ConnectionTimers(this);
    }

    /**
     * Runs one refusal of each kind in memory (a client Initial refused with a closing period, statelessly, and
     * statelessly without authentication), on an {@code EmbeddedChannel}. Call it once at start-up, before binding:
     * otherwise the first connection waits for what a cold JVM does on first use (the crypto known-answer tests,
     * class loading, the first interpreted runs), about a second on a small machine. Thread-safe; the work is done
     * again on each call.
     *
     * @throws IllegalStateException if a refusal does not answer with exactly one datagram (which would be a bug)
     */
    public static void warmUp() {
        WarmUp.run();
    }

    /** The configuration. */
    public QuicCloseHandlerConfig config() {
        return config;
    }

    // ---------------------------------------------------------------------------------------------------------
    // connections

    /**
     * Hands a connection the application created (typically a client, after it wrote its first Initial) to this
     * handler, which routes its datagrams, closes it and runs its closing period from now on. It is registered under
     * its source connection ID, and a server connection also under the client's original DCID until its handshake
     * is confirmed. Its path's local address must be the one the channel reports as the recipient of inbound
     * datagrams, and its timestamps must come from the channel's clock
     * ({@code channel.eventLoop().ticker().nanoTime()}).
     *
     * <p>Hand a client connection over after quic-core wrote its first Initial and before that datagram is written to
     * the channel, in the same event-loop task: a reply read before this call names no connection the handler knows
     * and is passed on down the pipeline unclaimed.
     *
     * <p>Call it from the channel's event loop, or before the handler is added to a pipeline.
     *
     * <p>Close it through the handler (a {@link QuicCloseCommand}, or an exception naming it), not with its own
     * {@code writeConnectionClose}: the handler only notices such a close when the connection's next datagram
     * arrives, and then has no copy of it to re-send; it reports the end and frees the connection after the closing
     * period.
     *
     * <p>Before the handler is in a pipeline there is no channel clock to compare the connection's last timestamp
     * with: that check is made when the handler is added, in a task run on the event loop just after (so that the
     * handlers added after this one see what it reports). A connection added before then whose last timestamp is
     * later than the channel's clock is closed with INTERNAL_ERROR, which quic-core refuses ("timestamp went
     * backwards"): it ends as {@link QuicCloseResult#FAILED}, is freed, and a {@link QuicConnectionException} naming
     * it, with the reason this method would have thrown, goes to the next handlers.
     *
     * @throws IllegalArgumentException if the connection is closing or draining, one of its IDs is taken, or its
     *     {@linkplain QuicConnection#lastTimestamp() last timestamp} is later than the channel's clock (a connection
     *     built on {@code System.nanoTime()}: quic-core would refuse every later call on the channel's clock)
     * @throws IllegalStateException if called from another thread, after the handler was removed, after the channel
     *     close began or after the channel became inactive
     */
    public void addConnection(QuicConnection connection) {
        Objects.requireNonNull(connection, "connection");
        checkInEventLoop("addConnection");
        if (refusesConnections()) {
            throw new IllegalStateException("the handler is closing or was removed, or the channel is inactive");
        }
        if (connection.state().isClosed()) {
            throw new IllegalArgumentException("the connection is already closing or draining: " + connection);
        }
        if (ctx != null && connection.lastTimestamp() - now() > 0) {
            // quic-core would refuse every later call on this clock ("timestamp went backwards")
            throw new IllegalArgumentException(aheadOfTheClock(connection, now()));
        }
        ConnectionEntry entry = new ConnectionEntry(this, connection);
        ConnectionId odcid = ConnectionRegistry.originalDcidKeyOf(connection);
        if (registry.contains(entry.id) || odcid != null && registry.contains(odcid)) {
            throw new IllegalArgumentException("a connection with this connection ID is already registered: "
                    + connection);
        }
        registry.register(entry, odcid);
        timers.setIdleTimer(entry);
        if (ctx != null) {
            timers.arm(ctx);
        }
    }

    /** Why a connection whose last timestamp is later than the channel's clock {@code now} is refused. */
    private static String aheadOfTheClock(QuicConnection connection, long now) {
        return "the connection's last timestamp " + connection.lastTimestamp() + " is later than the channel's clock "
                + now + ": build and drive connections with channel.eventLoop().ticker().nanoTime(), not"
                + " System.nanoTime()";
    }

    /**
     * The connection registered under {@code connectionId} (a source connection ID, or a server's original
     * destination connection ID during its handshake), including connections in their closing or draining period;
     * {@code null} if none. The application has seen a connection it {@linkplain #addConnection added} and one whose
     * {@link QuicConnectionAcceptedEvent} was fired; a server connection the accept policy made and that ended in the
     * read that made it, before that event (the {@linkplain AcceptPolicy#reject reject policy}'s, one whose first
     * Initial broke the protocol or carried the client's CONNECTION_CLOSE, one its CRYPTO data listener failed or
     * closed), is never returned, not even from the listeners of its {@link QuicConnectionEndedEvent},
     * {@link QuicConnectionException} or {@link QuicConnectionFreedEvent}: the handler keeps it for its closing or
     * draining period only as its close datagram and path. The one exception is a connection reading its first
     * Initial: while it is open it is found (by its source connection ID, and by the client's original DCID once that
     * Initial authenticated), so its CRYPTO data listener can reach it with the ID its factory was given.
     *
     * <p>Call it from the channel's event loop, or before the handler is added to a pipeline.
     *
     * @throws IllegalStateException if called from another thread once the handler is in a pipeline
     */
    public QuicConnection connection(ConnectionId connectionId) {
        Objects.requireNonNull(connectionId, "connectionId");
        checkInEventLoop("connection");
        return registry.seenConnection(connectionId);
    }

    /**
     * A snapshot of the connections the handler holds (live, closing and draining), in the order they were added,
     * without those that ended before the application saw them (see {@link #connection}; {@link #connectionCount}
     * counts them).
     *
     * <p>Call it from the channel's event loop, or before the handler is added to a pipeline.
     *
     * @throws IllegalStateException if called from another thread once the handler is in a pipeline
     */
    public List<QuicConnection> connections() {
        checkInEventLoop("connections");
        return registry.seenConnections();
    }

    /**
     * How many connections the handler holds: live, closing and draining, with those that ended before the
     * application saw them (see {@link #connection}), which {@link #connection} and {@link #connections} leave out,
     * until they are freed at the end of their closing or draining period. This is the number
     * {@link QuicCloseHandlerConfig#maxConnections} bounds.
     *
     * <p>Call it from the channel's event loop, or before the handler is added to a pipeline: the count is not
     * published to other threads (submit the call to {@code channel.eventLoop()} to read it from one).
     *
     * @throws IllegalStateException if called from another thread once the handler is in a pipeline
     */
    public int connectionCount() {
        checkInEventLoop("connectionCount");
        return registry.size();
    }

    /**
     * The confinement of the public methods that read or change the connections: once the handler is in a pipeline,
     * only the channel's event loop may call them (the handler's state is not thread-safe).
     */
    private void checkInEventLoop(String method) {
        ChannelHandlerContext c = ctx;
        if (c != null && !c.executor().inEventLoop()) {
            throw new IllegalStateException(method + " must be called from the channel's event loop");
        }
    }

    /** Test seam: whether a connection, or a refused connection's closing record, is registered under {@code id}. */
    boolean registered(ConnectionId id) {
        return registry.contains(id);
    }

    /** Test seam: the cached close datagrams the handler owns right now. */
    List<ByteBuf> cachedCloseDatagrams() {
        return registry.cachedCloseDatagrams();
    }

    /** The index of connections by peer address (tests). */
    PeerAddressIndex peerIndex() {
        return registry.peerIndex();
    }

    /** The routing table (tests). */
    ConnectionIdTable idTable() {
        return registry.idTable();
    }

    /** The timers (tests). */
    DeadlineQueue timerQueue() {
        return timers.queue();
    }

    // ---------------------------------------------------------------------------------------------------------
    // lifecycle

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (registry.size() > 0) {
            // addConnection had no clock to check these against; checked once the pipeline is set up (a
            // ChannelInitializer adds the handlers after this one in the same task), so those handlers get the report
            ConnectionEntry[] addedBefore = registry.snapshot();
            try {
                ctx.executor().execute(() -> checkClocks(addedBefore));
            } catch (RejectedExecutionException e) {
                checkClocks(addedBefore);
            }
        }
        // the idle timers of connections added before the handler
        timers.arm(ctx);
    }

    /**
     * The clock check of {@link #addConnection} for connections added before the handler: one whose last timestamp is
     * later than the channel's clock could never be driven or closed on it. It is closed now with INTERNAL_ERROR,
     * which quic-core refuses ("timestamp went backwards"), so it ends as {@link QuicCloseResult#FAILED} and is freed
     * (as a channel close or its first datagram would find it), and the failure goes to the next handlers naming it.
     */
    private void checkClocks(ConnectionEntry[] addedBefore) {
        long now = now();
        for (ConnectionEntry e : addedBefore) {
            if (!e.isOpen() || e.connection.lastTimestamp() - now <= 0) {
                continue;
            }
            String why = aheadOfTheClock(e.connection, now);
            RuntimeException failure = tryClose(e, INTERNAL_ERROR);
            QuicConnectionException reported = new QuicConnectionException(e.id,
                    "connection " + e.id + ", added before the handler, is not on the channel's clock: " + why,
                    failure != null ? failure : new IllegalArgumentException(why));
            ctx.fireExceptionCaught(reported);
        }
        flushIfPending();
    }

    /**
     * Closes the live connections with the default error if the channel is still active (their closing periods
     * cannot continue without this handler), then frees every connection and releases every cached datagram.
     */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        boolean closeFirst = ctx.channel().isActive() && closeDone == null;
        // set first: a listener answering the events below must not add a connection no one would ever free
        removed = true;
        try {
            if (closeFirst) {
                closeAll(config.defaultCloseError());
            }
            flushIfPending();
            freeAll();
        } finally {
            if (closeDone != null && !closeIssued) {
                issueClose();
            }
        }
    }

    /** Frees every connection (the socket is gone, so no closing period can continue), then passes the event on. */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        inactive = true;
        freeAll();
        // a channel close that waited only for held-back closes has nothing left to wait for
        closeWhenDone();
        ctx.fireChannelInactive();
    }

    // ---------------------------------------------------------------------------------------------------------
    // inbound

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!(msg instanceof DatagramPacket)) {
            ctx.fireChannelRead(msg);
            return;
        }
        DatagramPacket packet = (DatagramPacket) msg;
        if (reading) {
            // fired from within this handler's own read, or while the datagrams deferred by one wait (a datagram
            // fired meanwhile must not overtake them): it joins the queue
            if (deferredReads == null) {
                deferredReads = new ArrayDeque<>(4);
            }
            deferredReads.add(packet);
            return;
        }
        reading = true;
        try {
            readOne(ctx, packet);
        } finally {
            try {
                readDeferred(ctx);
            } finally {
                reading = false;
            }
        }
    }

    /** Reads one datagram: consumed (and released), or passed on untouched. */
    private void readOne(ChannelHandlerContext ctx, DatagramPacket packet) {
        boolean consumed = false;
        try {
            consumed = read(packet);
        } catch (Throwable t) {
            consumed = true;
            throw t;
        } finally {
            if (consumed) {
                packet.release();
            }
        }
        if (!consumed) {
            ctx.fireChannelRead(packet);
        }
    }

    /**
     * Reads the datagrams fired from within a read, in order, once it is done; those they cause in turn join the
     * queue. Once the handler was removed they are passed on. A failure of one is reported and the others are read;
     * an Error is rethrown once the queue is empty.
     */
    private void readDeferred(ChannelHandlerContext ctx) {
        Error error = null;
        DatagramPacket next;
        while (deferredReads != null && (next = deferredReads.poll()) != null) {
            if (removed) {
                ctx.fireChannelRead(next);
                continue;
            }
            try {
                readOne(ctx, next);
            } catch (RuntimeException e) {
                ctx.fireExceptionCaught(e);
            } catch (Error e) {
                if (error == null) {
                    error = e;
                } else {
                    error.addSuppressed(e);
                }
            }
        }
        if (error != null) {
            throw error;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        flushIfPending();
        ctx.fireChannelReadComplete();
    }

    /**
     * Handles a {@link QuicCloseCommand}, which is consumed; passes every other event on.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (!(evt instanceof QuicCloseCommand)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        QuicCloseCommand command = (QuicCloseCommand) evt;
        try {
            if (command.isCloseAll()) {
                closeAll(command.error());
            } else {
                ConnectionEntry entry = registry.entryOf(command.connectionId());
                if (entry != null) {
                    closeConnection(entry, command.error());
                }
            }
        } finally {
            flushIfPending();
        }
    }

    /**
     * Closes the connections the exception concerns (see the class documentation), flushes, and passes the exception
     * on with {@code ctx.fireExceptionCaught}.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        try {
            if (cause instanceof QuicConnectionException) {
                QuicConnectionException e = (QuicConnectionException) cause;
                ConnectionEntry entry = registry.entryOf(e.connectionId());
                if (entry != null) {
                    QuicException q = e.quicException();
                    closeConnection(entry, q != null ? CloseError.fromException(q) : INTERNAL_ERROR);
                }
            } else if (cause instanceof QuicException) {
                closeAll(CloseError.fromException((QuicException) cause));
            } else {
                closeAll(INTERNAL_ERROR);
            }
            flushIfPending();
        } finally {
            ctx.fireExceptionCaught(cause);
        }
    }

    /** Reads one datagram; true if it was consumed (it belongs to a connection), false to pass it on unchanged. */
    private boolean read(DatagramPacket packet) {
        ByteBuf content = packet.content();
        int length = content.readableBytes();
        InetSocketAddress sender = packet.sender();
        InetSocketAddress local = localAddressOf(packet);
        if (length == 0 || length > MAX_DATAGRAM_SIZE || sender == null || local == null) {
            return false;
        }
        ByteBuffer dg = scratch();
        content.getBytes(content.readerIndex(), dg.array(), 0, length);
        dg.limit(length);
        NetworkPath from = new NetworkPath(local, sender);
        ConnectionEntry entry = registry.route(dg, length);
        while (entry != null) {
            if (entry.phase != ConnectionEntry.Phase.LIVE && entry.heapIndex >= 0 && entry.deadline - now() <= 0) {
                // its closing or draining period (or the wait of its held-back close) ended before the timer task ran
                // (an event loop reads before it runs due tasks): it ends now as the task would end it, and the
                // datagram is routed as if it had
                expire(entry);
            } else if (idledOut(entry)) {
                // the same for a live connection past its idle deadline (RFC 9000 §10.1), or one whose close waits for
                // the amplification budget: closed silently and freed
                closeIdle(entry);
                if (entry.phase != ConnectionEntry.Phase.FREED) {
                    // not freed (it was draining behind the handler's back, say): the datagram is its
                    break;
                }
            } else {
                break;
            }
            entry = registry.route(dg, length);
        }
        // RFC 9000 §5.2: a zero-length DCID names a connection only together with its addresses
        if (entry != null && entry.id.length() == 0 && !from.equals(entry.path())) {
            entry = null;
        }
        if (entry != null) {
            received(entry, dg, from);
            return true;
        }
        if (length >= MIN_STATELESS_RESET_LENGTH && statelessReset(dg, from)) {
            return true;
        }
        return acceptor.accept(dg, from);
    }

    /**
     * RFC 9000 §10.3.1: "the comparison MUST be performed when the first packet in an incoming datagram either cannot
     * be associated with a connection or cannot be decrypted", with the tokens "associated with the remote address on
     * which the datagram was received". A Stateless Reset is unpredictable bytes up to its token (§10.3), so its
     * Destination Connection ID names no connection: a datagram routed to none is offered to the open connections of
     * the peer's address, each comparing it with its tokens on its own path ({@link
     * QuicConnection#receiveStatelessReset}). True if one of them was reset: it now drains, silently.
     */
    private boolean statelessReset(ByteBuffer dg, NetworkPath from) {
        PeerAddressIndex byPeer = registry.peerIndex();
        try {
            return statelessReset(dg, from, byPeer.find(from.remote()));
        } finally {
            byPeer.forgetFound();
        }
    }

    /** {@link #statelessReset(ByteBuffer, NetworkPath)} over the {@code n} entries {@code byPeer} found. */
    private boolean statelessReset(ByteBuffer dg, NetworkPath from, int n) {
        PeerAddressIndex byPeer = registry.peerIndex();
        for (int i = 0; i < n; i++) {
            ConnectionEntry e = byPeer.found(i);
            QuicConnection c = e.connection;
            if (c == null || !(e.phase == ConnectionEntry.Phase.LIVE || e.phase == ConnectionEntry.Phase.CLOSE_PENDING)
                    || idledOut(e)) {
                // closed (it never looks for a reset again), or past its idle timeout (its state is to be discarded
                // silently anyway, RFC 9000 §10.1)
                continue;
            }
            ReceiveStatus status;
            try {
                status = c.receiveStatelessReset(dg, from, now());
            } catch (RuntimeException ex) {
                // a timestamp behind the connection's own (the application drove it with another clock): reported
                // as for a datagram routed to it
                receiveFailed(e, ex);
                continue;
            }
            if (status == ReceiveStatus.DRAINING) {
                startDraining(e);
                return true;
            }
        }
        return false;
    }

    /**
     * The local address of the path a datagram arrived on: its recipient, except on a channel bound to a wildcard
     * address, where it is that wildcard (what NIO and epoll give as the recipient there, and what addConnection asks a
     * path to name), even when epoll's IP_RECVORIGDSTADDR gives the address the datagram was sent to.
     */
    private InetSocketAddress localAddressOf(DatagramPacket packet) {
        InetSocketAddress bound = channelLocalAddress();
        if (bound != null && bound.getAddress().isAnyLocalAddress()) {
            return bound;
        }
        return packet.recipient() != null ? packet.recipient() : bound;
    }

    private InetSocketAddress channelLocalAddress() {
        SocketAddress a = ctx.channel().localAddress();
        return a instanceof InetSocketAddress ? (InetSocketAddress) a : null;
    }

    private ByteBuffer scratch() {
        if (scratch == null) {
            scratch = ByteBuffer.allocate(MAX_DATAGRAM_SIZE);
        }
        scratch.clear();
        return scratch;
    }

    /** Feeds a datagram to its connection and acts on what quic-core made of it. */
    private void received(ConnectionEntry entry, ByteBuffer dg, NetworkPath from) {
        int length = dg.remaining();
        QuicConnection conn = entry.connection;
        if (conn == null) {
            // a closing or draining record, always a server's, whose connection would answer CLOSING or DRAINING
            // whatever the path (close-spec §5.2); a draining one sends nothing (RFC 9000 §10.2.2)
            if (entry.phase == ConnectionEntry.Phase.CLOSING) {
                closingDatagram(entry, from, length);
            }
            return;
        }
        if (idledOut(entry)) {
            // RFC 9000 §10.1: past its idle timeout the connection is closed silently and its state discarded, whether
            // or not the timer task has run yet (the event loop reads before it runs due tasks); the datagram would
            // otherwise restart the idle timer of a connection that is already over, or buy the budget for a close
            // held back by the amplification limit
            closeIdle(entry);
            return;
        }
        ReceiveStatus status;
        try {
            status = conn.receive(dg, from, now());
        } catch (QuicException e) {
            // RFC 9000 §11.1: a connection error closes the connection with CONNECTION_CLOSE
            if (entry.phase == ConnectionEntry.Phase.LIVE) {
                attemptClose(entry, CloseError.fromException(e));
            } else if (retriesPendingClose(entry)) {
                attemptClose(entry, entry.pendingError);
            }
            return;
        } catch (RuntimeException e) {
            receiveFailed(entry, e);
            return;
        }
        switch (status) {
            case CLOSING:
                if (entry.phase == ConnectionEntry.Phase.CLOSING) {
                    closingDatagram(entry, from, length);
                } else if (entry.phase == ConnectionEntry.Phase.LIVE
                        || entry.phase == ConnectionEntry.Phase.CLOSE_PENDING) {
                    closedElsewhere(entry);
                }
                break;
            case DRAINING:
                if (entry.phase == ConnectionEntry.Phase.LIVE || entry.phase == ConnectionEntry.Phase.CLOSE_PENDING) {
                    startDraining(entry);
                }
                break;
            case VERSION_NEGOTIATION:
                if (entry.phase == ConnectionEntry.Phase.LIVE) {
                    attemptClose(entry, CloseError.versionNegotiation());
                }
                break;
            default:
                // PROCESSED, DROPPED, RETRY: the bytes may have raised the amplification budget
                if (retriesPendingClose(entry)) {
                    attemptClose(entry, entry.pendingError);
                } else if (entry.phase == ConnectionEntry.Phase.LIVE) {
                    if (entry.originalDcidKey != null && conn.isHandshakeConfirmed()) {
                        // RFC 9000 §7.2: the client no longer uses the original DCID once the handshake is confirmed
                        registry.forgetOriginalDcid(entry);
                    }
                    // a processed packet restarted the idle timer; the peer's transport parameters may have set it
                    timers.setIdleTimer(entry);
                    // it may hold a reset token now (the TLS layer added the server's, or a NEW_CONNECTION_ID moved it)
                    registry.indexIfResettable(entry);
                    timers.arm(ctx);
                }
                break;
        }
    }

    /**
     * Whether a datagram retries the entry's held-back close: not once its end was reported (the wait ended and the
     * close was given up as AMPLIFICATION_LIMITED, and a listener of that event fed the handler a datagram for it
     * before it was freed): a close reported as not sent must not be sent after all.
     */
    private static boolean retriesPendingClose(ConnectionEntry entry) {
        return entry.phase == ConnectionEntry.Phase.CLOSE_PENDING && !entry.endedFired;
    }

    /**
     * A datagram for a connection in its closing period. Only those from the path the close was written for count,
     * and only they are answered, with the cached close on that path: RFC 9000 §8.1 bounds what is sent to an
     * unvalidated address by what came from it, so bytes from another address cannot buy re-sends to this one.
     * (ngtcp2's {@code examples/server.cc} counts every datagram and answers whichever address sent it.)
     */
    private void closingDatagram(ConnectionEntry entry, NetworkPath from, int length) {
        if (entry.closeDatagram != null && from.equals(entry.closePath) && entry.countClosingDatagram(length)) {
            resend(entry);
        }
    }

    /**
     * The connection closed without the handler (the application called {@code writeConnectionClose} itself): the
     * handler has no copy of that close to re-send, so it reports the end and frees the connection after the closing
     * period, answering nothing meanwhile, instead of holding a connection it believes open.
     */
    private void closedElsewhere(ConnectionEntry entry) {
        leavePending(entry);
        entry.phase = ConnectionEntry.Phase.CLOSING;
        schedule(entry);
        CloseError error = entry.connection.localCloseError();
        ended(entry, error == null ? QuicCloseInitiator.LOCAL : initiatorOf(error), error,
                QuicCloseResult.NOTHING_TO_SEND);
        closeWhenDone();
    }

    /**
     * {@link QuicConnection#receive} threw something other than a protocol error: the connection's CRYPTO data
     * listener (the application's TLS layer) failed, or the connection was built on another clock. Only that
     * connection is concerned: it closes with INTERNAL_ERROR (ngtcp2 closes on a failed callback the same way; a
     * held-back close keeps its error), and the failure goes to the next handlers as one
     * {@link QuicConnectionException} naming it, with the close's own failure (on another clock the close fails too)
     * suppressed into it. Rethrowing it would reach this handler's own {@link #exceptionCaught}, which closes every
     * connection.
     */
    void receiveFailed(ConnectionEntry entry, RuntimeException e) {
        RuntimeException closeFailure = null;
        if (entry.phase == ConnectionEntry.Phase.LIVE) {
            closeFailure = tryClose(entry, INTERNAL_ERROR);
        } else if (retriesPendingClose(entry)) {
            closeFailure = tryClose(entry, entry.pendingError);
        }
        QuicConnectionException reported = new QuicConnectionException(entry.id,
                "receiving a datagram for " + entry.id + " failed", e);
        if (closeFailure != null && closeFailure != e) {
            reported.addSuppressed(closeFailure);
        }
        ctx.fireExceptionCaught(reported);
    }

    /** Fires {@code event} to the next handlers. */
    void fireUserEvent(Object event) {
        ctx.fireUserEventTriggered(event);
    }

    /** Fires {@code cause} to the next handlers. */
    void fireException(Throwable cause) {
        ctx.fireExceptionCaught(cause);
    }

    /**
     * Whether the handler takes no more connections: the channel close began, the handler was removed or the channel
     * is inactive (a connection added now could never be freed by a closing period).
     */
    boolean refusesConnections() {
        return closeDone != null || removed || inactive;
    }

    /** Sets a live connection's idle timer and arms the timers' task for it. */
    void armIdleTimer(ConnectionEntry entry) {
        timers.setIdleTimer(entry);
        timers.arm(ctx);
    }

    /**
     * Writes the datagram in {@code scratch} (from 0 to its position) to the sender of {@code from}, with ECN not-ECT,
     * for no connection the handler keeps: a stateless refusal named {@code id}, or Version Negotiation ({@code id}
     * null, a failure not reported). It is copied out of the scratch before SocketTosEcn.apply's flush, whose
     * completions may re-enter and write other closes into it, and counted before it, as in sendCachedClose
     * (SOCKET_TOS: an earlier close of this event may have left the socket marking ECT(0)).
     */
    void sendStateless(ByteBuffer scratch, NetworkPath from, ConnectionId id) {
        ByteBuf buf = datagramOf(scratch);
        writesInFlight++;
        socketEcn.apply(ctx, Ecn.NOT_ECT);
        flushPending = true;
        ctx.write(new QuicDatagramPacket(buf, from.remote(), from.local(), Ecn.NOT_ECT))
                .addListener(done -> writeDone(id, done));
    }

    // ---------------------------------------------------------------------------------------------------------
    // outbound

    /**
     * Closes every live connection with the default error, flushes, and closes the channel once the close datagrams
     * are written (and closes held back by the amplification limit were sent), or when the close timeout fires. The
     * channel close uses a new promise whose outcome cascades into {@code promise}; a repeated call only waits for
     * that outcome.
     */
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (closeDone != null) {
            cascade(closeDone, promise);
            return;
        }
        closeDone = ctx.newPromise();
        cascade(closeDone, promise);
        if (!ctx.channel().isActive()) {
            issueClose();
            return;
        }
        writingCloses = true;
        try {
            closeAll(config.defaultCloseError());
        } finally {
            writingCloses = false;
            flushIfPending();
            if (writesInFlight > 0 || pendingCloses > 0) {
                closeTimeout = ctx.executor().schedule(this::issueClose, saturatedNanos(config.closeTimeout()),
                        TimeUnit.NANOSECONDS);
                // an executor that shuts down cancels the timer: close then rather than never
                closeTimeout.addListener(f -> {
                    if (f.isCancelled()) {
                        issueClose();
                    }
                });
            }
            closeWhenDone();
        }
    }

    private static final Duration MAX_NANOS = Duration.ofNanos(Long.MAX_VALUE);

    /** {@code d} in nanoseconds, {@code Long.MAX_VALUE} for a duration longer than that (about 292 years). */
    private static long saturatedNanos(Duration d) {
        return d.compareTo(MAX_NANOS) >= 0 ? Long.MAX_VALUE : d.toNanos();
    }

    private static void cascade(Future<?> from, ChannelPromise to) {
        from.addListener(f -> {
            if (f.isSuccess()) {
                to.trySuccess();
            } else {
                to.tryFailure(f.cause());
            }
        });
    }

    private void closeWhenDone() {
        if (closeDone != null && !closeIssued && !writingCloses && writesInFlight == 0 && pendingCloses == 0) {
            issueClose();
        }
    }

    private void issueClose() {
        if (closeIssued) {
            return;
        }
        closeIssued = true;
        if (closeTimeout != null) {
            closeTimeout.cancel(false);
        }
        flushIfPending();
        ctx.close(closeDone);
    }

    /** Flushes what was written, pending or not: the socket's ECN marking is about to change. */
    void flushBeforeEcnChange() {
        flushPending = false;
        ctx.flush();
    }

    private void flushIfPending() {
        if (flushPending) {
            flushPending = false;
            ctx.flush();
        }
        socketEcn.restore(ctx);
    }

    // ---------------------------------------------------------------------------------------------------------
    // closing

    private void closeAll(CloseError error) {
        ConnectionEntry accepting = registry.accepting();
        if (accepting != null) {
            // the connection reading its first Initial, from whose CRYPTO data listener this came: live too
            closeConnection(accepting, error);
        }
        for (ConnectionEntry e : registry.snapshot()) {
            closeConnection(e, error);
        }
    }

    void closeConnection(ConnectionEntry entry, CloseError error) {
        // once the channel is inactive nothing can be sent: freeAll reports the open ones as CHANNEL_INACTIVE
        if (!entry.isOpen() || inactive) {
            return;
        }
        if (entry.connection.isIdleTimeoutExpired(now())) {
            // RFC 9000 §10.1: past its idle deadline it is over, though the timer task has not run yet (the event loop
            // runs due tasks after reads and other events): closed silently, whatever the close asked for
            error = IDLE_CLOSE;
        }
        attemptClose(entry, error);
    }

    /**
     * Whether the connection is past its idle deadline (RFC 9000 §10.1) while live, or while its close waits for the
     * amplification budget: a held-back close is not sent once the connection has idled out, whatever it asked for.
     */
    private boolean idledOut(ConnectionEntry entry) {
        return (entry.isOpen() || entry.phase == ConnectionEntry.Phase.CLOSE_PENDING)
                && entry.connection.isIdleTimeoutExpired(now());
    }

    /** Closes an {@link #idledOut} connection silently: reported as IDLE with nothing sent, and freed. */
    private void closeIdle(ConnectionEntry entry) {
        if (!inactive) {
            attemptClose(entry, IDLE_CLOSE);
        }
    }

    /**
     * Writes the close of a LIVE or CLOSE_PENDING connection and acts on the outcome; a failure of quic-core goes to
     * the next handlers as a {@link QuicConnectionException} naming the connection.
     */
    void attemptClose(ConnectionEntry entry, CloseError error) {
        RuntimeException failure = tryClose(entry, error);
        if (failure != null) {
            ctx.fireExceptionCaught(new QuicConnectionException(entry.id,
                    "writing the CONNECTION_CLOSE of " + entry.id + " failed", failure));
        }
    }

    /**
     * {@link #attemptClose} without reporting a failure: returns what quic-core threw while writing the close (a
     * connection driven on another clock than the channel's, say), after ending ({@link QuicCloseResult#FAILED}) and
     * freeing that connection alone, so that closing the others goes on; null otherwise.
     */
    private RuntimeException tryClose(ConnectionEntry entry, CloseError error) {
        CloseOutcome outcome;
        try {
            outcome = writeClose(entry, error);
        } catch (RuntimeException e) {
            // writeClose changes nothing before quic-core has written the close
            ended(entry, QuicCloseInitiator.LOCAL, error, QuicCloseResult.FAILED);
            free(entry);
            closeWhenDone();
            return e;
        }
        switch (outcome) {
            case WRITTEN:
                CloseError sent = entry.connection.localCloseError();
                // the event comes first, the flush after: by the time the peer sees the close, listeners have
                // recorded it
                ended(entry, initiatorOf(sent), sent, QuicCloseResult.SENT);
                break;
            case NOBUF_AMPLIFICATION_LIMIT:
                if (entry.phase == ConnectionEntry.Phase.LIVE) {
                    entry.phase = ConnectionEntry.Phase.CLOSE_PENDING;
                    entry.pendingError = error;
                    pendingCloses++;
                    // given up when a closing period has passed without the budget for it
                    schedule(entry);
                }
                break;
            case NOTHING_TO_WRITE:
                if (entry.connection.state() == ConnectionState.DRAINING) {
                    startDraining(entry);
                } else if (entry.connection.state().isClosed()) {
                    // the application closed it itself: reported with its own close, freed after the closing period
                    closedElsewhere(entry);
                } else {
                    ended(entry, initiatorOf(error), error, QuicCloseResult.NOTHING_TO_SEND);
                    free(entry);
                    // a held-back close that ends here is no longer waited for
                    closeWhenDone();
                }
                break;
            default:
                ended(entry, QuicCloseInitiator.LOCAL, error, resultOf(outcome));
                free(entry);
                // a held-back close that failed for good is no longer waited for
                closeWhenDone();
                break;
        }
        return null;
    }

    /**
     * Has quic-core write the close and, on success, keeps the datagram for the closing period, starts that period
     * and hands the channel a retained duplicate of it.
     */
    private CloseOutcome writeClose(ConnectionEntry entry, CloseError error) {
        QuicConnection conn = entry.connection;
        long now = now();
        ByteBuffer dest = closeScratch();
        CloseOutcome outcome = writeConnectionClose(conn, dest, error, now);
        if (outcome.isRetryable() && error.reasonLength() > 0) {
            // the reason phrase does not fit the buffer or the amplification budget: the peer still learns the code,
            // now rather than only once (and if) it sends more
            dest.clear();
            outcome = writeConnectionClose(conn, dest, withoutReason(error), now);
        }
        if (outcome != CloseOutcome.WRITTEN) {
            return outcome;
        }
        entry.closePath = pathInfo.path();
        entry.closeEcn = packetInfo.ecn();
        // the entry owns the datagram from here (free() releases it); the channel gets a retained duplicate: one
        // buffer, written once
        entry.closeDatagram = datagramOf(dest);
        startClosing(entry);
        sendCachedClose(entry, entry.closeEcn);
        return CloseOutcome.WRITTEN;
    }

    /** The scratch buffer quic-core writes a close into, cleared, {@code maxUdpPayloadSize} bytes long. */
    private ByteBuffer closeScratch() {
        if (closeScratch == null) {
            closeScratch = ByteBuffer.allocate(config.maxUdpPayloadSize());
        }
        closeScratch.clear();
        return closeScratch;
    }

    /**
     * The close scratch for a stateless refusal, cleared and limited to 1200 bytes: nothing is known of the path, so
     * the datagram stays within the size every QUIC path carries, as quic-core's own closes do until path MTU
     * discovery (close-spec §3.1).
     */
    ByteBuffer statelessScratch() {
        ByteBuffer dest = closeScratch();
        dest.limit(Math.min(dest.capacity(), QuicConnection.MIN_INITIAL_DATAGRAM_SIZE));
        return dest;
    }

    /** A pooled direct buffer of exactly the datagram written into {@code scratch} (from 0 to its position). */
    private ByteBuf datagramOf(ByteBuffer scratch) {
        int length = scratch.position();
        ByteBuf buf = ctx.alloc().directBuffer(length, length);
        return buf.writeBytes(scratch.array(), 0, length);
    }

    private CloseOutcome writeConnectionClose(QuicConnection conn, ByteBuffer dest, CloseError error, long now) {
        pathInfo.clear();
        packetInfo.clear();
        return conn.writeConnectionClose(pathInfo, packetInfo, dest, error, now);
    }

    static CloseError withoutReason(CloseError e) {
        return e.type() == CloseError.Type.APPLICATION ? CloseError.application(e.errorCode())
                : CloseError.transport(e.errorCode(), e.frameType(), (byte[]) null);
    }

    /** Re-sends the cached close datagram (RFC 9000 §10.2.1: the same bytes may be sent again). */
    private void resend(ConnectionEntry entry) {
        // close-spec §5.3: ngtcp2's server example re-sends with ECN 0, whatever the first send carried
        sendCachedClose(entry, Ecn.NOT_ECT);
    }

    /**
     * Writes a retained duplicate of {@code entry}'s cached close with {@code ecn}, to the path it was written for.
     * The write is counted before {@link SocketTosEcn#apply}, which may flush: earlier writes completing there, and
     * whatever the next handlers do about one that failed (closing the channel, say), must find this one still to
     * come.
     */
    private void sendCachedClose(ConnectionEntry entry, Ecn ecn) {
        writesInFlight++;
        socketEcn.apply(ctx, ecn);
        ByteBuf cached = entry.closeDatagram;
        if (cached == null) {
            // freed during that flush (the channel became inactive): nothing is left to send
            writesInFlight--;
            closeWhenDone();
            return;
        }
        QuicDatagramPacket packet = new QuicDatagramPacket(cached.retainedDuplicate(), entry.closePath.remote(),
                entry.closePath.local(), ecn);
        flushPending = true;
        entry.closeWritten = true;
        ChannelFuture f = ctx.write(packet);
        f.addListener(entry);
    }

    /**
     * A close datagram's write (or a Version Negotiation packet's, {@code id} null) completed: one write fewer in
     * flight, a failure reported naming the connection, and a channel close that waited for the writes issued.
     */
    void writeDone(ConnectionId id, Future<?> done) {
        writesInFlight--;
        if (!done.isSuccess() && id != null) {
            ctx.fireExceptionCaught(new QuicConnectionException(id,
                    "the CONNECTION_CLOSE datagram of " + id + " could not be written", done.cause()));
        }
        if (closeDone == null || closeIssued || writingCloses || writesInFlight > 0 || pendingCloses > 0) {
            // no channel close waits, or not for this write alone
            return;
        }
        // the transport completes the writes of a flush one by one (NIO): closing the channel from here would fail the
        // datagrams other handlers wrote after this one in the same flush; the close waits for the end of that flush
        try {
            ctx.executor().execute(this::closeWhenDone);
        } catch (RejectedExecutionException e) {
            closeWhenDone();
        }
    }

    private void startClosing(ConnectionEntry entry) {
        leavePending(entry);
        entry.phase = ConnectionEntry.Phase.CLOSING;
        schedule(entry);
    }

    /** The peer closed or reset the connection: RFC 9000 §10.2.2, "MUST NOT send any packets" while draining. */
    void startDraining(ConnectionEntry entry) {
        leavePending(entry);
        entry.phase = ConnectionEntry.Phase.DRAINING;
        schedule(entry);
        QuicConnection c = entry.connection;
        if (c.isStatelessReset()) {
            ended(entry, QuicCloseInitiator.STATELESS_RESET, null, QuicCloseResult.NOTHING_TO_SEND);
        } else {
            ended(entry, QuicCloseInitiator.PEER, c.peerCloseError(), QuicCloseResult.NOTHING_TO_SEND);
        }
        closeWhenDone();
    }

    private void leavePending(ConnectionEntry entry) {
        if (entry.phase == ConnectionEntry.Phase.CLOSE_PENDING) {
            pendingCloses--;
            entry.pendingError = null;
        }
    }

    /**
     * Sets the entry's timer to one closing period from now (RFC 9000 §10.2: the closing and draining states last at
     * least three times the PTO; a close held back by the amplification limit is given up after as long), replacing
     * the timer it had.
     */
    private void schedule(ConnectionEntry entry) {
        timers.schedule(entry, now() + entry.connection.closingPeriod().toNanos());
        timers.arm(ctx);
    }

    /** The timers' event-loop task: acts on every deadline that has passed, then arms the task for the next one. */
    void runTimers() {
        runDueTimers();
        timers.arm(ctx);
    }

    /** Acts on every deadline that has passed. */
    void runDueTimers() {
        long now = now();
        ConnectionEntry e;
        while ((e = timers.pollDue(now)) != null) {
            if (e.phase == ConnectionEntry.Phase.LIVE) {
                QuicConnection c = e.connection;
                if (c.isInDrainingPeriod()) {
                    // the application fed it the peer's close itself
                    startDraining(e);
                } else if (c.state().isClosed()) {
                    // the application closed it itself (its own writeConnectionClose)
                    closedElsewhere(e);
                } else if (c.isIdleTimeoutExpired(now)) {
                    // RFC 9000 §10.1: "silently closed and its state is discarded"
                    closeConnection(e, IDLE_CLOSE);
                } else {
                    // the connection restarted its timer since, or its timeout changed: a later deadline
                    timers.setIdleTimer(e);
                }
            } else {
                expire(e);
            }
        }
    }

    /** The closing or draining period of a connection, or the wait of its held-back close, is over: it is freed. */
    private void expire(ConnectionEntry e) {
        if (e.phase == ConnectionEntry.Phase.CLOSE_PENDING && idledOut(e)) {
            // its idle deadline came while the close waited (RFC 9000 §10.1): it ended silently, nothing was sent
            closeIdle(e);
        } else if (e.phase == ConnectionEntry.Phase.CLOSE_PENDING) {
            ended(e, QuicCloseInitiator.LOCAL, e.pendingError, QuicCloseResult.AMPLIFICATION_LIMITED);
            free(e);
            closeWhenDone();
        } else {
            free(e);
        }
    }

    /** Reports the connections that never got to close, and frees every connection. */
    private void freeAll() {
        ConnectionEntry accepting = registry.accepting();
        if (accepting != null && accepting.phase != ConnectionEntry.Phase.FREED) {
            // the connection reading its first Initial (the channel went inactive, or the handler was removed, from
            // its CRYPTO data listener): never accepted, it ends here; ConnectionAcceptor then leaves it alone
            if (accepting.isOpen()) {
                ended(accepting, QuicCloseInitiator.LOCAL, null, QuicCloseResult.CHANNEL_INACTIVE);
            }
            free(accepting);
        }
        for (ConnectionEntry e : registry.snapshot()) {
            if (idledOut(e)) {
                // RFC 9000 §10.1: past its idle deadline it ended silently, though the timer task has not run yet (as
                // closeConnection reports it when a close command or handler removal comes in that window), a close
                // held back by the amplification limit included
                ended(e, initiatorOf(IDLE_CLOSE), IDLE_CLOSE, QuicCloseResult.NOTHING_TO_SEND);
            } else if (e.phase == ConnectionEntry.Phase.LIVE) {
                ended(e, QuicCloseInitiator.LOCAL, null, QuicCloseResult.CHANNEL_INACTIVE);
            } else if (e.phase == ConnectionEntry.Phase.CLOSE_PENDING) {
                ended(e, QuicCloseInitiator.LOCAL, e.pendingError, QuicCloseResult.AMPLIFICATION_LIMITED);
            }
            free(e);
        }
        timers.disarm();
    }

    /** Drops a connection's state: timer, IDs, cached datagram. */
    private void free(ConnectionEntry entry) {
        if (entry.phase == ConnectionEntry.Phase.FREED) {
            return;
        }
        if (entry.phase == ConnectionEntry.Phase.CLOSING && !entry.endedFired && entry.connection != null) {
            // freed while its first close was being sent (a listener of a failed write closed the channel or removed
            // the handler): its end is reported before it is freed, as tryClose would have after the send
            CloseError sent = entry.connection.localCloseError();
            ended(entry, initiatorOf(sent), sent,
                    entry.closeWritten ? QuicCloseResult.SENT : QuicCloseResult.CHANNEL_INACTIVE);
            if (entry.phase == ConnectionEntry.Phase.FREED) {
                // a listener of that event freed it (removed the handler, say)
                return;
            }
        }
        leavePending(entry);
        entry.phase = ConnectionEntry.Phase.FREED;
        timers.remove(entry);
        registry.unregister(entry);
        entry.releaseCloseDatagram();
        ctx.fireUserEventTriggered(new QuicConnectionFreedEvent(entry.id, entry.remoteAddress()));
    }

    private void ended(ConnectionEntry entry, QuicCloseInitiator initiator, CloseError error, QuicCloseResult result) {
        if (entry.endedFired) {
            return;
        }
        entry.endedFired = true;
        QuicConnection c = entry.connection;
        ctx.fireUserEventTriggered(new QuicConnectionEndedEvent(entry.id, entry.remoteAddress(), initiator, error,
                result, c.version(), c.originalDestinationConnectionId(), c.destinationConnectionId()));
    }

    private static QuicCloseInitiator initiatorOf(CloseError error) {
        switch (error.type()) {
            case IDLE_CLOSE:
                return QuicCloseInitiator.IDLE;
            case VERSION_NEGOTIATION:
                return QuicCloseInitiator.VERSION_NEGOTIATION;
            default:
                return QuicCloseInitiator.LOCAL;
        }
    }

    static QuicCloseResult resultOf(CloseOutcome outcome) {
        switch (outcome) {
            case NOBUF_BUFFER_TOO_SMALL:
                return QuicCloseResult.BUFFER_TOO_SMALL;
            case INVALID_STATE:
                return QuicCloseResult.INVALID_STATE;
            case PKT_NUM_EXHAUSTED:
                return QuicCloseResult.PACKET_NUMBER_EXHAUSTED;
            case AEAD_LIMIT_REACHED:
                return QuicCloseResult.AEAD_LIMIT_REACHED;
            case CALLBACK_FAILURE:
                return QuicCloseResult.PROTECTION_FAILED;
            default:
                throw new IllegalStateException("not a failure: " + outcome);
        }
    }

    long now() {
        return ctx.executor().ticker().nanoTime();
    }
}
