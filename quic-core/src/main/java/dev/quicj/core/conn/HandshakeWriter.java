package dev.quicj.core.conn;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Role;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.packet.PacketWriter;
import dev.quicj.core.tls.TransportParameters;
import dev.quicj.core.wire.FrameDecoder;
import dev.quicj.core.wire.FrameType;
import dev.quicj.core.wire.VarInt;
import java.nio.ByteBuffer;

/**
 * Writes handshake-phase datagrams: pending ACK frames, queued CRYPTO data, a server's HANDSHAKE_DONE, the
 * PATH_RESPONSE frames answering the peer's PATH_CHALLENGE frames and the RETIRE_CONNECTION_ID frames of the peer's
 * retired connection IDs, one packet per level that has something to send, coalesced Initial → Handshake → 1-RTT.
 * There is no loss recovery: data is sent once, and so are HANDSHAKE_DONE and RETIRE_CONNECTION_ID, although RFC 9000
 * §13.3 asks for them to be retransmitted until acknowledged (PATH_RESPONSE is sent once by design, §13.3).
 */
final class HandshakeWriter {
    private static final EncryptionLevel[] LEVELS = {
        EncryptionLevel.INITIAL, EncryptionLevel.HANDSHAKE, EncryptionLevel.ONE_RTT
    };

    private final QuicConnection conn;
    private final PacketWriter writer = new PacketWriter();
    // per level of the datagram being written, applied only once every packet of it is sealed (a CryptoException
    // sends nothing, so the ACKs stay pending and the CRYPTO data unsent): packet number, ACK written, CRYPTO bytes
    private final long[] writtenPn = new long[LEVELS.length];
    private final boolean[] writtenAck = new boolean[LEVELS.length];
    private final int[] writtenCrypto = new int[LEVELS.length];
    // whether the datagram's 1-RTT packet carries HANDSHAKE_DONE, and how many RETIRE_CONNECTION_ID frames, applied
    // with the rest
    private boolean writtenHandshakeDone;
    private int writtenRetirements;
    private int writtenPathResponses;
    // whether this datagram may carry PATH_RESPONSE: it can be 1200 bytes, or the amplification limit is what stops it
    private boolean pathResponsesAllowed;

    HandshakeWriter(QuicConnection conn) {
        this.conn = conn;
    }

