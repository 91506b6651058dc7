package dev.quicj.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.wire.CloseType;
import dev.quicj.netty.TestSupport.Client;
import dev.quicj.netty.TestSupport.Sent;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipelineException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The handler on real NIO and epoll datagram channels over loopback: the addresses closes are sent from and to
 * (IPv4, IPv6, a wildcard bind, a dual-stack socket receiving IPv4 traffic, a connected channel), inbound messages in
 * the shapes the transports deliver them, write failures, and the handler's multiplicity.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QuicCloseHandlerTransportTest {
    // a bound on waiting for a datagram or an event on loopback, not a timing assertion
    private static final int BOUND_MILLIS = 20_000;
    private static final int RCVBUF = 4 << 20;
    private static final CloseError REFUSED = CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, 0, "go");

    /** Where the channel is bound and where the peer is. */
    enum Addresses {
        IPV4("127.0.0.1", "127.0.0.1"),
        IPV6("::1", "::1"),
        WILDCARD_IPV4("0.0.0.0", "127.0.0.1"),
        WILDCARD_IPV6("::", "::1"),
        DUAL_STACK_IPV4_PEER("::", "127.0.0.1");

        final String bind;
        final String peer;

        Addresses(String bind, String peer) {
            this.bind = bind;
            this.peer = peer;
        }
    }

    static List<Arguments> transportsAndAddresses() {
        List<Arguments> list = new ArrayList<>();
        for (SocketTransport t : SocketTransport.values()) {
            for (Addresses a : Addresses.values()) {
                list.add(Arguments.of(t, a));
            }
        }
        return list;
    }

    private EventLoopGroup group;
    private Class<? extends DatagramChannel> channelType;
    private final List<DatagramSocket> sockets = new ArrayList<>();
    private final List<Channel> channels = new ArrayList<>();

    private void start(SocketTransport transport) {
        group = transport.newGroup();
        channelType = transport.channelType();
    }

    /** {@link #start(SocketTransport)}, after skipping the test if {@code addresses} need an IPv6 loopback there is not. */
    private void start(SocketTransport transport, Addresses addresses) throws Exception {
        if (addresses != Addresses.IPV4 && addresses != Addresses.WILDCARD_IPV4) {
            assumeIpv6();
        }
        start(transport);
    }

    /** Skips the calling test (an assumption) on a host without an IPv6 loopback address. */
    static void assumeIpv6() throws Exception {
        boolean v6 = false;
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                v6 |= a.isLoopbackAddress() && !(a instanceof Inet4Address);
            }
        }
        assumeTrue(v6, "no IPv6 loopback");
    }

    private DatagramSocket peer(String address) throws Exception {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress(address, 0));
        s.setReceiveBufferSize(RCVBUF);
        s.setSoTimeout(BOUND_MILLIS);
        sockets.add(s);
        return s;
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Channel c : channels) {
            c.close().sync();
        }
        for (DatagramSocket s : sockets) {
            s.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }

    private Channel bind(String address, ChannelHandler... handlers) throws Exception {
        return bind(new Bootstrap(), address, handlers);
    }

    private Channel bind(Bootstrap b, String address, ChannelHandler... handlers) throws Exception {
        Channel ch = b.group(group).channel(channelType).option(ChannelOption.SO_RCVBUF, RCVBUF)
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.pipeline().addLast(handlers);
                    }
                }).bind(new InetSocketAddress(address, 0)).sync().channel();
        channels.add(ch);
        return ch;
    }

    /** The next datagram the socket receives, with the address it came from. */
    private static DatagramPacket receive(DatagramSocket s) throws Exception {
        DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
        s.receive(in);
        return in;
    }

    private static byte[] bytes(DatagramPacket p) {
        return Arrays.copyOf(p.getData(), p.getLength());
    }

    /** Records what reaches the end of the pipeline; inbound messages are kept for the test to release. */
    static final class Tail extends ChannelInboundHandlerAdapter {
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        final BlockingQueue<Throwable> exceptions = new LinkedBlockingQueue<>();
        final BlockingQueue<Object> reads = new LinkedBlockingQueue<>();

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            events.add(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            exceptions.add(cause);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            reads.add(msg);
        }

        <T> T next(Class<T> type) throws InterruptedException {
            while (true) {
                Object e = events.poll(BOUND_MILLIS, TimeUnit.MILLISECONDS);
                assertNotNull(e, "no " + type.getSimpleName());
                if (type.isInstance(e)) {
                    return type.cast(e);
                }
            }
        }

        void releaseReads() {
            for (Object o; (o = reads.poll()) != null; ) {
                ReferenceCountUtil.release(o);
            }
        }
    }

    /** A client's first Initial towards {@code server}, from {@code peer}. */
    private static Client client(DatagramSocket peer, InetSocketAddress server, ConnectionId odcid) throws Exception {
        NetworkPath clientPath = new NetworkPath((InetSocketAddress) peer.getLocalSocketAddress(), server);
        return new Client(odcid, ConnectionId.fromHex("c1c2c3c4c5c6c7c8"), clientPath, System.nanoTime());
    }

    private static InetSocketAddress target(Channel ch, String peerAddress) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(peerAddress),
                ((InetSocketAddress) ch.localAddress()).getPort());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transportsAndAddresses")
    void aRefusalAndItsResendsGoBackToTheSenderFromTheAddressItWasSentTo(SocketTransport transport, Addresses addresses)
            throws Exception {
        start(transport, addresses);
        Tail tail = new Tail();
        Channel server = bind(addresses.bind, new QuicCloseHandler(
                QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.reject(REFUSED)).build()), tail);
        DatagramSocket peer = peer(addresses.peer);
        InetSocketAddress to = target(server, addresses.peer);
        ConnectionId odcid = ConnectionId.fromHex("00aa11bb22cc33dd");
        Client client = client(peer, to, odcid);

        peer.send(new DatagramPacket(client.firstInitial, client.firstInitial.length, to));
        DatagramPacket first = receive(peer);
        // the close comes from the address and port the Initial went to
        assertEquals(to, first.getSocketAddress());
        byte[] close = bytes(first);
        TestSupport.assertClose(new Sent(null, null, null, close).initialClose(odcid), CloseType.TRANSPORT,
                TransportErrorCode.CONNECTION_REFUSED, 0, "go");
        QuicConnectionEndedEvent ended = tail.next(QuicConnectionEndedEvent.class);
        assertEquals(QuicCloseResult.SENT, ended.result());
        assertEquals(peer.getLocalPort(), ended.remoteAddress().getPort());
        assertEquals(InetAddress.getByName(addresses.peer), ended.remoteAddress().getAddress(),
                "the peer's address as the application knows it: " + ended.remoteAddress());

        // the closing period answers the client's retransmissions (1st and 2nd datagram) with the same bytes, to the
        // same address, from the same address
        for (int i = 0; i < 2; i++) {
            peer.send(new DatagramPacket(client.firstInitial, client.firstInitial.length, to));
            DatagramPacket again = receive(peer);
            assertEquals(to, again.getSocketAddress());
            assertArrayEquals(close, bytes(again), "resend " + i);
        }
        assertTrue(tail.exceptions.isEmpty(), () -> "exceptions: " + tail.exceptions);
    }

    /**
     * A client connection the application built with the addresses it knows (the channel's local address, the peer's
     * address as it resolved it) is closed by a close command; the peer's datagrams in the closing period are answered
     * with the cached close.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("transportsAndAddresses")
    void aClientClosedByCommandAnswersThePeerInItsClosingPeriod(SocketTransport transport, Addresses addresses)
            throws Exception {
        start(transport, addresses);
        Tail tail = new Tail();
        QuicCloseHandler handler = new QuicCloseHandler();
        Channel channel = bind(addresses.bind, handler, tail);
        DatagramSocket peer = peer(addresses.peer);
        InetSocketAddress remote = new InetSocketAddress(InetAddress.getByName(addresses.peer), peer.getLocalPort());
        ConnectionId odcid = ConnectionId.fromHex("0f1e2d3c4b5a6978");
        ConnectionId scid = ConnectionId.fromHex("e1e2e3e4e5e6e7e8");
        addClient(channel, handler, remote, odcid, scid);

        channel.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(scid, REFUSED));
        DatagramPacket first = receive(peer);
        InetSocketAddress channelAddress = target(channel, addresses.peer);
        assertEquals(channelAddress, first.getSocketAddress());
        byte[] close = bytes(first);
        TestSupport.assertClose(new Sent(null, null, null, close).initialClose(odcid), CloseType.TRANSPORT,
                TransportErrorCode.CONNECTION_REFUSED, 0, "go");

        // the server's short-header datagrams for the client's connection ID, in its closing period
        byte[] fromServer = TestSupport.shortHeader(scid, 1200);
        peer.send(new DatagramPacket(fromServer, fromServer.length, channelAddress));
        DatagramPacket again = receive(peer);
        assertEquals(channelAddress, again.getSocketAddress());
        assertArrayEquals(close, bytes(again));
        assertTrue(tail.exceptions.isEmpty(), () -> "exceptions: " + tail.exceptions);
    }

    /** Adds a client connection with {@code scid} on the path (channel's local address, {@code remote}). */
    private static void addClient(Channel channel, QuicCloseHandler handler, InetSocketAddress remote,
            ConnectionId odcid, ConnectionId scid) throws Exception {
        TestSupport.addClientOnLoop(channel, handler, odcid, scid,
                new NetworkPath((InetSocketAddress) channel.localAddress(), remote), null);
    }

    @ParameterizedTest
    @EnumSource(SocketTransport.class)
    void aConnectedChannelSendsTheCloseAndAnswersThePeerInTheClosingPeriod(SocketTransport transport) throws Exception {
        start(transport);
        Tail tail = new Tail();
        QuicCloseHandler handler = new QuicCloseHandler();
        DatagramSocket peer = peer("127.0.0.1");
        InetSocketAddress remote = (InetSocketAddress) peer.getLocalSocketAddress();
        Channel channel = bind("127.0.0.1", handler, tail);
        channel.connect(remote).sync();
        ConnectionId odcid = ConnectionId.fromHex("0f1e2d3c4b5a6978");
        ConnectionId scid = ConnectionId.fromHex("e1e2e3e4e5e6e7e8");
        addClient(channel, handler, remote, odcid, scid);

        channel.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(scid, REFUSED));
        DatagramPacket first = receive(peer);
        assertEquals(channel.localAddress(), first.getSocketAddress());
        byte[] close = bytes(first);
        TestSupport.assertClose(new Sent(null, null, null, close).initialClose(odcid), CloseType.TRANSPORT,
                TransportErrorCode.CONNECTION_REFUSED, 0, "go");
        byte[] fromServer = TestSupport.shortHeader(scid, 1200);
        peer.send(new DatagramPacket(fromServer, fromServer.length, channel.localAddress()));
        assertArrayEquals(close, bytes(receive(peer)));

        // the application's own bytes on the connected channel (a ByteBuf, no address) pass the handler
        channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 2, 3})).sync();
        assertArrayEquals(new byte[] {1, 2, 3}, bytes(receive(peer)));
        channel.close().sync();
        assertTrue(tail.exceptions.isEmpty(), () -> "exceptions: " + tail.exceptions);
    }

    /**
     * A connection whose peer is not the address the channel is connected to: NIO refuses its close
     * (AlreadyConnectedException), reported as a QuicConnectionException naming it after its ended event; epoll sends
     * it there (Linux lets sendto override the connected address), and the connected peer gets nothing.
     */
    @ParameterizedTest
    @EnumSource(SocketTransport.class)
    void aConnectedChannelAndAConnectionToAnotherPeer(SocketTransport transport) throws Exception {
        start(transport);
        Tail tail = new Tail();
        QuicCloseHandler handler = new QuicCloseHandler();
        DatagramSocket connected = peer("127.0.0.1");
        DatagramSocket other = peer("127.0.0.1");
        Channel channel = bind("127.0.0.1", handler, tail);
        channel.connect(connected.getLocalSocketAddress()).sync();
        ConnectionId odcid = ConnectionId.fromHex("0f1e2d3c4b5a6978");
        ConnectionId scid = ConnectionId.fromHex("e1e2e3e4e5e6e7e8");
        addClient(channel, handler, (InetSocketAddress) other.getLocalSocketAddress(), odcid, scid);

        channel.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(scid, REFUSED));
        assertEquals(QuicCloseResult.SENT, tail.next(QuicConnectionEndedEvent.class).result());
        if (transport == SocketTransport.NIO) {
            Throwable failure = tail.exceptions.poll(BOUND_MILLIS, TimeUnit.MILLISECONDS);
            assertTrue(failure instanceof QuicConnectionException, () -> "not a QuicConnectionException: " + failure);
            assertEquals(scid, ((QuicConnectionException) failure).connectionId());
            assertTrue(failure.getCause() instanceof java.nio.channels.AlreadyConnectedException,
                    () -> "cause: " + failure.getCause());
        } else {
            TestSupport.assertClose(new Sent(null, null, null, bytes(receive(other))).initialClose(odcid),
                    CloseType.TRANSPORT, TransportErrorCode.CONNECTION_REFUSED, 0, "go");
            assertTrue(tail.exceptions.isEmpty(), () -> "exceptions: " + tail.exceptions);
        }
        connected.setSoTimeout(500);
        assertThrows(java.net.SocketTimeoutException.class, () -> receive(connected));
    }

    /**
     * A connected channel whose peer port is closed: the ICMP port unreachable comes back as a
     * PortUnreachableException; the handler closes the connection (INTERNAL_ERROR) and passes the exception on, and
     * a later channel close still completes, with nothing leaked whether the close datagrams were written or failed.
     */
    @ParameterizedTest
    @EnumSource(SocketTransport.class)
    void aConnectedChannelToAClosedPortClosesItsConnectionsAndStillCloses(SocketTransport transport) throws Exception {
        start(transport);
        Tail tail = new Tail();
        QuicCloseHandler handler = new QuicCloseHandler();
        DatagramSocket gone = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        InetSocketAddress remote = (InetSocketAddress) gone.getLocalSocketAddress();
        gone.close();
        Channel channel = bind("127.0.0.1", handler, tail);
        channel.connect(remote).sync();
        ConnectionId scid = ConnectionId.fromHex("e1e2e3e4e5e6e7e8");
        addClient(channel, handler, remote, ConnectionId.fromHex("0f1e2d3c4b5a6978"), scid);

        // something the application sends draws the ICMP error
        channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        Throwable unreachable;
        do {
            unreachable = tail.exceptions.poll(BOUND_MILLIS, TimeUnit.MILLISECONDS);
            assertNotNull(unreachable, "no PortUnreachableException");
        } while (!(unreachable instanceof java.net.PortUnreachableException));
        QuicConnectionEndedEvent ended = tail.next(QuicConnectionEndedEvent.class);
        assertEquals(scid, ended.connectionId());
        assertEquals(CloseError.transport(TransportErrorCode.INTERNAL_ERROR), ended.error());
        channel.close().sync();
        assertFalse(channel.isOpen());
    }

    /** A close that cannot be sent (an IPv6 destination on an IPv4 socket) fails its write; the channel close completes. */
    @ParameterizedTest
    @EnumSource(SocketTransport.class)
    void aCloseWhoseWriteFailsIsReportedAndTheChannelStillCloses(SocketTransport transport) throws Exception {
        start(transport);
        Tail tail = new Tail();
        QuicCloseHandler handler = new QuicCloseHandler();
        Channel channel = bind(new Bootstrap(), "127.0.0.1", handler, tail);
        ConnectionId scid = ConnectionId.fromHex("e1e2e3e4e5e6e7e8");
        addClient(channel, handler, new InetSocketAddress("::1", 4433), ConnectionId.fromHex("0f1e2d3c4b5a6978"),
                scid);
        ConnectionId other = ConnectionId.fromHex("d1d2d3d4d5d6d7d8");
        DatagramSocket peer = peer("127.0.0.1");
        addClient(channel, handler, (InetSocketAddress) peer.getLocalSocketAddress(),
                ConnectionId.fromHex("1f1e2d3c4b5a6978"), other);

        channel.close().sync();
        assertFalse(channel.isOpen());
        // the other connection's close went out
        TestSupport.assertClose(new Sent(null, null, null, bytes(receive(peer)))
                .initialClose(ConnectionId.fromHex("1f1e2d3c4b5a6978")), CloseType.TRANSPORT,
                TransportErrorCode.NO_ERROR, 0, "");
        Throwable failure = tail.exceptions.poll(BOUND_MILLIS, TimeUnit.MILLISECONDS);
        assertTrue(failure instanceof QuicConnectionException, () -> "not a QuicConnectionException: " + failure);
        assertEquals(scid, ((QuicConnectionException) failure).connectionId());
        assertNotNull(failure.getCause());
    }

    /** Messages that are not datagrams, and datagrams for no connection, in every buffer shape, pass on untouched. */
    @ParameterizedTest
    @EnumSource(SocketTransport.class)
    void inboundMessagesTheHandlerDoesNotOwnPassOnUntouchedAndOwnedOnesAreReleased(SocketTransport transport)
            throws Exception {
        start(transport);
        Tail tail = new Tail();
        Channel server = bind("127.0.0.1", new QuicCloseHandler(
                QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.reject(REFUSED)).build()), tail);
        DatagramSocket peer = peer("127.0.0.1");
        InetSocketAddress to = (InetSocketAddress) server.localAddress();
        InetSocketAddress from = (InetSocketAddress) peer.getLocalSocketAddress();
        ConnectionId odcid = ConnectionId.fromHex("00aa11bb22cc33dd");
        Client client = client(peer, to, odcid);
        io.netty.buffer.ByteBufAllocator alloc = server.alloc();

        List<ByteBuf> shapes = new ArrayList<>();
        for (int kind = 0; kind < 4; kind++) {
            byte[] content = client.firstInitial;
            ByteBuf b;
            switch (kind) {
                case 0:
                    b = alloc.heapBuffer().writeZero(7).writeBytes(content).skipBytes(7);
                    break;
                case 1:
                    b = alloc.directBuffer().writeZero(3).writeBytes(content).skipBytes(3);
                    break;
                case 2: {
                    io.netty.buffer.CompositeByteBuf c = alloc.compositeBuffer();
                    c.addComponent(true, alloc.directBuffer().writeBytes(content, 0, 100));
                    c.addComponent(true, alloc.heapBuffer().writeBytes(content, 100, content.length - 100));
                    b = c;
                    break;
                }
                default: {
                    // a slice sharing its parent, as epoll's recvmmsg delivers them
                    ByteBuf parent = alloc.directBuffer().writeZero(11).writeBytes(content).writeZero(5);
                    b = parent.retainedSlice(11, content.length);
                    parent.release();
                    break;
                }
            }
            shapes.add(b);
        }
        List<ByteBuf> junk = new ArrayList<>();
        List<Object> passed = new ArrayList<>();
        server.eventLoop().submit(() -> {
            for (ByteBuf b : shapes) {
                server.pipeline().fireChannelRead(new io.netty.channel.socket.DatagramPacket(b, to, from));
                // a datagram for no connection (not an acceptable Initial): passed on as it is
                ByteBuf j = alloc.directBuffer().writeZero(9).writeBytes(TestSupport.shortHeader(
                        ConnectionId.fromHex("0102030405060708"), 50)).skipBytes(9);
                junk.add(j);
                server.pipeline().fireChannelRead(new io.netty.channel.socket.DatagramPacket(j, to, from));
            }
            ByteBuf plain = alloc.directBuffer().writeLong(42);
            passed.add(plain);
            server.pipeline().fireChannelRead(plain);
            Object other = "not a buffer";
            passed.add(other);
            server.pipeline().fireChannelRead(other);
            server.pipeline().fireChannelReadComplete();
            return null;
        }).get(BOUND_MILLIS, TimeUnit.MILLISECONDS);

        for (ByteBuf b : shapes) {
            assertEquals(0, b.refCnt(), "an owned datagram is released once");
        }
        // the refusal is answered once per datagram shape: the first as a close, the rest as closing-period resends
        byte[] close = bytes(receive(peer));
        TestSupport.assertClose(new Sent(null, null, null, close).initialClose(odcid), CloseType.TRANSPORT,
                TransportErrorCode.CONNECTION_REFUSED, 0, "go");
        for (int i = 1; i < 3; i++) {
            // 2nd and 3rd datagram here are the closing period's 1st and 2nd: answered; the 4th (3rd) is not
            assertArrayEquals(close, bytes(receive(peer)));
        }
        List<Object> reads = new ArrayList<>();
        tail.reads.drainTo(reads);
        try {
            assertEquals(junk.size() + passed.size(), reads.size(), () -> "reads: " + reads);
            for (int i = 0; i < junk.size(); i++) {
                io.netty.channel.socket.DatagramPacket p = (io.netty.channel.socket.DatagramPacket) reads.get(i);
                assertTrue(p.content() == junk.get(i), "the same buffer");
                assertEquals(1, p.refCnt());
                assertEquals(9, p.content().readerIndex());
            }
            assertTrue(reads.get(junk.size()) == passed.get(0));
            assertEquals(1, ((ByteBuf) passed.get(0)).refCnt());
            assertTrue(reads.get(junk.size() + 1) == passed.get(1));
        } finally {
            for (Object o : reads) {
                ReferenceCountUtil.release(o);
            }
        }
    }

    /**
     * epoll with MAX_DATAGRAM_PAYLOAD_SIZE reads several datagrams per recvmmsg call, as retained slices of one buffer:
     * the ones the handler consumes are released, the others reach the next handler intact.
     */
    @org.junit.jupiter.api.Test
    void epollRecvmmsgSlicesAreConsumedOrPassedOnWithoutLeaks() throws Exception {
        start(SocketTransport.EPOLL);
        Tail tail = new Tail();
        Bootstrap b = new Bootstrap().option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, 1500)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(1500 * 16));
        Channel server = bind(b, "127.0.0.1", new QuicCloseHandler(
                QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.reject(REFUSED)).build()), tail);
        DatagramSocket peer = peer("127.0.0.1");
        InetSocketAddress to = (InetSocketAddress) server.localAddress();
        int n = 12;
        List<ConnectionId> odcids = new ArrayList<>();
        // a burst: the Initials of n clients, each followed by a datagram for no connection
        for (int i = 0; i < n; i++) {
            ConnectionId odcid = ConnectionId.fromHex(String.format("00aa11bb22cc%04x", i));
            odcids.add(odcid);
            Client c = client(peer, to, odcid);
            peer.send(new DatagramPacket(c.firstInitial, c.firstInitial.length, to));
            byte[] junk = TestSupport.shortHeader(ConnectionId.fromHex(String.format("0102030405%06x", i)), 40);
            peer.send(new DatagramPacket(junk, junk.length, to));
        }
        for (int i = 0; i < n; i++) {
            TestSupport.assertClose(new Sent(null, null, null, bytes(receive(peer))).initialClose(odcids.get(i)),
                    CloseType.TRANSPORT, TransportErrorCode.CONNECTION_REFUSED, 0, "go");
        }
        for (int i = 0; i < n; i++) {
            Object o = tail.reads.poll(BOUND_MILLIS, TimeUnit.MILLISECONDS);
            assertNotNull(o, "junk datagram " + i);
            try {
                io.netty.channel.socket.DatagramPacket p = (io.netty.channel.socket.DatagramPacket) o;
                assertEquals(40, p.content().readableBytes());
                assertEquals(1, p.content().getByte(p.content().readerIndex() + 1));
            } finally {
                ReferenceCountUtil.release(o);
            }
        }
    }

    /**
     * UDP GRO on epoll: three client Initials sent with GSO (one SegmentedDatagramPacket) reach a channel with UDP_GRO
     * and a 64 KiB receive buffer as one coalesced read, which epoll splits into one DatagramPacket per segment before
     * the pipeline: each Initial is refused on its own.
     */
    @org.junit.jupiter.api.Test
    void epollUdpGroReadsReachTheHandlerAsSeparateDatagrams() throws Exception {
        start(SocketTransport.EPOLL);
        assumeTrue(io.netty.channel.epoll.EpollDatagramChannel.isSegmentedDatagramPacketSupported(), "no UDP GSO");
        Tail tail = new Tail();
        Bootstrap b = new Bootstrap().option(EpollChannelOption.UDP_GRO, true)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(65536));
        Channel server = bind(b, "127.0.0.1", new QuicCloseHandler(
                QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.reject(REFUSED)).build()), tail);
        Tail senderTail = new Tail();
        Channel sender = bind("127.0.0.1", senderTail);
        InetSocketAddress to = (InetSocketAddress) server.localAddress();
        List<ConnectionId> odcids = new ArrayList<>();
        ByteBuf burst = sender.alloc().directBuffer();
        for (int i = 0; i < 3; i++) {
            ConnectionId odcid = ConnectionId.fromHex(String.format("00aa11bb22cc%04x", i));
            odcids.add(odcid);
            Client c = new Client(odcid, ConnectionId.fromHex("c1c2c3c4c5c6c7c8"),
                    new NetworkPath((InetSocketAddress) sender.localAddress(), to), System.nanoTime());
            burst.writeBytes(c.firstInitial);
        }
        sender.writeAndFlush(new io.netty.channel.unix.SegmentedDatagramPacket(burst,
                QuicConnection.MIN_INITIAL_DATAGRAM_SIZE, to)).sync();
        for (int i = 0; i < 3; i++) {
            QuicConnectionEndedEvent ended = tail.next(QuicConnectionEndedEvent.class);
            assertEquals(QuicCloseResult.SENT, ended.result());
            Object o = senderTail.reads.poll(BOUND_MILLIS, TimeUnit.MILLISECONDS);
            assertNotNull(o, "refusal " + i);
            try {
                ByteBuf content = ((io.netty.channel.socket.DatagramPacket) o).content();
                byte[] close = new byte[content.readableBytes()];
                content.getBytes(content.readerIndex(), close);
                TestSupport.assertClose(new Sent(null, null, null, close).initialClose(odcids.get(i)),
                        CloseType.TRANSPORT, TransportErrorCode.CONNECTION_REFUSED, 0, "go");
            } finally {
                ReferenceCountUtil.release(o);
            }
        }
        assertTrue(tail.reads.isEmpty(), () -> "passed on: " + tail.reads);
        assertTrue(tail.exceptions.isEmpty(), () -> "exceptions: " + tail.exceptions);
    }

    /**
     * epoll sends the closes of a closeAll in sendmmsg batches, whatever the EcnMode, and a SegmentedDatagramPacket
     * (UDP GSO) another handler writes passes the handler and leaves as its segments.
     */
    @ParameterizedTest
    @EnumSource(EcnMode.class)
    void epollSendmmsgBatchesOfClosesAndAnotherHandlersGsoWrite(EcnMode mode) throws Exception {
        start(SocketTransport.EPOLL);
        Tail tail = new Tail();
        QuicCloseHandler handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().ecnMode(mode).build());
        Channel channel = bind("127.0.0.1", handler, tail);
        DatagramSocket[] peers = {peer("127.0.0.1"), peer("127.0.0.1")};
        InetSocketAddress local = (InetSocketAddress) channel.localAddress();
        int n = 40;
        channel.eventLoop().submit(() -> {
            for (int i = 0; i < n; i++) {
                Client c = new Client(ConnectionId.fromHex(String.format("0f1e2d3c4b5a%04x", i)),
                        ConnectionId.fromHex(String.format("e1e2e3e4e5e6%04x", i)),
                        new NetworkPath(local, (InetSocketAddress) peers[i % 2].getLocalSocketAddress()),
                        channel.eventLoop().ticker().nanoTime());
                handler.addConnection(c.connection);
            }
            return null;
        }).get(BOUND_MILLIS, TimeUnit.MILLISECONDS);
        channel.pipeline().fireUserEventTriggered(QuicCloseCommand.closeAll(REFUSED));
        for (int i = 0; i < n; i++) {
            TestSupport.assertClose(new Sent(null, null, null, bytes(receive(peers[i % 2])))
                    .initialClose(ConnectionId.fromHex(String.format("0f1e2d3c4b5a%04x", i))), CloseType.TRANSPORT,
                    TransportErrorCode.CONNECTION_REFUSED, 0, "go");
        }
        if (io.netty.channel.epoll.EpollDatagramChannel.isSegmentedDatagramPacketSupported()) {
            ByteBuf three = channel.alloc().directBuffer().writeZero(300);
            channel.writeAndFlush(new io.netty.channel.unix.SegmentedDatagramPacket(three, 100,
                    (InetSocketAddress) peers[0].getLocalSocketAddress())).sync();
            for (int i = 0; i < 3; i++) {
                assertEquals(100, receive(peers[0]).getLength());
            }
        }
        assertTrue(tail.exceptions.isEmpty(), () -> "exceptions: " + tail.exceptions);
    }

    /** The handler is not @Sharable: Netty refuses it in a second pipeline, and again after removal. */
    @ParameterizedTest
    @EnumSource(SocketTransport.class)
    void theHandlerCannotBeSharedOrReAdded(SocketTransport transport) throws Exception {
        start(transport);
        QuicCloseHandler handler = new QuicCloseHandler();
        assertFalse(handler.isSharable());
        Channel first = bind("127.0.0.1", handler);
        Channel second = bind("127.0.0.1", new Tail());
        assertThrows(ChannelPipelineException.class, () -> second.pipeline().addLast(handler));
        // the first channel still works with it: a close command closes its connection
        DatagramSocket peer = peer("127.0.0.1");
        ConnectionId scid = ConnectionId.fromHex("e1e2e3e4e5e6e7e8");
        addClient(first, handler, (InetSocketAddress) peer.getLocalSocketAddress(),
                ConnectionId.fromHex("0f1e2d3c4b5a6978"), scid);
        first.pipeline().remove(handler);
        // removal closed the live connection
        TestSupport.assertClose(new Sent(null, null, null, bytes(receive(peer)))
                .initialClose(ConnectionId.fromHex("0f1e2d3c4b5a6978")), CloseType.TRANSPORT,
                TransportErrorCode.NO_ERROR, 0, "");
        assertThrows(ChannelPipelineException.class, () -> first.pipeline().addLast(handler));
        assertThrows(ChannelPipelineException.class, () -> second.pipeline().addLast(handler));
    }

    /**
     * Many connections closed by the channel close on a channel that is not writable (a one-byte high water mark),
     * with another handler writing its own datagrams for every ended event: every close and every other datagram
     * reaches the peer, and the channel closes after them.
     */
    @ParameterizedTest
    @EnumSource(SocketTransport.class)
    void channelCloseWithManyClosesInFlightInterleavedWithOtherWritesAndNoWritability(SocketTransport transport)
            throws Exception {
        start(transport);
        int n = 64;
        QuicCloseHandler handler = new QuicCloseHandler();
        ChannelInboundHandlerAdapter app = new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof QuicConnectionEndedEvent) {
                    QuicConnectionEndedEvent e = (QuicConnectionEndedEvent) evt;
                    ctx.write(new io.netty.channel.socket.DatagramPacket(
                            Unpooled.wrappedBuffer(e.connectionId().toByteArray()), e.remoteAddress()));
                }
            }
        };
        Bootstrap b = new Bootstrap().option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                new io.netty.channel.WriteBufferWaterMark(1, 2));
        Channel channel = bind(b, "127.0.0.1", handler, app);
        DatagramSocket peer = peer("127.0.0.1");
        InetSocketAddress remote = (InetSocketAddress) peer.getLocalSocketAddress();
        List<ConnectionId> odcids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ConnectionId odcid = ConnectionId.fromHex(String.format("0f1e2d3c4b5a%04x", i));
            odcids.add(odcid);
            addClient(channel, handler, remote, odcid, ConnectionId.fromHex(String.format("e1e2e3e4e5e6%04x", i)));
        }
        channel.close().sync();
        assertFalse(channel.isOpen());
        int closes = 0;
        int others = 0;
        for (int i = 0; i < 2 * n; i++) {
            byte[] d;
            try {
                d = bytes(receive(peer));
            } catch (java.net.SocketTimeoutException e) {
                throw new AssertionError("received " + closes + " closes and " + others + " other datagrams of " + n,
                        e);
            }
            if (d.length == 8) {
                others++;
            } else {
                TestSupport.assertClose(new Sent(null, null, null, d).initialClose(odcids.get(closes)),
                        CloseType.TRANSPORT, TransportErrorCode.NO_ERROR, 0, "");
                closes++;
            }
        }
        assertEquals(n, closes);
        assertEquals(n, others);
    }
}
