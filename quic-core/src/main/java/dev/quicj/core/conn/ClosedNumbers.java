package dev.quicj.core.conn;

import dev.quicj.core.EncryptionLevel;

/**
 * The numbers a closed connection still reports once it has dropped its packet number spaces and its RTT estimator
 * (see {@code QuicConnection.enterClosed}): per space the next packet number, the largest packet numbers acknowledged
 * and received, and the CRYPTO bytes delivered; whether a space used its last packet number (a later close still
 * says {@link CloseOutcome#PKT_NUM_EXHAUSTED}); the RTT behind the PTO and the closing period.
 *
 * <p>Allocated with the connection and filled once when it closes, so that closing allocates nothing.
 */
final class ClosedNumbers {
    private long initialNext;
    private long handshakeNext;
    private long applicationNext;
    private long initialAcked;
    private long handshakeAcked;
    private long applicationAcked;
    private long initialReceived;
    private long handshakeReceived;
    private long applicationReceived;
    private long initialDelivered;
    private long handshakeDelivered;
    private long applicationDelivered;
    private long smoothedRtt;
    private long rttVar;
    private boolean exhausted;

    /** Takes the numbers of a connection that is closing or draining, before its spaces and estimator go. */
    void capture(PacketNumberSpace initial, PacketNumberSpace handshake, PacketNumberSpace application,
            RttEstimator rtt) {
        initialNext = initial.nextPacketNumber;
        handshakeNext = handshake.nextPacketNumber;
        applicationNext = application.nextPacketNumber;
        initialAcked = initial.largestAcked;
        handshakeAcked = handshake.largestAcked;
        applicationAcked = application.largestAcked;
        initialReceived = initial.received.largest();
        handshakeReceived = handshake.received.largest();
        applicationReceived = application.received.largest();
        initialDelivered = initial.crypto.delivered();
        handshakeDelivered = handshake.crypto.delivered();
        applicationDelivered = application.crypto.delivered();
        exhausted = initial.exhausted() || handshake.exhausted() || application.exhausted();
        smoothedRtt = rtt.smoothedRtt();
        rttVar = rtt.rttVar();
    }

    long nextPacketNumber(EncryptionLevel level) {
        switch (level) {
            case INITIAL:
                return initialNext;
            case HANDSHAKE:
                return handshakeNext;
            default:
                return applicationNext;
        }
    }

    long largestAcked(EncryptionLevel level) {
        switch (level) {
            case INITIAL:
                return initialAcked;
            case HANDSHAKE:
                return handshakeAcked;
            default:
                return applicationAcked;
        }
    }

    long largestReceived(EncryptionLevel level) {
        switch (level) {
            case INITIAL:
                return initialReceived;
            case HANDSHAKE:
                return handshakeReceived;
            default:
                return applicationReceived;
        }
    }

    long cryptoDelivered(EncryptionLevel level) {
        switch (level) {
            case INITIAL:
                return initialDelivered;
            case HANDSHAKE:
                return handshakeDelivered;
            default:
                return applicationDelivered;
        }
    }

    /** Whether a space had used packet number 2^62-1 (and was not discarded). */
    boolean exhausted() {
        return exhausted;
    }

    long smoothedRtt() {
        return smoothedRtt;
    }

    /** As {@link RttEstimator#pto}, from the estimate taken at the close. */
    long pto(long maxAckDelayNanos) {
        return RttEstimator.pto(smoothedRtt, rttVar, maxAckDelayNanos);
    }
}
