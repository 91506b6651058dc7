package dev.quicj.core.interop;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Sends raw UDP datagrams on loopback from a fresh ephemeral port of {@code 127.0.0.1} (a plain
 * {@link DatagramSocket}) and optionally receives the replies, e.g. to replay a CONNECTION_CLOSE datagram this
 * project wrote to {@link Ngtcp2Server}. Not thread-safe.
 *
 * <pre>{@code
 * UdpSend.sendOnce(server.port(), closeDatagram);                    // fire and forget
 * try (UdpSend udp = UdpSend.open()) {                                // or keep the port and read replies
 *     udp.send(server.port(), initial);
 *     Optional<byte[]> reply = udp.receive(Duration.ofSeconds(2));
 * }
 * }</pre>
 */
public final class UdpSend implements AutoCloseable {
    private static final InetAddress LOOPBACK;

    static {
        try {
            LOOPBACK = InetAddress.getByAddress("127.0.0.1", new byte[] {127, 0, 0, 1});
        } catch (java.net.UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final DatagramSocket socket;

    private UdpSend(DatagramSocket socket) {
        this.socket = socket;
    }

    /** A socket bound to a fresh ephemeral port of 127.0.0.1. */
    public static UdpSend open() throws IOException {
        DatagramSocket s = new DatagramSocket(null);
        try {
            s.setReceiveBufferSize(1 << 20);
            s.bind(new InetSocketAddress(LOOPBACK, 0));
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return new UdpSend(s);
    }

    /** Sends each datagram, in order, from one fresh ephemeral port, to {@code 127.0.0.1:port}; no replies read. */
    public static void sendOnce(int port, byte[]... datagrams) throws IOException {
        try (UdpSend udp = open()) {
            for (byte[] d : datagrams) {
                udp.send(port, d);
            }
        }
    }

    /**
     * Sends the datagrams from one fresh ephemeral port to {@code 127.0.0.1:port}, then collects replies until
     * {@code maxReplies} arrived or {@code timeout} passed.
     */
    public static List<byte[]> exchange(int port, List<byte[]> datagrams, Duration timeout, int maxReplies)
            throws IOException {
        try (UdpSend udp = open()) {
            for (byte[] d : datagrams) {
                udp.send(port, d);
            }
            return udp.receiveAll(timeout, maxReplies);
        }
    }

    /** The local (source) port. */
    public int localPort() {
        return socket.getLocalPort();
    }

    /** Sends one datagram to {@code 127.0.0.1:port}. */
    public void send(int port, byte[] datagram) throws IOException {
        if (datagram.length == 0 || datagram.length > 65507) {
            throw new IllegalArgumentException("UDP payload length " + datagram.length + " is not in [1, 65507]");
        }
        socket.send(new DatagramPacket(datagram, datagram.length, new InetSocketAddress(LOOPBACK, port)));
    }

    /** Receives one datagram (from anyone), or empty if none arrives within {@code timeout}. */
    public Optional<byte[]> receive(Duration timeout) throws IOException {
        byte[] buf = new byte[65535];
        DatagramPacket packet = new DatagramPacket(buf, buf.length);
        socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            return Optional.empty();
        }
        return Optional.of(Arrays.copyOf(packet.getData(), packet.getLength()));
    }

    /** Receives datagrams until {@code max} arrived or {@code timeout} (in total) passed. */
    public List<byte[]> receiveAll(Duration timeout, int max) throws IOException {
        List<byte[]> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (out.size() < max) {
            long left = deadline - System.nanoTime();
            if (left < 1_000_000L) {
                break;
            }
            Optional<byte[]> d = receive(Duration.ofNanos(left));
            if (d.isEmpty()) {
                break;
            }
            out.add(d.get());
        }
        return out;
    }

    /** Closes the socket. */
    @Override
    public void close() {
        socket.close();
    }

    @Override
    public String toString() {
        return "UdpSend[127.0.0.1:" + socket.getLocalPort() + "]";
    }
}
