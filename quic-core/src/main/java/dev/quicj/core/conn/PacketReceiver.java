package dev.quicj.core.conn;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicException;
import dev.quicj.core.Role;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.InitialSecrets;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.crypto.RetryIntegrity;
import dev.quicj.core.packet.HeaderStatus;
import dev.quicj.core.packet.PacketCrypto;
import dev.quicj.core.packet.PacketForm;
import dev.quicj.core.packet.PacketHeader;
import dev.quicj.core.packet.PacketParser;
import dev.quicj.core.tls.TransportParameters;
import dev.quicj.core.wire.AckFrame;
import dev.quicj.core.wire.CloseType;
import dev.quicj.core.wire.FrameDecoder;
import dev.quicj.core.wire.FrameType;
import dev.quicj.core.wire.FrameVisitor;
import dev.quicj.core.wire.NetworkOrder;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayDeque;

/**
 * The receive path of one connection (the part of ngtcp2's {@code ngtcp2_conn_read_pkt} this core needs). Each
 * authenticated packet is decoded twice: once to validate every frame, once to apply them, so none of a packet's
 * frames takes effect when one of them is bad. The packet itself has: it was authenticated, so a server's first
 * Initial is still the packet whose SCID a client switches to (RFC 9000 §7.2, as ngtcp2's
 * {@code conn_recv_handshake_pkt}), and the close that the exception leads to goes there.
 */
final class PacketReceiver {
    /** The shortest datagram checked for a stateless reset token (RFC 9000 §10.3.1). */
    private static final int MIN_STATELESS_RESET_LENGTH = 21;
    private static final int RESET_TOKEN_LENGTH = 16;
    // an ACK delay above this (about 12 days) is treated as this, so the nanosecond value cannot overflow
    private static final long MAX_ACK_DELAY_MICROS = 1L << 40;

    private final QuicConnection conn;
    // reused parse state and scratch
    private final PacketHeader header = new PacketHeader();
    private final FrameDecoder decoder = new FrameDecoder();
    private final byte[] mask = new byte[PacketProtection.MASK_LENGTH];
    private final byte[] trailer = new byte[RESET_TOKEN_LENGTH];
    private final Validator validator = new Validator();
    private final Applier applier = new Applier();
    // the peer's connection IDs as a packet's NEW_CONNECTION_ID frames leave them, while the packet is validated
    private final PeerConnectionIds peerIdsCopy = new PeerConnectionIds(ConnectionId.empty(), null, null, null);
    private boolean peerIdsCopied;
    // stream data flow control (RFC 9000 §4.1, §4.5), checked per packet on an overlay and applied by the Applier;
    // made with the first stream frame checked against local transport parameters (most connections this core reads
    // never see one: a refused client's Initials, say)
    private ReceiveFlowControl flow;
    // whether the packet being read was checked for flow control: the local transport parameters were set when it was
    // validated (a CRYPTO data listener may set them while the packet is applied, after the check)
    private boolean flowChecked;

    // per packet: the space and time the visitors work with
    private PacketNumberSpace space;
    private long now;
    // when the packet being processed arrived: now, or earlier for a packet held until the handshake completed
    private long arrival;
    // the length of the datagram being read by a fresh server (no original DCID yet), counted once its Initial
    // authenticates, else 0
    private int unboundBytes;

    PacketReceiver(QuicConnection conn) {
        this.conn = conn;
    }

    ReceiveStatus receive(ByteBuffer dg, NetworkPath from, long now) throws QuicException {
        this.now = now;
        this.arrival = now;
        int start = dg.position();
        int limit = dg.limit();
        int length = limit - start;
        unboundBytes = 0;
        ReceiveStatus screened = screen(conn, dg, from);
        if (screened != null) {
            return screened;
        }
        boolean freshServer = conn.role == Role.SERVER && conn.originalDcid == null;
        if (!freshServer) {
            // RFC 9000 §8.1: a server counts "all of the payload bytes received in datagrams that are uniquely
            // attributed to a single connection", including "datagrams that contain packets that are all discarded".
            // The caller attributed this one by handing it to this connection on its path; its header is not read
            // for that, as libngtcp2 counts every datagram it is handed on the path (whatever it then makes of the
            // header, its version or its DCID)
            countReceived(length);
        }
        boolean checkReset = conn.resetTokenCount > 0 && length >= MIN_STATELESS_RESET_LENGTH;
        if (checkReset) {
            dg.get(limit - RESET_TOKEN_LENGTH, trailer);
        }
        HeaderStatus status = parseHeader(dg, start);
        if (status != HeaderStatus.OK) {
            if (checkReset && matchesResetToken()) {
                return enterResetDraining(now);
            }
            return drop(status == HeaderStatus.UNSUPPORTED_VERSION ? DropReason.UNSUPPORTED_VERSION
                    : DropReason.MALFORMED_HEADER);
        }
        if (header.form() == PacketForm.VERSION_NEGOTIATION) {
            return versionNegotiation(dg);
        }
        DropReason notOurs = attribute(dg, length);
        if (notOurs != null) {
            if (checkReset && matchesResetToken()) {
                return enterResetDraining(now);
            }
            return drop(notOurs);
        }
        if (freshServer) {
            // a fresh server takes the first client Initial that authenticates, whatever its DCID: until one does, no
            // datagram is "uniquely attributed to a single connection" (RFC 9000 §8.1), and one that opens nothing is
            // a drop, which changes nothing; the bytes count when this datagram's Initial opens the connection
            unboundBytes = length;
        }
        if (header.form() == PacketForm.RETRY) {
            return retry(dg);
        }
        int firstDcidOffset = header.dcidOffset();
        int firstDcidLength = header.dcidLength();
        boolean processed = false;
        int offset = start;
        while (offset < limit) {
            if (offset != start) {
                HeaderStatus st = parseHeader(dg, offset);
                if (st != HeaderStatus.OK) {
                    conn.lastDropReason = DropReason.MALFORMED_HEADER;
                    break;
                }
                if (!sameBytes(dg, firstDcidOffset, firstDcidLength, header.dcidOffset(), header.dcidLength())) {
                    conn.lastDropReason = DropReason.COALESCED_DCID_MISMATCH;
                    conn.statPacketsDropped++;
                    offset = header.packetEnd();
                    continue;
                }
            }
            int next = header.packetEnd();
            DropReason r = packet(dg, length);
            if (r == null) {
                processed = true;
            } else {
                conn.lastDropReason = r;
                if (r != DropReason.HELD_UNTIL_HANDSHAKE_COMPLETE) {
                    conn.statPacketsDropped++;
                }
                // RFC 9000 §10.3.1: "the comparison MUST be performed when the first packet in an incoming datagram
                // either cannot be associated with a connection or cannot be decrypted", whatever follows it: the
                // packets coalesced after it are not read when the datagram is a stateless reset
                if (offset == start && checkReset && matchesResetToken()) {
                    return enterResetDraining(now);
                }
                if (conn.integrityLimitExceeded()) {
                    // RFC 9001 §6.6: this packet took the failures past the integrity limit: "immediately close the
                    // connection with a connection error of type AEAD_LIMIT_REACHED and not process any more
                    // packets" (checked after the stateless reset, which ends the connection anyway)
                    throw conn.integrityLimitError();
                }
            }
            if (conn.state == ConnectionState.DRAINING) {
                return ReceiveStatus.DRAINING;
            }
            if (conn.state == ConnectionState.CLOSING) {
                // closed by the CRYPTO data listener while this packet was applied: a closed connection decrypts
                // nothing more (RFC 9000 §10.2.1), so the rest of the datagram is not read; without this a server's
                // next coalesced Initial would find no keys and derive them afresh, and its CONNECTION_CLOSE would
                // turn CLOSING into DRAINING
                return ReceiveStatus.PROCESSED;
            }
            offset = next;
        }
        // a datagram none of whose packets was processed was checked for a stateless reset with its first packet
        return processed ? ReceiveStatus.PROCESSED : ReceiveStatus.DROPPED;
    }

