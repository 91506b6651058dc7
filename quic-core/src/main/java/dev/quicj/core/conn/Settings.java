package dev.quicj.core.conn;

import dev.quicj.core.crypto.CryptoProvider;
import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Per-connection settings, the subset of ngtcp2's {@code ngtcp2_settings} the core uses. Immutable; build with
 * {@link #builder()}. Defaults follow ngtcp2 and RFC 9002.
 */
public final class Settings {
    /** ngtcp2's default maximum UDP payload size to send: 1500 - 48 = 1452. */
    public static final int DEFAULT_MAX_TX_UDP_PAYLOAD_SIZE = 1452;
    /** The smallest maximum datagram size QUIC allows (RFC 9000 §14). */
    public static final int MIN_UDP_PAYLOAD_SIZE = 1200;
    /** RFC 9002 §6.2.2: the initial RTT before any sample, 333 ms. */
    public static final Duration DEFAULT_INITIAL_RTT = Duration.ofMillis(333);

    // the largest max_idle_timeout, in milliseconds: the transport parameter is a variable-length integer
    private static final long MAX_IDLE_TIMEOUT_MILLIS = (1L << 62) - 1;

    private static final Settings DEFAULTS = builder().build();

    // the largest UDP payload this endpoint sends
    private final int maxTxUdpPayloadSize;
    // whether the close and handshake datagrams may grow to maxTxUdpPayloadSize without PMTUD (ngtcp2's
    // no_tx_udp_payload_size_shaping)
    private final UdpPayloadShaping shaping;
    // the first packet number of every space
    private final long initialPacketNumber;
    // RFC 9002 initial RTT
    private final Duration initialRtt;

    /**
     * The longest RTT this library works with: the bound of {@link Builder#initialRtt} and of every RTT sample (a
     * longer one, from a clock that jumped, counts as this), so that the PTO and the closing period (3 × PTO) stay
     * far from overflowing.
     */
    public static final Duration MAX_RTT = Duration.ofDays(1);
    // ciphers
    private final CryptoProvider cryptoProvider;
    // source of the random packet-number skips of the application space, or null for none
    private final RandomGenerator packetNumberSkipRandom;
    // the largest out-of-order CRYPTO data buffered per level
    private final int maxCryptoBuffer;
    // whether packets clear the QUIC bit once the peer advertised grease_quic_bit
    private final QuicBitGreasing quicBitGreasing;
    // this endpoint's max_idle_timeout (RFC 9000 §10.1), ZERO for none
    private final Duration maxIdleTimeout;

    /** Whether datagrams are held to the path's validated size (shaping) or may use the configured maximum. */
    public enum UdpPayloadShaping {
        /** Datagrams are capped by the path's confirmed maximum, 1200 bytes until PMTUD raises it (default). */
        SHAPE_TO_PATH,
        /** Datagrams may use {@link #maxTxUdpPayloadSize()}; client Initials are padded to it. */
        NO_SHAPING
    }

    /**
     * Whether a connection clears the QUIC bit (the fixed bit 0x40 of the first byte, RFC 9000 §17) of the packets it
     * sends once the peer's transport parameters advertised grease_quic_bit (RFC 9287 §3; close-spec §4.2). Never
     * before the peer's transport parameters are known, and never on a connection-less close.
     */
    public enum QuicBitGreasing {
        /**
         * One random bit drawn when the connection is created decides, for all its packets (the default; ngtcp2 does
         * the same): an observer sees either value, so middleboxes cannot come to depend on it (RFC 9287 §3.1).
         */
        RANDOM,
        /** Always clear it when the peer allows it (tests, and peers known to accept it). */
        ALWAYS,
        /** Never clear it. */
        NEVER
    }

    private Settings(Builder b) {
        this.maxTxUdpPayloadSize = b.maxTxUdpPayloadSize;
        this.shaping = b.shaping;
        this.initialPacketNumber = b.initialPacketNumber;
        this.initialRtt = b.initialRtt;
        this.cryptoProvider = b.cryptoProvider;
        this.packetNumberSkipRandom = b.packetNumberSkipRandom;
        this.maxCryptoBuffer = b.maxCryptoBuffer;
        this.quicBitGreasing = b.quicBitGreasing;
        this.maxIdleTimeout = b.maxIdleTimeout;
    }

    /** The default settings. */
    public static Settings defaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxTxUdpPayloadSize = maxTxUdpPayloadSize;
        b.shaping = shaping;
        b.initialPacketNumber = initialPacketNumber;
        b.initialRtt = initialRtt;
        b.cryptoProvider = cryptoProvider;
        b.packetNumberSkipRandom = packetNumberSkipRandom;
        b.maxCryptoBuffer = maxCryptoBuffer;
        b.quicBitGreasing = quicBitGreasing;
        b.maxIdleTimeout = maxIdleTimeout;
        return b;
    }

    /** The largest UDP payload this endpoint sends (default 1452). */
    public int maxTxUdpPayloadSize() {
        return maxTxUdpPayloadSize;
    }

    /** Whether datagram sizes are shaped to the path (default {@link UdpPayloadShaping#SHAPE_TO_PATH}). */
    public UdpPayloadShaping udpPayloadShaping() {
        return shaping;
    }

    /** The first packet number of each space (default 0). */
    public long initialPacketNumber() {
        return initialPacketNumber;
    }

    /** The RTT assumed before the first sample (default 333 ms). */
    public Duration initialRtt() {
        return initialRtt;
    }

    /** The provider of packet protection (default {@link CryptoProvider#jca()}). */
    public CryptoProvider cryptoProvider() {
        return cryptoProvider;
    }

    /** The generator of application-space packet-number skips, or {@code null} when skipping is off. */
    public RandomGenerator packetNumberSkipRandom() {
        return packetNumberSkipRandom;
    }

    /** The most out-of-order CRYPTO bytes buffered per encryption level (default 65536). */
    public int maxCryptoBuffer() {
        return maxCryptoBuffer;
    }

    /** When packets clear the QUIC bit for a peer that allows it (default {@link QuicBitGreasing#RANDOM}). */
    public QuicBitGreasing quicBitGreasing() {
        return quicBitGreasing;
    }

    /**
     * This endpoint's idle timeout, the max_idle_timeout it advertises in its transport parameters (RFC 9000 §10.1);
     * {@link Duration#ZERO} (the default, as when the parameter is absent) for none. The connection's effective
     * timeout also depends on the peer's: see {@link QuicConnection#idleTimeout()}.
     */
    public Duration maxIdleTimeout() {
        return maxIdleTimeout;
    }

    /** Every setting, for logs. */
    @Override
    public String toString() {
        return "Settings[maxTxUdpPayloadSize=" + maxTxUdpPayloadSize + ", udpPayloadShaping=" + shaping
                + ", initialPacketNumber=" + initialPacketNumber + ", initialRtt=" + initialRtt
                + ", cryptoProvider=" + cryptoProvider + ", packetNumberSkipRandom=" + packetNumberSkipRandom
                + ", maxCryptoBuffer=" + maxCryptoBuffer + ", quicBitGreasing=" + quicBitGreasing
                + ", maxIdleTimeout=" + maxIdleTimeout + "]";
    }

    /** Builds {@link Settings}. Setters validate their argument. */
    public static final class Builder {
        private int maxTxUdpPayloadSize = DEFAULT_MAX_TX_UDP_PAYLOAD_SIZE;
        private UdpPayloadShaping shaping = UdpPayloadShaping.SHAPE_TO_PATH;
        private long initialPacketNumber;
        private Duration initialRtt = DEFAULT_INITIAL_RTT;
        private CryptoProvider cryptoProvider = CryptoProvider.jca();
        private QuicBitGreasing quicBitGreasing = QuicBitGreasing.RANDOM;
        private RandomGenerator packetNumberSkipRandom;
        private int maxCryptoBuffer = 65536;
        private Duration maxIdleTimeout = Duration.ZERO;

        private Builder() {
        }

        /**
         * The largest UDP payload to send.
         *
         * @throws IllegalArgumentException if below 1200 or above 65527
         */
        public Builder maxTxUdpPayloadSize(int size) {
            if (size < MIN_UDP_PAYLOAD_SIZE || size > 65527) {
                throw new IllegalArgumentException("maxTxUdpPayloadSize must be in 1200..65527: " + size);
            }
            this.maxTxUdpPayloadSize = size;
            return this;
        }

        /** Whether to shape datagrams to the path's confirmed size. */
        public Builder udpPayloadShaping(UdpPayloadShaping shaping) {
            this.shaping = Objects.requireNonNull(shaping, "shaping");
            return this;
        }

        /**
         * The first packet number of each space.
         *
         * @throws IllegalArgumentException if not in 0..2^31-1 (ngtcp2's range)
         */
        public Builder initialPacketNumber(long pn) {
            if (pn < 0 || pn > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("initialPacketNumber must be in 0..2^31-1: " + pn);
            }
            this.initialPacketNumber = pn;
            return this;
        }

        /**
         * The RTT assumed before the first sample (default 333 ms, RFC 9002 §6.2.2).
         *
         * @throws IllegalArgumentException if not positive, or longer than a day ({@link #MAX_RTT}, the bound of
         *     every RTT sample too, which keeps 3 × PTO far from overflowing)
         */
        public Builder initialRtt(Duration rtt) {
            Objects.requireNonNull(rtt, "rtt");
            if (rtt.isNegative() || rtt.isZero() || rtt.compareTo(MAX_RTT) > 0) {
                throw new IllegalArgumentException("initialRtt must be positive and at most " + MAX_RTT + ": " + rtt);
            }
            this.initialRtt = rtt;
            return this;
        }

        /** The provider of packet protection. */
        public Builder cryptoProvider(CryptoProvider provider) {
            this.cryptoProvider = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /**
         * Turns on a random skip of an application-space packet number (optimistic-ACK defence), drawn from
         * {@code random}: one per connection, 4 to 63 packets after its first application packet number (ngtcp2 skips
         * again and again; this core sends no application data to acknowledge optimistically). {@code null} turns it
         * off (the default, and what the upstream tests do).
         */
        public Builder packetNumberSkipRandom(RandomGenerator random) {
            this.packetNumberSkipRandom = random;
            return this;
        }

        /**
         * The most out-of-order CRYPTO bytes buffered per encryption level (default 65536).
         *
         * @throws IllegalArgumentException if less than 4096
         */
        public Builder maxCryptoBuffer(int bytes) {
            if (bytes < 4096) {
                throw new IllegalArgumentException("maxCryptoBuffer must be at least 4096: " + bytes);
            }
            this.maxCryptoBuffer = bytes;
            return this;
        }

        /** When packets clear the QUIC bit for a peer that advertised grease_quic_bit (RFC 9287). */
        public Builder quicBitGreasing(QuicBitGreasing greasing) {
            this.quicBitGreasing = Objects.requireNonNull(greasing, "greasing");
            return this;
        }

        /**
         * This endpoint's idle timeout (RFC 9000 §10.1), whole milliseconds as the transport parameter carries it;
         * {@link Duration#ZERO} for none.
         *
         * @throws IllegalArgumentException if negative, not a whole number of milliseconds, or more milliseconds
         *     than a variable-length integer holds (2^62-1)
         */
        public Builder maxIdleTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("maxIdleTimeout must not be negative: " + timeout);
            }
            if (timeout.getNano() % 1_000_000 != 0) {
                throw new IllegalArgumentException("maxIdleTimeout is whole milliseconds (the transport parameter's "
                        + "unit): " + timeout);
            }
            long millis;
            try {
                millis = timeout.toMillis();
            } catch (ArithmeticException e) {
                millis = Long.MAX_VALUE;
            }
            if (millis > MAX_IDLE_TIMEOUT_MILLIS) {
                throw new IllegalArgumentException("maxIdleTimeout must be at most 2^62-1 ms: " + timeout);
            }
            this.maxIdleTimeout = timeout;
            return this;
        }

        /** The settings. */
        public Settings build() {
            return new Settings(this);
        }
    }
}