    int write(PathInfo pathInfo, PacketInfo packetInfo, ByteBuffer dest, long now) throws CryptoException {
        if (pathInfo != null) {
            pathInfo.set(conn.path);
        }
        if (packetInfo != null) {
            packetInfo.setEcn(conn.ecnState == EcnState.CAPABLE ? Ecn.ECT_0 : Ecn.NOT_ECT);
        }
        int shaped = conn.shapeUdpPayload(dest.remaining());
        int room = shaped;
        if (conn.role == Role.SERVER) {
            room = (int) Math.min(room, conn.amplificationBudget());
        }
        // RFC 9000 §8.2.2: expanded to 1200 bytes "unless the anti-amplification limit for the path does not permit
        // sending a datagram of this size"; a buffer too small keeps the responses for the next datagram
        pathResponsesAllowed = room >= QuicConnection.MIN_INITIAL_DATAGRAM_SIZE || room < shaped;
        int last = -1;
        boolean initialAckEliciting = false;
        for (int i = 0; i < LEVELS.length; i++) {
            PacketNumberSpace s = conn.space(LEVELS[i]);
            if (s.canSend() && hasSomethingToSend(s)) {
                last = i;
                if (LEVELS[i] == EncryptionLevel.INITIAL && s.crypto.unsent() > 0) {
                    initialAckEliciting = true;
                }
            }
        }
        if (last < 0) {
            return 0;
        }
        // RFC 9000 §14.1: a client pads every datagram with an Initial, a server those with an ack-eliciting one
        boolean hasInitial = conn.initial.canSend() && (conn.initial.ackPending || conn.initial.crypto.unsent() > 0);
        int datagramPadding = hasInitial && (conn.role == Role.CLIENT || initialAckEliciting)
                ? conn.clientInitialPadding() : 0;
        if (datagramPadding > 0 && room < QuicConnection.MIN_INITIAL_DATAGRAM_SIZE) {
            // no room for a 1200-byte datagram: sending the Initial shorter would break §14.1
            return 0;
        }
        if (pathResponsesAllowed && conn.pathResponseCount > 0 && conn.application.canSend()) {
            // RFC 9000 §8.2.2: "An endpoint MUST expand datagrams that contain a PATH_RESPONSE frame to at least the
            // smallest allowed maximum datagram size of 1200 bytes" (room is already within the amplification limit)
            datagramPadding = Math.max(datagramPadding, Math.min(room, QuicConnection.MIN_INITIAL_DATAGRAM_SIZE));
        }
        int base = dest.position();
        int written = 0;
        boolean wroteInitial = false;
        boolean wroteHandshake = false;
        for (int i = 0; i < LEVELS.length; i++) {
            writtenPn[i] = -1;
        }
        writtenHandshakeDone = false;
        writtenRetirements = 0;
        writtenPathResponses = 0;
        for (int i = 0; i <= last; i++) {
            EncryptionLevel level = LEVELS[i];
            PacketNumberSpace s = conn.space(level);
            if (!s.canSend() || !hasSomethingToSend(s)) {
                continue;
            }
            int length = writeOne(i, s, dest, base + written, room - written,
                    i == last ? datagramPadding - written : 0, now);
            if (length == 0) {
                break;
            }
            written += length;
            wroteInitial |= level == EncryptionLevel.INITIAL;
            wroteHandshake |= level == EncryptionLevel.HANDSHAKE;
        }
        if (written == 0) {
            return 0;
        }
        for (int i = 0; i <= last; i++) {
            if (writtenPn[i] >= 0) {
                PacketNumberSpace s = conn.space(LEVELS[i]);
                conn.statPacketsSent++;
                if (writtenAck[i]) {
                    s.ackPending = false;
                }
                boolean oneRtt = LEVELS[i] == EncryptionLevel.ONE_RTT;
                boolean handshakeDone = writtenHandshakeDone && oneRtt;
                int retirements = oneRtt ? writtenRetirements : 0;
                int pathResponses = oneRtt ? writtenPathResponses : 0;
                boolean ackEliciting = writtenCrypto[i] > 0 || handshakeDone || retirements > 0 || pathResponses > 0;
                // ACK-only packets too: an ACK may acknowledge one of them as its largest (RFC 9002 §5.1)
                s.recordSent(writtenPn[i], now, ackEliciting);
                if (writtenCrypto[i] > 0) {
                    s.crypto.markSent(writtenCrypto[i]);
                }
                if (handshakeDone) {
                    conn.handshakeDonePending = false;
                }
                if (retirements > 0) {
                    conn.peerConnectionIdsIfAny().retirementsSent(retirements);
                }
                if (pathResponses > 0) {
                    conn.pathResponsesSent(pathResponses);
                }
                if (ackEliciting) {
                    // CRYPTO, HANDSHAKE_DONE, PATH_RESPONSE and RETIRE_CONNECTION_ID are ack-eliciting (§10.1)
                    conn.restartIdleTimerOnSend(now);
                }
            }
        }
        if (wroteInitial && written < Math.min(datagramPadding, room)) {
            // the packet meant to carry the padding did not fit after the Initial: RFC 9000 §14.1 lets the
            // datagram be expanded by coalescing the Initial with an invalid packet, here zero bytes (fixed bit 0,
            // discarded by the receiver)
            int padded = Math.min(datagramPadding, room);
            PacketWriter.zero(dest, base + written, padded - written);
            written = padded;
        }
        dest.position(base + written);
        conn.pathBytesSent += written;
        conn.statBytesSent += written;
        if (wroteInitial && conn.state == ConnectionState.CLIENT_INITIAL) {
            conn.state = ConnectionState.CLIENT_WAIT_HANDSHAKE;
        }
        if (conn.role == Role.SERVER && conn.state == ConnectionState.SERVER_INITIAL) {
            conn.state = ConnectionState.SERVER_WAIT_HANDSHAKE;
        }
        if (wroteHandshake && conn.role == Role.CLIENT && !conn.initial.discarded) {
            // RFC 9001 §4.9.1: a client discards Initial keys when it first sends a Handshake packet
            conn.initial.discard();
        }
        return written;
    }

