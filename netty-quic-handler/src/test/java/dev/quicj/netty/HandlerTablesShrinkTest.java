package dev.quicj.netty;

import static dev.quicj.netty.TestSupport.SERVER;
import static dev.quicj.netty.TestSupport.advance;
import static dev.quicj.netty.TestSupport.channel;
import static dev.quicj.netty.TestSupport.datagram;
import static dev.quicj.netty.TestSupport.drainOutbound;
import static dev.quicj.netty.TestSupport.now;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.netty.TestSupport.Client;
import dev.quicj.netty.TestSupport.Recorder;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A flood of distinct client Initials, each from its own source port of one address (what one attacker's host can
 * send), fills the handler's tables; once the closing periods end they give their arrays back, and the index by peer
 * address spreads one address's ports over its buckets.
 */
class HandlerTablesShrinkTest {
    private static final CloseError REFUSED = CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, "busy");
    private static final int N = 600;

    private final Recorder recorder = new Recorder();
    private EmbeddedChannel ch;

    @AfterEach
    void tearDown() {
        if (ch != null) {
            ch.finishAndReleaseAll();
        }
    }

    private static InetSocketAddress port(int i) {
        return new InetSocketAddress("127.0.0.1", 20000 + i);
    }

    /** Client {@code i}'s first Initial: a fresh 8-byte original DCID, sent from its own port. */
    private byte[] initial(int i) throws Exception {
        return new Client(ConnectionId.fromHex(String.format("f100d000%08x", i)), ConnectionId.fromHex("5c5c5c5c"),
                new NetworkPath(port(i), SERVER), now(ch)).firstInitial;
    }

    private QuicCloseHandler flooded(QuicCloseHandlerConfig config) throws Exception {
        QuicCloseHandler handler = new QuicCloseHandler(config);
        ch = channel(handler, recorder);
        int sent = 0;
        for (int i = 0; i < N; i++) {
            ch.writeInbound(datagram(initial(i), port(i), SERVER));
            sent += drainOutbound(ch).size();
        }
        assertEquals(N, sent, "every Initial is refused with one close");
        return handler;
    }

    @Test
    void closingPeriodsThatEndGiveTheTablesArraysBack() throws Exception {
        QuicCloseHandler handler = flooded(QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.reject(REFUSED))
                .build());
        assertEquals(N, handler.connectionCount());
        // each refused connection is reachable by its own ID and the client's original DCID
        assertEquals(2 * N, handler.idTable().size());
        assertTrue(handler.idTable().capacity() >= 4 * N, "grown: " + handler.idTable().capacity());
        assertEquals(N, handler.timerQueue().size());
        assertEquals(N, handler.cachedCloseDatagrams().size());
        // refused connections hold no reset token: nothing a stateless reset from those ports could walk
        assertEquals(0, handler.peerIndex().size());

        advance(ch, TimeUnit.SECONDS.toNanos(10));
        assertEquals(0, handler.connectionCount());
        assertEquals(0, handler.idTable().size());
        assertEquals(16, handler.idTable().capacity(), "the routing table kept its flood-sized arrays");
        assertEquals(0, handler.timerQueue().size());
        assertEquals(16, handler.timerQueue().capacity(), "the timer heap kept its flood-sized array");
        assertEquals(16, handler.peerIndex().bucketCount());
        assertEquals(List.of(), handler.cachedCloseDatagrams(), "a close datagram outlived its closing period");
        assertEquals(N, recorder.events(QuicConnectionFreedEvent.class).size());
    }

    @Test
    void maxConnectionsBoundsTheTablesAndTheRestIsRefusedStatelessly() throws Exception {
        int max = 50;
        QuicCloseHandler handler = flooded(QuicCloseHandlerConfig.builder().acceptPolicy(AcceptPolicy.reject(REFUSED))
                .maxConnections(max).build());
        assertEquals(max, handler.connectionCount());
        assertEquals(2 * max, handler.idTable().size());
        assertTrue(handler.idTable().capacity() <= 256, "capacity " + handler.idTable().capacity());
        assertEquals(max, handler.timerQueue().size());
        assertEquals(max, handler.cachedCloseDatagrams().size());

        advance(ch, TimeUnit.SECONDS.toNanos(10));
        assertEquals(0, handler.connectionCount());
        assertEquals(16, handler.idTable().capacity());
        assertEquals(16, handler.timerQueue().capacity());
        assertEquals(List.of(), handler.cachedCloseDatagrams());
    }

    /**
     * One address, many ports (an attacker's host, or a NAT): the keyed hash spreads them over the buckets as it
     * would random keys, about 1 - 1/e of them used with as many entries as buckets. A hash with a fixed bit among
     * those that pick the bucket leaves half of them empty and chains twice as long.
     */
    @Test
    void thePortsOfOneAddressSpreadOverAllTheBuckets() {
        PeerAddressIndex index = new PeerAddressIndex();
        int n = 1024;
        for (int i = 0; i < n; i++) {
            index.add(TestSupport.serverEntry(i, port(i)));
        }
        assertEquals(n, index.bucketCount());
        int used = index.usedBuckets();
        // expected about 647 (1 - 1/e of 1024), standard deviation about 11; at most 512 if a bucket bit is fixed
        assertTrue(used > 580, "buckets used: " + used + " of " + n);
    }
}
