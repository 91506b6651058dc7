package dev.quicj.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.ConnectionState;
import dev.quicj.core.conn.EcnState;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.conn.ReceiveStatus;
import dev.quicj.core.wire.CloseType;
import dev.quicj.netty.TestSupport.Client;
import dev.quicj.netty.TestSupport.Sent;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The handler on real datagram channels over 127.0.0.1 ({@link NioDatagramChannel}, and {@link EpollDatagramChannel}
 * where the native transport loads), talking to a plain {@link DatagramSocket}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QuicCloseHandlerSocketTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);
    // a bound on waiting for a datagram on loopback, not a timing assertion
    private static final int RECEIVE_BOUND_MILLIS = 20_000;
    private static final int RCVBUF = 4 << 20;

    private EventLoopGroup group;
    private Class<? extends DatagramChannel> channelType;
    private DatagramSocket peer;

    private void start(SocketTransport transport) throws Exception {
        group = transport.newGroup();
        channelType = transport.channelType();
        peer = new DatagramSocket(LOOPBACK);
        peer.setReceiveBufferSize(RCVBUF);
        peer.setSoTimeout(RECEIVE_BOUND_MILLIS);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (peer != null) {
            peer.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }

    private Channel bind(QuicCloseHandler handler, ChannelInboundHandlerAdapter events,
            ChannelOutboundHandlerAdapter beforeHandler) throws Exception {
        return new Bootstrap().group(group).channel(channelType).option(ChannelOption.SO_RCVBUF, RCVBUF)
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        if (beforeHandler != null) {
                            ch.pipeline().addLast(beforeHandler);
                        }
                        ch.pipeline().addLast(handler, events);
                    }
                }).bind(LOOPBACK).sync().channel();
    }

    private byte[] receive() throws Exception {
        DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
        peer.receive(in);
        return Arrays.copyOf(in.getData(), in.getLength());
    }

    /** Completes with the first ended event. */
    private static final class EndedListener extends ChannelInboundHandlerAdapter {
        final CompletableFuture<QuicConnectionEndedEvent> ended = new CompletableFuture<>();

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof QuicConnectionEndedEvent) {
                ended.complete((QuicConnectionEndedEvent) evt);
            }
        }
    }

    /**
     * connection(id), connections() and connectionCount() are confined to the channel's event loop as addConnection
     * is: called from another thread once the handler is in a pipeline they throw IllegalStateException (they read the
     * handler's unsynchronized state, and answered whatever that thread happened to see); from the event loop, and
     * before the handler is added, they answer.
     */
    @ParameterizedTest
    @EnumSource(SocketTransport.class)
    void theLookupsAreConfinedToTheEventLoopAsAddConnectionIs(SocketTransport transport) throws Exception {
        start(transport);
        ConnectionId id = ConnectionId.fromHex("0102030405060708");
        QuicCloseHandler handler = new QuicCloseHandler();
        assertEquals(0, handler.connectionCount(), "before it is added, any thread");
        assertEquals(List.of(), handler.connections());
        assertNull(handler.connection(id));
        Channel ch = bind(handler, new ChannelInboundHandlerAdapter(), null);
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, handler::connectionCount);
            assertEquals("connectionCount must be called from the channel's event loop", e.getMessage());
            assertThrows(IllegalStateException.class, handler::connections);
            assertThrows(IllegalStateException.class, () -> handler.connection(id));
            assertEquals(0, ch.eventLoop().submit(handler::connectionCount).get());
            assertEquals(List.of(), ch.eventLoop().submit(handler::connections).get());
            assertNull(ch.eventLoop().submit(() -> handler.connection(id)).get());
        } finally {
            ch.close().sync();
        }
    }

    @ParameterizedTest
    @EnumSource(SocketTransport.class)
    void aRejectingServerAnswersAClientInitialFromAPlainSocket(SocketTransport transport) throws Exception {
        start(transport);
        CloseError refused = CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, 0, "no capacity");
        QuicCloseHandler handler = new QuicCloseHandler(
                QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.reject(refused)).build());
        EndedListener events = new EndedListener();
        Channel server = bind(handler, events, null);
        try {
            InetSocketAddress serverAddress = (InetSocketAddress) server.localAddress();
            InetSocketAddress clientAddress = (InetSocketAddress) peer.getLocalSocketAddress();
            NetworkPath clientPath = new NetworkPath(clientAddress, serverAddress);
            ConnectionId odcid = ConnectionId.fromHex("00aa11bb22cc33dd");
            // a client outside any channel keeps its own monotonic clock
            long t = System.nanoTime();
            Client client = new Client(odcid, ConnectionId.fromHex("c1c2c3c4c5c6c7c8"), clientPath, t);
            peer.send(new DatagramPacket(client.firstInitial, client.firstInitial.length, serverAddress));

            byte[] close = receive();
            Sent sent = new Sent(serverAddress, null, null, close);
            TestSupport.assertClose(sent.initialClose(odcid), CloseType.TRANSPORT,
                    TransportErrorCode.CONNECTION_REFUSED, 0, "no capacity");

            ReceiveStatus status = client.connection.receive(ByteBuffer.wrap(close), clientPath, t);
            assertEquals(ReceiveStatus.DRAINING, status);
            assertEquals(refused, client.connection.peerCloseError());

            QuicConnectionEndedEvent ended = events.ended.get(RECEIVE_BOUND_MILLIS, TimeUnit.MILLISECONDS);
            assertEquals(QuicCloseInitiator.LOCAL, ended.initiator());
            assertEquals(QuicCloseResult.SENT, ended.result());
            assertEquals(clientAddress, ended.remoteAddress());
            assertEquals(refused, ended.error());
        } finally {
            server.close().sync();
        }
    }

    /** Records the socket's IP_TOS when each datagram reaches the transport. */
    private static final class TosAtWrite extends ChannelOutboundHandlerAdapter {
        final CompletableFuture<Integer> tos = new CompletableFuture<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            tos.complete(ctx.channel().config().getOption(ChannelOption.IP_TOS));
            ctx.write(msg, promise);
        }
    }

    @ParameterizedTest
    @EnumSource(SocketTransport.class)
    void closingTheChannelSendsTheClientsCloseWithEct0OnTheSocketThenCloses(SocketTransport transport) throws Exception {
        start(transport);
        QuicCloseHandler handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().ecnMode(EcnMode.SOCKET_TOS)
                .defaultCloseError(CloseError.transport(TransportErrorCode.NO_ERROR, 0, "shutdown")).build());
        EndedListener events = new EndedListener();
        TosAtWrite tosAtWrite = new TosAtWrite();
        Channel channel = bind(handler, events, tosAtWrite);
        InetSocketAddress local = (InetSocketAddress) channel.localAddress();
        InetSocketAddress remote = (InetSocketAddress) peer.getLocalSocketAddress();
        ConnectionId odcid = ConnectionId.fromHex("0f1e2d3c4b5a6978");
        QuicConnection client = channel.eventLoop().submit(() -> {
            Client c = new Client(odcid, ConnectionId.fromHex("e1e2e3e4e5e6e7e8"), new NetworkPath(local, remote),
                    channel.eventLoop().ticker().nanoTime());
            c.connection.setEcnState(EcnState.CAPABLE);
            handler.addConnection(c.connection);
            return c.connection;
        }).get(RECEIVE_BOUND_MILLIS, TimeUnit.MILLISECONDS);

        channel.close().sync();
        assertFalse(channel.isOpen());

        byte[] close = receive();
        assertEquals(QuicConnection.MIN_INITIAL_DATAGRAM_SIZE, close.length);
        TestSupport.assertClose(new Sent(remote, local, null, close).initialClose(odcid), CloseType.TRANSPORT,
                TransportErrorCode.NO_ERROR, 0, "shutdown");
        int tos = tosAtWrite.tos.get(RECEIVE_BOUND_MILLIS, TimeUnit.MILLISECONDS);
        assertEquals(dev.quicj.core.conn.Ecn.ECT_0.codepoint(), tos & 0x03, "ECT(0) set on the socket: " + tos);
        assertEquals(ConnectionState.CLOSING, client.state());
        assertTrue(events.ended.isDone());
        assertEquals(QuicCloseResult.SENT, events.ended.get().result());
    }
}
