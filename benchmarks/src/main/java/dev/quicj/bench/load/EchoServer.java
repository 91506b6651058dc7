package dev.quicj.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import dev.quicj.examples.RejectServer;
import io.netty.channel.socket.SocketProtocolFamily;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * A plain Netty UDP echo server, the I/O limit the reject server is compared with, on sockets made as the reject
 * server makes its own: one event loop (or several, each with its own {@code SO_REUSEPORT} socket on the same port),
 * an IPv4 socket for an IPv4 address (not a dual-stack IPv6 one), SO_RCVBUF {@link RejectServer#RECEIVE_BUFFER_SIZE}
 * and, unlike the reject server, whose 62-byte replies never fill the default, SO_SNDBUF
 * {@link LoadGenerator#SOCKET_BUFFER}, every
 * datagram sent back to its sender with the same content (the buffer is handed back, not copied), flushed when the
 * read batch completes. With a reply size ({@code replyBytes > 0}) it sends back only the datagram's first bytes, as
 * many as a refusal's close (the same buffer, cut short): the I/O limit for replies of that size.
 */
public final class EchoServer implements AutoCloseable {
    /** The transport, as for the reject server. */
    public enum Kind {
        /** epoll when its native library loads, else NIO. */
        AUTO,
        /** Java NIO. */
        NIO,
        /** Linux epoll (native). */
        EPOLL;

        /** AUTO resolved. */
        public Kind resolve() {
            return this == AUTO ? (Epoll.isAvailable() ? EPOLL : NIO) : this;
        }
    }

    private final EventLoopGroup group;
    private final List<Channel> channels = new ArrayList<>();
    private final LongAdder echoed = new LongAdder();
    private final Kind kind;
    // 0: the whole datagram
    private final int replyBytes;

    private EchoServer(InetSocketAddress bind, Kind kind, int loops, int replyBytes) throws InterruptedException {
        if (replyBytes < 0) {
            throw new IllegalArgumentException("replyBytes must be >= 0: " + replyBytes);
        }
        this.replyBytes = replyBytes;
        this.kind = kind.resolve();
        boolean epoll = this.kind == Kind.EPOLL;
        if (epoll) {
            Epoll.ensureAvailability();
        } else if (loops > 1) {
            throw new IllegalArgumentException("several event loops need epoll's SO_REUSEPORT");
        }
        group = new MultiThreadIoEventLoopGroup(loops, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try {
            for (int i = 0; i < loops; i++) {
                // as RejectServer.start: the same socket family and options, so only the handler differs
                SocketProtocolFamily family = bind.getAddress() instanceof Inet4Address ? SocketProtocolFamily.INET
                        : SocketProtocolFamily.INET6;
                Bootstrap b = new Bootstrap().group(group)
                        .channelFactory(() -> epoll ? new EpollDatagramChannel(family) : new NioDatagramChannel(family))
                        .option(ChannelOption.SO_RCVBUF, RejectServer.RECEIVE_BUFFER_SIZE)
                        // a 1200-byte echo fills the default send buffer (a 62-byte refusal does not): without this
                        // the echo, the limit the refusals are compared with, ran about 13 % slower here
                        .option(ChannelOption.SO_SNDBUF, LoadGenerator.SOCKET_BUFFER)
                        .handler(new Echo());
                if (loops > 1) {
                    b.option(EpollChannelOption.SO_REUSEPORT, true);
                }
                Channel channel = b.bind(bind).sync().channel();
                channels.add(channel);
                bind = (InetSocketAddress) channel.localAddress();
            }
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully();
            throw e;
        }
    }

    /** Starts an echo server on {@code bind} with one event loop. */
    public static EchoServer start(InetSocketAddress bind, Kind kind) throws InterruptedException {
        return new EchoServer(bind, kind, 1, 0);
    }

    /** Starts an echo server on {@code bind} with {@code loops} event loops sharing the port (epoll only). */
    public static EchoServer start(InetSocketAddress bind, Kind kind, int loops) throws InterruptedException {
        return new EchoServer(bind, kind, loops, 0);
    }

    /**
     * Starts an echo server on {@code bind} with {@code loops} event loops sharing the port (epoll only) that sends
     * back the first {@code replyBytes} bytes of each datagram (0: all of it).
     */
    public static EchoServer start(InetSocketAddress bind, Kind kind, int loops, int replyBytes)
            throws InterruptedException {
        return new EchoServer(bind, kind, loops, replyBytes);
    }

    /** The address it listens on. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channels.get(0).localAddress();
    }

    /** The transport in use. */
    public Kind kind() {
        return kind;
    }

    /** Datagrams echoed so far. */
    public long echoed() {
        return echoed.sum();
    }

    @Override
    public void close() throws InterruptedException {
        try {
            for (Channel channel : channels) {
                channel.close().sync();
            }
        } finally {
            group.shutdownGracefully().sync();
        }
    }

    // one per channel
    private final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket in = (DatagramPacket) msg;
            ByteBuf content = in.content();
            if (replyBytes > 0 && content.readableBytes() > replyBytes) {
                content.writerIndex(content.readerIndex() + replyBytes);
            }
            ctx.write(new DatagramPacket(content, in.sender()), ctx.voidPromise());
            echoed.increment();
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }
}
