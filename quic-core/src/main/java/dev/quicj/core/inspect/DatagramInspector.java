package dev.quicj.core.inspect;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicException;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.InitialSecrets;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.packet.HeaderStatus;
import dev.quicj.core.packet.PacketCrypto;
import dev.quicj.core.packet.PacketForm;
import dev.quicj.core.packet.PacketHeader;
import dev.quicj.core.packet.PacketParser;
import dev.quicj.core.wire.AckFrame;
import dev.quicj.core.wire.CloseType;
import dev.quicj.core.wire.FrameDecoder;
import dev.quicj.core.wire.FrameVisitor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Decodes every packet of a datagram for diagnostics, tools and tests: headers, packet numbers and frames, trying
 * each candidate key a {@link KeySource} offers (trial decryption on a copy, so the input is never modified). Packets
 * it cannot decrypt or decode are reported with the reason. Not for hot paths: it allocates freely.
 */
public final class DatagramInspector {

    /** A receive key to try, with a name for the report. */
    public record NamedKey(String name, PacketProtection protection) {
        /** Both fields are required. */
        public NamedKey {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(protection, "protection");
        }
    }

    /** The keys to try for a packet of a given level and version. */
    @FunctionalInterface
    public interface KeySource {
        /**
         * The candidates for a packet, tried in order.
         *
         * @param version the packet's version (null for 1-RTT)
         */
        List<NamedKey> candidates(EncryptionLevel level, QuicVersion version) throws CryptoException;

        /** No keys: headers only. */
        static KeySource none() {
            return (level, version) -> List.of();
        }
    }

    private DatagramInspector() {
    }

    /**
     * The Initial keys of both directions derived from the client's original DCID, for the packet's version: client
     * Initial keys first, then server Initial keys.
     */
    public static KeySource initialKeys(ConnectionId originalDcid, CryptoProvider crypto) {
        Objects.requireNonNull(crypto, "crypto");
        byte[] odcid = Objects.requireNonNull(originalDcid, "originalDcid").toByteArray();
        return (level, version) -> {
            if (level != EncryptionLevel.INITIAL || version == null) {
                return List.of();
            }
            return List.of(
                    new NamedKey("client Initial", InitialSecrets.clientProtection(crypto, version, odcid)),
                    new NamedKey("server Initial", InitialSecrets.serverProtection(crypto, version, odcid)));
        };
    }

    /** Tries {@code first}'s candidates, then {@code second}'s. */
    public static KeySource union(KeySource first, KeySource second) {
        return (level, version) -> {
            List<NamedKey> all = new ArrayList<>(first.candidates(level, version));
            all.addAll(second.candidates(level, version));
            return all;
        };
    }

    /**
     * Decodes the datagram.
     *
     * @param shortHeaderDcidLength the DCID length of 1-RTT packets, 0 to 20, or -1 to take the DCID length of the
     *     first long-header packet of the datagram (0 if there is none)
     * @throws IllegalArgumentException if {@code shortHeaderDcidLength} is outside -1..20
     */
    public static List<InspectedPacket> inspect(byte[] datagram, KeySource keys, int shortHeaderDcidLength) {
        if (shortHeaderDcidLength < -1 || shortHeaderDcidLength > ConnectionId.MAX_LENGTH) {
            throw new IllegalArgumentException("shortHeaderDcidLength must be in -1.." + ConnectionId.MAX_LENGTH + ": "
                    + shortHeaderDcidLength);
        }
        List<InspectedPacket> out = new ArrayList<>();
        ByteBuffer original = ByteBuffer.wrap(datagram).asReadOnlyBuffer();
        PacketHeader h = new PacketHeader();
        int offset = 0;
        int dcidLength = shortHeaderDcidLength;
        while (offset < datagram.length) {
            HeaderStatus st = PacketParser.parse(original, offset, Math.max(dcidLength, 0), h);
            if (st != HeaderStatus.OK) {
                if (st == HeaderStatus.UNSUPPORTED_VERSION) {
                    out.add(packet(original, h, datagram.length - offset, -1, 0, 0, null,
                            "unsupported version 0x" + String.format("%08x", h.versionField()), List.of()));
                } else {
                    // no form: the parser may have read the type bits before it failed, but a header that does not
                    // parse is no packet of that type (InspectedPacket: form and level null)
                    out.add(new InspectedPacket(offset, datagram.length - offset, null, h.versionField(),
                            h.version(), ConnectionId.empty(), ConnectionId.empty(), 0, -1, 0, 0, null,
                            "header does not parse: " + st, List.of()));
                }
                break;
            }
            if (dcidLength < 0 && h.isLongHeader()) {
                // an unknown version's DCID may be longer than any 1-RTT DCID can be
                dcidLength = Math.min(h.dcidLength(), ConnectionId.MAX_LENGTH);
            }
            int end = h.packetEnd();
            out.add(decode(datagram, original, h, keys));
            offset = end;
        }
        return out;
    }

