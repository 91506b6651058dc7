package dev.quicj.netty;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.Settings;
import java.time.Duration;
import java.util.Objects;

/**
 * The configuration of a {@link QuicCloseHandler}. Immutable; made with {@link #builder()}, whose setters validate
 * their argument at once.
 *
 * <table>
 *   <caption>Settings and defaults</caption>
 *   <tr><th>Setting</th><th>Default</th></tr>
 *   <tr><td>{@link Builder#closeTimeout close timeout}</td><td>3 s</td></tr>
 *   <tr><td>{@link Builder#defaultCloseError default close error}</td><td>transport NO_ERROR, no reason</td></tr>
 *   <tr><td>{@link Builder#maxUdpPayloadSize maximum UDP payload}</td><td>1452 bytes</td></tr>
 *   <tr><td>{@link Builder#acceptPolicy accept policy}</td><td>{@link AcceptPolicy#ignore()}</td></tr>
 *   <tr><td>{@link Builder#localConnectionIdLength local connection ID length}</td><td>8 bytes</td></tr>
 *   <tr><td>{@link Builder#settings quic-core settings}</td><td>{@link Settings#defaults()}</td></tr>
 *   <tr><td>{@link Builder#ecnMode ECN mode}</td><td>{@link EcnMode#METADATA_ONLY}</td></tr>
 *   <tr><td>{@link Builder#maxConnections maximum connections}</td><td>no limit</td></tr>
 *   <tr><td>{@link Builder#versionNegotiation Version Negotiation}</td><td>sent (unless the accept policy ignores
 *   Initials)</td></tr>
 * </table>
 */
public final class QuicCloseHandlerConfig {
    /** The default close timeout, as {@code SslHandler}'s close_notify flush timeout: 3 seconds. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(3);
    /** The default maximum UDP payload: 1500 - 48, ngtcp2's default. */
    public static final int DEFAULT_MAX_UDP_PAYLOAD_SIZE = Settings.DEFAULT_MAX_TX_UDP_PAYLOAD_SIZE;
    /** The smallest maximum UDP payload QUIC allows (RFC 9000 §14). */
    public static final int MIN_UDP_PAYLOAD_SIZE = Settings.MIN_UDP_PAYLOAD_SIZE;
    /** The largest UDP payload over IPv4 or IPv6 without jumbograms. */
    public static final int MAX_UDP_PAYLOAD_SIZE = 65527;
    /** The default length of the connection IDs the handler issues for new server connections. */
    public static final int DEFAULT_LOCAL_CONNECTION_ID_LENGTH = 8;

    private static final QuicCloseHandlerConfig DEFAULTS = builder().build();

    // how long close() waits for the CONNECTION_CLOSE writes before it closes the channel anyway
    private final Duration closeTimeout;
    // what close() and handlerRemoved() close connections with
    private final CloseError defaultCloseError;
    // the capacity of each close datagram buffer
    private final int maxUdpPayloadSize;
    // what to do with client Initials for unknown connections
    private final AcceptPolicy acceptPolicy;
    // the length of the connection IDs of new server connections, also the first length tried for short headers
    private final int localConnectionIdLength;
    // the settings of new server connections
    private final Settings settings;
    // how the ECN codepoint reaches the socket
    private final EcnMode ecnMode;
    // the most connections held at once before the accept policy's new connections are refused without state
    private final int maxConnections;
    // whether a server answers a datagram of an unsupported version with Version Negotiation
    private final boolean versionNegotiation;

    private QuicCloseHandlerConfig(Builder b) {
        this.closeTimeout = b.closeTimeout;
        this.defaultCloseError = b.defaultCloseError;
        this.maxUdpPayloadSize = b.maxUdpPayloadSize;
        this.acceptPolicy = b.acceptPolicy;
        this.localConnectionIdLength = b.localConnectionIdLength;
        this.settings = b.settings;
        this.ecnMode = b.ecnMode;
        this.maxConnections = b.maxConnections;
        this.versionNegotiation = b.versionNegotiation;
    }

