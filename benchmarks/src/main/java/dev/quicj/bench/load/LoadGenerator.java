package dev.quicj.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A UDP load generator for loopback: {@code threads} threads, each with its own non-blocking sockets connected to the
 * target ({@code sockets} per thread, one by default; several give the server several client 4-tuples, which is what
 * spreads datagrams over {@code SO_REUSEPORT} sockets), send Initials from an {@link InitialPool} for a fixed time
 * and count the datagrams that come back. A thread sends a burst, then reads every reply waiting on its sockets, and
 * so on: sending and counting share one core per thread, which leaves the other core of a 2-core machine to the
 * server. A thread waiting for replies polls (spinning, then yielding the core) rather than sleeping, for up to
 * 2 ms: on loopback the sending side pays for waking the receiving thread, so a generator asleep whenever its window
 * is full would charge the server a wakeup per reply, and charge a slower server (whose generator waits more) more
 * (a CPU profile of the reject server's event loop: {@code sock_def_readable} 16 % with a sleeping generator, 3 %
 * with a polling one, as for the echo server).
 *
 * <p>Three ways to send: a window ({@code window > 0}, the default of {@link RejectThroughput}): each thread keeps
 * at most {@code window} datagrams without a reply in flight, so the server runs at its own pace and nothing is
 * dropped for want of socket buffer (when no reply came for {@value #LOSS_TIMEOUT_MILLIS} ms, the datagrams in flight
 * are written off; a reply that still comes for one of them, told by the Initial's index it carries
 * ({@link InitialPool#indexOfReply}), gives it back, so that a pause of the server's JVM does not leave the window
 * wider than {@code window}, and datagrams really lost do not hold it narrower; {@link Result#writeOffs()} and
 * {@link Result#unanswered()} say how often, and how many were never answered);
 * paced ({@code ratePerSecond > 0}): the threads together send {@code ratePerSecond}; or a flood (neither): each
 * thread sends as fast as its socket takes datagrams, and the server's socket buffer overflows. Replies are counted
 * while the load runs; the ones still arriving during a short grace period afterwards are reported apart
 * ({@link Result#lateReplies()}) and not in the rate.
 *
 * <p>In every mode a reply counts only if it answers an Initial this thread sent and that has had no reply yet: a
 * QUIC v1 Initial packet naming the Initial by its pool index ({@link InitialPool#indexOfReply}), the server's
 * CONNECTION_CLOSE or the echo of the Initial. Anything else (another packet type or version, a second reply to the
 * same Initial, a datagram naming nothing) is a stray ({@link Result#strays()}): not counted, and it frees no window
 * slot.
 */
public final class LoadGenerator {
    /** Every socket's receive and send buffer: 4 MiB (the kernel's rmem_max/wmem_max cap it). */
    public static final int SOCKET_BUFFER = 4 << 20;
    private static final int BURST = 16;
    private static final long GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long LOSS_TIMEOUT_MILLIS = 20;
    // how long a thread with a full window spins for the next reply before it yields the core between polls
    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    // how long it polls (spinning, then yielding) before it sleeps in select: past this, the replies are late (a
    // paused or overloaded server), and sleeping costs nothing measured
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final long LOSS_TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(LOSS_TIMEOUT_MILLIS);

    private LoadGenerator() {
    }

    /**
     * What one run did.
     *
     * @param sent datagrams sent during the run
     * @param replies replies received during the run: each answers an Initial then in flight, and no Initial twice
     * @param lateReplies such replies received in the grace period after it
     * @param seconds the length of the run
     * @param generatorCpuNanos the CPU the generator's threads used
     * @param writeOffs how many times a window was written off after {@value #LOSS_TIMEOUT_MILLIS} ms without a reply
     * @param unanswered datagrams written off whose replies never came during the run
     * @param replyBytes the bytes of every reply, late ones included
     * @param strays datagrams received (during the run or the grace period) that answer no Initial in flight: not
     *     replies
     */
    public record Result(long sent, long replies, long lateReplies, double seconds, long generatorCpuNanos,
            long writeOffs, long unanswered, long replyBytes, long strays) {
        /** The mean reply size in bytes. */
        public double meanReplyBytes() {
            long n = replies + lateReplies;
            return n == 0 ? 0 : replyBytes / (double) n;
        }

        /** Replies per second during the run. */
        public double repliesPerSecond() {
            return replies / seconds;
        }

        /** Datagrams sent per second. */
        public double sentPerSecond() {
            return sent / seconds;
        }
    }

    /**
     * Sends to {@code target} for {@code seconds} and counts the replies.
     *
     * @param ratePerSecond the total send rate, or 0 for a window or a flood
     * @param window per thread, the most datagrams without a reply in flight (when not paced), or 0 for a flood
     * @param sockets per thread, the sockets (source ports) it sends from in turn, a datagram each
     */
    public static Result run(InetSocketAddress target, InitialPool pool, double seconds, int threads,
            long ratePerSecond, int window, int sockets) throws InterruptedException {
        if (threads < 1 || seconds <= 0 || ratePerSecond < 0 || window < 0 || sockets < 1) {
            throw new IllegalArgumentException("threads >= 1, seconds > 0, rate >= 0, window >= 0, sockets >= 1");
        }
        List<Worker> workers = new ArrayList<>();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        long end = start + (long) (seconds * 1e9);
        double perThreadRate = ratePerSecond / (double) threads;
        for (int i = 0; i < threads; i++) {
            workers.add(new Worker(target, pool.cursor(), start, end, perThreadRate, window, sockets));
        }
        List<Thread> running = new ArrayList<>();
        for (int i = 0; i < workers.size(); i++) {
            Thread t = new Thread(workers.get(i), "load-generator-" + i);
            t.setDaemon(true);
            t.start();
            running.add(t);
        }
        for (Thread t : running) {
            t.join();
        }
        long sent = 0;
        long replies = 0;
        long late = 0;
        long cpu = 0;
        long writeOffs = 0;
        long unanswered = 0;
        long replyBytes = 0;
        long strays = 0;
        for (Worker w : workers) {
            if (w.failure != null) {
                throw new UncheckedIOException("load generator socket failed", w.failure);
            }
            sent += w.sent;
            replies += w.replies;
            late += w.late;
            cpu += w.cpuNanos;
            writeOffs += w.writeOffs;
            unanswered += w.lost;
            replyBytes += w.replyBytes;
            strays += w.strays;
        }
        return new Result(sent, replies, late, seconds, cpu, writeOffs, unanswered, replyBytes, strays);
    }

    private static final class Worker implements Runnable {
        private final InetSocketAddress target;
        private final InitialPool.Cursor cursor;
        private final long start;
        private final long end;
        private final double rate;
        private final int window;
        private final DatagramChannel[] channels;
        private final ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(65536);
        long sent;
        long replies;
        long late;
        // window mode: datagrams written off and not answered since, and how many times a window was written off
        long lost;
        long writeOffs;
        long replyBytes;
        // datagrams that answer no Initial in flight
        long strays;
        // by pool index, the Initials sent and not answered yet (every mode)
        private final BitSet outstanding;
        // window mode: the pool indices of the last `window` Initials sent (a ring), and by pool index which are
        // written off
        private final int[] recent;
        private int recentNext;
        private int recentCount;
        private final BitSet writtenOff;
        IOException failure;
        // the CPU this worker's thread used, measured by the thread itself when it ends
        long cpuNanos;

        Worker(InetSocketAddress target, InitialPool.Cursor cursor, long start, long end, double rate, int window,
                int sockets) {
            this.channels = new DatagramChannel[sockets];
            this.target = target;
            this.cursor = cursor;
            this.start = start;
            this.end = end;
            this.rate = rate;
            this.window = window;
            boolean tracked = window > 0 && rate <= 0;
            this.recent = tracked ? new int[window] : null;
            this.outstanding = new BitSet(cursor.pool().size());
            this.writtenOff = tracked ? new BitSet(cursor.pool().size()) : null;
        }

        @Override
        public void run() {
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long cpuStart = mx.getCurrentThreadCpuTime();
            try {
                send();
            } finally {
                long cpuEnd = mx.getCurrentThreadCpuTime();
                cpuNanos = cpuStart < 0 || cpuEnd < 0 ? 0 : cpuEnd - cpuStart;
            }
        }

        private void send() {
            try (Selector selector = Selector.open()) {
                open(selector);
                send(selector);
            } catch (IOException e) {
                failure = e;
            } finally {
                for (DatagramChannel ch : channels) {
                    if (ch != null) {
                        try {
                            ch.close();
                        } catch (IOException e) {
                            if (failure == null) {
                                failure = e;
                            }
                        }
                    }
                }
            }
        }

        private void open(Selector selector) throws IOException {
            for (int i = 0; i < channels.length; i++) {
                DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
                channels[i] = ch;
                ch.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER);
                ch.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
                ch.bind(new InetSocketAddress(target.getAddress(), 0));
                ch.connect(target);
                ch.configureBlocking(false);
                ch.register(selector, SelectionKey.OP_READ);
            }
        }

        private void send(Selector selector) throws IOException {
            int next = 0;
            while (System.nanoTime() < start) {
                Thread.onSpinWait();
            }
            long now;
            // when the last reply came
            long lastProgress = start;
            while ((now = System.nanoTime()) < end) {
                long allowed;
                if (rate > 0) {
                    allowed = (long) ((now - start) * rate / 1e9) - sent;
                } else if (window > 0) {
                    long inFlight = sent - replies - lost;
                    if (inFlight > 0 && now - lastProgress > LOSS_TIMEOUT_NANOS) {
                        markWrittenOff();
                        lost += inFlight;
                        writeOffs++;
                        inFlight = 0;
                        lastProgress = now;
                    }
                    allowed = window - inFlight;
                } else {
                    allowed = BURST;
                }
                int burst = (int) Math.min(BURST, Math.max(0, allowed));
                for (int i = 0; i < burst; i++) {
                    ByteBuffer dg = cursor.next();
                    if (channels[next].write(dg) == 0) {
                        break;
                    }
                    next = next + 1 == channels.length ? 0 : next + 1;
                    sent++;
                    int index = cursor.lastIndex();
                    outstanding.set(index);
                    if (recent != null) {
                        // sent again (the pool wrapped): a reply from now on answers this datagram
                        writtenOff.clear(index);
                        recent[recentNext] = index;
                        recentNext = recentNext + 1 == recent.length ? 0 : recentNext + 1;
                        recentCount = Math.min(recentCount + 1, recent.length);
                    }
                }
                long n = drain(selector);
                if (n > 0) {
                    replies += n;
                    lastProgress = now;
                } else if (burst == 0) {
                    if (rate > 0) {
                        LockSupport.parkNanos(20_000);
                    } else if (now - lastProgress > POLL_NANOS) {
                        // no reply for a long while: sleep until one arrives
                        selector.select(1);
                        selector.selectedKeys().clear();
                    } else if (now - lastProgress > SPIN_NANOS) {
                        // the window is full: poll, but let any other runnable thread (the server's GC, JIT) have
                        // the core. Not sleeping matters: on loopback the sender pays the receiver's wakeup, so a
                        // generator asleep in select would charge the server for waking it on every reply
                        Thread.yield();
                    } else {
                        Thread.onSpinWait();
                    }
                }
            }
            long graceEnd = System.nanoTime() + GRACE_NANOS;
            while (System.nanoTime() < graceEnd) {
                long n = drain(selector);
                late += n;
                if (n == 0) {
                    LockSupport.parkNanos(100_000);
                }
            }
        }

        /** Marks the Initials in flight written off: those among the last {@code window} sent with no reply yet. */
        private void markWrittenOff() {
            if (recent == null) {
                return;
            }
            for (int k = 0; k < recentCount; k++) {
                int index = recent[(recentNext - 1 - k + recent.length) % recent.length];
                if (outstanding.get(index)) {
                    writtenOff.set(index);
                }
            }
        }

        /** Reads every reply waiting: on the one socket, or on each socket the selector finds readable. */
        private long drain(Selector selector) throws IOException {
            if (channels.length == 1) {
                return drain(channels[0]);
            }
            long n = 0;
            if (selector.selectNow() > 0) {
                for (SelectionKey key : selector.selectedKeys()) {
                    n += drain((DatagramChannel) key.channel());
                }
                selector.selectedKeys().clear();
            }
            return n;
        }

        private long drain(DatagramChannel ch) throws IOException {
            long n = 0;
            while (true) {
                receiveBuffer.clear();
                int bytes = ch.read(receiveBuffer);
                if (bytes <= 0) {
                    return n;
                }
                int index = cursor.pool().indexOfReply(receiveBuffer, bytes);
                if (index < 0 || !outstanding.get(index)) {
                    // not a reply to an Initial in flight: a second reply, or not a reply at all
                    strays++;
                    continue;
                }
                outstanding.clear(index);
                replyBytes += bytes;
                n++;
                if (writtenOff != null && writtenOff.get(index)) {
                    // a written-off datagram answered after all: it no longer counts as lost, and its reply frees
                    // no window slot (the write-off did)
                    writtenOff.clear(index);
                    if (lost > 0) {
                        lost--;
                    }
                }
            }
        }
    }
}