    private static InspectedPacket decode(byte[] datagram, ByteBuffer original, PacketHeader h, KeySource keys) {
        PacketForm form = h.form();
        if (form == PacketForm.VERSION_NEGOTIATION) {
            return packet(original, h, h.packetLength(), -1, 0, 0, null, null, List.of());
        }
        if (form == PacketForm.RETRY) {
            return packet(original, h, h.packetLength(), -1, 0, 0, null, null, List.of());
        }
        EncryptionLevel level = form.level();
        List<NamedKey> candidates;
        try {
            candidates = keys.candidates(level, h.version());
        } catch (CryptoException e) {
            return packet(original, h, h.packetLength(), -1, 0, 0, null, "key derivation failed: " + e.getMessage(),
                    List.of());
        }
        if (candidates.isEmpty()) {
            return packet(original, h, h.packetLength(), -1, 0, 0, null, "no keys for " + level + " packets",
                    List.of());
        }
        StringBuilder failures = new StringBuilder();
        for (NamedKey key : candidates) {
            ByteBuffer copy = ByteBuffer.wrap(datagram.clone());
            PacketHeader ch = new PacketHeader();
            PacketParser.parse(copy, h.packetStart(), h.isLongHeader() ? 0 : h.dcidLength(), ch);
            try {
                PacketCrypto.unprotect(copy, ch, key.protection(), -1, new byte[PacketProtection.MASK_LENGTH]);
            } catch (CryptoException e) {
                if (failures.length() > 0) {
                    failures.append("; ");
                }
                failures.append(key.name()).append(": ").append(e.getMessage());
                continue;
            }
            List<InspectedFrame> frames = new ArrayList<>();
            String failure = null;
            if (ch.reservedBits() != 0) {
                failure = "reserved bits are not zero";
            }
            copy.limit(ch.payloadOffset() + ch.payloadLength()).position(ch.payloadOffset());
            try {
                new FrameDecoder().decode(copy, level, new Collector(frames));
            } catch (QuicException e) {
                failure = "frame error " + e;
            }
            return packet(original, ch, h.packetLength(), ch.packetNumber(), ch.packetNumberLength(),
                    ch.payloadLength(), key.name(), failure, frames);
        }
        return packet(original, h, h.packetLength(), -1, 0, 0, null, "does not decrypt (" + failures + ")", List.of());
    }

    private static InspectedPacket packet(ByteBuffer buf, PacketHeader h, int length, long pn, int pnLength,
            int payloadLength, String keys, String failure, List<InspectedFrame> frames) {
        ConnectionId dcid = h.dcidLength() <= ConnectionId.MAX_LENGTH ? h.dcid(buf) : ConnectionId.empty();
        ConnectionId scid = h.isLongHeader() && h.scidLength() <= ConnectionId.MAX_LENGTH ? h.scid(buf)
                : ConnectionId.empty();
        return new InspectedPacket(h.packetStart(), length, h.form(), h.versionField(), h.version(), dcid, scid,
                h.tokenLength(), pn, pnLength, payloadLength, keys, failure, frames);
    }

    /** Collects the frames of one payload. */
    private static final class Collector implements FrameVisitor {
        private final List<InspectedFrame> frames;

        Collector(List<InspectedFrame> frames) {
            this.frames = frames;
        }

        @Override
        public void padding(int length) {
            frames.add(new InspectedFrame.Padding(length));
        }

        @Override
        public void ping() {
            frames.add(new InspectedFrame.Ping());
        }

        @Override
        public void ack(AckFrame ack) {
            frames.add(new InspectedFrame.Ack(ack.largestAcknowledged(), ack.ackDelay(), ack.firstAckRange(),
                    ack.ackRangeCount(), ack.hasEcn() ? ack.ect0() : -1, ack.hasEcn() ? ack.ect1() : -1,
                    ack.hasEcn() ? ack.ce() : -1));
        }

        @Override
        public void crypto(long offset, ByteBuffer payload, int dataIndex, int length) {
            byte[] data = new byte[length];
            payload.get(dataIndex, data);
            frames.add(new InspectedFrame.Crypto(offset, data));
        }

        @Override
        public void newToken(ByteBuffer payload, int tokenIndex, int tokenLength) {
            byte[] token = new byte[tokenLength];
            payload.get(tokenIndex, token);
            frames.add(new InspectedFrame.NewToken(token));
        }

        @Override
        public void handshakeDone() {
            frames.add(new InspectedFrame.HandshakeDone());
        }

        @Override
        public void connectionClose(CloseType type, long errorCode, long frameType, ByteBuffer payload,
                int reasonIndex, int reasonLength) {
            byte[] reason = new byte[reasonLength];
            payload.get(reasonIndex, reason);
            frames.add(new InspectedFrame.ConnectionClose(type, errorCode, frameType, reason));
        }

        @Override
        public void otherFrame(long frameType) {
            frames.add(new InspectedFrame.Other(frameType));
        }
    }
}
