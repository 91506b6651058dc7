package dev.quicj.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import org.junit.jupiter.api.Test;

/** The load generator's window accounting, against a loopback echo that loses what the test says (127.0.0.1). */
class LoadGeneratorTest {
    private static final int WINDOW = 32;

    /**
     * The first window is lost for good, everything after it answered. Written off once, it must stay lost: giving
     * the write-off back on the next replies (as a first version did) left the lost datagrams in flight for ever, and
     * the generator then sent a window, waited out the loss timeout, wrote off and so on to the end of the run.
     */
    @Test
    void aWindowLostForGoodIsWrittenOffOnceAndTheLoadGoesOn() throws Exception {
        InitialPool pool = InitialPool.generate(4096, 1);
        try (DatagramChannel server = DatagramChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread echo = new Thread(() -> {
                ByteBuffer b = ByteBuffer.allocate(2048);
                long seen = 0;
                try {
                    while (true) {
                        b.clear();
                        SocketAddress from = server.receive(b);
                        if (++seen <= WINDOW) {
                            continue;
                        }
                        b.flip();
                        // a 62-byte echo, as --echo-reply-bytes 62 sends: the Initial's header with its SCID
                        b.limit(Math.min(b.limit(), 62));
                        server.send(b, from);
                    }
                } catch (Exception closed) {
                    // the channel closed at the end of the test
                }
            }, "lossy-echo");
            echo.setDaemon(true);
            echo.start();
            LoadGenerator.Result r = LoadGenerator.run((InetSocketAddress) server.getLocalAddress(), pool, 1.0, 1, 0,
                    WINDOW, 1);
            // given back, the lost window would be written off every loss timeout: about 1 s / 20 ms = 50 times; a
            // busy machine adds a few write-offs of its own (11 were seen under a load average of 12)
            assertTrue(r.writeOffs() < 25, () -> "written off " + r.writeOffs() + " times: " + r);
            assertTrue(r.sent() > 20L * WINDOW, () -> "the load stalled: " + r);
            assertTrue(r.unanswered() >= WINDOW, () -> "the lost window was given back: " + r);
            assertEquals(62.0, r.meanReplyBytes());
        }
    }

    @Test
    void repliesTellWhichInitialTheyAnswer() {
        InitialPool pool = InitialPool.generate(16, 2);
        InitialPool.Cursor c = pool.cursor();
        for (int i = 0; i < 16; i++) {
            ByteBuffer initial = c.next().slice();
            assertEquals(i, c.lastIndex());
            // the echo of the Initial (whole or cut to 62 bytes) names it by its SCID
            assertEquals(i, pool.indexOfReply(initial, 1200));
            assertEquals(i, pool.indexOfReply(initial, 62));
            // a server's close is addressed to the Initial's SCID: DCID length 17, then the SCID
            ByteBuffer close = ByteBuffer.allocate(60);
            close.put(0, (byte) 0xc0).putInt(1, 1).put(5, (byte) 17);
            close.put(6, initial, 25, 17);
            assertEquals(i, pool.indexOfReply(close, 60));
            // the same bytes as another long header packet type, or another version, answer nothing
            assertEquals(-1, pool.indexOfReply(close.duplicate().put(0, (byte) 0xe0), 60), "a Handshake packet");
            assertEquals(-1, pool.indexOfReply(close.duplicate().put(0, (byte) 0xf0), 60), "a Retry");
            assertEquals(-1, pool.indexOfReply(close.duplicate().putInt(1, 0), 60), "a Version Negotiation");
            assertEquals(-1, pool.indexOfReply(close.duplicate().putInt(1, 0x6b3343cf), 60), "QUIC v2");
        }
        assertEquals(-1, pool.indexOfReply(ByteBuffer.allocate(60), 60), "a short header packet");
        assertEquals(-1, pool.indexOfReply(ByteBuffer.allocate(60), 5), "too short");
    }

    /**
     * A server answering every Initial with its echo, the same echo again, a short header packet and a Version
     * Negotiation-like packet naming the Initial: only the first echo of each Initial is a reply. Before, the
     * generator counted every datagram (four replies per Initial sent, so more replies than Initials), and each
     * freed a window slot.
     */
    @Test
    void onlyOneReplyPerInitialInFlightCounts() throws Exception {
        InitialPool pool = InitialPool.generate(100_000, 3);
        try (DatagramChannel server = DatagramChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread noisy = new Thread(() -> {
                ByteBuffer b = ByteBuffer.allocate(2048);
                try {
                    while (true) {
                        b.clear();
                        SocketAddress from = server.receive(b);
                        b.flip();
                        b.limit(Math.min(b.limit(), 62));
                        ByteBuffer echo = b.slice();
                        server.send(echo.duplicate(), from);
                        server.send(echo.duplicate(), from);
                        server.send(ByteBuffer.allocate(40), from);
                        ByteBuffer vn = ByteBuffer.allocate(62).put(echo.duplicate());
                        vn.putInt(1, 0).flip();
                        server.send(vn, from);
                    }
                } catch (Exception closed) {
                    // the channel closed at the end of the test
                }
            }, "noisy-echo");
            noisy.setDaemon(true);
            noisy.start();
            LoadGenerator.Result r = LoadGenerator.run((InetSocketAddress) server.getLocalAddress(), pool, 0.5, 1, 0,
                    WINDOW, 1);
            assertTrue(r.replies() > 0, () -> "no reply counted: " + r);
            assertTrue(r.replies() + r.lateReplies() <= r.sent(), () -> "more replies than Initials: " + r);
            assertTrue(r.strays() >= 3 * r.replies(), () -> "the extra datagrams were counted: " + r);
            assertEquals(62.0, r.meanReplyBytes());
        }
    }
}