    /** Whether this endpoint opens the stream: bit 0x01 of its ID names the initiator, set for the server (§2.1). */
    private boolean locallyInitiated(long streamId) {
        return ((streamId & 0x01) != 0) == (conn.role == Role.SERVER);
    }

    /** The stream data flow control, or null before the first stream frame checked (for tests). */
    ReceiveFlowControl flowControl() {
        return flow;
    }

    /**
     * The checks before any parsing: an empty datagram is dropped, and so is one from another path, except that a
     * closed server answers it as it answers any other (close-spec §5.2, as ngtcp2's {@code ngtcp2_conn_read_pkt}:
     * only a client checks the path before the state); a draining connection ignores everything, a closing one counts
     * the bytes (RFC 9000 §10.2.1: it answers with its close at most, and never decrypts). Also all that a closed
     * connection, which has no receiver, does with a datagram.
     *
     * @return the outcome, or null when the datagram goes on to be parsed
     */
    static ReceiveStatus screen(QuicConnection conn, ByteBuffer dg, NetworkPath from) {
        int length = dg.remaining();
        if (length == 0) {
            return drop(conn, DropReason.EMPTY_DATAGRAM);
        }
        boolean onPath = from.equals(conn.path);
        if (!onPath && (conn.role == Role.CLIENT || !conn.state.isClosed())) {
            return drop(conn, DropReason.UNKNOWN_PATH);
        }
        if (conn.state == ConnectionState.DRAINING) {
            return ReceiveStatus.DRAINING;
        }
        if (conn.state == ConnectionState.CLOSING) {
            if (onPath) {
                countReceived(conn, length);
            } else {
                // the amplification budget is the path's: bytes from another address do not raise it
                conn.statBytesReceived += length;
            }
            return ReceiveStatus.CLOSING;
        }
        return null;
    }

    private void countReceived(int length) {
        countReceived(conn, length);
    }

    private static void countReceived(QuicConnection conn, int length) {
        conn.pathBytesReceived += length;
        conn.statBytesReceived += length;
    }

    private ReceiveStatus drop(DropReason reason) {
        return drop(conn, reason);
    }

    private static ReceiveStatus drop(QuicConnection conn, DropReason reason) {
        conn.lastDropReason = reason;
        conn.statPacketsDropped++;
        return ReceiveStatus.DROPPED;
    }

    /** Whether the first packet's DCID is one of ours; null if it is, else why not. */
    private DropReason attribute(ByteBuffer dg, int datagramLength) {
        int off = header.dcidOffset();
        int len = header.dcidLength();
        if (conn.scid.matches(dg, off, len)) {
            return null;
        }
        if (conn.role == Role.SERVER && header.isLongHeader()) {
            if (conn.retryScid != null) {
                // a server built after a Retry: the client's Initials go to the Retry's SCID (RFC 9000 §17.2.5.2); one
                // to the original DCID is from the attempt the Retry ended, under the keys of that DCID, and would key
                // the Initial space wrongly (RFC 9001 §5.2)
                return conn.retryScid.matches(dg, off, len) ? null : DropReason.UNKNOWN_CONNECTION_ID;
            }
            if (conn.originalDcid != null) {
                return conn.originalDcid.matches(dg, off, len) ? null : DropReason.UNKNOWN_CONNECTION_ID;
            }
            // a fresh server accepts the client's first Initial, whatever DCID the client chose
            if (header.form() != PacketForm.INITIAL) {
                return DropReason.UNEXPECTED_PACKET_TYPE;
            }
            if (datagramLength < QuicConnection.MIN_INITIAL_DATAGRAM_SIZE) {
                return DropReason.INITIAL_DATAGRAM_TOO_SMALL;
            }
            if (len < QuicConnection.MIN_INITIAL_DCID_LENGTH) {
                return DropReason.INITIAL_DCID_TOO_SHORT;
            }
            return null;
        }
        return DropReason.UNKNOWN_CONNECTION_ID;
    }

