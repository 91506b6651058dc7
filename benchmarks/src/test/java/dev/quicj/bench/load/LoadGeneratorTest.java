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
            assertTrue(r.writeOffs() < 10, () -> "written off " + r.writeOffs() + " times: " + r);
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
            close.put(0, (byte) 0xc0).put(5, (byte) 17);
            close.put(6, initial, 25, 17);
            assertEquals(i, pool.indexOfReply(close, 60));
        }
        assertEquals(-1, pool.indexOfReply(ByteBuffer.allocate(60), 60), "a short header packet");
        assertEquals(-1, pool.indexOfReply(ByteBuffer.allocate(60), 5), "too short");
    }
}
