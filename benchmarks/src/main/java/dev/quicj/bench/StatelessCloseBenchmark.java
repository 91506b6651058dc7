package dev.quicj.bench;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.conn.BenchConnections;
import dev.quicj.core.conn.CloseOutcome;
import dev.quicj.core.conn.StatelessClose;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.InitialProtections;
import dev.quicj.core.packet.PacketWriter;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Metric {@code stateless_close}: {@link StatelessClose#write} answering a client Initial with a server Initial
 * CONNECTION_CLOSE and no connection state, the server's Initial keys derived on every call, against ngtcp2's
 * {@code stateless_cc} ({@code ngtcp2_crypto_write_connection_close}). As there, each operation takes new random
 * connection IDs: a 17-byte DCID (the client's SCID) and an 18-byte server SCID that is also the client Initial's
 * DCID the keys derive from (ngtcp2 derives them from its {@code scid} argument); transport error 0x2, reason
 * "bench close", packet number 0, into a 1452-byte heap buffer.
 *
 * <p>It uses the overload a server refusing many connections uses (as {@code QuicCloseHandler} does): one
 * {@link InitialProtections} re-keyed for each DCID and one {@link PacketWriter}. The connection IDs come from a ring
 * of 4096 random pairs made in setup (ngtcp2 fills a stack struct; a {@link ConnectionId} is an object), so the
 * measured work is the library's: key derivation, re-keying, writing and sealing.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/com.sun.crypto.provider=ALL-UNNAMED",
        "--add-opens", "java.base/sun.security.provider=ALL-UNNAMED"})
@State(Scope.Thread)
public class StatelessCloseBenchmark {
    private static final int RING = 4096;

    private final ByteBuffer dest = ByteBuffer.allocate(BenchConnections.BUFFER_LENGTH);
    private final ConnectionId[] dcids = new ConnectionId[RING];
    private final ConnectionId[] scids = new ConnectionId[RING];
    private final InitialProtections keys = new InitialProtections(CryptoProvider.jca());
    private final PacketWriter writer = new PacketWriter();
    private int next;

    @Setup
    public void setUp() {
        BenchConnections.Xorshift random = new BenchConnections.Xorshift();
        for (int i = 0; i < RING; i++) {
            dcids[i] = random.connectionId(new byte[17]);
            scids[i] = random.connectionId(new byte[18]);
        }
        if (statelessClose() <= 0) {
            throw new IllegalStateException("stateless close not written");
        }
    }

    @Benchmark
    public int statelessClose() {
        int i = next++ & (RING - 1);
        ConnectionId dcid = dcids[i];
        ConnectionId scid = scids[i];
        dest.clear();
        CloseOutcome outcome = StatelessClose.write(dest, QuicVersion.V1, scid, dcid, scid, 0,
                BenchConnections.ERROR, keys, writer);
        if (outcome != CloseOutcome.WRITTEN) {
            throw new IllegalStateException("stateless close not written: " + outcome);
        }
        return dest.position();
    }
}
