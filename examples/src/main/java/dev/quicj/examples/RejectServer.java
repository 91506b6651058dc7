package dev.quicj.examples;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.CloseOutcome;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.conn.ReceiveStatus;
import dev.quicj.netty.AcceptPolicy;
import dev.quicj.netty.QuicCloseHandler;
import dev.quicj.netty.QuicCloseHandlerConfig;
import dev.quicj.netty.QuicCloseResult;
import dev.quicj.netty.QuicConnectionEndedEvent;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The overloaded edge server that refuses politely: a Netty UDP server that answers every new QUIC connection
 * attempt (a client Initial) with a server Initial CONNECTION_CLOSE, instead of leaving the client to time out.
 *
 * <p>It is one {@link QuicCloseHandler} with {@link AcceptPolicy#reject(CloseError)} on a datagram channel. For each
 * acceptable client Initial (a datagram of at least 1200 bytes, a supported version, a DCID of at least 8 bytes, a
 * packet that decrypts with the Initial keys) the handler creates a server connection, lets it read the Initial,
 * closes it at once with the configured error and runs its closing period (RFC 9000 §10.2: the close is re-sent,
 * rate-limited, when more datagrams of that connection arrive, and the connection is forgotten after three PTOs).
 * Datagrams that are not acceptable client Initials and belong to no connection are dropped without an answer.
 *
 * <pre>{@code
 * try (RejectServer server = RejectServer.start(RejectServer.Config.builder()
 *         .bind(new InetSocketAddress("127.0.0.1", 0))
 *         .closeError(CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, "server busy"))
 *         .log(System.out)
 *         .build())) {
 *     System.out.println("listening on " + server.localAddress());
 *     ...
 *     System.out.println(server.refusedConnections() + " connections refused");
 * }
 * }</pre>
 *
 * <p>With a {@linkplain Config.Builder#log(PrintStream) log stream}, the server prints one line per connection:
 * <pre>
 * refused 127.0.0.1:53021 v1 dcid=5c6f1a9b2e804d37 scid=c11e4700aa55f00d: Initial CONNECTION_CLOSE type=0x1c error=0x2 (CONNECTION_REFUSED) frame_type=0x0 reason="server busy"
 * </pre>
 * (the client's address, the QUIC version, {@code dcid} the Destination Connection ID of the client's Initial,
 * {@code scid} the client's own connection ID, then the frame sent), or {@code not refused ...: RESULT} when no close
 * could be sent.
 *
 * <p>With several {@linkplain Config.Builder#eventLoops(int) event loops} (epoll only), each loop has its own socket
 * on the same port ({@code SO_REUSEPORT}) and its own handler, and the kernel keeps each client path on one of them.
 *
 * <p>Thread safety: {@link #localAddress()}, {@link #refusedConnections()}, {@link #ignoredDatagrams()} and
 * {@link #close()} may be called from any thread.
 */
public final class RejectServer implements AutoCloseable {
    /** The receive buffer the server asks for: bursts of Initials overflow the kernel's default. */
    public static final int RECEIVE_BUFFER_SIZE = 4 << 20;
    /** The longest {@link #close()} waits for the channel and the event loop to stop. */
    private static final long STOP_TIMEOUT_SECONDS = 10;

    private final Config config;
    private final EventLoopGroup group;
    // one channel per event loop, all bound to the same address (SO_REUSEPORT when there are several)
    private final List<Channel> channels;
    // one per channel: each is written by its channel's event loop only
    private final List<Counters> counters;
    private final Transport transport;

    private RejectServer(Config config, EventLoopGroup group, List<Channel> channels, List<Counters> counters,
            Transport transport) {
        this.config = config;
        this.group = group;
        this.channels = channels;
        this.counters = counters;
        this.transport = transport;
    }

    /**
     * Binds the server and returns once it listens.
     *
     * @throws IllegalStateException if {@link Transport#EPOLL} was asked for and epoll is not available, or if
     *     several {@linkplain Config.Builder#eventLoops(int) event loops} were asked for without epoll
     * @throws java.io.IOException if the socket cannot be bound, for example because the port is taken
     *     ({@link java.net.BindException} on NIO and with several event loops, Netty's {@code NativeIoException} on
     *     epoll), also by a process sharing it through {@code SO_REUSEPORT}
     * @throws Exception if the bind is interrupted
     */
    public static RejectServer start(Config config) throws Exception {
        Objects.requireNonNull(config, "config");
        Transport transport = config.transport.resolve();
        if (config.eventLoops > 1 && transport != Transport.EPOLL) {
            throw new IllegalStateException("several event loops share the port through SO_REUSEPORT, which needs the"
                    + " epoll transport; this one is " + transport);
        }
        IoHandlerFactory io = transport == Transport.EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        // an IPv4 address gets an IPv4 socket: 0.0.0.0 means every IPv4 address, not a dual-stack [::]
        SocketProtocolFamily family = config.bind.getAddress() instanceof java.net.Inet4Address
                ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
        if (config.eventLoops > 1 && config.bind.getPort() != 0) {
            // SO_REUSEPORT would let the sockets join another process's on a taken port and share its clients: a
            // socket without it fails to bind a taken port, so try one first
            new java.net.DatagramSocket(config.bind).close();
        }
        QuicCloseHandler.warmUp();
        warmUp(config.closeError);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(config.eventLoops, io);
        QuicCloseHandlerConfig handlerConfig = QuicCloseHandlerConfig.builder()
                .acceptPolicy(policy(config))
                .maxConnections(config.maxConnections)
                .build();
        List<Channel> channels = new ArrayList<>(config.eventLoops);
        List<Counters> counters = new ArrayList<>(config.eventLoops);
        boolean started = false;
        try {
            InetSocketAddress bind = config.bind;
            for (int i = 0; i < config.eventLoops; i++) {
                Counters c = new Counters();
                // the group hands its event loops out in turn: channel i is served by loop i
                Bootstrap b = new Bootstrap().group(group).channelFactory(() -> newChannel(transport, family))
                        .option(ChannelOption.SO_RCVBUF, RECEIVE_BUFFER_SIZE)
                        .handler(new ChannelInitializer<DatagramChannel>() {
                            @Override
                            protected void initChannel(DatagramChannel ch) {
                                // a handler per channel: each keeps the connections whose datagrams its socket gets
                                ch.pipeline().addLast(new QuicCloseHandler(handlerConfig), new Reporter(c, config.log));
                            }
                        });
                if (config.eventLoops > 1) {
                    // the kernel spreads datagrams over the sockets by a hash of their 4-tuple, so a client's
                    // datagrams keep reaching the one handler that knows its connection
                    b.option(EpollChannelOption.SO_REUSEPORT, true);
                }
                Channel channel = b.bind(bind).sync().channel();
                channels.add(channel);
                counters.add(c);
                // port 0: the others join the port the first one got
                bind = (InetSocketAddress) channel.localAddress();
            }
            started = true;
            return new RejectServer(config, group, List.copyOf(channels), List.copyOf(counters), transport);
        } finally {
            if (!started) {
                for (Channel channel : channels) {
                    channel.close();
                }
                group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            }
        }
    }

    private static DatagramChannel newChannel(Transport transport, SocketProtocolFamily family) {
        return transport == Transport.EPOLL ? new EpollDatagramChannel(family) : new NioDatagramChannel(family);
    }

    private static AcceptPolicy policy(Config config) {
        switch (config.mode) {
            case STATELESS:
                return AcceptPolicy.rejectStateless(config.closeError);
            case STATELESS_UNAUTHENTICATED:
                return AcceptPolicy.rejectStatelessUnauthenticated(config.closeError);
            default:
                return AcceptPolicy.reject(config.closeError);
        }
    }

    /**
     * Runs one refusal in memory (a client Initial read by a server connection that then writes its close), so that
     * class loading and the first compilation of the crypto path happen now rather than while the first client waits
     * (a few hundred milliseconds on a cold JVM).
     */
    private static void warmUp(CloseError error) throws Exception {
        NetworkPath clientSide = new NetworkPath(new InetSocketAddress("127.0.0.1", 50000),
                new InetSocketAddress("127.0.0.1", 4433));
        NetworkPath serverSide = new NetworkPath(clientSide.remote(), clientSide.local());
        long now = System.nanoTime();
        ConnectionId scid = ConnectionId.random(8);
        QuicConnection client = QuicConnection.clientBuilder().originalDestinationConnectionId(ConnectionId.random(8))
                .sourceConnectionId(scid).path(clientSide).build(now);
        client.submitCryptoData(EncryptionLevel.INITIAL, ClientHellos.encode(QuicVersion.V1, scid, null, "h3"));
        ByteBuffer datagram = ByteBuffer.allocate(QuicCloseHandlerConfig.DEFAULT_MAX_UDP_PAYLOAD_SIZE);
        client.writePacket(null, null, datagram, now);
        datagram.flip();
        QuicConnection server = QuicConnection.serverBuilder().sourceConnectionId(ConnectionId.random(8))
                .path(serverSide).build(now);
        if (server.receive(datagram, serverSide, now) != ReceiveStatus.PROCESSED) {
            throw new IllegalStateException("warm-up: the server connection did not read the client Initial: "
                    + server.lastDropReason());
        }
        datagram.clear();
        CloseOutcome outcome = server.writeConnectionClose(null, null, datagram, error, now);
        if (outcome != CloseOutcome.WRITTEN) {
            throw new IllegalStateException("warm-up: no close written: " + outcome);
        }
        // and the text of a log line
        Describe.closeOnWire(error, true);
        Describe.address(serverSide.remote());
    }

    /** The address the server is bound to (with the real port when the configuration asked for port 0). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channels.get(0).localAddress();
    }

    /** How many connections were answered with a CONNECTION_CLOSE so far. */
    public long refusedConnections() {
        long n = 0;
        for (Counters c : counters) {
            n += c.refused;
        }
        return n;
    }

    /** {@link #refusedConnections()} of each event loop's channel, in the order they were bound. */
    List<Long> refusedByEventLoop() {
        List<Long> r = new ArrayList<>(counters.size());
        for (Counters c : counters) {
            r.add(c.refused);
        }
        return r;
    }

    /**
     * How many datagrams were dropped without an answer so far: datagrams for no connection that are not acceptable
     * client Initials (shorter than 1200 bytes, not an Initial, or not decrypting; of an unknown version and under
     * 1200 bytes: one of 1200 bytes or more is answered with Version Negotiation and not counted).
     */
    public long ignoredDatagrams() {
        long n = 0;
        for (Counters c : counters) {
            n += c.ignored;
        }
        return n;
    }

    /** The transport in use ({@link Transport#AUTO} resolved to NIO or EPOLL). */
    public Transport transport() {
        return transport;
    }

    /** The configuration the server was started with. */
    public Config config() {
        return config;
    }

    /**
     * Stops the server gracefully: each channel is closed through its {@link QuicCloseHandler} (which closes any
     * connection still live and frees those in their closing period), then the event loops shut down. Waits up to
     * ten seconds; calling it again is harmless.
     */
    @Override
    public void close() {
        try {
            List<ChannelFuture> closing = new ArrayList<>(channels.size());
            for (Channel channel : channels) {
                closing.add(channel.close());
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_TIMEOUT_SECONDS);
            for (ChannelFuture f : closing) {
                f.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } finally {
            group.shutdownGracefully(0, STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .awaitUninterruptibly(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return "RejectServer[" + localAddress() + ", " + transport
                + (channels.size() > 1 ? " x" + channels.size() : "") + ", " + Describe.closeError(config.closeError)
                + "]";
    }

    /** The datagram transport of the server's channel. */
    public enum Transport {
        /** Java NIO ({@code NioDatagramChannel}), available everywhere. */
        NIO,
        /** Linux epoll ({@code EpollDatagramChannel}); needs Netty's native library for this platform. */
        EPOLL,
        /** EPOLL when Netty's native epoll library loads, else NIO. */
        AUTO;

        Transport resolve() {
            switch (this) {
                case EPOLL:
                    if (!Epoll.isAvailable()) {
                        throw new IllegalStateException("epoll is not available: " + Epoll.unavailabilityCause(),
                                Epoll.unavailabilityCause());
                    }
                    return EPOLL;
                case AUTO:
                    return Epoll.isAvailable() ? EPOLL : NIO;
                default:
                    return NIO;
            }
        }
    }

    /** How a refusal is made. */
    public enum Mode {
        /**
         * A server connection per refused client, closed at once and kept for its closing period (RFC 9000 §10.2:
         * the close is re-sent, rate-limited, if the client keeps sending), then forgotten after three PTOs. The
         * default.
         */
        CLOSING_PERIOD,
        /**
         * No state at all ({@link AcceptPolicy#rejectStateless}): each authenticated client Initial, retransmissions
         * included, is answered with a fresh server Initial close. A cheap refusal, for a server under a flood.
         */
        STATELESS,
        /**
         * {@link #STATELESS} on the header alone ({@link AcceptPolicy#rejectStatelessUnauthenticated}): the Initial is
         * not decrypted, so only the server's keys are derived. The cheapest refusal; a datagram that only looks like
         * a client Initial is answered too.
         */
        STATELESS_UNAUTHENTICATED
    }

    /** The server's settings; immutable. Make one with {@link #builder()}. */
    public static final class Config {
        /** The default address: loopback, port 4433. */
        public static final InetSocketAddress DEFAULT_BIND = new InetSocketAddress("127.0.0.1", 4433);
        /** The default close: transport CONNECTION_REFUSED (0x2) with the reason "server busy". */
        public static final CloseError DEFAULT_CLOSE_ERROR =
                CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, "server busy");

        private final InetSocketAddress bind;
        private final CloseError closeError;
        private final Transport transport;
        private final Mode mode;
        private final int maxConnections;
        private final int eventLoops;
        private final PrintStream log;

        private Config(Builder b) {
            this.bind = b.bind;
            this.closeError = b.closeError;
            this.transport = b.transport;
            this.mode = b.mode;
            this.maxConnections = b.maxConnections;
            this.eventLoops = b.eventLoops;
            this.log = b.log;
        }

        /** A builder with the defaults: 127.0.0.1:4433, CONNECTION_REFUSED "server busy", AUTO, silent. */
        public static Builder builder() {
            return new Builder();
        }

        /** The address to bind. */
        public InetSocketAddress bind() {
            return bind;
        }

        /** The error every connection is closed with. */
        public CloseError closeError() {
            return closeError;
        }

        /** The transport asked for. */
        public Transport transport() {
            return transport;
        }

        /** How refusals are made. */
        public Mode mode() {
            return mode;
        }

        /**
         * The most refused connections kept in their closing period at once; beyond it refusals are stateless
         * ({@link Integer#MAX_VALUE}: no limit). See {@code QuicCloseHandlerConfig.maxConnections}.
         */
        public int maxConnections() {
            return maxConnections;
        }

        /** How many event loops serve the port, each with its own socket and handler. */
        public int eventLoops() {
            return eventLoops;
        }

        /** Where the per-connection lines go, or {@code null} for none. */
        public PrintStream log() {
            return log;
        }

        @Override
        public String toString() {
            return "Config[bind=" + bind + ", closeError=" + closeError + ", transport=" + transport + ", mode="
                    + mode + (maxConnections == Integer.MAX_VALUE ? "" : ", maxConnections=" + maxConnections)
                    + (eventLoops == 1 ? "" : ", eventLoops=" + eventLoops)
                    + ", log=" + (log == null ? "off" : "on") + "]";
        }

        /** Builds a {@link Config}. */
        public static final class Builder {
            private InetSocketAddress bind = DEFAULT_BIND;
            private CloseError closeError = DEFAULT_CLOSE_ERROR;
            private Transport transport = Transport.AUTO;
            private Mode mode = Mode.CLOSING_PERIOD;
            private int maxConnections = Integer.MAX_VALUE;
            private int eventLoops = 1;
            private PrintStream log;

            private Builder() {
            }

            /** The address to bind (default 127.0.0.1:4433; port 0 picks a free port). */
            public Builder bind(InetSocketAddress address) {
                this.bind = Objects.requireNonNull(address, "address");
                return this;
            }

            /**
             * The error to close every connection with (default transport CONNECTION_REFUSED, "server busy"). It
             * must put a frame on the wire (a transport or application close). An application close is sent as
             * transport APPLICATION_ERROR (0xc) without the reason, as RFC 9000 §10.2.3 requires in Initial packets.
             *
             * @throws IllegalArgumentException if the error sends no frame
             */
            public Builder closeError(CloseError error) {
                Objects.requireNonNull(error, "error");
                if (!error.type().sendsFrame()) {
                    throw new IllegalArgumentException("a reject server must send a CONNECTION_CLOSE: " + error);
                }
                this.closeError = error;
                return this;
            }

            /** The transport (default {@link Transport#AUTO}). */
            public Builder transport(Transport transport) {
                this.transport = Objects.requireNonNull(transport, "transport");
                return this;
            }

            /** How refusals are made (default {@link Mode#CLOSING_PERIOD}). */
            public Builder mode(Mode mode) {
                this.mode = Objects.requireNonNull(mode, "mode");
                return this;
            }

            /**
             * The most refused connections kept in their closing period at once (default: no limit); once reached,
             * further Initials are refused statelessly until closing periods end.
             *
             * @throws IllegalArgumentException if less than 1
             */
            public Builder maxConnections(int max) {
                this.maxConnections = atLeastOne("maxConnections", max);
                return this;
            }

            /**
             * How many event loops (threads) serve the port (default 1). With more than one, each loop has its own
             * socket bound to the same address with {@code SO_REUSEPORT} and its own {@link QuicCloseHandler}; the
             * kernel hashes each datagram's addresses to pick the socket, so all datagrams of one client path reach
             * the same handler. {@code maxConnections} then applies per loop. Needs the epoll transport.
             *
             * @throws IllegalArgumentException if less than 1
             */
            public Builder eventLoops(int n) {
                this.eventLoops = atLeastOne("eventLoops", n);
                return this;
            }

            private static int atLeastOne(String name, int n) {
                if (n < 1) {
                    throw new IllegalArgumentException(name + " must be at least 1: " + n);
                }
                return n;
            }

            /** Where to print one line per connection; {@code null} (the default) for silence. */
            public Builder log(PrintStream log) {
                this.log = log;
                return this;
            }

            /** The configuration. */
            public Config build() {
                return new Config(this);
            }
        }
    }

    /** Counters written by the event loop only, read from any thread. */
    private static final class Counters {
        volatile long refused;
        volatile long ignored;
    }

    /**
     * After the handler: counts and reports ended connections, and drops (releases) the datagrams the handler passed
     * on because they belong to no connection and are not acceptable client Initials.
     */
    private static final class Reporter extends ChannelInboundHandlerAdapter {
        private final Counters counters;
        private final PrintStream log;

        Reporter(Counters counters, PrintStream log) {
            this.counters = counters;
            this.log = log;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            counters.ignored++;
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof QuicConnectionEndedEvent) {
                ended((QuicConnectionEndedEvent) evt);
            }
            ReferenceCountUtil.release(evt);
        }

        private void ended(QuicConnectionEndedEvent e) {
            boolean sent = e.result() == QuicCloseResult.SENT;
            if (sent) {
                counters.refused++;
            }
            if (log == null) {
                return;
            }
            ConnectionId odcid = e.originalDestinationConnectionId();
            ConnectionId clientScid = e.peerConnectionId();
            StringBuilder line = new StringBuilder(sent ? "refused " : "not refused ")
                    .append(Describe.address(e.remoteAddress()))
                    .append(e.version() == QuicVersion.V1 ? " v1" : " v2")
                    .append(" dcid=").append(odcid == null ? "?" : odcid.toHex())
                    .append(" scid=").append(clientScid == null ? "?" : clientScid.toHex())
                    .append(": ");
            if (sent) {
                line.append("Initial ").append(Describe.closeOnWire(e.error(), true));
            } else {
                line.append(e.result()).append(" (").append(e.initiator()).append(')');
            }
            log.println(line);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // the handler already closed what the exception concerns; a server keeps serving
            if (log != null) {
                log.println("error: " + cause);
            }
        }
    }
}
