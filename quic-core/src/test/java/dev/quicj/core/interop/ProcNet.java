package dev.quicj.core.interop;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** Linux {@code /proc} helpers: which process has a UDP port bound (package-private). */
final class ProcNet {
    private ProcNet() {
    }

    /** A UDP port on 127.0.0.1 that was free a moment ago (bind port 0, read the port, close). */
    static int freeUdpPort() throws IOException {
        InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
            return s.getLocalPort();
        }
    }

    /** The socket inodes of all UDP sockets (IPv4 and IPv6) bound to local port {@code port}. */
    static Set<Long> udpInodes(int port) {
        Set<Long> inodes = new HashSet<>();
        String suffix = ":" + String.format(Locale.ROOT, "%04X", port);
        for (String table : new String[] {"/proc/net/udp", "/proc/net/udp6"}) {
            String text;
            try {
                text = Files.readString(Paths.get(table), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                continue;
            }
            String[] lines = text.split("\n");
            for (int i = 1; i < lines.length; i++) {
                String[] f = lines[i].trim().split("\\s+");
                if (f.length > 9 && f[1].toUpperCase(Locale.ROOT).endsWith(suffix)) {
                    try {
                        inodes.add(Long.parseLong(f[9]));
                    } catch (NumberFormatException ignored) {
                        // malformed line
                    }
                }
            }
        }
        return inodes;
    }

    /**
     * Whether process {@code pid} holds a UDP socket bound to {@code port}. If the process's file descriptors are not
     * readable, falls back to "some socket is bound to the port".
     */
    static boolean processBindsUdp(long pid, int port) {
        Set<Long> inodes = udpInodes(port);
        if (inodes.isEmpty()) {
            return false;
        }
        Path fds = Paths.get("/proc", Long.toString(pid), "fd");
        boolean readable = false;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(fds)) {
            for (Path fd : dir) {
                readable = true;
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException | UnsupportedOperationException e) {
                    continue;
                }
                if (target.startsWith("socket:[") && target.endsWith("]")) {
                    try {
                        if (inodes.contains(Long.parseLong(target.substring(8, target.length() - 1)))) {
                            return true;
                        }
                    } catch (NumberFormatException ignored) {
                        // not a socket inode
                    }
                }
            }
        } catch (IOException e) {
            return true;
        }
        return !readable;
    }
}
