package dev.quicj.core.conn;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.wire.AckFrame;

/**
 * One packet number space (RFC 9000 §12.3) with its keys: Initial, Handshake, or application data (0-RTT and
 * 1-RTT).
 */
final class PacketNumberSpace {
    /** The largest packet number, 2^62 - 1 (ngtcp2's {@code NGTCP2_MAX_PKT_NUM}). */
    static final long MAX_PACKET_NUMBER = (1L << 62) - 1;
    // how many sent packets are remembered for RTT samples: 64, one bit each in sentAckEliciting and sentAcked
    private static final int SENT_LOG = 64;
    // how many skipped packet numbers are remembered (an ACK of one of them is a PROTOCOL_VIOLATION)
    private static final int SKIPPED_LOG = 4;

    /**
     * How many packets below a key set's confidentiality limit the ordinary send path stops (RFC 9001 §6.6), kept for
     * the CONNECTION_CLOSE: a close seals at most one packet per key set, and the rest allows a few more attempts
     * after a sealing failure.
     */
    static final long CLOSE_RESERVE = 16;

    // the level whose packets use this space (ONE_RTT for the application space)
    final EncryptionLevel level;
    // transmit and receive protection, null until installed
    PacketProtection tx;
    PacketProtection rx;
    // RFC 9001 §6.6: how many packets the current transmit keys sealed, and the confidentiality limit of their AEAD
    // (Long.MAX_VALUE for none: ChaCha20-Poly1305, and the Initial keys, which anyone can derive). A key update the
    // peer initiates starts the count again with the new keys (KeyGenerations.opened)
    long txSealed;
    long txLimit = Long.MAX_VALUE;
    // the Key Phase bit of the current 1-RTT keys, both directions (RFC 9001 §6; application space only)
    int keyPhase;
    // the 1-RTT key generations (application space only; made when a 1-RTT key is installed)
    KeyGenerations keys;
    // whether this space's keys and state were discarded (RFC 9001 §4.9)
    boolean discarded;
    // the next packet number to send
    long nextPacketNumber;
    // the last packet number sent, -1 before any
    long lastSentPacketNumber = -1;
    // the largest packet number the peer acknowledged, -1 before any ACK
    long largestAcked = -1;
    // a packet number scheduled to be skipped (application space only), -1 when none
    long skipPacketNumber = -1;
    // the skipped packet numbers, newest first (application space only; allocated by the first skip)
    long[] skipped;
    int skippedCount;
    // packet numbers received
    final ReceivedPackets received = new ReceivedPackets();
    // whether an ACK frame should be sent, and when the largest packet arrived
    boolean ackPending;
    long largestReceivedTime;
    // ring buffer of the packets sent: packet number (-1 for an empty slot), send time, whether it was ack-eliciting
    // and whether an ACK acknowledged it; allocated by the first one (most spaces of a refused or short-lived
    // connection never send, and a closed connection drops them)
    private long[] sentPn;
    private long[] sentTime;
    // bit i: slot i's packet was ack-eliciting / was acknowledged (SENT_LOG is 64)
    private long sentAckEliciting;
    private long sentAcked;
    private int sentNext;
    // CRYPTO streams of this level (the application space has one for 1-RTT, e.g. NewSessionTicket)
    final CryptoStreams crypto;

    PacketNumberSpace(EncryptionLevel level, long initialPacketNumber, int maxCryptoBuffer) {
        this.level = level;
        this.nextPacketNumber = initialPacketNumber;
        this.crypto = new CryptoStreams(level, maxCryptoBuffer);
    }

    /** Whether this space has used packet number 2^62-1 and still exists. */
    boolean exhausted() {
        return !discarded && lastSentPacketNumber == MAX_PACKET_NUMBER;
    }

    /** Installs transmit keys of {@code confidentialityLimit}: nothing sealed with them yet. */
    void installTx(PacketProtection protection, long confidentialityLimit) {
        tx = protection;
        txSealed = 0;
        txLimit = confidentialityLimit;
    }

    /** A packet was sealed with the current transmit keys. */
    void sealed() {
        txSealed++;
    }

    /**
     * Whether the ordinary send path must stop using the transmit keys: they sealed all but {@link #CLOSE_RESERVE}
     * of the packets their confidentiality limit allows (RFC 9001 §6.6).
     */
    boolean reachedSendMargin() {
        return canSend() && txSealed >= txLimit - CLOSE_RESERVE;
    }

    /** Whether the transmit keys sealed as many packets as their confidentiality limit allows: not one more. */
    boolean reachedConfidentialityLimit() {
        return canSend() && txSealed >= txLimit;
    }

    /** Whether packets can be sent in this space. */
    boolean canSend() {
        return !discarded && tx != null;
    }

    /** The packet number the next packet of this space uses (for 1-RTT, after a scheduled skip). */
    long nextForSending() {
        return level == EncryptionLevel.ONE_RTT ? takeSkip() : nextPacketNumber;
    }

