package dev.quicj.core.conn;

/**
 * The RTT estimate of a connection that is neither closing nor draining (RFC 9002 §5), read for tests in other
 * packages (the libngtcp2 differential): nanoseconds, as libngtcp2's {@code ngtcp2_conn_stat} reports them. Nothing
 * here is production API.
 */
public final class RttValues {
    private RttValues() {
    }

    /** latest_rtt, 0 before the first sample (as libngtcp2's). */
    public static long latestRtt(QuicConnection c) {
        return estimator(c).hasSample() ? estimator(c).latestRtt() : 0;
    }

    /** min_rtt, -1 before the first sample (libngtcp2's UINT64_MAX). */
    public static long minRtt(QuicConnection c) {
        return estimator(c).hasSample() ? estimator(c).minRtt() : -1;
    }

    /** smoothed_rtt: the initial RTT before the first sample. */
    public static long smoothedRtt(QuicConnection c) {
        return estimator(c).smoothedRtt();
    }

    /** rttvar: half the initial RTT before the first sample. */
    public static long rttVar(QuicConnection c) {
        return estimator(c).rttVar();
    }

    private static RttEstimator estimator(QuicConnection c) {
        if (c.rtt == null) {
            throw new IllegalStateException("the connection is closing or draining: its estimator is gone");
        }
        return c.rtt;
    }
}
