package dev.quicj.examples;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicException;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.ConnectionState;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.inspect.DatagramInspector;
import dev.quicj.core.inspect.InspectedFrame;
import dev.quicj.core.inspect.InspectedPacket;
import dev.quicj.core.packet.PacketForm;
import dev.quicj.netty.QuicCloseCommand;
import dev.quicj.netty.QuicCloseHandler;
import dev.quicj.netty.QuicCloseResult;
import dev.quicj.netty.QuicConnectionEndedEvent;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A QUIC client that opens a connection and closes it at once, at Initial level: a Netty {@code NioDatagramChannel}
 * with a {@link QuicCloseHandler}. It builds a client {@link QuicConnection}, sends its first Initial (a real TLS 1.3
 * ClientHello with QUIC transport parameters, in CRYPTO frames, padded to 1200 bytes), hands the connection to the
 * handler and closes it with a {@link QuicCloseCommand}; the handler writes the Initial CONNECTION_CLOSE and runs the
 * closing period. A {@link DatagramTap} at the head of the pipeline records every datagram both ways; the client
 * prints them decoded (Initial keys from its original DCID) and reports any CONNECTION_CLOSE the server answered with.
 *
 * <p>By default the close follows the first Initial back to back. With {@link Mode#FOLLOW_RETRY} the client closes only
 * after the server's first datagram (or after the wait, without one); when that is a Retry the connection took (RFC
 * 9000 §17.2.5.2: a valid integrity tag, RFC 9001 §5.8), it first sends its Initial again, with the Retry's token, to
 * the Retry's SCID and under Initial keys derived from it (RFC 9001 §5.2), so that the close reaches an
 * address-validating server's connection.
 */
final class CloseClient {
    /** How long to wait for the server's datagrams by default. */
    static final Duration DEFAULT_WAIT = Duration.ofMillis(1000);
    /** How long to keep listening once the server's close arrived, for re-sent copies in flight. */
    private static final long AFTER_CLOSE_MILLIS = 100;
    private static final int DATAGRAM_BUFFER_SIZE = 1500;

    private CloseClient() {
    }

    /** When the client closes. */
    enum Mode {
        /** Right after its first Initial, back to back. */
        AT_ONCE,
        /**
         * After the server's first datagram (or after the wait, without one); when that is a Retry, after sending the
         * Initial again as the Retry asks.
         */
        FOLLOW_RETRY
    }

    /**
     * What happened.
     *
     * @param local the client's address
     * @param server the server's address
     * @param version the QUIC version used
     * @param originalDcid the DCID of the first Initial (the Initial keys derive from it)
     * @param scid the client's connection ID
     * @param sent the datagrams sent, in order
     * @param received the datagrams received, in order
     * @param closeSent whether the client's close went out
     * @param serverClose the first CONNECTION_CLOSE the server sent, or {@code null}
     * @param serverCloseLevel the level of the packet that carried it, or {@code null}
     * @param retryScid the SCID of the Retry the client followed ({@link Mode#FOLLOW_RETRY}), or {@code null}
     * @param closeNotNeeded why the client did not close ({@link Mode#FOLLOW_RETRY}: the server's first datagram ended
     *     the connection), or {@code null}
     */
    record Result(InetSocketAddress local, InetSocketAddress server, QuicVersion version, ConnectionId originalDcid,
            ConnectionId scid, List<byte[]> sent, List<byte[]> received, boolean closeSent,
            InspectedFrame.ConnectionClose serverClose, EncryptionLevel serverCloseLevel, ConnectionId retryScid,
            String closeNotNeeded) {
    }

    /**
     * What the client did after the server's first datagram ({@link Mode#FOLLOW_RETRY}).
     *
     * @param retryScid the SCID of the Retry it followed, or {@code null}
     * @param closeNotNeeded why it did not close, or {@code null} when it did
     */
    private record AfterReply(ConnectionId retryScid, String closeNotNeeded) {
    }

    /**
     * Connects, closes with {@code error} right after the first Initial, waits up to {@code wait} for the server's
     * datagrams (less once its close arrived) and prints the exchange to {@code out}.
     *
     * @throws Exception if the socket cannot be opened or the client's Initial cannot be sealed
     */
    static Result run(InetSocketAddress server, CloseError error, QuicVersion version, Duration wait,
            PrintStream out) throws Exception {
        return run(server, error, version, wait, Mode.AT_ONCE, out);
    }