    /**
     * The packet number the next packet uses, after applying a scheduled skip (which is recorded even if the packet
     * then does not fit, as ngtcp2 does).
     */
    long takeSkip() {
        if (skipPacketNumber >= 0 && nextPacketNumber == skipPacketNumber) {
            if (skipped == null) {
                skipped = new long[SKIPPED_LOG];
            }
            System.arraycopy(skipped, 0, skipped, 1, skipped.length - 1);
            skipped[0] = skipPacketNumber;
            skippedCount = Math.min(skippedCount + 1, skipped.length);
            nextPacketNumber++;
            skipPacketNumber = -1;
        }
        return nextPacketNumber;
    }

    /** Consumes the next packet number after a packet was written. */
    void packetSent(long pn) {
        lastSentPacketNumber = pn;
        nextPacketNumber = pn + 1;
    }

    /** Remembers when a packet was sent and whether it was ack-eliciting, for RTT samples (RFC 9002 §5.1). */
    void recordSent(long pn, long time, boolean ackEliciting) {
        if (sentPn == null) {
            sentPn = new long[SENT_LOG];
            sentTime = new long[SENT_LOG];
            java.util.Arrays.fill(sentPn, -1);
        }
        long bit = 1L << sentNext;
        sentPn[sentNext] = pn;
        sentTime[sentNext] = time;
        sentAckEliciting = ackEliciting ? sentAckEliciting | bit : sentAckEliciting & ~bit;
        sentAcked &= ~bit;
        sentNext = (sentNext + 1) % SENT_LOG;
    }

    /**
     * Marks the remembered packets in the ACK frame's ranges acknowledged: true if one of those newly acknowledged was
     * ack-eliciting, the condition of an RTT sample besides a new largest acknowledged (RFC 9002 §5.1). Ranges below
     * the oldest packet remembered are not walked, so a frame of many ranges costs at most the log's span.
     */
    boolean markAcked(AckFrame ack) {
        if (sentPn == null) {
            return false;
        }
        long oldest = Long.MAX_VALUE;
        for (int i = 0; i < SENT_LOG; i++) {
            if (sentPn[i] >= 0 && (sentAcked & 1L << i) == 0) {
                oldest = Math.min(oldest, sentPn[i]);
            }
        }
        boolean ackEliciting = false;
        ack.rewindRanges();
        while (oldest != Long.MAX_VALUE && ack.nextRange() && ack.rangeLargest() >= oldest) {
            long low = ack.rangeSmallest();
            long high = ack.rangeLargest();
            for (int i = 0; i < SENT_LOG; i++) {
                long pn = sentPn[i];
                long bit = 1L << i;
                if (pn >= low && pn <= high && (sentAcked & bit) == 0) {
                    sentAcked |= bit;
                    ackEliciting |= (sentAckEliciting & bit) != 0;
                }
            }
        }
        return ackEliciting;
    }

    /** The slot of packet {@code pn} in the sent log, or -1 if it is not remembered. */
    int sentIndex(long pn) {
        if (sentPn == null || pn < 0) {
            return -1;
        }
        for (int i = 0; i < SENT_LOG; i++) {
            if (sentPn[i] == pn) {
                return i;
            }
        }
        return -1;
    }

    /** Whether the packet in slot {@code index} of the sent log ({@link #sentIndex}) was acknowledged. */
    boolean ackedAt(int index) {
        return (sentAcked & 1L << index) != 0;
    }

    /** When the packet in slot {@code index} of the sent log ({@link #sentIndex}) was sent. */
    long sentTimeAt(int index) {
        return sentTime[index];
    }

    /**
     * The connection closed (CLOSING or DRAINING) while a datagram is being processed: drops the keys, the
     * sent-packet log and the outgoing CRYPTO bytes now; the connection drops the whole space when the datagram is
     * done. A closed connection neither sends nor decrypts again (a closing one only counts what arrives, RFC 9000
     * §10.2.1). Unlike {@link #discard()}, the packet numbers stay as they were.
     */
    void releaseForClosed() {
        tx = null;
        rx = null;
        releaseKeyGenerations();
        sentPn = null;
        sentTime = null;
        sentAckEliciting = 0;
        sentAcked = 0;
        sentNext = 0;
        ackPending = false;
        crypto.releaseOutgoing();
    }

    /** The key generations of this (application) space, made on first use. */
    KeyGenerations keyGenerations() {
        if (keys == null) {
            keys = new KeyGenerations();
        }
        return keys;
    }

    private void releaseKeyGenerations() {
        if (keys != null) {
            keys.release();
            keys = null;
        }
    }

    /** Drops keys and state (RFC 9001 §4.9). */
    void discard() {
        discarded = true;
        tx = null;
        rx = null;
        releaseKeyGenerations();
        ackPending = false;
    }
}