    /** Processes one packet; null when it was processed, else why it was dropped. */
    private DropReason packet(ByteBuffer dg, int datagramLength) throws QuicException {
        EncryptionLevel level = header.form().level();
        if (level == null) {
            // a coalesced Retry or Version Negotiation
            return DropReason.UNEXPECTED_PACKET_TYPE;
        }
        if (level == EncryptionLevel.ZERO_RTT) {
            // this core never installs 0-RTT keys
            return DropReason.NO_KEYS;
        }
        if (level == EncryptionLevel.ONE_RTT && !conn.handshakeCompleted) {
            // RFC 9001 §5.7: neither endpoint processes 1-RTT packets before the TLS handshake completes, even with
            // the keys; they "MAY be stored and later decrypted", which ngtcp2 does. Not by a fresh server from a
            // datagram whose Initial has not opened the connection: that datagram is not attributed to it (its bytes
            // are not counted), and a drop changes nothing
            return unboundBytes > 0 ? DropReason.NO_KEYS : hold(dg);
        }
        if (header.isLongHeader() && header.version() != conn.version) {
            return DropReason.UNSUPPORTED_VERSION;
        }
        if (level == EncryptionLevel.INITIAL && conn.role == Role.CLIENT && header.tokenLength() != 0) {
            // RFC 9000 §17.2.2: a server's Initial has an empty token; a client discards one that does not
            return DropReason.MALFORMED_HEADER;
        }
        if (level == EncryptionLevel.INITIAL && conn.role == Role.SERVER
                && datagramLength < QuicConnection.MIN_INITIAL_DATAGRAM_SIZE) {
            // RFC 9000 §14.1: a server MUST discard an Initial in a datagram smaller than 1200 bytes
            return DropReason.INITIAL_DATAGRAM_TOO_SMALL;
        }
        if (header.isLongHeader() && conn.peerScid != null
                && !conn.peerScid.matches(dg, header.scidOffset(), header.scidLength())) {
            return DropReason.PEER_SCID_MISMATCH;
        }
        PacketNumberSpace s = conn.space(level);
        PacketProtection rx = s.rx;
        PacketProtection serverInitialTx = null;
        ConnectionId keyDcid = null;
        boolean firstClientInitial = conn.role == Role.SERVER && level == EncryptionLevel.INITIAL && s.rx == null
                && !s.discarded;
        if (firstClientInitial) {
            // a DCID the server chose (its Retry's SCID, or its own ID) may be shorter than 8 bytes (RFC 9000 §7.2
            // asks that of the client's unpredictable one only)
            boolean serverChosen = conn.retryScid != null
                    && conn.retryScid.matches(dg, header.dcidOffset(), header.dcidLength())
                    || conn.scid.matches(dg, header.dcidOffset(), header.dcidLength());
            if (!serverChosen && header.dcidLength() < QuicConnection.MIN_INITIAL_DCID_LENGTH) {
                return DropReason.INITIAL_DCID_TOO_SHORT;
            }
            if (conn.dcid != null && !conn.dcid.matches(dg, header.scidOffset(), header.scidLength())) {
                return DropReason.PEER_SCID_MISMATCH;
            }
            // RFC 9001 §5.2: the Initial keys come from the DCID of the client's first Initial, or after a Retry from
            // the Retry's SCID: in both cases the DCID of the first client Initial this connection receives (a
            // client's DCID moves off it only with the server's first Initial, RFC 9000 §7.2). The original DCID
            // given in advance stays what original_destination_connection_id reports (RFC 9000 §7.3)
            keyDcid = header.dcid(dg);
            byte[] odcid = keyDcid.toByteArray();
            try {
                PacketProtection[] both = InitialSecrets.bothProtections(conn.settings.cryptoProvider(), conn.version,
                        odcid);
                rx = both[0];
                serverInitialTx = both[1];
            } catch (CryptoException e) {
                return DropReason.NO_KEYS;
            }
        }
        if (s.discarded || rx == null) {
            return DropReason.NO_KEYS;
        }
        if (level == EncryptionLevel.ONE_RTT) {
            DropReason r = openOneRtt(dg, s);
            if (r != null) {
                return r;
            }
        } else {
            try {
                PacketCrypto.removeHeaderProtection(dg, header, rx, s.received.largest(), mask);
            } catch (CryptoException e) {
                // before the AEAD (no sample, too short for the tag, a packet number past 2^62-1): not counted
                return DropReason.DECRYPTION_FAILED;
            }
            try {
                PacketCrypto.open(dg, header, rx);
            } catch (CryptoException e) {
                return authenticationFailed(level);
            }
        }
        // the packet authenticated: it comes from the peer
        if (firstClientInitial) {
            s.rx = rx;
            s.tx = serverInitialTx;
            if (conn.originalDcid == null) {
                conn.originalDcid = keyDcid;
            }
            if (unboundBytes > 0) {
                // the whole datagram, as for any other server (§8.1): the packets before this one and after it too
                countReceived(unboundBytes);
                unboundBytes = 0;
            }
            conn.peerScid = header.scid(dg);
            conn.dcid = conn.peerScid;
            if (conn.state == ConnectionState.SERVER_INITIAL) {
                conn.state = ConnectionState.SERVER_WAIT_HANDSHAKE;
            }
        }
        // RFC 9000 §17.2, §17.3.1: checked once both protections are off. A client checks before it takes anything
        // from the packet (as ngtcp2's conn_recv_handshake_pkt, which checks before it switches the DCID): its close
        // goes to the DCID it had, and a Retry is still judged as before any server packet
        if (header.reservedBits() != 0) {
            throw QuicException.protocolViolation(0, "reserved header bits are not zero");
        }
        if (conn.role == Role.CLIENT && header.isLongHeader() && conn.peerScid == null) {
            // RFC 9000 §7.2: the client switches to the SCID of the server's first packet
            conn.peerScid = header.scid(dg);
            conn.dcid = conn.peerScid;
        }
        if (conn.role == Role.CLIENT) {
            conn.receivedFromServer = true;
        }
        long pn = header.packetNumber();
        if (s.received.contains(pn)) {
            return DropReason.DUPLICATE_PACKET;
        }
        int savedPosition = dg.position();
        int savedLimit = dg.limit();
        boolean ackEliciting;
        space = s;
        try {
            dg.limit(header.payloadOffset() + header.payloadLength()).position(header.payloadOffset());
            s.crypto.beginPacket();
            peerIdsCopied = false;
            flowChecked = conn.localParameters != null;
            if (flow != null) {
                flow.beginPacket();
            }
            try {
                ackEliciting = decoder.decode(dg, level, validator);
            } catch (QuicException | RuntimeException e) {
                // the out-of-order CRYPTO data the validation buffered goes with the refused packet
                s.crypto.abortPacket();
                throw e;
            }
            applier.begin();
            decoder.decode(dg, level, applier);
        } finally {
            dg.limit(savedLimit).position(savedPosition);
            space = null;
        }
        s.received.add(pn);
        if (pn == s.received.largest()) {
            // RFC 9000 §13.2.5: "endpoints SHOULD include buffering delays caused by unavailability of decryption
            // keys" in the ACK Delay, so a held packet counts from its arrival
            s.largestReceivedTime = arrival;
        }
        if (ackEliciting) {
            s.ackPending = true;
        }
        conn.statPacketsReceived++;
        conn.restartIdleTimerOnReceive(now);
        if (level == EncryptionLevel.HANDSHAKE && conn.role == Role.SERVER) {
            // RFC 9000 §8.1: a Handshake packet from the client validates its address; RFC 9001 §4.9.1: the
            // server discards its Initial keys
            conn.pathValidated = true;
            if (!conn.initial.discarded) {
                conn.initial.discard();
            }
        }
        if (applier.close != null && !conn.state.isClosed()) {
            conn.peerClose = applier.close;
            conn.enterClosed(ConnectionState.DRAINING, now);
        }
        return null;
    }

