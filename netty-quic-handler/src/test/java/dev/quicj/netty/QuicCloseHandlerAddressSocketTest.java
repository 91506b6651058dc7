package dev.quicj.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.wire.CloseType;
import dev.quicj.netty.QuicCloseHandlerTransportTest.Addresses;
import dev.quicj.netty.QuicCloseHandlerTransportTest.Tail;
import dev.quicj.netty.TestSupport.Sent;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramChannel;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Addresses over real sockets, on NIO and epoll (also with epoll's recvmmsg): the stateless reset lookup by the peer's
 * address on 127.0.0.1, ::1, the wildcards and a dual-stack socket whose IPv4 peer arrives as ::ffff:127.0.0.1; and a
 * connection whose path names a specific local address on a channel bound to a wildcard.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QuicCloseHandlerAddressSocketTest {
    private static final int BOUND_MILLIS = 5_000;

    // how long a datagram that should not come is waited for
    private static final int SILENCE_MILLIS = 500;

    static List<Arguments> cases() {
        List<Arguments> list = new ArrayList<>();
        for (SocketTransport t : SocketTransport.values()) {
            for (boolean mmsg : new boolean[] {false, true}) {
                if (mmsg && t != SocketTransport.EPOLL) {
                    continue;
                }
                for (Addresses a : Addresses.values()) {
                    list.add(Arguments.of(t, a, mmsg));
                }
            }
        }
        return list;
    }

    private EventLoopGroup group;
    private Channel channel;
    private final List<DatagramSocket> sockets = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        if (channel != null) {
            channel.close().sync();
        }
        for (DatagramSocket s : sockets) {
            s.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }

    private Channel bind(SocketTransport t, Addresses a, boolean mmsg, QuicCloseHandler handler, Tail tail)
            throws Exception {
        if (a != Addresses.IPV4 && a != Addresses.WILDCARD_IPV4) {
            QuicCloseHandlerTransportTest.assumeIpv6();
        }
        group = t.newGroup();
        Bootstrap b = new Bootstrap();
        if (mmsg) {
            b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, 1500)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(1500 * 16));
        }
        channel = b.group(group).channel(t.channelType()).handler(new ChannelInitializer<DatagramChannel>() {
            @Override
            protected void initChannel(DatagramChannel ch) {
                ch.pipeline().addLast(handler, tail);
            }
        }).bind(new InetSocketAddress(a.bind, 0)).sync().channel();
        return channel;
    }

    private DatagramSocket peer(String address) throws Exception {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(address, 0));
        s.setSoTimeout(BOUND_MILLIS);
        sockets.add(s);
        return s;
    }

    private static byte[] reset(byte[] token, int length) {
        byte[] reset = new byte[length];
        Arrays.fill(reset, (byte) 0x3c);
        reset[0] = 0x41;
        System.arraycopy(token, 0, reset, length - token.length, token.length);
        return reset;
    }

    private static DatagramPacket receive(DatagramSocket s) throws Exception {
        DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
        s.receive(in);
        return in;
    }

    /** RFC 9000 §10.3.1: a reset is compared with the tokens of the connections of the address it came from. */
    @ParameterizedTest(name = "{0} {1} recvmmsg={2}")
    @MethodSource("cases")
    void aStatelessResetFromThePeerAddressDrainsTheConnection(SocketTransport t, Addresses a, boolean mmsg)
            throws Exception {
        QuicCloseHandler handler = new QuicCloseHandler();
        Tail tail = new Tail();
        bind(t, a, mmsg, handler, tail);
        DatagramSocket peer = peer(a.peer);
        InetSocketAddress local = (InetSocketAddress) channel.localAddress();
        InetSocketAddress remote = new InetSocketAddress(InetAddress.getByName(a.peer), peer.getLocalPort());
        byte[] token = new byte[16];
        Arrays.fill(token, (byte) 0x7e);
        ConnectionId scid = ConnectionId.fromHex("e1e2e3e4e5e6e7e8");
        TestSupport.addClientOnLoop(channel, handler, ConnectionId.fromHex("0f1e2d3c4b5a6978"), scid,
                new NetworkPath(local, remote), token);
        InetSocketAddress to = new InetSocketAddress(InetAddress.getByName(a.peer), local.getPort());
        byte[] r = reset(token, 40);
        peer.send(new DatagramPacket(r, r.length, to));
        QuicConnectionEndedEvent ended = tail.next(QuicConnectionEndedEvent.class);
        assertEquals(QuicCloseInitiator.STATELESS_RESET, ended.initiator());
        assertTrue(tail.exceptions.isEmpty(), () -> "exceptions: " + tail.exceptions);
    }

    /**
     * A client path naming 127.0.0.1 / ::1 as its local address on a channel bound to 0.0.0.0 or :: (against
     * addConnection's rule): the close carries that sender, which NIO and epoll do not use as the source (the kernel
     * picks it; nothing fails), and arrives from the port the peer knows. The peer's datagrams then arrive with the
     * channel's wildcard address as recipient, another path than the close's: routed by DCID to the closing
     * connection, consumed, but not answered. On a channel bound to the specific address they are answered.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dev.quicj.netty.QuicCloseHandlerTransportTest#transportsAndAddresses")
    void aPathNamingASpecificLocalAddressOnAWildcardChannelGetsItsCloseButNoReSends(SocketTransport t, Addresses a)
            throws Exception {
        QuicCloseHandler handler = new QuicCloseHandler();
        Tail tail = new Tail();
        bind(t, a, false, handler, tail);
        DatagramSocket peer = peer(a.peer);
        InetSocketAddress bound = (InetSocketAddress) channel.localAddress();
        InetSocketAddress local = new InetSocketAddress(InetAddress.getByName(a.peer), bound.getPort());
        InetSocketAddress remote = new InetSocketAddress(InetAddress.getByName(a.peer), peer.getLocalPort());
        ConnectionId odcid = ConnectionId.fromHex("0f1e2d3c4b5a6978");
        ConnectionId scid = ConnectionId.fromHex("e1e2e3e4e5e6e7e8");
        TestSupport.addClientOnLoop(channel, handler, odcid, scid, new NetworkPath(local, remote), null);
        channel.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(scid,
                CloseError.transport(TransportErrorCode.NO_ERROR)));
        DatagramPacket first = receive(peer);
        assertEquals(local, first.getSocketAddress());
        byte[] close = Arrays.copyOf(first.getData(), first.getLength());
        TestSupport.assertClose(new Sent(null, null, null, close).initialClose(odcid), CloseType.TRANSPORT,
                TransportErrorCode.NO_ERROR, 0, "");

        byte[] fromServer = TestSupport.shortHeader(scid, 1200);
        peer.send(new DatagramPacket(fromServer, fromServer.length, local));
        boolean wildcard = bound.getAddress().isAnyLocalAddress();
        if (wildcard) {
            peer.setSoTimeout(SILENCE_MILLIS);
            assertThrows(SocketTimeoutException.class, () -> receive(peer),
                    "answered from a path the close was not written for");
        } else {
            DatagramPacket again = receive(peer);
            assertEquals(local, again.getSocketAddress());
            assertArrayEquals(close, Arrays.copyOf(again.getData(), again.getLength()));
        }
        assertNull(tail.reads.poll(), "the closing connection's datagram was passed on");
        assertTrue(tail.exceptions.isEmpty(), () -> "exceptions: " + tail.exceptions);
    }

    static List<Arguments> wildcards() {
        List<Arguments> list = new ArrayList<>();
        for (Addresses a : Addresses.values()) {
            if (a != Addresses.IPV4 && a != Addresses.IPV6) {
                list.add(Arguments.of(a));
            }
        }
        return list;
    }

    /**
     * epoll's IP_RECVORIGDSTADDR makes a datagram's recipient the address it was sent to (127.0.0.1 on a channel bound
     * to 0.0.0.0 or ::), where NIO and plain epoll give the channel's wildcard address. A client whose path names the
     * channel's local address, as addConnection asks, is still found on its path: the peer's stateless reset drains
     * it, and its closing period answers the peer.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("wildcards")
    void withIpRecvOrigDstAddrAPathNamingTheWildcardIsStillThePeersPath(Addresses a) throws Exception {
        if (a != Addresses.WILDCARD_IPV4) {
            QuicCloseHandlerTransportTest.assumeIpv6();
        }
        group = SocketTransport.EPOLL.newGroup();
        QuicCloseHandler handler = new QuicCloseHandler();
        Tail tail = new Tail();
        channel = new Bootstrap().group(group).channel(SocketTransport.EPOLL.channelType())
                .option(EpollChannelOption.IP_RECVORIGDSTADDR, true)
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.pipeline().addLast(handler, tail);
                    }
                }).bind(new InetSocketAddress(a.bind, 0)).sync().channel();
        DatagramSocket peer = peer(a.peer);
        InetSocketAddress local = (InetSocketAddress) channel.localAddress();
        InetSocketAddress remote = new InetSocketAddress(InetAddress.getByName(a.peer), peer.getLocalPort());
        InetSocketAddress to = new InetSocketAddress(InetAddress.getByName(a.peer), local.getPort());
        byte[] token = new byte[16];
        Arrays.fill(token, (byte) 0x7e);
        ConnectionId reset = ConnectionId.fromHex("d1d2d3d4d5d6d7d8");
        ConnectionId odcid = ConnectionId.fromHex("0f1e2d3c4b5a6978");
        ConnectionId scid = ConnectionId.fromHex("e1e2e3e4e5e6e7e8");
        TestSupport.addClientOnLoop(channel, handler, ConnectionId.fromHex("1f1e2d3c4b5a6978"), reset,
                new NetworkPath(local, remote), token);
        TestSupport.addClientOnLoop(channel, handler, odcid, scid, new NetworkPath(local, remote), null);

        byte[] r = reset(token, 40);
        peer.send(new DatagramPacket(r, r.length, to));
        QuicConnectionEndedEvent drained = tail.next(QuicConnectionEndedEvent.class);
        assertEquals(reset, drained.connectionId());
        assertEquals(QuicCloseInitiator.STATELESS_RESET, drained.initiator());

        channel.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(scid,
                CloseError.transport(TransportErrorCode.NO_ERROR)));
        byte[] close = Arrays.copyOf(receive(peer).getData(), 2048);
        byte[] fromServer = TestSupport.shortHeader(scid, 1200);
        peer.send(new DatagramPacket(fromServer, fromServer.length, to));
        DatagramPacket again = receive(peer);
        assertEquals(to, again.getSocketAddress());
        assertArrayEquals(close, Arrays.copyOf(again.getData(), 2048), "the closing period's re-send");
        assertNull(tail.reads.poll(), "a datagram of the peer was passed on");
        assertTrue(tail.exceptions.isEmpty(), () -> "exceptions: " + tail.exceptions);
    }
}
