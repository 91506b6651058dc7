package dev.quicj.netty;

import static dev.quicj.netty.TestSupport.CLIENT;
import static dev.quicj.netty.TestSupport.OTHER_CLIENT;
import static dev.quicj.netty.TestSupport.SERVER;
import static dev.quicj.netty.TestSupport.channel;
import static dev.quicj.netty.TestSupport.datagram;
import static dev.quicj.netty.TestSupport.drainOutbound;
import static dev.quicj.netty.TestSupport.now;
import static dev.quicj.netty.TestSupport.shortHeader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.netty.TestSupport.Client;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Datagrams fired back into QuicCloseHandler while it reads: they wait in order until the outer read and those queued
 * before them are done, and an Error from one of them strands none of the others.
 */
class QuicCloseHandlerDeferredReadTest {
    private static final ConnectionId UNKNOWN = ConnectionId.fromHex("deadbeefdeadbeef");
    private static final InetSocketAddress THIRD = new InetSocketAddress("127.0.0.1", 50002);

    private EmbeddedChannel ch;

    @AfterEach
    void tearDown() {
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
    }

    /** An Error the accept policy's listener factory throws (an application bug, an OutOfMemoryError...). */
    static final class FactoryError extends Error {
        FactoryError() {
            super("listener factory failed", null, false, false);
        }
    }

    /**
     * Datagrams B1 and B2 are fired (in that order) while the handler reads an Initial; a handler after it re-fires
     * C into the pipeline when it is handed B1. B2 was fired before C, so the handler should read B2 before C
     * ("Reads the datagrams fired from within a read, in order"). Instead C is read at once, nested in the pass-on of
     * B1 while B2 still waits in the queue, and overtakes it.
     */
    @Test
    void aDatagramFiredWhileDeferredOnesWaitDoesNotOvertakeThem() throws Exception {
        QuicCloseHandler handler = new QuicCloseHandler(
                QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.accept()).build());
        List<DatagramPacket> fired = new ArrayList<>();
        ChannelInboundHandlerAdapter reenter = new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof QuicConnectionAcceptedEvent) {
                    ctx.pipeline().fireChannelRead(datagram(shortHeader(UNKNOWN, 101), CLIENT, SERVER));
                    ctx.pipeline().fireChannelRead(datagram(shortHeader(UNKNOWN, 102), CLIENT, SERVER));
                }
                ctx.fireUserEventTriggered(evt);
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                int length = ((DatagramPacket) msg).content().readableBytes();
                ctx.fireChannelRead(msg);
                if (length == 101) {
                    ctx.pipeline().fireChannelRead(datagram(shortHeader(UNKNOWN, 103), CLIENT, SERVER));
                }
            }
        };
        ch = channel(handler, reenter);
        Client peer = new Client(ConnectionId.fromHex("0f1e2d3c4b5a6978"), ConnectionId.fromHex("a1a2a3a4a5a6a7a8"),
                new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER));
        List<Integer> order = new ArrayList<>();
        for (Object o = ch.readInbound(); o != null; o = ch.readInbound()) {
            order.add(((DatagramPacket) o).content().readableBytes());
            ReferenceCountUtil.release(o);
        }
        drainOutbound(ch);
        assertEquals(List.of(101, 102, 103), order, "datagrams passed on in the order they were fired");
    }

    /**
     * Two datagrams are deferred while the handler reads an Initial; reading the first throws an Error (the
     * accept policy's listener factory fails with one). readDeferred catches only RuntimeException, so the Error
     * leaves the loop with the second datagram still queued; handlerRemoved does not drain the queue, so once the
     * handler is removed (channel closed) that datagram is never released nor passed on: a leak.
     */
    @Test
    void anErrorFromADeferredReadDoesNotStrandTheDatagramsQueuedAfterIt() throws Exception {
        AtomicInteger made = new AtomicInteger();
        QuicCloseHandler handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder()
                .acceptPolicy(AcceptPolicy.accept(scid -> {
                    if (made.getAndIncrement() > 0) {
                        throw new FactoryError();
                    }
                    return null;
                })).build());
        DatagramPacket[] later = new DatagramPacket[1];
        Client second = new Client(ConnectionId.fromHex("1f1e2d3c4b5a6978"), ConnectionId.fromHex("b1b2b3b4b5b6b7b8"),
                new NetworkPath(THIRD, SERVER), TestSupport.CLOCK_START_NANOS);
        ChannelInboundHandlerAdapter reenter = new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof QuicConnectionAcceptedEvent && later[0] == null) {
                    // B1: an Initial of another client, whose listener the factory fails to make
                    ctx.pipeline().fireChannelRead(datagram(second.firstInitial, THIRD, SERVER));
                    // B2: a datagram of no connection, to be passed on
                    later[0] = datagram(shortHeader(UNKNOWN, 102), CLIENT, SERVER);
                    ctx.pipeline().fireChannelRead(later[0]);
                }
                ctx.fireUserEventTriggered(evt);
            }
        };
        ch = channel(handler, reenter);
        Client peer = new Client(ConnectionId.fromHex("0f1e2d3c4b5a6978"), ConnectionId.fromHex("a1a2a3a4a5a6a7a8"),
                new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        assertThrows(FactoryError.class, () -> ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER)));
        // the channel closes (the handler is removed) before any other datagram arrives
        EmbeddedChannel c = ch;
        ch = null;
        try {
            c.finishAndReleaseAll();
        } catch (Throwable ignored) {
            // whatever the close reports
        }
        int refCnt = later[0].refCnt();
        if (refCnt > 0) {
            ReferenceCountUtil.release(later[0], refCnt);
        }
        assertEquals(0, refCnt, "the datagram deferred after the failing one was neither passed on nor released");
    }
}
