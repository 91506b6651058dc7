package dev.quicj.bench;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.conn.BenchConnections;
import dev.quicj.core.conn.CloseOutcome;
import dev.quicj.core.conn.StatelessClose;
import dev.quicj.core.crypto.CryptoProvider;
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
 * {@code stateless_cc} ({@code ngtcp2_crypto_write_connection_close}). As there, each operation takes fresh random
 * connection IDs: a 17-byte DCID (the client's SCID) and an 18-byte server SCID that is also the client Initial's
 * DCID the keys derive from (ngtcp2 derives them from its {@code scid} argument); transport error 0x2, reason
 * "bench close", packet number 0, into a 1452-byte heap buffer.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/com.sun.crypto.provider=ALL-UNNAMED",
        "--add-opens", "java.base/sun.security.provider=ALL-UNNAMED"})
@State(Scope.Thread)
public class StatelessCloseBenchmark {
    private final ByteBuffer dest = ByteBuffer.allocate(BenchConnections.BUFFER_LENGTH);
    private final BenchConnections.Xorshift random = new BenchConnections.Xorshift();
    private final byte[] dcidScratch = new byte[17];
    private final byte[] scidScratch = new byte[18];
    private final CryptoProvider crypto = CryptoProvider.jca();

    @Setup
    public void setUp() {
        if (statelessClose() <= 0) {
            throw new IllegalStateException("stateless close not written");
        }
    }

    @Benchmark
    public int statelessClose() {
        ConnectionId dcid = random.connectionId(dcidScratch);
        ConnectionId scid = random.connectionId(scidScratch);
        dest.clear();
        CloseOutcome outcome = StatelessClose.write(dest, QuicVersion.V1, scid, dcid, scid, 0,
                BenchConnections.ERROR, crypto);
        if (outcome != CloseOutcome.WRITTEN) {
            throw new IllegalStateException("stateless close not written: " + outcome);
        }
        return dest.position();
    }
}
