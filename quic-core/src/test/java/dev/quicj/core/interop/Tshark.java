package dev.quicj.core.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.quicj.core.Hex;

/**
 * An independent QUIC decoder: Wireshark's {@code tshark} (4.0 on Debian 12), driven as a subprocess, with its
 * {@code -T json -x} output turned into {@link TsharkResult} records.
 *
 * <p>Raw UDP payloads ({@link Datagram}) are wrapped into a pcap file as UDP/IPv4 between
 * {@code 127.0.0.1:}{@value #CLIENT_PORT} (client) and {@code 127.0.0.1:}{@value #SERVER_PORT} (server); port
 * {@value #SERVER_PORT} and any port added with {@link #withQuicPort(int)} are decoded as QUIC
 * ({@code -d udp.port==N,quic}). Initial packets need no keys (tshark derives them from the client's first DCID),
 * Handshake and 1-RTT packets need an NSS key log ({@link #withKeylog(Path)}, the {@code SSLKEYLOGFILE} format
 * gtlsclient and gtlsserver write).
 *
 * <p>A lone server Initial (no client Initial before it) cannot be decrypted because its keys derive from the
 * client's original DCID; {@link #decode(byte[], List)} puts a synthetic, undecryptable 1200-byte client Initial
 * with that DCID first (like {@code decode-quic.sh --odcid}) and leaves it out of the result.
 *
 * <p>tshark runs with an empty personal configuration directory ({@code WIRESHARK_CONFIG_DIR}) so a user's
 * Wireshark preferences cannot change the dissection. Instances are immutable and thread-safe.
 *
 * <p>Fields read (tshark 4.0 names): {@code frame.number}, {@code udp.srcport}, {@code udp.dstport},
 * {@code udp.payload}, {@code quic.packet_length}, {@code quic.long.packet_type}, {@code quic.long.packet_type_v2},
 * {@code quic.version}, {@code quic.dcid}, {@code quic.scid}, {@code quic.token_length},
 * {@code quic.packet_number}, {@code quic.short}, {@code quic.supported_version},
 * {@code quic.decryption_failed} with {@code _ws.expert.message}, {@code quic.remaining_payload},
 * {@code quic.protected_payload}, {@code quic.frame} / {@code quic.frame_raw}, {@code quic.frame_type},
 * {@code quic.padding_length}, {@code quic.crypto.offset}, {@code quic.crypto.length},
 * {@code quic.ack.largest_acknowledged}, {@code quic.ack.ack_delay}, {@code quic.cc.error_code},
 * {@code quic.cc.error_code.app}, {@code quic.cc.error_code.tls_alert}, {@code quic.cc.frame_type},
 * {@code quic.cc.reason_phrase.length}, {@code quic.cc.reason_phrase} / {@code quic.cc.reason_phrase_raw},
 * {@code _ws.malformed}.
 */
public final class Tshark {
    /** The UDP port raw client datagrams are sent from (and server datagrams to). */
    public static final int CLIENT_PORT = 50000;
    /** The UDP port raw client datagrams are sent to (and server datagrams from); always decoded as QUIC. */
    public static final int SERVER_PORT = 443;
    /** The default limit for one tshark run. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final Path executable;
    private final Path keylog;
    private final Set<Integer> quicPorts;
    private final Duration timeout;

    private Tshark(Path executable, Path keylog, Set<Integer> quicPorts, Duration timeout) {
        this.executable = executable;
        this.keylog = keylog;
        this.quicPorts = Set.copyOf(quicPorts);
        this.timeout = timeout;
    }

    /**
     * A decoder using the installed tshark ({@link Peers#path(Peers.Tool)}); call
     * {@link Peers#requireTool(Peers.Tool...)} with {@link Peers.Tool#TSHARK} first in tests.
     *
     * @throws IllegalStateException if tshark is not installed
     */
    public static Tshark create() {
        return new Tshark(Peers.path(Peers.Tool.TSHARK), null, Set.of(SERVER_PORT), DEFAULT_TIMEOUT);
    }

    /** A copy that gives tshark this NSS key log ({@code -o tls.keylog_file:FILE}) for Handshake/0-RTT/1-RTT keys. */
    public Tshark withKeylog(Path keylogFile) {
        return new Tshark(executable, keylogFile.toAbsolutePath(), quicPorts, timeout);
    }

