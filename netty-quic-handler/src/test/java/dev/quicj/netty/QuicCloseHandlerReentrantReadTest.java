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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.ConnectionFixtures;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.conn.Settings;
import dev.quicj.netty.TestSupport.Client;
import dev.quicj.netty.TestSupport.Recorder;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A datagram fired back into the handler while it reads another (by a listener of an event it fires: Netty pipelines
 * are re-entrant) waits until that read is done, so the shared copy of the outer datagram is not overwritten.
 */
class QuicCloseHandlerReentrantReadTest {
    private EmbeddedChannel ch;

    @AfterEach
    void tearDown() {
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
    }

    /**
     * A listener of an event the handler fires while it reads a datagram re-enters channelRead with another datagram
     * (Netty pipelines are re-entrant). The outer datagram, whose connection's closing period had ended before the
     * timer ran, belongs to no connection and must be passed on; the handler's shared scratch copy of it must not be
     * overwritten by the inner read.
     */
    @Test
    void aReentrantReadFromAnEventListenerDoesNotHijackTheOuterDatagram() throws Exception {
        Recorder recorder = new Recorder();
        QuicCloseHandler handler = new QuicCloseHandler(
                QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.accept()).build());
        DatagramPacket[] inner = new DatagramPacket[1];
        ChannelInboundHandlerAdapter reenter = new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof QuicConnectionFreedEvent && inner[0] != null) {
                    DatagramPacket p = inner[0];
                    inner[0] = null;
                    ctx.pipeline().fireChannelRead(p);
                }
                ctx.fireUserEventTriggered(evt);
            }
        };
        ch = channel(handler, reenter, recorder);
        QuicConnection client = ConnectionFixtures.client(Settings.defaults());
        handler.addConnection(client);
        Client peer = new Client(ConnectionId.fromHex("0f1e2d3c4b5a6978"), ConnectionId.fromHex("a1a2a3a4a5a6a7a8"),
                new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        assertFalse(ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER)));
        QuicConnection server = recorder.events(QuicConnectionAcceptedEvent.class).get(0).connection();
        // the client closes and enters its closing period
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(client.sourceConnectionId(),
                CloseError.noError()));
        drainOutbound(ch);
        // its closing period ends, but the timer task has not run yet (an event loop reads first)
        ch.advanceTimeBy(client.closingPeriod().toNanos() + 1, TimeUnit.NANOSECONDS);
        recorder.clear();
        // inner: a datagram for the live server; outer: one for the client whose period is over
        inner[0] = datagram(shortHeader(server.sourceConnectionId(), 60), OTHER_CLIENT, SERVER);
        DatagramPacket outer = datagram(shortHeader(client.sourceConnectionId(), 300), SERVER, CLIENT);
        ch.writeInbound(outer);
        Object passed = ch.readInbound();
        try {
            assertNotNull(passed, "the outer datagram belongs to no connection once the client was freed: passed on");
            assertEquals(300, ((DatagramPacket) passed).content().readableBytes());
            // the inner one went to the live server after the outer read, and was consumed
            assertNull(ch.readInbound(), "only the outer datagram is passed on");
        } finally {
            ReferenceCountUtil.release(passed);
            drainOutbound(ch);
        }
    }

    /**
     * A close held back by the amplification limit is given up when its wait ends: its ended event says
     * AMPLIFICATION_LIMITED, nothing was sent. A listener of that event fires a datagram from the client into the
     * pipeline (the timer task is not a read, so it is read at once): the bytes would now buy the close, but the
     * connection's end was reported as not sent and it is freed next; no CONNECTION_CLOSE may leave after that
     * report. (Found by QuicCloseHandlerClosingPeriodModelTest's lifecycle run, seed 4830559677.)
     */
    @Test
    void aHeldBackCloseGivenUpIsNotSentForADatagramAListenerOfItsEndFires() throws Exception {
        Recorder recorder = new Recorder();
        QuicCloseHandler handler = new QuicCloseHandler(
                QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.accept()).build());
        DatagramPacket[] inner = new DatagramPacket[1];
        ChannelInboundHandlerAdapter reenter = new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                ctx.fireUserEventTriggered(evt);
                if (evt instanceof QuicConnectionEndedEvent && inner[0] != null) {
                    DatagramPacket p = inner[0];
                    inner[0] = null;
                    ctx.pipeline().fireChannelRead(p);
                    ctx.pipeline().fireChannelReadComplete();
                }
            }
        };
        ch = channel(handler, reenter, recorder);
        Client peer = new Client(ConnectionId.fromHex("0f1e2d3c4b5a6978"), ConnectionId.fromHex("a1a2a3a4a5a6a7a8"),
                new NetworkPath(OTHER_CLIENT, SERVER), now(ch));
        assertFalse(ch.writeInbound(datagram(peer.firstInitial, OTHER_CLIENT, SERVER)));
        QuicConnection server = recorder.events(QuicConnectionAcceptedEvent.class).get(0).connection();
        // the application spends the whole 3x budget on its handshake flight
        server.submitCryptoData(EncryptionLevel.INITIAL, new byte[4000]);
        while (server.writePacket(null, null, ByteBuffer.allocate(1500), now(ch)) > 0) {
            // next packet
        }
        assertEquals(0, server.amplificationBudget());
        ch.pipeline().fireUserEventTriggered(QuicCloseCommand.closeConnection(server.sourceConnectionId(),
                CloseError.application(0x10)));
        assertEquals(List.of(), drainOutbound(ch), "held back by the amplification limit");
        recorder.clear();
        // the listener's datagram: 200 bytes from the client, routed to the connection (600 bytes of budget)
        inner[0] = datagram(shortHeader(server.sourceConnectionId(), 200), OTHER_CLIENT, SERVER);
        // the wait of the held-back close ends
        ch.advanceTimeBy(server.closingPeriod().toNanos(), TimeUnit.NANOSECONDS);
        ch.runScheduledPendingTasks();
        assertNull(inner[0], "the listener fired its datagram");
        recorder.assertEnded(server.sourceConnectionId(), QuicCloseInitiator.LOCAL,
                QuicCloseResult.AMPLIFICATION_LIMITED);
        assertTrue(recorder.freed(server.sourceConnectionId()));
        assertEquals(List.of(), drainOutbound(ch), "a close reported as not sent was sent");
        assertEquals(List.of(), handler.cachedCloseDatagrams());
    }
}
