package dev.quicj.core.conn;

import dev.quicj.core.crypto.CryptoException;
import dev.quicj.netty.QuicCloseCommand;
import dev.quicj.netty.QuicCloseHandler;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Metric {@code handler_close}: {@link QuicCloseHandler} closing one connection and writing its CONNECTION_CLOSE
 * datagram through an {@link EmbeddedChannel} whose allocator is {@link PooledByteBufAllocator#DEFAULT}, over the
 * public handler API. One operation is the whole life of one close in the handler:
 * <ol>
 *   <li>{@code handler.addConnection(client)}: a client with Initial keys that wrote its first Initial (the same
 *       connection every time, reopened with the quic-core benchmark seam after its previous close);</li>
 *   <li>{@code fireUserEventTriggered(QuicCloseCommand.closeConnection(id, error))} (one immutable command, built
 *       once): quic-core writes the 1200-byte close into a pooled direct buffer, the handler keeps a copy for the
 *       closing period, writes the {@code QuicDatagramPacket} and flushes;</li>
 *   <li>the datagram is read from the channel's outbound queue and released (what the transport does once sent);</li>
 *   <li>the channel's frozen clock is moved past the closing period (3 PTO) and the scheduled task that frees the
 *       connection runs: the cached copy is released and the entry dropped.</li>
 * </ol>
 *
 * <p>The benchmark thread is a Netty {@code FastThreadLocalThread} ({@link dev.quicj.bench.EventLoopThreadExecutor}),
 * as an event loop is: Netty pools buffer objects and outbound entries only on such threads. Leak detection is off,
 * as in production.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens", "java.base/com.sun.crypto.provider=ALL-UNNAMED",
        "--add-opens", "java.base/sun.security.provider=ALL-UNNAMED",
        "-Dio.netty.leakDetection.level=disabled", "-Djmh.executor=CUSTOM",
        "-Djmh.executor.class=dev.quicj.bench.EventLoopThreadExecutor"})
@State(Scope.Thread)
public class HandlerCloseBenchmark {
    private EmbeddedChannel channel;
    private QuicCloseHandler handler;
    private QuicConnection client;
    private QuicCloseCommand command;
    private long closingPeriodNanos;
    private final BenchConnections.Xorshift random = new BenchConnections.Xorshift();

    @Setup
    public void setUp() throws CryptoException {
        handler = new QuicCloseHandler();
        channel = new EmbeddedChannel();
        channel.config().setAllocator(PooledByteBufAllocator.DEFAULT);
        channel.freezeTime();
        channel.pipeline().addLast(handler);
        long now = channel.eventLoop().ticker().nanoTime();
        client = BenchConnections.clientAfterFirstInitial(Settings.defaults(),
                random.connectionId(new byte[BenchConnections.DCID_LENGTH]),
                random.connectionId(new byte[BenchConnections.SCID_LENGTH]), now);
        // keep the transmit keys through the close, so the same connection can close again (see handlerClose)
        client.retainSendStateForBenchmark();
        command = QuicCloseCommand.closeConnection(client.sourceConnectionId(), BenchConnections.ERROR);
        // a period comfortably past 3 PTO, whatever the RTT estimate
        closingPeriodNanos = client.closingPeriod().toNanos() + TimeUnit.MILLISECONDS.toNanos(1);
        int length = handlerClose();
        if (length != 1200) {
            throw new IllegalStateException("handler close datagram is " + length + " bytes");
        }
        if (!handler.connections().isEmpty()) {
            throw new IllegalStateException("the connection was not freed");
        }
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Benchmark
    public int handlerClose() {
        if (client.state() == ConnectionState.CLOSING) {
            BenchConnections.reopen(client, ConnectionState.CLIENT_WAIT_HANDSHAKE);
        }
        handler.addConnection(client);
        channel.pipeline().fireUserEventTriggered(command);
        DatagramPacket sent = channel.readOutbound();
        if (sent == null) {
            throw new IllegalStateException("no close datagram written");
        }
        int length = sent.content().readableBytes();
        sent.release();
        channel.advanceTimeBy(closingPeriodNanos, TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
        return length;
    }
}