    /** A copy that also decodes UDP port {@code port} as QUIC (captures of peers on ephemeral ports). */
    public Tshark withQuicPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port);
        }
        Set<Integer> ports = new LinkedHashSet<>(quicPorts);
        ports.add(port);
        return new Tshark(executable, keylog, ports, timeout);
    }

    /** A copy with another limit for one tshark run (default {@link #DEFAULT_TIMEOUT}). */
    public Tshark withTimeout(Duration limit) {
        return new Tshark(executable, keylog, quicPorts, Objects.requireNonNull(limit));
    }

    /** Decodes raw datagrams, in order. */
    public TsharkResult decode(Datagram... datagrams) throws IOException {
        return decode(Arrays.asList(datagrams));
    }

    /** Decodes raw datagrams, in order. */
    public TsharkResult decode(List<Datagram> datagrams) throws IOException {
        return decode(null, datagrams);
    }

    /**
     * Decodes raw datagrams, in order, after a synthetic client Initial with DCID {@code originalDcid} (the
     * {@code --odcid} trick) so that server Initials decrypt although the client's Initial is not among them.
     * The synthetic Initial's SCID is the DCID of the first server-to-client long-header datagram, and its version
     * that datagram's version; it is not part of the result and does not count in datagram indexes.
     *
     * @param originalDcid the client's original DCID (0 to 20 bytes), or {@code null} for no synthetic Initial
     * @throws IllegalArgumentException if {@code originalDcid} is given but no datagram is a server long header
     */
    public TsharkResult decode(byte[] originalDcid, List<Datagram> datagrams) throws IOException {
        if (datagrams.isEmpty()) {
            throw new IllegalArgumentException("no datagrams");
        }
        List<PcapWriter.Udp> udp = new ArrayList<>();
        int skip = 0;
        if (originalDcid != null) {
            Datagram server = null;
            for (Datagram d : datagrams) {
                if (d.direction() == Datagram.Direction.SERVER_TO_CLIENT && isLongHeader(d.payload())) {
                    server = d;
                    break;
                }
            }
            if (server == null) {
                throw new IllegalArgumentException(
                        "the original-DCID trick needs a server-to-client long-header datagram");
            }
            byte[] p = server.payload();
            long version = ((p[1] & 0xffL) << 24) | ((p[2] & 0xff) << 16) | ((p[3] & 0xff) << 8) | (p[4] & 0xff);
            byte[] primer = syntheticClientInitial(originalDcid, longDcid(p), version);
            udp.add(new PcapWriter.Udp(CLIENT_PORT, SERVER_PORT, primer));
            skip = 1;
        }
        for (Datagram d : datagrams) {
            boolean c2s = d.direction() == Datagram.Direction.CLIENT_TO_SERVER;
            udp.add(new PcapWriter.Udp(c2s ? CLIENT_PORT : SERVER_PORT, c2s ? SERVER_PORT : CLIENT_PORT, d.payload()));
        }
        Path dir = Files.createTempDirectory("quicj-tshark");
        try {
            Path pcap = dir.resolve("input.pcap");
            PcapWriter.write(pcap, udp);
            return run(dir, pcap, skip);
        } finally {
            Processes.deleteTree(dir);
        }
    }

    /** Decodes a pcap or pcapng file, e.g. from {@link LoopbackCapture}. */
    public TsharkResult decodeCapture(Path captureFile) throws IOException {
        if (!Files.isReadable(captureFile)) {
            throw new IOException("cannot read capture file " + captureFile);
        }
        Path dir = Files.createTempDirectory("quicj-tshark");
        try {
            return run(dir, captureFile.toAbsolutePath(), 0);
        } finally {
            Processes.deleteTree(dir);
        }
    }

    /**
     * Writes raw datagrams as a pcap file the way {@link #decode(List)} presents them to tshark (for keeping a
     * failing case, or opening it in Wireshark).
     */
    public static void writePcap(Path file, List<Datagram> datagrams) throws IOException {
        List<PcapWriter.Udp> udp = new ArrayList<>();
        for (Datagram d : datagrams) {
            boolean c2s = d.direction() == Datagram.Direction.CLIENT_TO_SERVER;
            udp.add(new PcapWriter.Udp(c2s ? CLIENT_PORT : SERVER_PORT, c2s ? SERVER_PORT : CLIENT_PORT, d.payload()));
        }
        PcapWriter.write(file, udp);
    }

    /**
     * The synthetic client Initial of the original-DCID trick: long header, {@code version}, DCID
     * {@code originalDcid}, SCID {@code scid}, no token, a 2-byte Length and zero bytes up to 1200 bytes in all.
     * Wireshark keys the connection's Initial secrets on its DCID; the packet itself does not decrypt.
     */
    public static byte[] syntheticClientInitial(byte[] originalDcid, byte[] scid, long version) {
        if (originalDcid.length > 20 || scid.length > 20) {
            throw new IllegalArgumentException("connection IDs are at most 20 bytes");
        }
        // RFC 9369: QUIC v2 encodes Initial as type 0b01; every other version as v1 does (0b00).
        int first = version == 0x6b3343cfL ? 0xd0 : 0xc0;
        byte[] out = new byte[1200];
        int i = 0;
        out[i++] = (byte) first;
        out[i++] = (byte) (version >>> 24);
        out[i++] = (byte) (version >>> 16);
        out[i++] = (byte) (version >>> 8);
        out[i++] = (byte) version;
        out[i++] = (byte) originalDcid.length;
        System.arraycopy(originalDcid, 0, out, i, originalDcid.length);
        i += originalDcid.length;
        out[i++] = (byte) scid.length;
        System.arraycopy(scid, 0, out, i, scid.length);
        i += scid.length;
        out[i++] = 0; // token length
        int rest = out.length - i - 2;
        out[i++] = (byte) (0x40 | (rest >>> 8));
        out[i] = (byte) rest;
        return out;
    }

    private static boolean isLongHeader(byte[] p) {
        return p.length >= 7 && (p[0] & 0x80) != 0 && 6 + (p[5] & 0xff) <= p.length;
    }

    private static byte[] longDcid(byte[] p) {
        return Arrays.copyOfRange(p, 6, 6 + (p[5] & 0xff));
    }

    private TsharkResult run(Path dir, Path capture, int skip) throws IOException {
        Path config = Files.createDirectories(dir.resolve("wireshark-config"));
        Path out = dir.resolve("tshark.json");
        Path err = dir.resolve("tshark.err");
        List<String> cmd = new ArrayList<>(List.of(executable.toString(), "-n", "-r", capture.toString(),
                "-T", "json", "-x", "--no-duplicate-keys", "-J", "frame udp quic"));
        for (int port : quicPorts) {
            cmd.add("-d");
            cmd.add("udp.port==" + port + ",quic");
        }
        if (keylog != null) {
            cmd.add("-o");
            cmd.add("tls.keylog_file:" + keylog);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().put("WIRESHARK_CONFIG_DIR", config.toString());
        pb.environment().remove("SSLKEYLOGFILE");
        Process p = Processes.track(pb.start());
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                Processes.kill(p, Duration.ofSeconds(2));
                throw new IOException("tshark did not finish within " + timeout + ": " + String.join(" ", cmd));
            }
        } catch (InterruptedException e) {
            Processes.kill(p, Duration.ofSeconds(2));
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while tshark ran");
        }
        String json = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Processes.readText(err);
        Object parsed;
        try {
            parsed = json.isBlank() ? List.of() : Json.parse(json);
        } catch (IllegalArgumentException e) {
            throw new IOException("tshark exited with " + p.exitValue() + " and unreadable JSON (" + e.getMessage()
                    + "); stderr:\n" + Processes.tail(stderr, 20), e);
        }
        if (p.exitValue() != 0 && json.isBlank()) {
            throw new IOException("tshark exited with " + p.exitValue() + "; stderr:\n" + Processes.tail(stderr, 20));
        }
        return new TsharkResult(parseDatagrams(parsed, skip), json, stderr);
    }

    static List<DecodedDatagram> parseDatagrams(Object root, int skip) {
        List<DecodedDatagram> out = new ArrayList<>();
        for (Map<String, Object> packet : Json.objects(root)) {
            Map<String, Object> layers = Json.asObject(Json.asObject(packet.get("_source")).get("layers"));
            Map<String, Object> frame = first(layers.get("frame"));
            String number = Json.string(frame, "frame.number");
            List<Map<String, Object>> udps = Json.objects(layers.get("udp"));
            if (number == null || udps.isEmpty()) {
                continue;
            }
            int index = Integer.parseInt(number) - skip;
            if (index < 1) {
                continue;
            }
            Map<String, Object> udp = udps.get(0);
            int src = (int) num(udp, "udp.srcport", 0);
            int dst = (int) num(udp, "udp.dstport", 0);
            String payloadHex = Json.string(udp, "udp.payload");
            byte[] payload = payloadHex == null ? new byte[0] : Hex.decode(payloadHex);
            List<Map<String, Object>> quics = Json.objects(layers.get("quic"));
            boolean layerMalformed = layers.containsKey("_ws.malformed");
            List<DecodedPacket> packets = new ArrayList<>();
            for (int i = 0; i < quics.size(); i++) {
                boolean last = i == quics.size() - 1;
                packets.add(parsePacket(index, quics.get(i), last && layerMalformed));
            }
            out.add(new DecodedDatagram(index, src, dst, payload, packets));
        }
        return out;
    }

    private static DecodedPacket parsePacket(int datagram, Map<String, Object> q, boolean malformedHint) {
        Map<String, Object> shortHeader = Json.asObject(q.get("quic.short"));
        boolean isShort = q.containsKey("quic.short");
        PacketType type;
        OptionalLong version = OptionalLong.empty();
        List<Long> supported = new ArrayList<>();
        Map<String, Object> header = isShort ? shortHeader : q;
        if (isShort) {
            type = PacketType.ONE_RTT;
        } else {
            String v = Json.string(q, "quic.version");
            if (v != null) {
                version = OptionalLong.of(parseUnsigned(v));
            }
            if (version.isPresent() && version.getAsLong() == 0) {
                type = PacketType.VERSION_NEGOTIATION;
                for (Object sv : Json.asList(q.get("quic.supported_version"))) {
                    if (sv instanceof String s) {
                        supported.add(parseUnsigned(s));
                    }
                }
            } else if (q.containsKey("quic.long.packet_type_v2")) {
                type = longType(Json.string(q, "quic.long.packet_type_v2"), true);
            } else {
                type = longType(Json.string(q, "quic.long.packet_type"), false);
            }
        }
        String dcid = cid(Json.string(header, "quic.dcid"));
        String scid = isShort ? "" : cid(Json.string(q, "quic.scid"));
        List<Map<String, Object>> frameObjects = Json.objects(q.get("quic.frame"));
        List<byte[]> raws = frameRaws(q.get("quic.frame_raw"));
        Map<String, Object> failure = Json.findObjectWithKey(q, "quic.decryption_failed");
        boolean failed = failure != null;
        String message = failed ? orEmpty(Json.string(failure, "_ws.expert.message")) : "";
        if (!failed && frameObjects.isEmpty() && type != PacketType.RETRY && type != PacketType.VERSION_NEGOTIATION
                && (q.containsKey("quic.remaining_payload") || q.containsKey("quic.protected_payload")
                        || shortHeader.containsKey("quic.protected_payload"))) {
            failed = true;
            message = "not decrypted (no keys for this packet)";
        }
        OptionalLong pn = OptionalLong.empty();
        String pnText = Json.string(header, "quic.packet_number");
        if (!failed && pnText != null) {
            pn = OptionalLong.of(parseUnsigned(pnText));
        }
        List<DecodedFrame> frames = new ArrayList<>();
        for (int i = 0; i < frameObjects.size(); i++) {
            frames.add(parseFrame(frameObjects.get(i), i < raws.size() ? raws.get(i) : new byte[0]));
        }
        boolean malformed = malformedHint || Json.findObjectWithKey(q, "_ws.malformed") != null;
        long tokenLength = num(q, "quic.token_length", 0);
        if (type == PacketType.RETRY) {
            String token = Json.string(q, "quic.retry_token");
            tokenLength = token == null ? 0 : Hex.decode(token).length;
        }
        return new DecodedPacket(datagram, type, version, dcid, scid, pn, tokenLength,
                (int) num(q, "quic.packet_length", 0), failed, message, malformed, frames, supported);
    }

    private static DecodedFrame parseFrame(Map<String, Object> f, byte[] raw) {
        long type = num(f, "quic.frame_type", -1);
        if (type == 0) {
            return new DecodedFrame.Padding((int) num(f, "quic.padding_length", raw.length), raw);
        }
        if (type == 6) {
            return new DecodedFrame.Crypto(num(f, "quic.crypto.offset", 0), num(f, "quic.crypto.length", 0), raw);
        }
        if (type == 2 || type == 3) {
            return new DecodedFrame.Ack(type, num(f, "quic.ack.largest_acknowledged", -1),
                    num(f, "quic.ack.ack_delay", -1), raw);
        }
        if (type == 0x1c || type == 0x1d) {
            long error = type == 0x1c ? num(f, "quic.cc.error_code", -1) : num(f, "quic.cc.error_code.app", -1);
            OptionalLong frameType = f.containsKey("quic.cc.frame_type")
                    ? OptionalLong.of(num(f, "quic.cc.frame_type", 0)) : OptionalLong.empty();
            OptionalInt alert = f.containsKey("quic.cc.error_code.tls_alert")
                    ? OptionalInt.of((int) num(f, "quic.cc.error_code.tls_alert", 0)) : OptionalInt.empty();
            long reasonLength = num(f, "quic.cc.reason_phrase.length", 0);
            byte[] reason = new byte[0];
            List<Object> reasonRaw = Json.asList(f.get("quic.cc.reason_phrase_raw"));
            if (!reasonRaw.isEmpty() && reasonRaw.get(0) instanceof String hex) {
                reason = Hex.decode(hex);
            } else {
                String text = Json.string(f, "quic.cc.reason_phrase");
                if (text != null) {
                    reason = text.getBytes(StandardCharsets.UTF_8);
                }
            }
            return new DecodedFrame.ConnectionClose(type, error, frameType, reasonLength, reason, alert, raw);
        }
        return new DecodedFrame.Other(type, raw);
    }

    /** {@code quic.frame_raw}: one {@code [hex, offset, length, mask, type]} array, or an array of those. */
    private static List<byte[]> frameRaws(Object value) {
        List<byte[]> out = new ArrayList<>();
        List<Object> list = Json.asList(value);
        if (list.isEmpty()) {
            return out;
        }
        if (list.get(0) instanceof String hex) {
            out.add(Hex.decode(hex));
            return out;
        }
        for (Object o : list) {
            List<Object> entry = Json.asList(o);
            out.add(!entry.isEmpty() && entry.get(0) instanceof String hex ? Hex.decode(hex) : new byte[0]);
        }
        return out;
    }

    private static PacketType longType(String code, boolean v2) {
        if (code == null) {
            return PacketType.UNKNOWN;
        }
        switch (code) {
            case "0": return v2 ? PacketType.RETRY : PacketType.INITIAL;
            case "1": return v2 ? PacketType.INITIAL : PacketType.ZERO_RTT;
            case "2": return v2 ? PacketType.ZERO_RTT : PacketType.HANDSHAKE;
            case "3": return v2 ? PacketType.HANDSHAKE : PacketType.RETRY;
            default: return PacketType.UNKNOWN;
        }
    }

    private static Map<String, Object> first(Object value) {
        List<Map<String, Object>> objects = Json.objects(value);
        return objects.isEmpty() ? Map.of() : objects.get(0);
    }

    private static String cid(String colonHex) {
        return colonHex == null ? "" : colonHex.replace(":", "").toLowerCase(java.util.Locale.ROOT);
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static long num(Map<String, Object> object, String key, long absent) {
        String s = Json.string(object, key);
        return s == null || s.isEmpty() ? absent : parseUnsigned(s);
    }

    /** Parses tshark's decimal or {@code 0x}-hex rendering of an unsigned integer (up to 2^64-1). */
    static long parseUnsigned(String s) {
        String t = s.trim();
        if (t.startsWith("0x") || t.startsWith("0X")) {
            return Long.parseUnsignedLong(t.substring(2), 16);
        }
        return Long.parseUnsignedLong(t);
    }
}
