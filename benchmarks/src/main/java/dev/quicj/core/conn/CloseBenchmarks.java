package dev.quicj.core.conn;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.QuicException;
import dev.quicj.core.crypto.CryptoException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code QuicConnection.writeConnectionClose} against ngtcp2's {@code ngtcp2_conn_write_connection_close}
 * (shared/bench/ngtcp2-close-bench.c, mode keys).
 *
 * <ul>
 *   <li>{@code closeClientInitial} (metric {@code close_client_initial}, ngtcp2 {@code phase_close}): a client that
 *       wrote its first Initial closes with transport error 0x2, reason "bench close", into a 1452-byte buffer: one
 *       1200-byte datagram holding a padded Initial with CONNECTION_CLOSE. ngtcp2 closes a different connection each
 *       time; here one connection closes again and again through the {@code reopenAfterCloseForBenchmark} seam
 *       (packet numbers advance, sizes stay the same), so only the close itself is timed.</li>
 *   <li>{@code close1Rtt} (metric {@code close_1rtt}): a confirmed client's AES-128-GCM 1-RTT close, same error.</li>
 *   <li>{@code connLoop} (metric {@code conn_loop}, ngtcp2 {@code equiv_loop} = phase_new + phase_keys + phase_close
 *       + phase_del): fresh random 18-byte DCID and 17-byte SCID, build the client (Initial keys derived for both
 *       directions), write the close, drop the connection. Like {@code equiv_loop}, the first Initial is not written:
 *       the connection is put in the state it would leave (CLIENT_WAIT_HANDSHAKE, Initial packet number 0 used), so
 *       the close is the same packet (packet number 1) as ngtcp2's.</li>
 *   <li>{@code connLoopFull} (metric {@code conn_loop_full}, ngtcp2 {@code loop_full}): the same with the first
 *       Initial written (371-byte stand-in ClientHello, 1200 bytes) before the close.</li>
 * </ul>
 *
 * <p>{@code dest} selects the destination: a heap buffer (sealed in place) or a direct one (what the Netty handler
 * uses; sealed through a staging copy).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/com.sun.crypto.provider=ALL-UNNAMED",
        "--add-opens", "java.base/sun.security.provider=ALL-UNNAMED"})
@State(Scope.Thread)
public class CloseBenchmarks {
    private static final long NOW = 1_000_000_000L;

    @Param({"heap"})
    public String dest;

    private ByteBuffer buffer;
    private final PathInfo pathInfo = new PathInfo();
    private final PacketInfo packetInfo = new PacketInfo();
    private QuicConnection initialClient;
    private QuicConnection confirmedClient;
    private final BenchConnections.Xorshift random = new BenchConnections.Xorshift();
    private final byte[] dcidScratch = new byte[BenchConnections.DCID_LENGTH];
    private final byte[] scidScratch = new byte[BenchConnections.SCID_LENGTH];
    private ByteBuffer firstBuffer;

    @Setup
    public void setUp() throws CryptoException, QuicException {
        switch (dest) {
            case "heap":
                buffer = ByteBuffer.allocate(BenchConnections.BUFFER_LENGTH);
                firstBuffer = ByteBuffer.allocate(BenchConnections.BUFFER_LENGTH);
                break;
            case "direct":
                buffer = ByteBuffer.allocateDirect(BenchConnections.BUFFER_LENGTH);
                firstBuffer = ByteBuffer.allocateDirect(BenchConnections.BUFFER_LENGTH);
                break;
            default:
                throw new IllegalArgumentException("dest must be heap or direct: " + dest);
        }
        initialClient = BenchConnections.clientAfterFirstInitial(Settings.defaults(),
                random.connectionId(dcidScratch), random.connectionId(scidScratch), NOW);
        confirmedClient = BenchConnections.confirmedClient(Settings.defaults(), random.connectionId(dcidScratch),
                random.connectionId(scidScratch), NOW);
        // the sizes every operation must reproduce
        check(closeClientInitial(), 1200, "client Initial close");
        int oneRtt = close1Rtt();
        if (oneRtt <= 0 || oneRtt > 100) {
            throw new IllegalStateException("1-RTT close is " + oneRtt + " bytes");
        }
        check(connLoop(), 1200, "conn_loop close");
        check(connLoopFull(), 1200, "conn_loop_full close");
    }

    private static void check(int length, int expected, String what) {
        if (length != expected) {
            throw new IllegalStateException(what + " is " + length + " bytes, expected " + expected);
        }
    }

    private int close(QuicConnection c, ConnectionState reopenAs) {
        // keep the transmit keys through the close, so the connection can close again (a field write)
        c.retainSendStateForBenchmark();
        buffer.clear();
        CloseOutcome outcome = c.writeConnectionClose(pathInfo, packetInfo, buffer, BenchConnections.ERROR, NOW);
        if (outcome != CloseOutcome.WRITTEN) {
            throw new IllegalStateException("close not written: " + outcome);
        }
        c.reopenAfterCloseForBenchmark(reopenAs);
        return buffer.position();
    }

    @Benchmark
    public int closeClientInitial() {
        return close(initialClient, ConnectionState.CLIENT_WAIT_HANDSHAKE);
    }

    @Benchmark
    public int close1Rtt() {
        return close(confirmedClient, ConnectionState.POST_HANDSHAKE);
    }

    @Benchmark
    public int connLoop() throws CryptoException {
        ConnectionId dcid = random.connectionId(dcidScratch);
        ConnectionId scid = random.connectionId(scidScratch);
        QuicConnection c = BenchConnections.clientWithInitialKeys(Settings.defaults(), dcid, scid, NOW);
        buffer.clear();
        CloseOutcome outcome = c.writeConnectionClose(pathInfo, packetInfo, buffer, BenchConnections.ERROR, NOW);
        if (outcome != CloseOutcome.WRITTEN) {
            throw new IllegalStateException("close not written: " + outcome);
        }
        return buffer.position();
    }

    @Benchmark
    public int connLoopFull() throws CryptoException {
        ConnectionId dcid = random.connectionId(dcidScratch);
        ConnectionId scid = random.connectionId(scidScratch);
        QuicConnection c = BenchConnections.freshClient(Settings.defaults(), dcid, scid, NOW);
        BenchConnections.writeFirstInitial(c, firstBuffer, NOW);
        buffer.clear();
        CloseOutcome outcome = c.writeConnectionClose(pathInfo, packetInfo, buffer, BenchConnections.ERROR, NOW);
        if (outcome != CloseOutcome.WRITTEN) {
            throw new IllegalStateException("close not written: " + outcome);
        }
        return buffer.position();
    }
}
