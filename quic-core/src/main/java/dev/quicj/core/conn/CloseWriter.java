package dev.quicj.core.conn;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Role;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.packet.PacketWriter;
import dev.quicj.core.wire.CloseType;
import java.nio.ByteBuffer;

/**
 * The CONNECTION_CLOSE writer of one connection: ngtcp2's {@code ngtcp2_conn_write_connection_close} and the
 * functions behind it ({@code conn_write_connection_close}, {@code ngtcp2_conn_write_application_close_pkt},
 * {@code ngtcp2_conn_write_single_frame_pkt}), following close-spec §1.2 step by step. Allocates nothing.
 */
final class CloseWriter {
    private static final byte[] NO_REASON = new byte[0];
    // signals a sealing failure from the packet step up to write()
    private static final int CALLBACK_FAILED = -1;

    private final QuicConnection conn;
    // builds each packet
    private final PacketWriter writer = new PacketWriter();

    // per-call state: the datagram under construction
    private ByteBuffer dest;
    // absolute index of the datagram's first byte
    private int base;
    // bytes of the datagram written so far
    private int written;
    // the room of the datagram after shaping and the amplification cap
    private int room;
    // after a NOBUF under a server's budget: packets are only checked for fit, nothing is sealed or numbered
    private boolean probing;
    // what the probe found: some packet would have fitted the room without the budget
    private boolean probeFits;

    CloseWriter(QuicConnection conn) {
        this.conn = conn;
    }

    /**
     * Steps 2-4, the checks before anything is filled or written, then the AEAD confidentiality limit (RFC 9001 §6.6;
     * not an ngtcp2 step: a transmit key set that can still send sealed as many packets as its limit allows); also
     * all that a closed connection, which has dropped its writer, does with a close.
     *
     * @return the outcome, or null when the close is to be written (never for a closing or draining connection)
     */
    static CloseOutcome checkBeforeWriting(QuicConnection conn, CloseError error) {
        // step 2: only transport and application closes are written
        if (!error.type().sendsFrame()) {
            return CloseOutcome.NOTHING_TO_WRITE;
        }
        // step 3: packet number exhaustion comes before the state
        if (conn.packetNumbersExhausted()) {
            return CloseOutcome.PKT_NUM_EXHAUSTED;
        }
        // step 4: state
        ConnectionState state = conn.state;
        if (state == ConnectionState.CLIENT_INITIAL) {
            return CloseOutcome.INVALID_STATE;
        }
        if (state.isClosed()) {
            return CloseOutcome.NOTHING_TO_WRITE;
        }
        // RFC 9001 §6.6: keys that sealed as many packets as their AEAD's confidentiality limit allows seal no more,
        // the close included (the ordinary send path stops short of it, keeping room for the close)
        if (conn.confidentialityLimitReached()) {
            return CloseOutcome.AEAD_LIMIT_REACHED;
        }
        return null;
    }

    CloseOutcome write(PathInfo pathInfo, PacketInfo packetInfo, ByteBuffer dest, CloseError error, long now) {
        CloseOutcome early = checkBeforeWriting(conn, error);
        if (early != null) {
            return early;
        }
        // step 5: the path
        if (pathInfo != null) {
            pathInfo.set(conn.path);
        }
        // step 6: shaping
        int shaped = conn.shapeUdpPayload(dest.remaining());
        // step 7: ECN is NOT-ECT unless the path is ECN-capable (set below once a packet is written)
        if (packetInfo != null) {
            packetInfo.setEcn(Ecn.NOT_ECT);
        }
        // step 8: the server's amplification budget
        int capped = shaped;
        if (conn.role == Role.SERVER) {
            capped = (int) Math.min(shaped, conn.amplificationBudget());
        }
        if (!conn.initial.canSend() && !conn.handshake.canSend() && !conn.application.canSend()
                || conn.dcid == null) {
            // no transmit key at all: a server before the client's Initial (for either close type, project
            // decision 3); or such a server given keys out of order, with no Destination Connection ID to address
            return CloseOutcome.INVALID_STATE;
        }
        this.dest = dest;
        this.base = dest.position();
        this.written = 0;
        this.room = capped;
        int result;
        boolean budgetShort = false;
        try {
            result = writeClose(error);
            if (result != CALLBACK_FAILED && written == 0 && capped < shaped) {
                // NOBUF under the budget: it is the budget's fault only if the same close would have fitted the
                // room without it (project decision 4); otherwise more received bytes would not help
                probing = true;
                probeFits = false;
                room = shaped;
                writeClose(error);
                budgetShort = probeFits;
            }
        } finally {
            this.dest = null;
            probing = false;
        }
        if (result == CALLBACK_FAILED) {
            return CloseOutcome.CALLBACK_FAILURE;
        }
        if (written == 0) {
            return budgetShort ? CloseOutcome.NOBUF_AMPLIFICATION_LIMIT : CloseOutcome.NOBUF_BUFFER_TOO_SMALL;
        }
        // success: the datagram is final
        dest.position(base + written);
        if (packetInfo != null && conn.ecnState == EcnState.CAPABLE) {
            packetInfo.setEcn(Ecn.ECT_0);
        }
        conn.statBytesSent += written;
        conn.localClose = error;
        conn.enterClosed(ConnectionState.CLOSING, now);
        return CloseOutcome.WRITTEN;
    }

