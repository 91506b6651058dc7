package dev.quicj.core.interop;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A packet capture on the loopback interface with Wireshark's {@code dumpcap} (Debian package {@code tshark}), into
 * a pcapng file, with a capture filter such as {@code udp port N}. Needs root or a {@code dumpcap} with capture
 * capabilities; tests call {@link Peers#requireLoopbackCapture()} first.
 *
 * <p>{@link #start(int, Path)} returns once dumpcap has opened {@code lo}, applied the filter and written the file
 * header, so datagrams sent afterwards are captured. Stop with {@link #stop()} (or {@link #close()}), which ends
 * dumpcap gracefully (SIGTERM) so the file is complete; decode it with {@link Tshark#decodeCapture(Path)}.
 *
 * <pre>{@code
 * try (LoopbackCapture cap = LoopbackCapture.start(server.port(), tmp.resolve("c.pcapng"))) {
 *     client.run();
 *     cap.awaitPackets(2, Duration.ofSeconds(5));
 *     Path pcap = cap.stop();
 *     TsharkResult r = Tshark.create().withQuicPort(server.port()).decodeCapture(pcap);
 * }
 * }</pre>
 */
public final class LoopbackCapture implements AutoCloseable {
    /** The default limit for dumpcap to become ready. */
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(15);
    /** How long {@link #stop()} waits before stopping dumpcap, so datagrams still in flight get written. */
    public static final Duration DEFAULT_SETTLE = Duration.ofMillis(300);
    private static final Pattern PACKETS = Pattern.compile("Packets(?: captured)?: ([0-9]+)");

    private final Process process;
    private final Path file;
    private final Path directory;
    private final Path stderr;
    private final String filter;
    private volatile boolean stopped;
    private volatile int finalCount = -1;

    private LoopbackCapture(Process process, Path file, Path directory, Path stderr, String filter) {
        this.process = process;
        this.file = file;
        this.directory = directory;
        this.stderr = stderr;
        this.filter = filter;
    }

    /**
     * Starts capturing UDP to or from {@code port} on {@code lo} into {@code out} (replaced if it exists) and waits
     * until dumpcap is ready, within {@link #DEFAULT_READY_TIMEOUT}.
     */
    public static LoopbackCapture start(int port, Path out) throws IOException {
        return start("udp port " + port, out, DEFAULT_READY_TIMEOUT);
    }

    /**
     * Starts capturing on {@code lo} with a libpcap capture filter into {@code out} (pcapng, replaced if it exists)
     * and waits until dumpcap is ready.
     *
     * @throws IOException if dumpcap exits (e.g. no permission) or is not ready within the limit
     * @throws IllegalStateException if dumpcap is not installed
     */
    public static LoopbackCapture start(String captureFilter, Path out, Duration readyTimeout) throws IOException {
        Path dumpcap = Peers.path(Peers.Tool.DUMPCAP);
        Path target = out.toAbsolutePath();
        Files.deleteIfExists(target);
        Path dir = Files.createTempDirectory("quicj-dumpcap");
        Path err = dir.resolve("dumpcap.err");
        List<String> cmd = List.of(dumpcap.toString(), "-i", "lo", "-f", captureFilter, "-w", target.toString());
        Process p;
        try {
            p = Processes.start(cmd, dir, err, Map.of());
        } catch (IOException e) {
            Processes.deleteTree(dir);
            throw e;
        }
        LoopbackCapture capture = new LoopbackCapture(p, target, dir, err, captureFilter);
        try {
            capture.awaitReady(readyTimeout);
        } catch (IOException | RuntimeException e) {
            capture.close();
            throw e;
        }
        return capture;
    }

    private void awaitReady(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String err = Processes.readText(stderr);
            if (!process.isAlive()) {
                throw new IOException("dumpcap exited with " + process.exitValue() + " (filter '" + filter + "'): "
                        + err.trim());
            }
            // dumpcap prints "File: NAME" after it opened the interface, set the filter and wrote the header.
            if (err.contains("File: ") && Files.isRegularFile(file) && sizeOf(file) > 0) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("dumpcap not ready after " + timeout + " (filter '" + filter + "'): "
                        + err.trim());
            }
            if (!Processes.sleep(20)) {
                throw new InterruptedIOException("interrupted while waiting for dumpcap");
            }
        }
        // Margin for the kernel socket to be fully armed; the same as capture-lo.sh.
        if (!Processes.sleep(200)) {
            throw new InterruptedIOException("interrupted while waiting for dumpcap");
        }
    }

    /** The pcapng file. */
    public Path file() {
        return file;
    }

    /** The capture filter. */
    public String filter() {
        return filter;
    }

    /** Whether dumpcap still runs. */
    public boolean isRunning() {
        return process.isAlive();
    }

    /**
     * The number of packets dumpcap reports so far (its live counter on stderr, updated about every 100 ms; the
     * file itself is written in blocks); after {@link #stop()} the final count.
     */
    public int packetCount() {
        int done = finalCount;
        if (done >= 0) {
            return done;
        }
        Matcher m = PACKETS.matcher(Processes.readText(stderr));
        int n = 0;
        while (m.find()) {
            n = Math.max(n, Integer.parseInt(m.group(1)));
        }
        return n;
    }

    /**
     * Waits until dumpcap has counted at least {@code count} packets.
     *
     * @return whether it did within the limit
     */
    public boolean awaitPackets(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (packetCount() < count) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                return packetCount() >= count;
            }
            Thread.sleep(25);
        }
        return true;
    }

    /** {@link #stop(Duration)} with {@link #DEFAULT_SETTLE}. */
    public Path stop() throws IOException {
        return stop(DEFAULT_SETTLE);
    }

    /**
     * Waits {@code settle}, then stops dumpcap gracefully (SIGTERM; SIGKILL after 10 s) so the pcapng is complete.
     * Idempotent.
     *
     * @return the pcapng file
     * @throws IOException if the file is missing afterwards
     */
    public Path stop(Duration settle) throws IOException {
        if (!stopped) {
            stopped = true;
            if (process.isAlive() && !settle.isZero() && !settle.isNegative()) {
                Processes.sleep(settle.toMillis());
            }
            Processes.kill(process, Duration.ofSeconds(10));
            finalCount = packetCount();
            Processes.deleteTree(directory);
        }
        if (!Files.isRegularFile(file)) {
            throw new IOException("dumpcap wrote no file " + file);
        }
        return file;
    }

    /** Stops dumpcap without the settle delay if still running (the file is kept). Never throws. */
    @Override
    public void close() {
        if (!stopped) {
            stopped = true;
            Processes.kill(process, Duration.ofSeconds(10));
            finalCount = packetCount();
            Processes.deleteTree(directory);
        }
    }

    @Override
    public String toString() {
        return "LoopbackCapture[lo, '" + filter + "' -> " + file + "]";
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }
}