    private int writeOne(int index, PacketNumberSpace s, ByteBuffer dest, int start, int room,
            int padTo, long now) throws CryptoException {
        long pn = s.nextForSending();
        boolean begun = conn.beginPacket(writer, s, dest, start, room, pn);
        if (!begun) {
            return 0;
        }
        boolean ackWritten = false;
        if (s.ackPending) {
            ackWritten = writeAck(s, now);
        }
        // before the CRYPTO data, which takes all the room there is
        boolean handshakeDone = s.level == EncryptionLevel.ONE_RTT && conn.handshakeDonePending
                && writeHandshakeDone();
        int pathResponses = s.level == EncryptionLevel.ONE_RTT && pathResponsesAllowed ? writePathResponses() : 0;
        int retirements = s.level == EncryptionLevel.ONE_RTT ? writeRetirements() : 0;
        int cryptoBytes = writeCrypto(s);
        if (!ackWritten && !handshakeDone && pathResponses == 0 && retirements == 0 && cryptoBytes == 0) {
            writer.abandon();
            return 0;
        }
        int length = writer.finish(Math.max(padTo, conn.scid.length() + PacketWriter.MIN_PACKET_EXPANSION));
        // RFC 9001 §6.6: sealed, so counted, even if a later packet of the datagram fails and it is not sent
        s.sealed();
        s.packetSent(pn);
        writtenPn[index] = pn;
        writtenAck[index] = ackWritten;
        writtenCrypto[index] = cryptoBytes;
        writtenHandshakeDone |= handshakeDone;
        writtenRetirements += retirements;
        writtenPathResponses += pathResponses;
        return length;
    }

    /**
     * Whether the level has an ACK, CRYPTO data or (1-RTT) HANDSHAKE_DONE, PATH_RESPONSE or RETIRE_CONNECTION_ID to
     * send.
     */
    private boolean hasSomethingToSend(PacketNumberSpace s) {
        return s.ackPending || s.crypto.unsent() > 0
                || s.level == EncryptionLevel.ONE_RTT && (conn.handshakeDonePending
                        || pathResponsesAllowed && conn.pathResponseCount > 0 || pendingRetirements() > 0);
    }

    /**
     * PATH_RESPONSE Frames (RFC 9000 §19.18): type and the 8 bytes of Data of a PATH_CHALLENGE received, oldest
     * first, as many as fit. Only in 1-RTT packets (a server sends no 0-RTT).
     *
     * @return how many were written
     */
    private int writePathResponses() {
        int size = FrameDecoder.PATH_DATA_LENGTH;
        int written = 0;
        while (written < conn.pathResponseCount && writer.remaining() >= 1 + size) {
            ByteBuffer b = writer.frameBuffer();
            VarInt.encode(b, FrameType.PATH_RESPONSE);
            b.put(conn.pathResponses, written * size, size);
            writer.commitFrame();
            written++;
        }
        return written;
    }

    private int pendingRetirements() {
        PeerConnectionIds ids = conn.peerConnectionIdsIfAny();
        return ids != null ? ids.pendingRetirements() : 0;
    }

    /**
     * RETIRE_CONNECTION_ID Frames (RFC 9000 §19.16): type and Sequence Number, one per connection ID the peer
     * retired or issued below its Retire Prior To (§5.1.2), oldest first, as many as fit. Only in 1-RTT packets.
     *
     * @return how many were written
     */
    private int writeRetirements() {
        PeerConnectionIds ids = conn.peerConnectionIdsIfAny();
        int n = ids != null ? ids.pendingRetirements() : 0;
        int written = 0;
        while (written < n) {
            long sequence = ids.pendingRetirement(written);
            if (writer.remaining()
                    < VarInt.encodedLength(FrameType.RETIRE_CONNECTION_ID) + VarInt.encodedLength(sequence)) {
                break;
            }
            ByteBuffer b = writer.frameBuffer();
            VarInt.encode(b, FrameType.RETIRE_CONNECTION_ID);
            VarInt.encode(b, sequence);
            writer.commitFrame();
            written++;
        }
        return written;
    }