    private int writeClose(CloseError error) {
        return error.type() == CloseError.Type.TRANSPORT
                ? writeTransportClose(error.errorCode(), error.frameType(), error.reasonBytes())
                : writeApplicationClose(error.errorCode(), error.reasonBytes());
    }

    /** The transport close: close-spec §2.1, top level chosen from the state and keys. */
    private int writeTransportClose(long errorCode, long frameType, byte[] reason) {
        EncryptionLevel top;
        if (conn.state == ConnectionState.POST_HANDSHAKE
                || (conn.role == Role.SERVER && conn.application.canSend())) {
            top = EncryptionLevel.ONE_RTT;
        } else if (conn.handshake.canSend()) {
            top = EncryptionLevel.HANDSHAKE;
        } else {
            top = EncryptionLevel.INITIAL;
        }
        return writeLevels(top, CloseType.TRANSPORT, errorCode, frameType, reason);
    }

    /**
     * The application close: before confirmation Initial/Handshake carry {@code 1c 0c 00 00}
     * (RFC 9000 §10.2.3: "replace it with a CONNECTION_CLOSE of type 0x1c ... APPLICATION_ERROR"), then 1-RTT
     * carries the 0x1d frame once the peer can read it.
     */
    private int writeApplicationClose(long errorCode, byte[] reason) {
        if (!conn.handshakeConfirmed) {
            EncryptionLevel innerTop = conn.handshake.canSend() ? EncryptionLevel.HANDSHAKE : EncryptionLevel.INITIAL;
            int r = writeLevels(innerTop, CloseType.TRANSPORT, TransportErrorCode.APPLICATION_ERROR, 0, NO_REASON);
            if (r == CALLBACK_FAILED || written == 0) {
                return r;
            }
        }
        if (conn.state != ConnectionState.POST_HANDSHAKE
                && (conn.role == Role.CLIENT || !conn.application.canSend())) {
            return 0;
        }
        return writePacket(EncryptionLevel.ONE_RTT, CloseType.APPLICATION, errorCode, 0, reason);
    }

    /** {@code conn_write_connection_close}: lower levels first while unconfirmed, then {@code top}. */
    private int writeLevels(EncryptionLevel top, CloseType type, long errorCode, long frameType, byte[] reason) {
        if (!conn.handshakeConfirmed && top != EncryptionLevel.INITIAL) {
            if (conn.role == Role.SERVER && conn.initial.canSend()) {
                if (writePacket(EncryptionLevel.INITIAL, type, errorCode, frameType, reason) == CALLBACK_FAILED) {
                    return CALLBACK_FAILED;
                }
            }
            if (top != EncryptionLevel.HANDSHAKE && conn.handshake.canSend()) {
                if (writePacket(EncryptionLevel.HANDSHAKE, type, errorCode, frameType, reason) == CALLBACK_FAILED) {
                    return CALLBACK_FAILED;
                }
            }
        }
        return writePacket(top, type, errorCode, frameType, reason);
    }

    /**
     * One packet carrying one CONNECTION_CLOSE frame ({@code ngtcp2_conn_write_single_frame_pkt}). A packet that
     * does not fit is skipped: it writes nothing and uses no packet number.
     *
     * @return the packet's length, 0 if skipped, {@link #CALLBACK_FAILED} if sealing failed
     */
    private int writePacket(EncryptionLevel level, CloseType type, long errorCode, long frameType, byte[] reason) {
        PacketNumberSpace space = conn.space(level);
        if (!space.canSend()) {
            return 0;
        }
        long pn = space.nextForSending();
        int start = base + written;
        boolean begun = conn.beginPacket(writer, space, dest, start, room - written, pn);
        if (!begun) {
            return 0;
        }
        if (!writer.writeConnectionClose(type, errorCode, type == CloseType.TRANSPORT ? frameType : 0, reason, 0,
                reason.length)) {
            writer.abandon();
            return 0;
        }
        if (probing) {
            // it fits: all the probe asks (the packet number, skip included, is the one the write itself used)
            writer.abandon();
            probeFits = true;
            return 0;
        }
        int minLength;
        if (level == EncryptionLevel.INITIAL && conn.role == Role.CLIENT) {
            // a client's Initial close is alone in its datagram and padded to 1200 (RFC 9000 §14.1)
            minLength = conn.clientInitialPadding() - written;
        } else {
            // RFC 9000 §10.3: at least 22 bytes more than the CID the peer uses for us
            minLength = conn.scid.length() + PacketWriter.MIN_PACKET_EXPANSION;
        }
        int length;
        try {
            length = writer.finish(minLength);
        } catch (CryptoException e) {
            return CALLBACK_FAILED;
        }
        space.sealed();
        space.packetSent(pn);
        conn.statPacketsSent++;
        written += length;
        return length;
    }
}