    /**
     * Connects, closes with {@code error} when {@code mode} says, waits up to {@code wait} for the server's datagrams
     * (less once its close arrived) and prints the exchange to {@code out}.
     *
     * @throws Exception if the socket cannot be opened or the client's Initial cannot be sealed
     */
    static Result run(InetSocketAddress server, CloseError error, QuicVersion version, Duration wait, Mode mode,
            PrintStream out) throws Exception {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(mode, "mode");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            DatagramTap tap = new DatagramTap();
            QuicCloseHandler handler = new QuicCloseHandler();
            ConcurrentLinkedQueue<QuicConnectionEndedEvent> ended = new ConcurrentLinkedQueue<>();
            InetSocketAddress bindTo = server.getAddress().isLoopbackAddress()
                    ? new InetSocketAddress(server.getAddress(), 0) : new InetSocketAddress(0);
            Channel channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                    .handler(new ChannelInitializer<DatagramChannel>() {
                        @Override
                        protected void initChannel(DatagramChannel ch) {
                            ch.pipeline().addLast(tap, handler, new Tail(ended));
                        }
                    })
                    .bind(bindTo).sync().channel();
            try {
                InetSocketAddress local = (InetSocketAddress) channel.localAddress();
                ConnectionId odcid = ConnectionId.random(QuicConnection.MIN_INITIAL_DCID_LENGTH);
                ConnectionId scid = ConnectionId.random(8);
                out.println("close-client " + Describe.address(local) + " -> " + Describe.address(server)
                        + ", QUIC version " + (version == QuicVersion.V1 ? "1" : "2") + ", original DCID "
                        + odcid.toHex() + ", SCID " + scid.toHex());
                out.println("  (Initial packets of both directions are decrypted with keys derived from the original"
                        + " DCID, RFC 9001 §5.2)");
                AtomicReference<QuicConnection> opened = new AtomicReference<>();
                channel.eventLoop().submit(() -> {
                    opened.set(open(channel, handler, local, server, version, odcid, scid));
                    if (mode == Mode.AT_ONCE) {
                        // both go out back to back: the close does not wait for an answer
                        channel.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(scid, error));
                    }
                    return null;
                }).sync();
                QuicConnection conn = opened.get();
                Printer printer = new Printer(out, odcid, error, version);
                // what the client did about its close: set at once, or after the server's first datagram
                AfterReply after = mode == Mode.AT_ONCE ? new AfterReply(null, null) : null;
                long deadline = System.nanoTime() + wait.toNanos();
                while (true) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0 && after != null) {
                        break;
                    }
                    DatagramTap.Captured c = left <= 0 ? null : tap.queue().poll(left, TimeUnit.NANOSECONDS);
                    if (c == null && after != null) {
                        break;
                    }
                    if (c != null) {
                        printer.print(c);
                    }
                    if (after == null && (c == null || c.direction() == DatagramTap.Direction.RECEIVED)) {
                        // the server's first datagram, or none within the wait. The tap passed it on to the handler
                        // within the event-loop task that captured it, so the connection has processed it by now
                        if (c == null) {
                            out.println("  (no datagram from the server within " + wait.toMillis()
                                    + " ms: closing now)");
                        }
                        after = channel.eventLoop().submit(() -> closeAfterReply(channel, handler, conn, local,
                                server, scid, error)).get();
                        if (after.retryScid() != null) {
                            printer.retryFollowed(after.retryScid());
                        }
                        if (after.closeNotNeeded() != null) {
                            out.println("  (the client does not close: " + after.closeNotNeeded() + ")");
                        }
                        // what the close brings back still gets the time it would have had
                        deadline = Math.max(deadline, System.nanoTime() + wait.toNanos());
                    }
                    if (printer.serverClose != null) {
                        deadline = Math.min(deadline,
                                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(AFTER_CLOSE_MILLIS));
                    }
                }
                for (DatagramTap.Captured c = tap.queue().poll(); c != null; c = tap.queue().poll()) {
                    printer.print(c);
                }
                printer.summary(ended, wait, mode, after.closeNotNeeded());
                return new Result(local, server, version, odcid, scid, printer.sent, printer.received,
                        printer.closeSent, printer.serverClose, printer.serverCloseLevel, after.retryScid(),
                        after.closeNotNeeded());
            } finally {
                channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        } finally {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    /** On the event loop: builds the connection, writes its first Initial and hands it to the handler. */
    private static QuicConnection open(Channel channel, QuicCloseHandler handler, InetSocketAddress local,
            InetSocketAddress server, QuicVersion version, ConnectionId odcid, ConnectionId scid)
            throws CryptoException {
        long now = channel.eventLoop().ticker().nanoTime();
        QuicConnection conn = QuicConnection.clientBuilder().version(version).originalDestinationConnectionId(odcid)
                .sourceConnectionId(scid).path(new NetworkPath(local, server)).build(now);
        // SNI carries host names only (RFC 6066 §3), never an address literal
        String host = server.getHostString();
        String serverName = host.equals(server.getAddress().getHostAddress()) ? null : host;
        conn.submitCryptoData(EncryptionLevel.INITIAL,
                ClientHellos.encode(version, scid, serverName, "h3", "hq-interop"));
        sendInitial(channel, conn, local, server, () -> handler.addConnection(conn));
        return conn;
    }

    /**
     * On the event loop, after the server's first datagram (or none): when the connection took a Retry (it is back in
     * {@link ConnectionState#CLIENT_INITIAL} with the Retry's SCID), sends its Initial again, which now carries the
     * Retry's token to the Retry's SCID under keys derived from it (RFC 9000 §17.2.5.2, RFC 9001 §5.2); then closes,
     * unless that datagram already ended the connection.
     */
    private static AfterReply closeAfterReply(Channel channel, QuicCloseHandler handler, QuicConnection conn,
            InetSocketAddress local, InetSocketAddress server, ConnectionId scid, CloseError error)
            throws CryptoException {
        if (conn.state() == ConnectionState.DRAINING) {
            // RFC 9000 §10.2.2: "An endpoint that is in the draining state MUST NOT send any packets"
            return new AfterReply(null, "the server closed the connection first, and a draining endpoint sends"
                    + " nothing (RFC 9000 §10.2.2)");
        }
        if (conn.state().isClosed() || handler.connection(scid) != conn) {
            // the handler ended it: a Version Negotiation packet without this version (RFC 9000 §6.2), or a
            // stateless reset (§10.3.1)
            return new AfterReply(null, "the connection already ended: "
                    + (conn.isStatelessReset() ? "the server reset it statelessly (RFC 9000 §10.3.1)"
                            : "the server does not speak its version (Version Negotiation, RFC 9000 §6.2)"));
        }
        ConnectionId retryScid = null;
        if (conn.retrySourceConnectionId() != null && conn.state() == ConnectionState.CLIENT_INITIAL) {
            retryScid = conn.retrySourceConnectionId();
            sendInitial(channel, conn, local, server, () -> { });
        }
        channel.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(scid, error));
        return new AfterReply(retryScid, null);
    }

    /**
     * Writes the connection's next Initial (its ClientHello, from offset 0 after a Retry) into a pooled buffer and
     * sends it; {@code beforeSend} runs once it is written (the first Initial hands the connection to the handler
     * there, so that the server's answer finds it).
     */
    private static void sendInitial(Channel channel, QuicConnection conn, InetSocketAddress local,
            InetSocketAddress server, Runnable beforeSend) throws CryptoException {
        long now = channel.eventLoop().ticker().nanoTime();
        ByteBuf buf = channel.alloc().directBuffer(DATAGRAM_BUFFER_SIZE);
        boolean handedOff = false;
        try {
            ByteBuffer dest = buf.nioBuffer(buf.writerIndex(), buf.writableBytes());
            int length;
            try {
                length = conn.writePacket(null, null, dest, now);
            } catch (QuicException e) {
                // AEAD_LIMIT_REACHED (RFC 9001 §6.6): never at Initial level, whose keys have no limit
                throw new IllegalStateException("the client's Initial was refused: " + e, e);
            }
            if (length == 0) {
                throw new IllegalStateException("the client's Initial was not written");
            }
            buf.writerIndex(buf.writerIndex() + length);
            beforeSend.run();
            handedOff = true;
            channel.writeAndFlush(new DatagramPacket(buf, server, local));
        } finally {
            if (!handedOff) {
                buf.release();
            }
        }
    }

    /** After the handler: keeps the ended events and drops datagrams that belong to no connection. */
    private static final class Tail extends ChannelInboundHandlerAdapter {
        private final ConcurrentLinkedQueue<QuicConnectionEndedEvent> ended;

        Tail(ConcurrentLinkedQueue<QuicConnectionEndedEvent> ended) {
            this.ended = ended;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof QuicConnectionEndedEvent) {
                ended.add((QuicConnectionEndedEvent) evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // reported by the summary: a close that could not be written never shows up as sent
        }
    }

    /** Prints captured datagrams decoded, on the calling thread, and remembers what the server answered. */
    private static final class Printer {
        private final PrintStream out;
        private final CloseError error;
        private final QuicVersion version;
        final List<byte[]> sent = new ArrayList<>();
        final List<byte[]> received = new ArrayList<>();
        boolean closeSent;
        // the CONNECTION_CLOSE frame the client's datagram really carried (the handler sends the close without its
        // reason when the reason does not fit, e.g. behind a long Retry token)
        InspectedFrame.ConnectionClose clientClose;
        InspectedFrame.ConnectionClose serverClose;
        EncryptionLevel serverCloseLevel;
        // what the server sent besides closes, by level: packets and bytes
        private final Map<String, int[]> otherServerPackets = new LinkedHashMap<>();
        // the TLS messages in the server's CRYPTO frames, by level
        private final Map<String, List<String>> serverTls = new LinkedHashMap<>();
        // the Initial keys datagrams are decoded with: the original DCID's, and those of a Retry's SCID once followed
        private DatagramInspector.KeySource keys;
        private ConnectionId retryScid;
        private int initialsSent;
        // whether a Version Negotiation packet received listed the client's own version (then it was discarded,
        // RFC 9000 §6.2, and says nothing about the server not speaking that version)
        private boolean versionNegotiationListsOwnVersion;

        Printer(PrintStream out, ConnectionId odcid, CloseError error, QuicVersion version) {
            this.out = out;
            this.version = version;
            this.error = error;
            this.keys = DatagramInspector.initialKeys(odcid, CryptoProvider.jca());
        }

        /** The client took a Retry with this SCID and sent its Initial again: decode with its keys too. */
        void retryFollowed(ConnectionId scid) {
            retryScid = scid;
            keys = DatagramInspector.union(Describe.renamed(DatagramInspector.initialKeys(scid, CryptoProvider.jca()),
                    " (keys from the Retry's SCID)"), keys);
            out.println("  (the client took the server's Retry: it sends its Initial again with the Retry's token to "
                    + scid.toHex() + ", and its Initial packets are now protected with keys derived from that SCID,"
                    + " RFC 9001 §5.2)");
        }

        void print(DatagramTap.Captured c) {
            boolean isSent = c.direction() == DatagramTap.Direction.SENT;
            List<byte[]> list = isSent ? sent : received;
            boolean repeat = list.stream().anyMatch(b -> Arrays.equals(b, c.bytes()));
            list.add(c.bytes());
            String arrow = isSent ? ">>> client -> server" : "<<< server -> client";
            List<InspectedPacket> packets = DatagramInspector.inspect(c.bytes(), keys, -1);
            boolean hasClose = packets.stream().anyMatch(p -> !p.frames(InspectedFrame.ConnectionClose.class)
                    .isEmpty());
            if (repeat) {
                out.println(arrow + "  " + c.bytes().length + " bytes: the same " + (hasClose ? "close" : "datagram")
                        + " again (re-sent in the closing period, RFC 9000 §10.2.1)");
                return;
            }
            String what;
            if (isSent) {
                what = hasClose ? "the client closes the connection at Initial level"
                        : initialsSent++ == 0
                        ? "the client's first Initial: a TLS ClientHello in CRYPTO frames, padded to 1200 bytes"
                        : "the client's Initial again, after the Retry: its ClientHello with the Retry's token "
                                + "(RFC 9000 §17.2.5.2)";
            } else {
                what = hasClose ? "the server's answer" : "from the server";
            }
            out.println(arrow + "  " + c.bytes().length + " bytes  (" + what + ")");
            for (String line : Describe.packetLines(packets, "    ")) {
                out.println(line);
            }
            for (InspectedPacket p : packets) {
                List<InspectedFrame.ConnectionClose> closes = p.frames(InspectedFrame.ConnectionClose.class);
                if (isSent) {
                    closeSent |= !closes.isEmpty();
                    if (clientClose == null && !closes.isEmpty()) {
                        clientClose = closes.get(0);
                    }
                    continue;
                }
                if (!closes.isEmpty()) {
                    if (serverClose == null) {
                        serverClose = closes.get(0);
                        serverCloseLevel = p.level();
                    }
                    continue;
                }
                if (p.form() == PacketForm.VERSION_NEGOTIATION
                        && listsVersion(c.bytes(), p, version)) {
                    versionNegotiationListsOwnVersion = true;
                }
                String level = p.level() != null ? levelName(p.level())
                        : p.form() != null ? p.form().toString() : "unparsed";
                otherServerPackets.computeIfAbsent(level, k -> new int[2])[0]++;
                otherServerPackets.get(level)[1] += p.length();
                for (InspectedFrame.Crypto f : p.frames(InspectedFrame.Crypto.class)) {
                    String tls = Describe.tlsMessages(f);
                    if (!tls.isEmpty()) {
                        serverTls.computeIfAbsent(level, k -> new ArrayList<>()).add(tls);
                    }
                }
            }
        }

        void summary(Iterable<QuicConnectionEndedEvent> ended, Duration wait, Mode mode, String closeNotNeeded) {
            out.println("summary:");
            QuicConnectionEndedEvent own = null;
            for (QuicConnectionEndedEvent e : ended) {
                own = e;
            }
            if (closeSent) {
                out.println("  client sent:   Initial " + (clientClose != null ? clientClose
                        : Describe.closeOnWire(error, true)));
            } else if (closeNotNeeded != null) {
                out.println("  client sent no close: " + closeNotNeeded);
            } else if (sent.isEmpty()) {
                // the tap records what the socket took: the handler's SENT means only "written to the channel"
                out.println("  client sent nothing: the socket did not take its datagrams");
            } else {
                out.println("  client sent no close" + (own == null ? ""
                        : own.result() == QuicCloseResult.SENT ? ": the socket did not take it" : ": " + own.result()));
            }
            if (serverClose != null) {
                out.println("  server closed: " + levelName(serverCloseLevel) + " " + serverClose);
            } else {
                out.println("  server sent no CONNECTION_CLOSE within " + wait.toMillis() + " ms");
            }
            for (Map.Entry<String, int[]> e : otherServerPackets.entrySet()) {
                int[] v = e.getValue();
                String kind = e.getKey();
                StringBuilder line = new StringBuilder("  server ").append(kind).append(": ").append(v[0])
                        .append(v[0] == 1 ? " packet, " : " packets, ").append(v[1]).append(" bytes");
                List<String> tls = serverTls.get(kind);
                if (tls != null) {
                    line.append(": ").append(String.join(", ", tls));
                } else if (kind.equals("VERSION_NEGOTIATION")) {
                    line.append(versionNegotiationListsOwnVersion
                            ? ": it lists QUIC version " + (version == QuicVersion.V1 ? 1 : 2)
                                    + ", the client's own, so the client discarded it (RFC 9000 §6.2)"
                            : ": the server does not speak QUIC version " + (version == QuicVersion.V1 ? 1 : 2));
                } else if (kind.equals("RETRY")) {
                    // a Retry has no encrypted payload (RFC 9000 §17.2.5): the TLS handshake has nothing to do with it
                    if (retryScid != null) {
                        line.append(": a Retry (address validation); the client sent its Initial again with its token"
                                + " to ").append(retryScid.toHex()).append(", then closed");
                    } else if (mode == Mode.FOLLOW_RETRY) {
                        line.append(": a Retry (address validation) the client did not take (it takes one, with a"
                                + " valid integrity tag, before any other server packet: RFC 9000 §17.2.5.2)");
                    } else {
                        line.append(": a Retry (address validation); this client closed right after its first"
                                + " Initial, so it did not send it again with the token (--follow-retry does)");
                    }
                } else if (kind.equals("unparsed")) {
                    line.append(": not a QUIC packet this client can parse");
                } else if (!kind.equals("Initial")) {
                    line.append(", not decrypted (its keys come from the TLS handshake, which this client does not"
                            + " run)");
                }
                out.println(line);
            }
        }

        /**
         * Whether the Version Negotiation packet {@code p} of {@code datagram} lists {@code version} (RFC 9000
         * §17.2.1).
         */
        private static boolean listsVersion(byte[] datagram, InspectedPacket p, QuicVersion version) {
            int at = p.offset() + 7 + p.dcid().length() + p.scid().length();
            for (int end = p.offset() + p.length(); at + 4 <= end; at += 4) {
                int v = ((datagram[at] & 0xff) << 24) | ((datagram[at + 1] & 0xff) << 16)
                        | ((datagram[at + 2] & 0xff) << 8) | (datagram[at + 3] & 0xff);
                if (v == version.wireValue()) {
                    return true;
                }
            }
            return false;
        }

        static String levelName(EncryptionLevel level) {
            if (level == null) {
                return "?";
            }
            switch (level) {
                case INITIAL:
                    return "Initial";
                case HANDSHAKE:
                    return "Handshake";
                case ZERO_RTT:
                    return "0-RTT";
                default:
                    return "1-RTT";
            }
        }
    }
}