    /**
     * Removes the protection of a 1-RTT packet with the keys of its Key Phase (RFC 9001 §6): header protection is the
     * same for every generation (§6.1); a packet of the current phase opens with the current keys, one of the other
     * phase with the previous generation's if it is older than the current generation, or with the next
     * generation's if it is newer than every packet received (§6.5). If the next generation's keys open it, the peer
     * updated its keys, and this endpoint's next packets (a close included) use the next generation too (§6.2). A
     * packet that does not authenticate changes nothing (RFC 9001 §5.5: "a packet that appears to trigger a key
     * update but cannot be unprotected successfully MUST be discarded").
     *
     * <p>A peer may update its keys whenever it got an acknowledgment of a packet of the current phase (§6.2); RFC
     * 9001 sets no MUST on a receiver about when an update arrives, and this endpoint takes every update it can
     * authenticate, without the optional KEY_UPDATE_ERROR checks (§6.2: "MAY").
     *
     * @return null when the packet authenticated, else why it was dropped
     */
    private DropReason openOneRtt(ByteBuffer dg, PacketNumberSpace s) {
        PacketProtection protection = s.rx;
        try {
            PacketCrypto.removeHeaderProtection(dg, header, protection, s.received.largest(), mask);
        } catch (CryptoException e) {
            return DropReason.DECRYPTION_FAILED;
        }
        KeyGenerations keys = s.keys;
        long pn = header.packetNumber();
        // a packet of the other Key Phase that no generation can be the peer's is still opened, with the current
        // keys, and then dropped whatever the outcome: RFC 9001 §6.3, "Endpoints responding to an apparent key update
        // MUST NOT generate a timing side-channel signal that might indicate that the Key Phase bit was invalid"
        boolean invalidKeyPhase = false;
        if (header.keyPhase() != s.keyPhase) {
            PacketProtection other = null;
            if (keys != null) {
                try {
                    other = keys.otherPhaseRx(s, conn.settings.cryptoProvider(), conn.version, pn);
                } catch (CryptoException e) {
                    // the next generation's keys could not be derived
                    return DropReason.NO_KEYS;
                }
            }
            if (other != null) {
                protection = other;
            } else {
                invalidKeyPhase = true;
            }
        }
        try {
            PacketCrypto.open(dg, header, protection);
        } catch (CryptoException e) {
            return authenticationFailed(EncryptionLevel.ONE_RTT);
        }
        if (invalidKeyPhase) {
            return DropReason.DECRYPTION_FAILED;
        }
        if (protection != s.rx) {
            keys.opened(s, protection, pn, conn.settings.cryptoProvider(), conn.version);
        } else if (keys != null) {
            keys.openedCurrent(pn);
        }
        return null;
    }

    /**
     * A packet the AEAD refused to authenticate: RFC 9001 §6.6, "endpoints MUST count the number of received packets
     * that fail authentication during the lifetime of a connection", across all keys. Initial packets are not
     * counted: anyone can derive their keys (RFC 9001 §5.2), so a failure there is no attempt to forge against a
     * secret key, and the integrity limit is that of the AEAD TLS selects for the other keys. The receive loop checks
     * the limit once the packet was dropped (and the datagram checked for a stateless reset).
     */
    private DropReason authenticationFailed(EncryptionLevel level) {
        if (level != EncryptionLevel.INITIAL) {
            conn.aeadFailures++;
        }
        return DropReason.DECRYPTION_FAILED;
    }

    /**
     * Parses the header of the packet at {@code offset} into {@link #header}: short headers carry this connection's
     * SCID length, and a cleared QUIC bit is read once this endpoint advertised grease_quic_bit (RFC 9287 §3).
     */
    private HeaderStatus parseHeader(ByteBuffer b, int offset) {
        return PacketParser.parse(b, offset, conn.scid.length(), header, conn.acceptsClearedQuicBit());
    }

    /** Keeps a copy of the current (1-RTT, so last) packet of {@code dg}, still protected, within the bound. */
    private DropReason hold(ByteBuffer dg) {
        if (conn.heldPackets == null) {
            conn.heldPackets = new ArrayDeque<>(4);
            if (conn.heldArrivals == null) {
                conn.heldArrivals = new long[QuicConnection.MAX_HELD_PACKETS];
            }
        } else if (conn.heldPackets.size() >= QuicConnection.MAX_HELD_PACKETS) {
            return DropReason.TOO_MANY_HELD_PACKETS;
        }
        int length = header.packetEnd() - header.packetStart();
        // nothing held is authenticated yet: whoever knows this connection's ID picks their sizes, so their bytes are
        // bounded too, not only their number (a 64 KB datagram each would hold half a megabyte)
        int heldBytes = length;
        for (byte[] p : conn.heldPackets) {
            heldBytes += p.length;
        }
        if (heldBytes > QuicConnection.MAX_HELD_BYTES) {
            return DropReason.TOO_MANY_HELD_PACKETS;
        }
        byte[] copy = new byte[length];
        dg.get(header.packetStart(), copy);
        conn.heldArrivals[conn.heldPackets.size()] = now;
        conn.heldPackets.addLast(copy);
        return DropReason.HELD_UNTIL_HANDSHAKE_COMPLETE;
    }

