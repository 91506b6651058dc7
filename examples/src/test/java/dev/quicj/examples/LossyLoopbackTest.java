package dev.quicj.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.inspect.InspectedFrame;
import dev.quicj.core.interop.Ngtcp2Client;
import dev.quicj.core.interop.Ngtcp2Close;
import dev.quicj.core.interop.Peers;
import dev.quicj.core.interop.UdpSend;
import dev.quicj.core.wire.CloseType;
import dev.quicj.examples.LossyRelay.Fate;
import dev.quicj.examples.LossyRelay.Policy;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * reject-server's closing period on a real socket through a relay that loses and duplicates datagrams
 * ({@link LossyRelay}, seeded): a client whose close was lost still gets it because its retransmissions make the
 * server re-send it, on the 1st, 2nd, 4th, 8th... datagram of the closing period; duplicates count like any other
 * datagram; nothing on the wire exceeds the 3x amplification limit; and the closing period ends.
 */
@Timeout(120)
class LossyLoopbackTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static void await(String what, BooleanSupplier condition, Object diagnostics) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + WAIT + ": " + what + "; " + diagnostics);
            }
            Thread.sleep(10);
        }
    }

    /**
     * The same client Initial sent twelve times (as a client retransmits it); the relay duplicates the 2nd and drops
     * the 6th on the way in, and drops the first two answers on the way out. The server reads twelve datagrams: the
     * first is refused with a close, the other eleven fall in its closing period and are answered on the 1st, 2nd, 4th
     * and 8th: five closes, of which the client gets the last three, byte for byte the same.
     */
    @Test
    void aClientWhoseCloseWasLostGetsItFromTheRetransmissionsOfItsInitial() throws Exception {
        ConnectionId odcid = ConnectionId.random(8);
        byte[] initial = TestPeers.clientInitial(QuicVersion.V1, odcid, ConnectionId.random(8));
        Policy in = new Policy(Set.of(5), Set.of(1), 0, 0, 0);
        Policy out = new Policy(Set.of(0, 1), Set.of(), 0, 0, 0);
        try (RejectServer server = TestPeers.server(TestPeers.BAD_STREAM);
                LossyRelay relay = new LossyRelay(server.localAddress(), in, out);
                UdpSend client = UdpSend.open()) {
            for (int i = 0; i < 12; i++) {
                client.send(relay.address().getPort(), initial);
                int sent = i + 1;
                // one at a time, so the server's answers come in the order of the datagrams they answer
                await("the relay forwards datagram " + i, () -> relay.toServer().received().size() == sent, relay);
                Thread.sleep(20);
            }
            await("five closes from the server", () -> relay.toClient().received().size() == 5, relay);
            Thread.sleep(200);
            assertEquals(5, relay.toClient().received().size(), relay::toString);
            assertEquals(List.of(Fate.DROP, Fate.DROP, Fate.PASS, Fate.PASS, Fate.PASS), relay.toClient().fates());

            List<byte[]> got = client.receiveAll(Duration.ofSeconds(2), 10);
            assertEquals(3, got.size(), relay::toString);
            for (byte[] d : got) {
                assertArrayEquals(got.get(0), d, "a re-send repeats the close byte for byte");
            }
            InspectedFrame.ConnectionClose close = TestPeers.onlyClose(TestPeers.onlyPacket(got.get(0), odcid));
            assertEquals(CloseType.TRANSPORT, close.type());
            assertEquals(TestPeers.BAD_STREAM.errorCode(), close.errorCode());
            assertEquals(TestPeers.BAD_STREAM.reasonAsString(), close.reasonString());

            assertEquals(1, server.refusedConnections(), "retransmissions and duplicates reach the closing record");
            assertTrue(relay.toClient().bytesReceived() <= 3 * relay.toServer().bytesForwarded(), relay::toString);

            // the closing period (3 PTO) ends: the same Initial then makes a new connection, refused again
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (server.refusedConnections() < 2 && System.nanoTime() - deadline < 0) {
                client.send(relay.address().getPort(), initial);
                Thread.sleep(250);
            }
            assertEquals(2, server.refusedConnections(), "the closing period did not end within " + WAIT);
        }
    }

    /**
     * ngtcp2's client against reject-server with 30 % loss each way and 10 % duplication towards the server (the
     * interop runner's handshakeloss case), and the server's first close always lost: the client retransmits its
     * Initial on its probe timeout, the server answers from its closing period, and the client logs the refusal.
     */
    @Test
    void ngtcp2sClientGetsTheRefusalThroughLossAndDuplication() throws Exception {
        Peers.requireTool(Peers.Tool.GTLSCLIENT);
        Policy in = new Policy(Set.of(), Set.of(), 0.3, 0.1, 0x5eed1L);
        Policy out = new Policy(Set.of(0), Set.of(), 0.3, 0, 0x5eed2L);
        try (RejectServer server = TestPeers.server(RejectServer.Config.DEFAULT_CLOSE_ERROR);
                LossyRelay relay = new LossyRelay(server.localAddress(), in, out)) {
            Ngtcp2Client.Result r = Ngtcp2Client.to(relay.address().getPort()).handshakeTimeout(Duration.ofSeconds(20))
                    .timeout(Duration.ofSeconds(40)).run();
            Ngtcp2Close rx = r.firstReceived().orElseThrow(
                    () -> new AssertionError("no close received: " + relay + "\n" + r.diagnostics()));
            assertEquals(Ngtcp2Close.Level.INITIAL, rx.level(), rx::summary);
            assertEquals(TransportErrorCode.CONNECTION_REFUSED, rx.errorCode(), rx::summary);
            assertFalse(r.timedOut(), r::diagnostics);
            assertEquals(Fate.DROP, relay.toClient().fates().get(0));
            assertTrue(relay.toClient().received().size() >= 2, relay::toString);
            assertEquals(1, server.refusedConnections(), relay::toString);
            assertTrue(relay.toClient().bytesReceived() <= 3 * relay.toServer().bytesForwarded(), relay::toString);
        }
    }
}