    /**
     * HANDSHAKE_DONE Frame (RFC 9000 §19.20): the type alone. Only a server queues it, once its handshake completed,
     * so it goes only in 1-RTT packets, which FrameRules allows.
     */
    private boolean writeHandshakeDone() {
        if (writer.remaining() < 1) {
            return false;
        }
        ByteBuffer b = writer.frameBuffer();
        VarInt.encode(b, FrameType.HANDSHAKE_DONE);
        writer.commitFrame();
        return true;
    }

    /** ACK Frame (RFC 9000 §19.3), ranges newest first, without ECN counts. */
    private boolean writeAck(PacketNumberSpace s, long now) {
        ReceivedPackets r = s.received;
        int n = r.rangeCount();
        if (n == 0) {
            return false;
        }
        // RFC 9000 §19.3: in units of 2^ack_delay_exponent microseconds, the exponent this endpoint's transport
        // parameters sent (3 when they did not say, or are not known here: the RFC 9000 default)
        TransportParameters local = conn.localParameters;
        int exponent = local != null ? local.ackDelayExponent() : TransportParameters.DEFAULT_ACK_DELAY_EXPONENT;
        long delay = Math.max(0, now - s.largestReceivedTime) / 1000 >> exponent;
        if (level(s) != EncryptionLevel.ONE_RTT) {
            delay = 0;
        }
        int len = 1 + VarInt.encodedLength(r.high(0)) + VarInt.encodedLength(delay)
                + VarInt.encodedLength(n - 1) + VarInt.encodedLength(r.high(0) - r.low(0));
        for (int i = 1; i < n; i++) {
            len += VarInt.encodedLength(r.low(i - 1) - r.high(i) - 2) + VarInt.encodedLength(r.high(i) - r.low(i));
        }
        if (len > writer.remaining()) {
            return false;
        }
        ByteBuffer b = writer.frameBuffer();
        VarInt.encode(b, FrameType.ACK);
        VarInt.encode(b, r.high(0));
        VarInt.encode(b, delay);
        VarInt.encode(b, n - 1);
        VarInt.encode(b, r.high(0) - r.low(0));
        for (int i = 1; i < n; i++) {
            VarInt.encode(b, r.low(i - 1) - r.high(i) - 2);
            VarInt.encode(b, r.high(i) - r.low(i));
        }
        writer.commitFrame();
        return true;
    }

    private static EncryptionLevel level(PacketNumberSpace s) {
        return s.level;
    }

    /** CRYPTO Frame (RFC 9000 §19.6) with as much queued data as fits; returns the data bytes written. */
    private int writeCrypto(PacketNumberSpace s) {
        int unsent = s.crypto.unsent();
        if (unsent == 0) {
            return 0;
        }
        long offset = s.crypto.sendOffset();
        int avail = writer.remaining() - 1 - VarInt.encodedLength(offset);
        int n = 0;
        for (int lengthBytes = 1; lengthBytes <= 4; lengthBytes *= 2) {
            int candidate = Math.min(unsent, avail - lengthBytes);
            if (candidate > 0 && VarInt.encodedLength(candidate) <= lengthBytes) {
                n = candidate;
                break;
            }
        }
        if (n == 0) {
            return 0;
        }
        ByteBuffer b = writer.frameBuffer();
        VarInt.encode(b, FrameType.CRYPTO);
        VarInt.encode(b, offset);
        VarInt.encode(b, n);
        b.put(s.crypto.outgoingBytes(), (int) offset, n);
        writer.commitFrame();
        return n;
    }
}
