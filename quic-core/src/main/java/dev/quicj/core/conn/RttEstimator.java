package dev.quicj.core.conn;

/**
 * RTT estimation and the probe timeout of <a href="https://www.rfc-editor.org/rfc/rfc9002#section-5">RFC 9002
 * §5</a> and §6.2.1. Times are nanoseconds.
 */
final class RttEstimator {
    /** RFC 9002 kGranularity: 1 ms. */
    static final long GRANULARITY_NANOS = 1_000_000L;
    /** {@link Settings#MAX_RTT} in nanoseconds. */
    static final long MAX_RTT_NANOS = Settings.MAX_RTT.toNanos();

    // the RTT assumed before the first sample
    private final long initialRtt;
    // smoothed_rtt, rttvar, min_rtt and latest_rtt of RFC 9002 §5
    private long smoothedRtt;
    private long rttVar;
    private long minRtt;
    private long latestRtt;
    // whether a sample has been taken
    private boolean hasSample;

    RttEstimator(long initialRttNanos) {
        this.initialRtt = initialRttNanos;
        this.smoothedRtt = initialRttNanos;
        this.rttVar = initialRttNanos / 2;
    }

    /**
     * Takes an RTT sample (RFC 9002 §5.3). Before confirmation, a sample that subtracting a nonzero ackDelay would
     * take below min_rtt is ignored whole (latest_rtt unchanged), as ngtcp2's {@code ngtcp2_conn_update_rtt} does
     * (libngtcp2 0.12.1 measured by Libngtcp2RttVectorsTest); RFC 9002 §5.3: "prior to handshake confirmation, an
     * endpoint MAY ignore RTT samples if adjusting the RTT sample for acknowledgment delay causes the sample to be
     * less than the min_rtt".
     *
     * @param ackDelay the peer's reported delay, already capped to its max_ack_delay when the handshake is
     *     confirmed, 0 for Initial and Handshake packets
     * @param confirmed whether the handshake is confirmed (RFC 9001 §4.1.2)
     */
    void update(long rawSample, long ackDelay, boolean confirmed) {
        // a sample beyond a day comes from a clock that jumped: bounded, so that the arithmetic here and the PTO's
        // (7 × smoothed_rtt, 3 × PTO) cannot overflow
        long sample = Math.min(rawSample, MAX_RTT_NANOS);
        if (!hasSample) {
            hasSample = true;
            latestRtt = sample;
            minRtt = sample;
            smoothedRtt = sample;
            rttVar = sample / 2;
            return;
        }
        if (!confirmed && ackDelay > 0 && sample >= minRtt && sample - minRtt < ackDelay) {
            return;
        }
        latestRtt = sample;
        minRtt = Math.min(minRtt, sample);
        long adjusted = sample;
        if (sample >= minRtt + ackDelay) {
            adjusted = sample - ackDelay;
        }
        rttVar = (3 * rttVar + Math.abs(smoothedRtt - adjusted)) / 4;
        smoothedRtt = (7 * smoothedRtt + adjusted) / 8;
    }

    /** PTO = smoothed_rtt + max(4 * rttvar, kGranularity) + max_ack_delay (RFC 9002 §6.2.1). */
    long pto(long maxAckDelayNanos) {
        return pto(smoothedRtt, rttVar, maxAckDelayNanos);
    }

    static long pto(long smoothedRtt, long rttVar, long maxAckDelayNanos) {
        return smoothedRtt + Math.max(4 * rttVar, GRANULARITY_NANOS) + maxAckDelayNanos;
    }

    boolean hasSample() {
        return hasSample;
    }

    long smoothedRtt() {
        return smoothedRtt;
    }

    long rttVar() {
        return rttVar;
    }

    long minRtt() {
        return hasSample ? minRtt : initialRtt;
    }

    long latestRtt() {
        return latestRtt;
    }
}