    /**
     * Processes the 1-RTT packets held since before the handshake completed, oldest first (their bytes were counted
     * when they arrived): PROCESSED if any was, DRAINING if one carried the peer's close, else DROPPED. A packet that
     * breaks the protocol throws, and the rest are discarded with the connection.
     */
    ReceiveStatus receiveHeld(long now) throws QuicException {
        this.now = now;
        ArrayDeque<byte[]> held = conn.heldPackets;
        conn.heldPackets = null;
        if (conn.integrityLimitExceeded()) {
            // RFC 9001 §6.6: "not process any more packets", the held ones included
            throw conn.integrityLimitError();
        }
        boolean processed = false;
        int index = 0;
        for (byte[] p = held.pollFirst(); p != null; p = held.pollFirst()) {
            arrival = conn.heldArrivals[index++];
            ByteBuffer b = ByteBuffer.wrap(p);
            DropReason r = parseHeader(b, 0) == HeaderStatus.OK
                    ? packet(b, p.length) : DropReason.MALFORMED_HEADER;
            if (r == null) {
                processed = true;
            } else {
                conn.lastDropReason = r;
                conn.statPacketsDropped++;
                if (conn.integrityLimitExceeded()) {
                    // RFC 9001 §6.6, as in receive: the packets still held are not processed
                    throw conn.integrityLimitError();
                }
            }
            if (conn.state == ConnectionState.DRAINING) {
                return ReceiveStatus.DRAINING;
            }
            if (conn.state == ConnectionState.CLOSING) {
                // closed by the CRYPTO data listener: the packets still held are discarded with the connection
                return ReceiveStatus.PROCESSED;
            }
        }
        return processed ? ReceiveStatus.PROCESSED : ReceiveStatus.DROPPED;
    }

    private ReceiveStatus versionNegotiation(ByteBuffer dg) {
        // RFC 9000 §6.2: only a client that has not yet received a valid packet (a Retry or an earlier Version
        // Negotiation included) acts on it. A client created after the server's Initial or Retry
        // (ClientBuilder.serverSourceConnectionId, destinationConnectionId, retrySourceConnectionId) has had one
        if (conn.role == Role.SERVER || conn.receivedFromServer || conn.retryScid != null
                || conn.receivedVersionNegotiation) {
            return drop(DropReason.IGNORED_VERSION_NEGOTIATION);
        }
        if (!conn.scid.matches(dg, header.dcidOffset(), header.dcidLength())
                || !conn.dcid.matches(dg, header.scidOffset(), header.scidLength())) {
            return drop(DropReason.UNKNOWN_CONNECTION_ID);
        }
        int p = header.pnOffset();
        int end = header.packetEnd();
        // RFC 9000 §17.2.1: "Supported Version (32) ...", zero or more versions (§1.3): an empty list is well formed,
        // and it does not list this client's version (§6.2: "MUST abandon"), as libngtcp2 reads it too
        if ((end - p) % 4 != 0) {
            return drop(DropReason.MALFORMED_HEADER);
        }
        for (; p < end; p += 4) {
            if (NetworkOrder.convert(dg, dg.getInt(p)) == conn.version.wireValue()) {
                return drop(DropReason.IGNORED_VERSION_NEGOTIATION);
            }
        }
        conn.receivedVersionNegotiation = true;
        return ReceiveStatus.VERSION_NEGOTIATION;
    }

    private ReceiveStatus retry(ByteBuffer dg) {
        // RFC 9000 §17.2.5.2: a client accepts one Retry, before any other server packet, with a valid tag ("After
        // the client has received and processed an Initial or Retry packet from the server, it MUST discard any
        // subsequent Retry packets"). A client created after the server's Initial or Retry
        // (ClientBuilder.serverSourceConnectionId, destinationConnectionId, retrySourceConnectionId) has had one
        if (conn.role == Role.SERVER || conn.receivedFromServer || conn.retryScid != null
                || header.tokenLength() == 0) {
            return drop(DropReason.INVALID_RETRY);
        }
        // RFC 9000 §17.2.5.1: "A client MUST discard a Retry packet that contains a Source Connection ID field that is
        // identical to the Destination Connection ID field of its Initial packet". A client that may still take a
        // Retry has sent its Initials to its original DCID only (§7.2 moves it only on the server's Initial or Retry)
        if (conn.originalDcid.matches(dg, header.scidOffset(), header.scidLength())) {
            return drop(DropReason.INVALID_RETRY);
        }
        if (header.version() != conn.version) {
            // its type bits and integrity key are those of the version it names (RFC 9369 §3.2, §3.3.3), not ours:
            // dropped as packet() drops Initial and Handshake packets of another version
            return drop(DropReason.UNSUPPORTED_VERSION);
        }
        try {
            // RFC 9001 §5.8: the Retry Pseudo-Packet's ODCID is "the Destination Connection ID from the Initial packet
            // that this Retry is in response to"; a client that gets here has sent its Initials with no other DCID than
            // its original one (the DCID of its first Initial, whose value the server must also echo in
            // original_destination_connection_id, RFC 9000 §7.3)
            if (!RetryIntegrity.verify(conn.version, conn.originalDcid.toByteArray(), dg, header.packetStart(),
                    header.packetLength())) {
                return drop(DropReason.INVALID_RETRY);
            }
        } catch (CryptoException e) {
            return drop(DropReason.INVALID_RETRY);
        }
        ConnectionId newDcid = header.scid(dg);
        try {
            conn.deriveInitialKeys(newDcid);
        } catch (CryptoException e) {
            return drop(DropReason.NO_KEYS);
        }
        conn.retryScid = newDcid;
        conn.dcid = newDcid;
        conn.token = header.token(dg);
        conn.initial.crypto.rewindSent();
        conn.state = ConnectionState.CLIENT_INITIAL;
        return ReceiveStatus.RETRY;
    }