    /** The default configuration. */
    public static QuicCloseHandlerConfig defaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.closeTimeout = closeTimeout;
        b.defaultCloseError = defaultCloseError;
        b.maxUdpPayloadSize = maxUdpPayloadSize;
        b.acceptPolicy = acceptPolicy;
        b.localConnectionIdLength = localConnectionIdLength;
        b.settings = settings;
        b.ecnMode = ecnMode;
        b.maxConnections = maxConnections;
        b.versionNegotiation = versionNegotiation;
        return b;
    }

    /** How long {@code close()} waits for the CONNECTION_CLOSE writes before closing the channel anyway. */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /** The error {@code close()} and handler removal close live connections with. */
    public CloseError defaultCloseError() {
        return defaultCloseError;
    }

    /** The capacity of each close datagram; quic-core may shape it further (path MTU, settings, peer limit). */
    public int maxUdpPayloadSize() {
        return maxUdpPayloadSize;
    }

    /** What the handler does with an acceptable client Initial for an unknown connection. */
    public AcceptPolicy acceptPolicy() {
        return acceptPolicy;
    }

    /** The length of the source connection IDs the handler issues for new server connections. */
    public int localConnectionIdLength() {
        return localConnectionIdLength;
    }

    /** The quic-core settings of new server connections. */
    public Settings settings() {
        return settings;
    }

    /** How the ECN codepoint of a close datagram reaches the network. */
    public EcnMode ecnMode() {
        return ecnMode;
    }

    /**
     * The most connections the handler holds at once (live, closing and draining, the application's included) before
     * an Initial its accept policy would make a connection for is refused without state instead; {@link
     * Integer#MAX_VALUE} for no limit.
     */
    public int maxConnections() {
        return maxConnections;
    }

    /**
     * Whether the handler answers a datagram of a version this library does not speak with a Version Negotiation
     * packet, when its accept policy takes Initials (every policy but {@link AcceptPolicy#ignore()}).
     */
    public boolean versionNegotiation() {
        return versionNegotiation;
    }

    @Override
    public String toString() {
        return "QuicCloseHandlerConfig[closeTimeout=" + closeTimeout + ", defaultCloseError=" + defaultCloseError
                + ", maxUdpPayloadSize=" + maxUdpPayloadSize + ", acceptPolicy=" + acceptPolicy
                + ", localConnectionIdLength=" + localConnectionIdLength + ", ecnMode=" + ecnMode
                + ", maxConnections=" + maxConnections + ", versionNegotiation=" + versionNegotiation
                + ", settings=" + settings + "]";
    }

    /** Builds a {@link QuicCloseHandlerConfig}. Each setter validates its argument. */
    public static final class Builder {
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
        private CloseError defaultCloseError = CloseError.noError();
        private int maxUdpPayloadSize = DEFAULT_MAX_UDP_PAYLOAD_SIZE;
        private AcceptPolicy acceptPolicy = AcceptPolicy.ignore();
        private int localConnectionIdLength = DEFAULT_LOCAL_CONNECTION_ID_LENGTH;
        private Settings settings = Settings.defaults();
        private EcnMode ecnMode = EcnMode.METADATA_ONLY;
        private int maxConnections = Integer.MAX_VALUE;
        private boolean versionNegotiation = true;

        private Builder() {
        }

        /**
         * How long {@code close()} waits for the CONNECTION_CLOSE datagrams to be written (and for closes held back by
         * the amplification limit) before it closes the channel anyway. Durations beyond {@code Long.MAX_VALUE}
         * nanoseconds (about 292 years, {@code ChronoUnit.FOREVER.getDuration()} say) are taken as that: no timeout in
         * practice.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder closeTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("closeTimeout must be positive: " + timeout);
            }
            this.closeTimeout = timeout;
            return this;
        }

        /**
         * The error {@code close()} and handler removal close live connections with (default: transport NO_ERROR).
         *
         * @throws IllegalArgumentException if the error is of a type that sends nothing (idle close, drop...)
         */
        public Builder defaultCloseError(CloseError error) {
            Objects.requireNonNull(error, "error");
            if (!error.type().sendsFrame()) {
                throw new IllegalArgumentException("the default close error must send CONNECTION_CLOSE: " + error);
            }
            this.defaultCloseError = error;
            return this;
        }

        /**
         * The capacity of each close datagram buffer (default 1452). quic-core caps the datagram further by its
         * settings, the path's confirmed size (1200 until PMTUD raises it) and the peer's max_udp_payload_size.
         *
         * @throws IllegalArgumentException if not in 1200..65527
         */
        public Builder maxUdpPayloadSize(int size) {
            if (size < MIN_UDP_PAYLOAD_SIZE || size > MAX_UDP_PAYLOAD_SIZE) {
                throw new IllegalArgumentException("maxUdpPayloadSize must be in " + MIN_UDP_PAYLOAD_SIZE + ".."
                        + MAX_UDP_PAYLOAD_SIZE + ": " + size);
            }
            this.maxUdpPayloadSize = size;
            return this;
        }

        /** What to do with an acceptable client Initial for an unknown connection (default: ignore). */
        public Builder acceptPolicy(AcceptPolicy policy) {
            this.acceptPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * The length of the source connection IDs issued to new server connections (default 8). Short-header packets
         * are routed by trying this length first, then the lengths of connections added by the application.
         *
         * @throws IllegalArgumentException if not in 1..20
         */
        public Builder localConnectionIdLength(int length) {
            if (length < 1 || length > ConnectionId.MAX_LENGTH) {
                throw new IllegalArgumentException("localConnectionIdLength must be in 1.." + ConnectionId.MAX_LENGTH
                        + ": " + length);
            }
            this.localConnectionIdLength = length;
            return this;
        }

        /** The quic-core settings of new server connections (default {@link Settings#defaults()}). */
        public Builder settings(Settings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** How the ECN codepoint of close datagrams reaches the network (default metadata only). */
        public Builder ecnMode(EcnMode mode) {
            this.ecnMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Bounds the state a flood of Initials can make the handler keep (default: no limit). Once the handler holds
         * {@code max} connections (live, closing and draining, including those the application added), an
         * acceptable client Initial that the {@linkplain #acceptPolicy accept policy} would make a connection for
         * ({@link AcceptPolicy#accept()}, {@link AcceptPolicy#reject}) is answered as
         * {@link AcceptPolicy#rejectStateless} does: authenticated, refused with a server Initial CONNECTION_CLOSE,
         * and nothing kept. The error is the reject policy's, or CONNECTION_REFUSED with no reason for an accept
         * policy (RFC 9000 §20.1: "the server refused to accept a new connection").
         *
         * @throws IllegalArgumentException if less than 1
         */
        public Builder maxConnections(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1: " + max);
            }
            this.maxConnections = max;
            return this;
        }

        /**
         * Whether to answer a datagram of a version this library does not speak with Version Negotiation (default:
         * yes). RFC 9000 §5.2.2: "Servers SHOULD respond with a Version Negotiation packet, provided that the datagram
         * is sufficiently long" (at least 1200 bytes), to a client packet of an unsupported version (§6.1). Only a
         * server does: with the accept policy {@link AcceptPolicy#ignore()} (the default, for clients) nothing is sent
         * whatever this says. The packet ({@link dev.quicj.core.conn.VersionNegotiation}) lists every version this
         * library speaks and one reserved version, and goes to the sender with ECN not-ECT; the datagram is consumed.
         * Smaller datagrams, Version Negotiation packets and everything else are passed on unchanged. With {@code
         * false} the datagram is passed on too, for a handler of the application's to answer.
         */
        public Builder versionNegotiation(boolean send) {
            this.versionNegotiation = send;
            return this;
        }

        /** The configuration. */
        public QuicCloseHandlerConfig build() {
            return new QuicCloseHandlerConfig(this);
        }
    }
}
