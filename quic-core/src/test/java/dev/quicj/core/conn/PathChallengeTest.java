package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_1RTT_SECRET;
import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.Hex;
import dev.quicj.core.Role;
import dev.quicj.core.inspect.InspectedFrame;
import dev.quicj.core.inspect.InspectedPacket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * RFC 9000 §8.2.2 and §19.17: "The recipient of this frame MUST generate a PATH_RESPONSE frame (Section 19.18)
 * containing the same Data value", once per challenge, in a datagram expanded to 1200 bytes unless the
 * anti-amplification limit does not permit it.
 */
class PathChallengeTest {
    private static final Settings NULL = ConnectionFixtures.nullCrypto();

    private static ReceiveStatus receive(QuicConnection c, long pn, String frames) throws Exception {
        byte[] secret = c.role() == Role.CLIENT ? SERVER_1RTT_SECRET : CLIENT_1RTT_SECRET;
        byte[] packet = ConnectionFixtures.peerShortPacket(NULL, secret, c.sourceConnectionId(), pn,
                Hex.decode(frames));
        return c.receive(ByteBuffer.wrap(packet), c.role() == Role.CLIENT ? CLIENT_PATH : SERVER_PATH, T0 + 1);
    }

    private static byte[] write(QuicConnection c, int capacity) throws Exception {
        ByteBuffer out = ByteBuffer.allocate(capacity);
        int n = c.writePacket(null, null, out, T0 + 2);
        byte[] datagram = new byte[n];
        out.flip().get(datagram);
        return datagram;
    }

    private static List<Long> frameTypes(QuicConnection c, byte[] datagram) {
        ConnectionFixtures.Side side = c.role() == Role.CLIENT ? ConnectionFixtures.Side.CLIENT
                : ConnectionFixtures.Side.SERVER;
        List<InspectedPacket> packets = ConnectionFixtures.inspect(ByteBuffer.wrap(datagram), side, NULL);
        return packets.stream().flatMap(p -> p.frames().stream())
                .filter(f -> !(f instanceof InspectedFrame.Padding))
                .map(f -> f instanceof InspectedFrame.Other o ? o.frameType() : -1L).collect(Collectors.toList());
    }

    /** The Data echoed, in a datagram of 1200 bytes, and only once. */
    @Test
    void aChallengeIsAnsweredOnceWithItsDataInAnExpandedDatagram() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        assertEquals(ReceiveStatus.PROCESSED, receive(c, 1, "1a 0102030405060708"));
        byte[] datagram = write(c, 1500);
        assertEquals(1200, datagram.length);
        assertTrue(frameTypes(c, datagram).contains(0x1bL), () -> "frames: " + frameTypes(c, datagram));
        assertTrue(Hex.encode(datagram).contains("1b0102030405060708"), Hex.encode(datagram));
        // one PATH_RESPONSE per PATH_CHALLENGE: nothing left to send
        assertEquals(0, write(c, 1500).length);
    }

    /** Each of two challenges in one packet gets its own response, oldest first. */
    @Test
    void twoChallengesGetTwoResponses() throws Exception {
        QuicConnection s = ConnectionFixtures.serverConfirmed(NULL);
        assertEquals(ReceiveStatus.PROCESSED, receive(s, 1, "1a 1111111111111111 1a 2222222222222222"));
        String hex = Hex.encode(write(s, 1500));
        int first = hex.indexOf("1b1111111111111111");
        int second = hex.indexOf("1b2222222222222222");
        assertTrue(first >= 0 && second > first, hex);
    }

    /** Beyond MAX_PATH_RESPONSES unanswered challenges, the oldest gives way to the newest. */
    @Test
    void theNewestChallengesAreKeptWhenTooManyWait() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        StringBuilder frames = new StringBuilder();
        for (int i = 1; i <= QuicConnection.MAX_PATH_RESPONSES + 1; i++) {
            frames.append("1a").append(String.format("%02x", i).repeat(8));
        }
        assertEquals(ReceiveStatus.PROCESSED, receive(c, 1, frames.toString()));
        String hex = Hex.encode(write(c, 1500));
        assertTrue(!hex.contains("1b" + "01".repeat(8)), hex);
        for (int i = 2; i <= QuicConnection.MAX_PATH_RESPONSES + 1; i++) {
            assertTrue(hex.contains("1b" + String.format("%02x", i).repeat(8)), hex);
        }
    }

    /**
     * A buffer smaller than 1200 bytes is no reason to send the response unexpanded (§8.2.2 excepts only the
     * anti-amplification limit): it stays queued, and the next datagram that can be 1200 bytes carries it.
     */
    @Test
    void aSmallBufferKeepsTheResponseForA1200ByteDatagram() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(NULL);
        assertEquals(ReceiveStatus.PROCESSED, receive(c, 1, "1a 0102030405060708"));
        byte[] small = write(c, 600);
        assertTrue(small.length <= 600);
        assertTrue(!Hex.encode(small).contains("1b0102030405060708"), Hex.encode(small));
        byte[] full = write(c, 1500);
        assertEquals(1200, full.length);
        assertTrue(Hex.encode(full).contains("1b0102030405060708"), Hex.encode(full));
    }
}
