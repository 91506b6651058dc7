package dev.quicj.examples;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A UDP relay on 127.0.0.1 between clients and one server that drops and duplicates datagrams, each direction after
 * its own {@link Policy}: the loss and duplication of the QUIC interop runner's fault cases, on loopback, without
 * netem (which this machine's kernel lacks). Clients send to {@link #address()}; the server's datagrams go back to the
 * client address that sent last. A datagram's fate depends only on its direction, its index in that direction and
 * the seed, not on timing, so a failing run can be replayed.
 */
final class LossyRelay implements AutoCloseable {
    /** What happens to the datagram of a given index in one direction. */
    enum Fate { PASS, DROP, DUPLICATE }

    /**
     * The fates of one direction: the indexes listed are dropped or duplicated; every other datagram is dropped with
     * probability {@code loss}, else duplicated with probability {@code duplication}, drawn from {@code seed} and its
     * index.
     */
    record Policy(Set<Integer> drops, Set<Integer> duplicates, double loss, double duplication, long seed) {
        static final Policy PASS_ALL = new Policy(Set.of(), Set.of(), 0, 0, 0);

        Fate fate(int index) {
            if (drops.contains(index)) {
                return Fate.DROP;
            }
            if (duplicates.contains(index)) {
                return Fate.DUPLICATE;
            }
            SplittableRandom r = new SplittableRandom(seed ^ (index * 0x9E3779B97F4A7C15L));
            if (r.nextDouble() < loss) {
                return Fate.DROP;
            }
            return r.nextDouble() < duplication ? Fate.DUPLICATE : Fate.PASS;
        }
    }

    /** What one direction saw, in arrival order. */
    static final class Direction {
        private final Policy policy;
        private final List<byte[]> received = new ArrayList<>();
        private final List<Fate> fates = new ArrayList<>();
        private long bytesForwarded;

        private Direction(Policy policy) {
            this.policy = policy;
        }

        private synchronized Fate arrived(byte[] datagram) {
            Fate f = policy.fate(received.size());
            received.add(datagram);
            fates.add(f);
            bytesForwarded += datagram.length * (f == Fate.DROP ? 0L : f == Fate.DUPLICATE ? 2L : 1L);
            return f;
        }

        /** The datagrams that arrived, forwarded or not. */
        synchronized List<byte[]> received() {
            return List.copyOf(received);
        }

        /** The datagrams forwarded, a duplicated one twice, in order. */
        synchronized List<byte[]> forwarded() {
            List<byte[]> out = new ArrayList<>();
            for (int i = 0; i < received.size(); i++) {
                if (fates.get(i) != Fate.DROP) {
                    out.add(received.get(i));
                }
                if (fates.get(i) == Fate.DUPLICATE) {
                    out.add(received.get(i));
                }
            }
            return out;
        }

        synchronized long bytesReceived() {
            return received.stream().mapToLong(b -> b.length).sum();
        }

        synchronized long bytesForwarded() {
            return bytesForwarded;
        }

        synchronized List<Fate> fates() {
            return List.copyOf(fates);
        }

        @Override
        public synchronized String toString() {
            return received.size() + " datagrams, fates " + fates;
        }
    }

    private final DatagramSocket front;
    private final DatagramSocket back;
    private final InetSocketAddress server;
    private final Direction toServer;
    private final Direction toClient;
    private final List<Thread> threads = new ArrayList<>();
    private volatile InetSocketAddress client;
    private volatile boolean closed;
    private volatile Throwable failure;

    LossyRelay(InetSocketAddress server, Policy toServer, Policy toClient) throws SocketException {
        if (!server.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("loopback only: " + server);
        }
        this.server = server;
        this.toServer = new Direction(toServer);
        this.toClient = new Direction(toClient);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        front = new DatagramSocket(new InetSocketAddress(loopback, 0));
        back = new DatagramSocket(new InetSocketAddress(loopback, 0));
        front.setSoTimeout(100);
        back.setSoTimeout(100);
        threads.add(start("relay-to-server", front, true));
        threads.add(start("relay-to-client", back, false));
    }

    /** Where clients send. */
    InetSocketAddress address() {
        return (InetSocketAddress) front.getLocalSocketAddress();
    }

    Direction toServer() {
        return toServer;
    }

    Direction toClient() {
        return toClient;
    }

    private Thread start(String name, DatagramSocket from, boolean towardsServer) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[65535];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            while (!closed) {
                try {
                    p.setLength(buf.length);
                    from.receive(p);
                    byte[] datagram = Arrays.copyOf(buf, p.getLength());
                    InetSocketAddress to;
                    DatagramSocket via;
                    Fate fate;
                    if (towardsServer) {
                        client = (InetSocketAddress) p.getSocketAddress();
                        fate = toServer.arrived(datagram);
                        to = server;
                        via = back;
                    } else {
                        fate = toClient.arrived(datagram);
                        to = client;
                        via = front;
                    }
                    if (fate != Fate.DROP && to != null) {
                        via.send(new DatagramPacket(datagram, datagram.length, to));
                        if (fate == Fate.DUPLICATE) {
                            via.send(new DatagramPacket(datagram, datagram.length, to));
                        }
                    }
                } catch (SocketTimeoutException e) {
                    // check closed
                } catch (IOException e) {
                    if (!closed) {
                        failure = e;
                    }
                    return;
                }
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Stops both directions; rethrows what a direction failed with. */
    @Override
    public void close() throws Exception {
        closed = true;
        front.close();
        back.close();
        for (Thread t : threads) {
            t.join(2_000);
        }
        if (failure != null) {
            throw new IOException("relay failed", failure);
        }
    }

    @Override
    public String toString() {
        return "LossyRelay[to server: " + toServer + "; to client: " + toClient + "]";
    }
}