    /**
     * {@link QuicConnection#receiveStatelessReset}: the §10.3.1 comparison alone, for a datagram no connection ID of
     * this endpoint names. Nothing is parsed or counted.
     */
    ReceiveStatus statelessReset(ByteBuffer dg, NetworkPath from, long now) {
        int length = dg.remaining();
        if (conn.resetTokenCount == 0 || length < MIN_STATELESS_RESET_LENGTH || !from.equals(conn.path)) {
            return ReceiveStatus.DROPPED;
        }
        dg.get(dg.limit() - RESET_TOKEN_LENGTH, trailer);
        return matchesResetToken() ? enterResetDraining(now) : ReceiveStatus.DROPPED;
    }

    /** One NEW_CONNECTION_ID frame applied to {@code ids}; true if the ID this endpoint sends to was retired. */
    private boolean applyNewConnectionId(PeerConnectionIds ids, long sequenceNumber, long retirePriorTo,
            ByteBuffer payload, int idIndex, int idLength, int tokenIndex) throws QuicException {
        byte[] id = new byte[idLength];
        payload.get(idIndex, id);
        byte[] token = new byte[RESET_TOKEN_LENGTH];
        payload.get(tokenIndex, token);
        TransportParameters local = conn.localParameters;
        return ids.receive(sequenceNumber, retirePriorTo, ConnectionId.of(id), token,
                local != null ? local.activeConnectionIdLimit() : 0);
    }

    private boolean matchesResetToken() {
        for (int i = 0; i < conn.resetTokenCount; i++) {
            if (MessageDigest.isEqual(trailer, conn.resetTokens[i])) {
                return true;
            }
        }
        return false;
    }

    private ReceiveStatus enterResetDraining(long now) {
        conn.statelessReset = true;
        conn.enterClosed(ConnectionState.DRAINING, now);
        return ReceiveStatus.DRAINING;
    }

    private static boolean sameBytes(ByteBuffer b, int off1, int len1, int off2, int len2) {
        if (len1 != len2) {
            return false;
        }
        for (int i = 0; i < len1; i++) {
            if (b.get(off1 + i) != b.get(off2 + i)) {
                return false;
            }
        }
        return true;
    }

    /** Pass 1: everything that would make the packet a connection error, checked before any effect. */
    private final class Validator implements FrameVisitor {
        @Override
        public void ack(AckFrame ack) throws QuicException {
            PacketNumberSpace s = space;
            if (ack.largestAcknowledged() > s.lastSentPacketNumber) {
                // RFC 9000 §13.1: acknowledging a packet that was never sent
                throw QuicException.protocolViolation(ack.frameType(), "ACK of an unsent packet number");
            }
            if (ack.smallestAcknowledged() < conn.settings.initialPacketNumber() && !conn.continuesEarlierPackets) {
                // RFC 9000 §13.1: nor are the numbers below the first one this space used, unless this client took
                // over from whatever sent its first Initials
                throw QuicException.protocolViolation(ack.frameType(),
                        "ACK of a packet number below the first one sent");
            }
            if (s.skippedCount > 0) {
                ack.rewindRanges();
                while (ack.nextRange()) {
                    for (int i = 0; i < s.skippedCount; i++) {
                        long skipped = s.skipped[i];
                        if (skipped >= ack.rangeSmallest() && skipped <= ack.rangeLargest()) {
                            throw QuicException.protocolViolation(ack.frameType(), "ACK of a skipped packet number");
                        }
                    }
                }
            }
        }

        @Override
        public void crypto(long offset, ByteBuffer payload, int dataIndex, int length) throws QuicException {
            // RFC 9001 §4.1.3: "If the packet is from a previously installed encryption level, it MUST NOT contain
            // data that extends past the end of previously received data in that flow. Implementations MUST treat any
            // violations of this requirement as a connection error of type PROTOCOL_VIOLATION."
            if (conn.isPreviousReceiveLevel(space.level) && offset + length > space.crypto.receivedEnd()) {
                throw QuicException.protocolViolation(FrameType.CRYPTO, "new CRYPTO data at " + space.level
                        + ", a level the TLS handshake has moved past");
            }
            space.crypto.check(offset, payload, dataIndex, length);
        }

        @Override
        public void newToken(ByteBuffer payload, int tokenIndex, int tokenLength) throws QuicException {
            if (conn.role == Role.SERVER) {
                throw QuicException.protocolViolation(FrameType.NEW_TOKEN, "NEW_TOKEN from a client");
            }
        }

        @Override
        public void handshakeDone() throws QuicException {
            if (conn.role == Role.SERVER) {
                throw QuicException.protocolViolation(FrameType.HANDSHAKE_DONE, "HANDSHAKE_DONE from a client");
            }
        }

        @Override
        public void newConnectionId(long sequenceNumber, long retirePriorTo, ByteBuffer payload, int idIndex,
                int idLength, int tokenIndex) throws QuicException {
            // RFC 9000 §19.15: "An endpoint that is sending packets with a zero-length Destination Connection ID MUST
            // treat receipt of a NEW_CONNECTION_ID frame as a connection error of type PROTOCOL_VIOLATION."
            if (conn.dcid != null && conn.dcid.length() == 0) {
                throw QuicException.protocolViolation(FrameType.NEW_CONNECTION_ID,
                        "NEW_CONNECTION_ID to an endpoint that sends zero-length connection IDs");
            }
            // the packet's frames go to a copy first: its earlier NEW_CONNECTION_ID frames count, and nothing changes
            // unless the whole packet is valid
            if (!peerIdsCopied) {
                peerIdsCopy.copyFrom(conn.peerConnectionIds());
                peerIdsCopied = true;
            }
            applyNewConnectionId(peerIdsCopy, sequenceNumber, retirePriorTo, payload, idIndex, idLength, tokenIndex);
        }

        @Override
        public void streamData(long frameType, long streamId, long offset, ByteBuffer payload, int dataIndex,
                int length, boolean fin) throws QuicException {
            streamFrame(frameType, streamId);
            checkFlow(frameType, streamId, offset + length, fin);
        }

