package dev.quicj.examples;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.inspect.InspectedFrame;
import dev.quicj.core.inspect.InspectedPacket;
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

/**
 * A QUIC client that opens a connection and closes it at once, at Initial level: a Netty {@code NioDatagramChannel}
 * with a {@link QuicCloseHandler}. It builds a client {@link QuicConnection}, sends its first Initial (a real TLS 1.3
 * ClientHello with QUIC transport parameters, in CRYPTO frames, padded to 1200 bytes), hands the connection to the
 * handler and closes it with a {@link QuicCloseCommand}; the handler writes the Initial CONNECTION_CLOSE and runs the
 * closing period. A {@link DatagramTap} at the head of the pipeline records every datagram both ways; the client
 * prints them decoded (Initial keys from its original DCID) and reports any CONNECTION_CLOSE the server answered with.
 */
final class CloseClient {
    /** How long to wait for the server's datagrams by default. */
    static final Duration DEFAULT_WAIT = Duration.ofMillis(1000);
    /** How long to keep listening once the server's close arrived, for re-sent copies in flight. */
    private static final long AFTER_CLOSE_MILLIS = 100;
    private static final int DATAGRAM_BUFFER_SIZE = 1500;

    private CloseClient() {
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
     */
    record Result(InetSocketAddress local, InetSocketAddress server, QuicVersion version, ConnectionId originalDcid,
            ConnectionId scid, List<byte[]> sent, List<byte[]> received, boolean closeSent,
            InspectedFrame.ConnectionClose serverClose, EncryptionLevel serverCloseLevel) {
    }

    /**
     * Connects, closes with {@code error}, waits up to {@code wait} for the server's datagrams (less once its close
     * arrived) and prints the exchange to {@code out}.
     *
     * @throws Exception if the socket cannot be opened or the client's Initial cannot be sealed
     */
    static Result run(InetSocketAddress server, CloseError error, QuicVersion version, Duration wait,
            PrintStream out) throws Exception {
        Objects.requireNonNull(server, "server");
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
                channel.eventLoop().submit(() -> {
                    open(channel, handler, local, server, version, odcid, scid);
                    // both go out back to back: the close does not wait for an answer
                    channel.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(scid, error));
                    return null;
                }).sync();
                Printer printer = new Printer(out, odcid, error, version);
                long deadline = System.nanoTime() + wait.toNanos();
                while (true) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    DatagramTap.Captured c = tap.queue().poll(left, TimeUnit.NANOSECONDS);
                    if (c == null) {
                        break;
                    }
                    printer.print(c);
                    if (printer.serverClose != null) {
                        deadline = Math.min(deadline,
                                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(AFTER_CLOSE_MILLIS));
                    }
                }
                for (DatagramTap.Captured c = tap.queue().poll(); c != null; c = tap.queue().poll()) {
                    printer.print(c);
                }
                printer.summary(ended, wait);
                return new Result(local, server, version, odcid, scid, printer.sent, printer.received,
                        printer.closeSent, printer.serverClose, printer.serverCloseLevel);
            } finally {
                channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        } finally {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    /** On the event loop: builds the connection, writes its first Initial and hands it to the handler. */
    private static void open(Channel channel, QuicCloseHandler handler, InetSocketAddress local,
            InetSocketAddress server, QuicVersion version, ConnectionId odcid, ConnectionId scid)
            throws CryptoException {
        long now = channel.eventLoop().ticker().nanoTime();
        QuicConnection conn = QuicConnection.clientBuilder().version(version).originalDestinationConnectionId(odcid)
                .sourceConnectionId(scid).path(new NetworkPath(local, server)).build(now);
        // SNI carries host names only (RFC 6066 §3), never an address literal
        String host = server.getHostString();
        String serverName = host.equals(server.getAddress().getHostAddress()) ? null : host;
        conn.submitCryptoData(EncryptionLevel.INITIAL, ClientHellos.encode(scid, serverName, "h3", "hq-interop"));
        ByteBuf buf = channel.alloc().directBuffer(DATAGRAM_BUFFER_SIZE);
        boolean handedOff = false;
        try {
            ByteBuffer dest = buf.nioBuffer(buf.writerIndex(), buf.writableBytes());
            int length = conn.writePacket(null, null, dest, now);
            if (length == 0) {
                throw new IllegalStateException("the client's first Initial was not written");
            }
            buf.writerIndex(buf.writerIndex() + length);
            handler.addConnection(conn);
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
        private final ConnectionId odcid;
        private final CloseError error;
        private final QuicVersion version;
        final List<byte[]> sent = new ArrayList<>();
        final List<byte[]> received = new ArrayList<>();
        boolean closeSent;
        InspectedFrame.ConnectionClose serverClose;
        EncryptionLevel serverCloseLevel;
        // what the server sent besides closes, by level: packets and bytes
        private final Map<String, int[]> otherServerPackets = new LinkedHashMap<>();
        // the TLS messages in the server's CRYPTO frames, by level
        private final Map<String, List<String>> serverTls = new LinkedHashMap<>();

        Printer(PrintStream out, ConnectionId odcid, CloseError error, QuicVersion version) {
            this.out = out;
            this.version = version;
            this.odcid = odcid;
            this.error = error;
        }

        void print(DatagramTap.Captured c) {
            boolean isSent = c.direction() == DatagramTap.Direction.SENT;
            List<byte[]> list = isSent ? sent : received;
            boolean repeat = list.stream().anyMatch(b -> Arrays.equals(b, c.bytes()));
            list.add(c.bytes());
            String arrow = isSent ? ">>> client -> server" : "<<< server -> client";
            List<InspectedPacket> packets = Describe.inspect(c.bytes(), odcid);
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
                        : "the client's first Initial: a TLS ClientHello in CRYPTO frames, padded to 1200 bytes";
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
                    continue;
                }
                if (!closes.isEmpty()) {
                    if (serverClose == null) {
                        serverClose = closes.get(0);
                        serverCloseLevel = p.level();
                    }
                    continue;
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

        void summary(Iterable<QuicConnectionEndedEvent> ended, Duration wait) {
            out.println("summary:");
            QuicConnectionEndedEvent own = null;
            for (QuicConnectionEndedEvent e : ended) {
                own = e;
            }
            if (closeSent) {
                out.println("  client sent:   Initial " + Describe.closeOnWire(error, true));
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
                    line.append(": the server does not speak QUIC version ").append(version == QuicVersion.V1 ? 1 : 2);
                } else if (kind.equals("RETRY")) {
                    // a Retry has no encrypted payload (RFC 9000 §17.2.5): the TLS handshake has nothing to do with it
                    line.append(": a Retry (address validation); this client does not send its Initial again with the"
                            + " token");
                } else if (kind.equals("unparsed")) {
                    line.append(": not a QUIC packet this client can parse");
                } else if (!kind.equals("Initial")) {
                    line.append(", not decrypted (its keys come from the TLS handshake, which this client does not"
                            + " run)");
                }
                out.println(line);
            }
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
