package dev.quicj.netty;

import static dev.quicj.netty.TestSupport.CLIENT;
import static dev.quicj.netty.TestSupport.SERVER;
import static dev.quicj.netty.TestSupport.channel;
import static dev.quicj.netty.TestSupport.datagram;
import static dev.quicj.netty.TestSupport.drainOutbound;
import static dev.quicj.netty.TestSupport.now;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.conn.ConnectionState;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.netty.TestSupport.Client;
import dev.quicj.netty.TestSupport.Recorder;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What one peer address can put in the handler's index by peer address, which every datagram for no connection of 21
 * bytes or more from that address walks (RFC 9000 §10.3.1): only connections that hold a stateless reset token are
 * there, so Initials from one address (their keys are public) cannot lengthen the walk.
 */
class PeerAddressIndexBoundTest {
    private static final int N = 200;

    private final Recorder recorder = new Recorder();
    private EmbeddedChannel ch;
    private QuicCloseHandler handler;

    @AfterEach
    void tearDown() {
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
    }

    /** A client's first Initial (1200 bytes, public keys) to a fresh 8-byte DCID {@code i}: anyone can write it. */
    private byte[] initial(int i) throws Exception {
        return new Client(ConnectionId.fromHex(String.format("c0ffee00%08x", i)), ConnectionId.fromHex("5c5c5c5c"),
                new NetworkPath(CLIENT, SERVER), now(ch)).firstInitial;
    }

    /** 40 bytes of short-header junk whose DCID names no connection, ending in {@code token}. */
    static byte[] endingIn(byte[] token) {
        byte[] b = new byte[40];
        Arrays.fill(b, (byte) 0x3c);
        b[0] = 0x41;
        System.arraycopy(token, 0, b, b.length - token.length, token.length);
        return b;
    }

    @Test
    void connectionsWithoutATokenAreNotWalked() throws Exception {
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.accept())
                .maxConnections(N).build());
        ch = channel(handler, recorder);
        for (int i = 0; i < N; i++) {
            ch.writeInbound(datagram(initial(i), CLIENT, SERVER));
            drainOutbound(ch);
        }
        assertEquals(N, handler.connectionCount());
        assertEquals(0, handler.peerIndex().find(CLIENT), "entries a datagram from that address would walk");
        handler.peerIndex().forgetFound();
        ch.writeInbound(datagram(endingIn(new byte[16]), CLIENT, SERVER));
        ReferenceCountUtil.release(ch.readInbound());
        assertEquals(N, handler.connectionCount());
    }

    /** An accepted connection that comes to hold a reset token (the TLS layer or the application added one) is reset. */
    @Test
    void anAcceptedConnectionWithATokenIsStillReset() throws Exception {
        byte[] token = new byte[16];
        Arrays.fill(token, (byte) 0x7e);
        handler = new QuicCloseHandler(QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.accept()).build());
        ch = channel(handler, recorder);
        ch.writeInbound(datagram(initial(1), CLIENT, SERVER));
        drainOutbound(ch);
        QuicConnection c = recorder.events(QuicConnectionAcceptedEvent.class).get(0).connection();
        assertEquals(0, handler.peerIndex().size(), "no token yet: nothing a reset could match");
        c.addStatelessResetToken(token);
        // taken into account with its next datagram (a token added outside receive)
        ch.writeInbound(datagram(initial(1), CLIENT, SERVER));
        drainOutbound(ch);
        assertEquals(1, handler.peerIndex().size());
        ch.writeInbound(datagram(endingIn(token), CLIENT, SERVER));
        assertNull(ch.readInbound());
        assertEquals(ConnectionState.DRAINING, c.state());
    }
}
