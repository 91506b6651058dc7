package dev.quicj.core.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.management.ThreadMXBean;
import dev.quicj.core.ConnectionId;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.InitialProtections;
import dev.quicj.core.packet.PacketWriter;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;

/**
 * {@code writeConnectionClose} allocates nothing once warm (a behaviour, not a timing: the JMH benchmarks measure the
 * same with {@code -prof gc}). Real JCA crypto, which on the build's JVM options is the intrinsic AES-GCM path.
 */
class CloseAllocationTest {
    // the JCA AES-GCM fallback allocates per packet; the build's JVM options enable the intrinsic path
    private static void assumeIntrinsicAesGcm() {
        assumeTrue(CryptoProvider.aesGcmImplementation().equals("jdk-intrinsics"),
                CryptoProvider.aesGcmImplementation());
    }

    /**
     * Bytes allocated per call of {@code op} (given the call's index) over 20 000 calls: passes repeat, up to five,
     * until one allocates nothing (the first ones warm up); the last pass's figure.
     */
    private static long bytesPerCall(IntConsumer op) {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long perOp = Long.MAX_VALUE;
        for (int pass = 0; pass < 5 && perOp > 0; pass++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 20_000; i++) {
                op.accept(i);
            }
            perOp = (mx.getCurrentThreadAllocatedBytes() - before) / 20_000;
        }
        return perOp;
    }

    private static long bytesPerClose(QuicConnection c, ConnectionState reopenAs, boolean direct) {
        assumeIntrinsicAesGcm();
        ByteBuffer dest = direct ? ByteBuffer.allocateDirect(1452) : ByteBuffer.allocate(1452);
        CloseError error = CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, "bench close");
        PathInfo path = new PathInfo();
        PacketInfo info = new PacketInfo();
        c.retainSendStateForBenchmark();
        return bytesPerCall(i -> {
            dest.clear();
            if (c.writeConnectionClose(path, info, dest, error, ConnectionFixtures.T0 + 1) != CloseOutcome.WRITTEN) {
                throw new AssertionError("close not written");
            }
            c.reopenAfterCloseForBenchmark(reopenAs);
        });
    }

    /** The close of a connection that then drops its state (no benchmark seam): once per connection. */
    private static long bytesPerFirstClose(boolean server) throws Exception {
        assumeIntrinsicAesGcm();
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        ByteBuffer dest = ByteBuffer.allocate(1452);
        CloseError error = CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, "bench close");
        PathInfo path = new PathInfo();
        PacketInfo info = new PacketInfo();
        QuicConnection[] connections = new QuicConnection[2_000];
        long perOp = Long.MAX_VALUE;
        for (int pass = 0; pass < 5 && perOp > 0; pass++) {
            for (int i = 0; i < connections.length; i++) {
                connections[i] = server ? ConnectionFixtures.server(Settings.defaults())
                        : ConnectionFixtures.client(Settings.defaults());
            }
            long before = mx.getCurrentThreadAllocatedBytes();
            for (QuicConnection c : connections) {
                dest.clear();
                if (c.writeConnectionClose(path, info, dest, error, ConnectionFixtures.T0 + 1) != CloseOutcome.WRITTEN) {
                    throw new AssertionError("close not written");
                }
            }
            perOp = (mx.getCurrentThreadAllocatedBytes() - before) / connections.length;
        }
        for (QuicConnection c : connections) {
            if (!c.droppedClosedState()) {
                throw new AssertionError("the closed connection kept its state");
            }
        }
        return perOp;
    }

    @Test
    void aFirstCloseThatDropsTheConnectionStateAllocatesNothing() throws Exception {
        assertEquals(0, bytesPerFirstClose(false), "client");
        assertEquals(0, bytesPerFirstClose(true), "server");
    }

    @Test
    void clientInitialCloseAllocatesNothing() throws Exception {
        QuicConnection c = ConnectionFixtures.client(Settings.defaults());
        assertEquals(0, bytesPerClose(c, ConnectionState.CLIENT_WAIT_HANDSHAKE, false), "heap destination");
        assertEquals(0, bytesPerClose(c, ConnectionState.CLIENT_WAIT_HANDSHAKE, true), "direct destination");
    }

    @Test
    void oneRttCloseAllocatesNothing() throws Exception {
        QuicConnection c = ConnectionFixtures.clientConfirmed(Settings.defaults());
        assertEquals(0, bytesPerClose(c, ConnectionState.POST_HANDSHAKE, false));
    }

    @Test
    void serverHandshakeCloseAllocatesNothing() throws Exception {
        QuicConnection s = ConnectionFixtures.serverAllKeys(Settings.defaults());
        assertEquals(0, bytesPerClose(s, ConnectionState.SERVER_WAIT_HANDSHAKE, false));
    }

    /**
     * {@code StatelessClose} with one reused {@link InitialProtections} and {@link PacketWriter}, answering ever new
     * client DCIDs of both versions (made before measuring), allocates nothing once warm: the keys are re-keyed in
     * place.
     */
    @Test
    void statelessCloseWithReusedKeysAllocatesNothing() {
        assumeIntrinsicAesGcm();
        SplittableRandom random = new SplittableRandom(7);
        ConnectionId[] dcids = new ConnectionId[4096];
        for (int i = 0; i < dcids.length; i++) {
            byte[] b = new byte[8 + random.nextInt(13)];
            random.nextBytes(b);
            dcids[i] = ConnectionId.of(b);
        }
        ConnectionId scid = ConnectionId.fromHex("0102030405060708");
        CloseError error = CloseError.transport(TransportErrorCode.CONNECTION_REFUSED, "bench close");
        InitialProtections keys = new InitialProtections(CryptoProvider.jca());
        PacketWriter writer = new PacketWriter();
        ByteBuffer dest = ByteBuffer.allocate(1452);
        assertEquals(0, bytesPerCall(i -> {
            dest.clear();
            ConnectionId dcid = dcids[i & (dcids.length - 1)];
            QuicVersion version = (i & 1) == 0 ? QuicVersion.V1 : QuicVersion.V2;
            if (StatelessClose.write(dest, version, dcid, scid, dcid, 0, error, keys, writer)
                    != CloseOutcome.WRITTEN) {
                throw new AssertionError("close not written");
            }
        }));
    }
}