        @Override
        public void resetStream(long streamId, long errorCode, long finalSize) throws QuicException {
            streamFrame(FrameType.RESET_STREAM, streamId);
            checkFlow(FrameType.RESET_STREAM, streamId, finalSize, true);
        }

        /**
         * Stream data flow control (RFC 9000 §4.1, §4.5) for a STREAM frame ending at {@code end} or a RESET_STREAM
         * whose Final Size is {@code end} ({@code fin}), on a stream {@link #streamFrame} let through, once the TLS
         * layer gave this endpoint's transport parameters: this core sends no MAX_DATA or MAX_STREAM_DATA, so their
         * initial_max_data and initial_max_stream_data_* are the limits for the life of the connection. The frame is
         * checked against the state the packet's earlier frames leave, and nothing changes until the Applier. The
         * only locally initiated stream that gets here is a bidirectional one in a RESET_STREAM (this core opens no
         * stream, so STREAM for one is a STREAM_STATE_ERROR): its Final Size is checked against
         * initial_max_stream_data_bidi_local, and the stream is not tracked, since the peer may name any number of
         * them.
         */
        private void checkFlow(long frameType, long streamId, long end, boolean fin) throws QuicException {
            if (!flowChecked) {
                return;
            }
            TransportParameters local = conn.localParameters;
            boolean unidirectional = (streamId & 0x02) != 0;
            if (locallyInitiated(streamId)) {
                long limit = local.initialMaxStreamDataBidiLocal();
                if (end > limit) {
                    throw QuicException.stackless(TransportErrorCode.FLOW_CONTROL_ERROR, frameType,
                            FrameType.name(frameType) + " for stream " + streamId + " up to " + end
                                    + ", beyond its limit of " + limit + " bytes");
                }
                return;
            }
            long limit = unidirectional ? local.initialMaxStreamDataUni() : local.initialMaxStreamDataBidiRemote();
            if (flow == null) {
                // as a packet begins: nothing committed, nothing staged
                flow = new ReceiveFlowControl();
            }
            flow.check(frameType, streamId, end, fin, limit, local.initialMaxData());
        }

        /**
         * The stream frames the peer may not send for a stream (RFC 9000 §19.4, §19.5, §19.8, §19.10, §19.13), each a
         * STREAM_STATE_ERROR. Who opened the stream is bit 0x01 of its ID (set: the server) and its direction bit 0x02
         * (set: unidirectional, from its initiator to the other end), §2.1. This core opens no stream (it sends no
         * application data), so every locally initiated stream "has not yet been created":
         * <ul>
         *   <li>STREAM: only for a stream the peer opened (§19.8: not "for a locally initiated stream that has not yet
         *       been created, or for a send-only stream");</li>
         *   <li>STOP_SENDING and MAX_STREAM_DATA: only for a bidirectional stream the peer opened (§19.5, §19.10: not
         *       for a locally initiated stream not yet created, nor for a receive-only stream, one the peer opened as
         *       unidirectional);</li>
         *   <li>RESET_STREAM and STREAM_DATA_BLOCKED: not for a send-only stream (§19.4, §19.13), a unidirectional
         *       stream this endpoint would open. The RFC has no rule for them on a locally initiated bidirectional
         *       stream not yet created, so those pass.</li>
         * </ul>
         * A peer-initiated stream beyond the limits this endpoint advertised in its transport parameters is a
         * STREAM_LIMIT_ERROR (§4.6: "An endpoint that receives a frame with a stream ID exceeding the limit it has
         * sent MUST treat this as a connection error of type STREAM_LIMIT_ERROR"), once the TLS layer gave them
         * ({@link QuicConnection#setLocalTransportParameters}).
         */
        @Override
        public void streamFrame(long frameType, long streamId) throws QuicException {
            boolean locallyInitiated = locallyInitiated(streamId);
            boolean unidirectional = (streamId & 0x02) != 0;
            String problem = null;
            if (frameType == FrameType.RESET_STREAM || frameType == FrameType.STREAM_DATA_BLOCKED) {
                if (locallyInitiated && unidirectional) {
                    problem = "a send-only stream";
                }
            } else if (frameType == FrameType.STOP_SENDING || frameType == FrameType.MAX_STREAM_DATA) {
                if (locallyInitiated) {
                    problem = "a locally initiated stream that was never opened";
                } else if (unidirectional) {
                    problem = "a receive-only stream";
                }
            } else if (locallyInitiated) {
                // STREAM
                problem = unidirectional ? "a send-only stream" : "a locally initiated stream that was never opened";
            }
            if (problem != null) {
                throw QuicException.stackless(TransportErrorCode.STREAM_STATE_ERROR, frameType,
                        FrameType.name(frameType) + " for " + problem + " (stream " + streamId + ")");
            }
            TransportParameters local = conn.localParameters;
            if (!locallyInitiated && local != null) {
                // §2.1: the two low bits are the type, the rest counts the streams of that type from 0
                long limit = unidirectional ? local.initialMaxStreamsUni() : local.initialMaxStreamsBidi();
                if ((streamId >>> 2) >= limit) {
                    throw QuicException.stackless(TransportErrorCode.STREAM_LIMIT_ERROR, frameType,
                            FrameType.name(frameType) + " for stream " + streamId + ", beyond the " + limit + " "
                                    + (unidirectional ? "unidirectional" : "bidirectional")
                                    + " streams this endpoint allows");
                }
            }
        }

        @Override
        public void retireConnectionId(long sequenceNumber) throws QuicException {
            // RFC 9000 §19.16: "An endpoint that provides a zero-length connection ID MUST treat receipt of a
            // RETIRE_CONNECTION_ID frame as a connection error of type PROTOCOL_VIOLATION."
            if (conn.scid.length() == 0) {
                throw QuicException.protocolViolation(FrameType.RETIRE_CONNECTION_ID,
                        "RETIRE_CONNECTION_ID to an endpoint with a zero-length connection ID");
            }
            // §19.16: a sequence number "greater than any previously sent to the peer" is a PROTOCOL_VIOLATION. This
            // core sends no NEW_CONNECTION_ID, so it issued sequence number 0 (its handshake SCID, §5.1.1) and, as a
            // server, 1 if its transport parameters carried a preferred_address (perhaps, while the TLS layer has not
            // said what they were)
            TransportParameters local = conn.localParameters;
            long largestIssued = conn.role == Role.SERVER
                    && (local == null || local.preferredAddress().isPresent()) ? 1 : 0;
            if (sequenceNumber > largestIssued) {
                throw QuicException.protocolViolation(FrameType.RETIRE_CONNECTION_ID,
                        "RETIRE_CONNECTION_ID of sequence number " + sequenceNumber + ", never issued");
            }
        }
    }

