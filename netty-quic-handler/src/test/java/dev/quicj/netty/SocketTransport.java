package dev.quicj.netty;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;

/**
 * The transports the socket tests run the handler on; neither needs anything of the other on the classpath. Epoll runs
 * where Netty's native library loads; elsewhere its tests are skipped.
 */
enum SocketTransport {
    NIO,
    EPOLL;

    /** A group of one event loop of this transport; skips the calling test (an assumption) if epoll cannot load. */
    EventLoopGroup newGroup() {
        if (this == EPOLL) {
            assumeTrue(Epoll.isAvailable(), () -> "native epoll transport: " + Epoll.unavailabilityCause());
            return new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        }
        return new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    /** The datagram channel class of this transport. */
    Class<? extends DatagramChannel> channelType() {
        return this == EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }
}