    /**
     * Pass 2: the effects of a packet whose frames all validated. Once the CRYPTO data listener has closed the
     * connection (on an earlier frame of the packet), the later frames have none: a closed connection takes nothing
     * more in, and CLOSING never becomes DRAINING.
     */
    private final class Applier implements FrameVisitor {
        // the last CONNECTION_CLOSE of the packet, if any (the last one wins)
        CloseError close;

        void begin() {
            close = null;
        }

        @Override
        public void newConnectionId(long sequenceNumber, long retirePriorTo, ByteBuffer payload, int idIndex,
                int idLength, int tokenIndex) throws QuicException {
            if (conn.state.isClosed()) {
                // closed by the listener earlier in this packet: the ID this endpoint sent its close to stays
                return;
            }
            // validated on a copy of the same state: cannot fail here
            PeerConnectionIds ids = conn.peerConnectionIds();
            if (applyNewConnectionId(ids, sequenceNumber, retirePriorTo, payload, idIndex, idLength, tokenIndex)) {
                conn.movePeerConnectionId(ids.currentId(), ids.currentToken());
            }
        }

        @Override
        public void streamData(long frameType, long streamId, long offset, ByteBuffer payload, int dataIndex,
                int length, boolean fin) {
            applyFlow(streamId, offset + length, fin);
        }

        @Override
        public void resetStream(long streamId, long errorCode, long finalSize) {
            applyFlow(streamId, finalSize, true);
        }

        /** What {@link Validator#checkFlow} checked, on the connection's state: cannot fail here. */
        private void applyFlow(long streamId, long end, boolean fin) {
            if (!flowChecked || locallyInitiated(streamId) || conn.state.isClosed()) {
                return;
            }
            flow.apply(streamId, end, fin);
        }

        @Override
        public void ack(AckFrame ack) {
            if (conn.state.isClosed()) {
                // closed by the listener earlier in this packet: the send state is gone
                return;
            }
            PacketNumberSpace s = space;
            long largest = ack.largestAcknowledged();
            // RFC 9002 §5.1: a sample when the frame's largest is newly acknowledged (whether or not an earlier ACK
            // acknowledged a larger one: Appendix A.7 compares with the largest newly acknowledged, not with the
            // largest acknowledged so far) and an ack-eliciting packet is among the newly acknowledged, from the
            // largest's send time
            int slot = s.sentIndex(largest);
            boolean largestNewlyAcked = slot >= 0 && !s.ackedAt(slot);
            boolean newlyAckEliciting = s.markAcked(ack);
            s.largestAcked = Math.max(s.largestAcked, largest);
            if (largestNewlyAcked) {
                // ack_time is when the ACK arrived (ngtcp2's pkt_ts), not when a held packet was processed
                long sample = arrival - s.sentTimeAt(slot);
                if (newlyAckEliciting && sample >= 0) {
                    long ackDelay = 0;
                    if (s.level == EncryptionLevel.ONE_RTT) {
                        int exponent = conn.peerParameters != null ? conn.peerParameters.ackDelayExponent() : 3;
                        // ACK Delay is in units of 2^exponent microseconds (RFC 9000 §19.3); cap absurd values
                        long micros = ack.ackDelay() >= MAX_ACK_DELAY_MICROS >>> exponent ? MAX_ACK_DELAY_MICROS
                                : ack.ackDelay() << exponent;
                        ackDelay = micros * 1000;
                        if (conn.handshakeConfirmed) {
                            // RFC 9002 §5.3 "MUST use the lesser of the acknowledgment delay and the peer's
                            // max_ack_delay", 25 ms when the peer's parameters are not known (RFC 9000 §18.2)
                            long maxAckDelayMillis = conn.peerParameters != null
                                    ? conn.peerParameters.maxAckDelayMillis()
                                    : TransportParameters.DEFAULT_MAX_ACK_DELAY_MILLIS;
                            ackDelay = Math.min(ackDelay, maxAckDelayMillis * 1_000_000L);
                        }
                    }
                    conn.rtt.update(sample, Math.max(0, ackDelay), conn.handshakeConfirmed);
                }
            }
        }

        @Override
        public void crypto(long offset, ByteBuffer payload, int dataIndex, int length) {
            if (conn.state.isClosed()) {
                // the listener closed the connection on an earlier frame of this packet: nothing more is delivered
                return;
            }
            space.crypto.receive(offset, payload, dataIndex, length, conn.cryptoListener);
        }

        @Override
        public void pathChallenge(ByteBuffer payload, int dataIndex) {
            if (conn.state.isClosed()) {
                return;
            }
            conn.queuePathResponse(payload, dataIndex);
        }

        @Override
        public void newToken(ByteBuffer payload, int tokenIndex, int tokenLength) {
            if (conn.state.isClosed()) {
                return;
            }
            byte[] t = new byte[tokenLength];
            payload.get(tokenIndex, t);
            conn.newToken = t;
        }

        @Override
        public void handshakeDone() {
            // RFC 9001 §4.1.2: confirmed means completed and then HANDSHAKE_DONE; 1-RTT packets are held until the
            // handshake completed, so it has
            if (!conn.handshakeConfirmed && conn.handshakeCompleted && !conn.state.isClosed()) {
                conn.confirmHandshake();
            }
        }

        @Override
        public void connectionClose(CloseType type, long errorCode, long frameType, ByteBuffer payload,
                int reasonIndex, int reasonLength) {
            if (conn.state.isClosed()) {
                // after our own close (from the listener, earlier in this packet): CLOSING never becomes DRAINING
                return;
            }
            close = CloseError.received(type == CloseType.TRANSPORT ? CloseError.Type.TRANSPORT
                    : CloseError.Type.APPLICATION, errorCode, frameType, payload, reasonIndex, reasonLength);
        }
    }
}
