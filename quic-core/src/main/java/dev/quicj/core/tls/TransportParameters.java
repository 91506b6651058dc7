package dev.quicj.core.tls;

import dev.quicj.core.Role;
import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import dev.quicj.core.wire.VarInt;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * QUIC transport parameters (<a href="https://www.rfc-editor.org/rfc/rfc9000#section-18">RFC 9000 §18</a>): every
 * parameter of <a href="https://www.rfc-editor.org/rfc/rfc9000#section-18.2">§18.2</a> plus version_information of
 * <a href="https://www.rfc-editor.org/rfc/rfc9368#section-3">RFC 9368</a>. An immutable value, made with
 * {@link #builder()} or {@link #decode(ByteBuffer, Role)}; it is the {@code extension_data} of the
 * quic_transport_parameters TLS extension (<a href="https://www.rfc-editor.org/rfc/rfc9001#section-8.2">RFC 9001
 * §8.2</a>).
 *
 * <pre>
 * Transport Parameters {
 *   Transport Parameter (..) ...,
 * }
 * Transport Parameter {
 *   Transport Parameter ID (i),
 *   Transport Parameter Length (i),
 *   Transport Parameter Value (..),
 * }
 * </pre>
 *
 * <p>An absent parameter takes its RFC default: 0, except max_udp_payload_size (65527), ack_delay_exponent (3),
 * max_ack_delay (25 ms) and active_connection_id_limit (2). {@link #encode(ByteBuffer)} leaves out parameters equal
 * to their default, so a decode of the encoding equals the original. Connection IDs and tokens are copied in and out.
 *
 * <p>Decoding checks what can be checked from the bytes and the sender alone. The checks of
 * <a href="https://www.rfc-editor.org/rfc/rfc9000#section-7.3">§7.3</a> (initial_source_connection_id present and
 * equal to the Source Connection ID of the peer's first Initial, and the server's connection ID parameters) need the
 * packets, and the Chosen Version of version_information (RFC 9368 §4) needs the version in use:
 * {@code QuicConnection.checkPeerTransportParameters} makes them, and a TLS integration calls it before
 * {@code QuicConnection.setPeerTransportParameters} (this library has no TLS stack of its own).
 */
public final class TransportParameters {
    /** Transport parameter ID original_destination_connection_id (server only). */
    public static final int ID_ORIGINAL_DESTINATION_CONNECTION_ID = 0x00;
    /** Transport parameter ID max_idle_timeout. */
    public static final int ID_MAX_IDLE_TIMEOUT = 0x01;
    /** Transport parameter ID stateless_reset_token (server only). */
    public static final int ID_STATELESS_RESET_TOKEN = 0x02;
    /** Transport parameter ID max_udp_payload_size. */
    public static final int ID_MAX_UDP_PAYLOAD_SIZE = 0x03;
    /** Transport parameter ID initial_max_data. */
    public static final int ID_INITIAL_MAX_DATA = 0x04;
    /** Transport parameter ID initial_max_stream_data_bidi_local. */
    public static final int ID_INITIAL_MAX_STREAM_DATA_BIDI_LOCAL = 0x05;
    /** Transport parameter ID initial_max_stream_data_bidi_remote. */
    public static final int ID_INITIAL_MAX_STREAM_DATA_BIDI_REMOTE = 0x06;
    /** Transport parameter ID initial_max_stream_data_uni. */
    public static final int ID_INITIAL_MAX_STREAM_DATA_UNI = 0x07;
    /** Transport parameter ID initial_max_streams_bidi. */
    public static final int ID_INITIAL_MAX_STREAMS_BIDI = 0x08;
    /** Transport parameter ID initial_max_streams_uni. */
    public static final int ID_INITIAL_MAX_STREAMS_UNI = 0x09;
    /** Transport parameter ID ack_delay_exponent. */
    public static final int ID_ACK_DELAY_EXPONENT = 0x0a;
    /** Transport parameter ID max_ack_delay. */
    public static final int ID_MAX_ACK_DELAY = 0x0b;
    /** Transport parameter ID disable_active_migration. */
    public static final int ID_DISABLE_ACTIVE_MIGRATION = 0x0c;
    /** Transport parameter ID preferred_address (server only). */
    public static final int ID_PREFERRED_ADDRESS = 0x0d;
    /** Transport parameter ID active_connection_id_limit. */
    public static final int ID_ACTIVE_CONNECTION_ID_LIMIT = 0x0e;
    /** Transport parameter ID initial_source_connection_id. */
    public static final int ID_INITIAL_SOURCE_CONNECTION_ID = 0x0f;
    /** Transport parameter ID retry_source_connection_id (server only). */
    public static final int ID_RETRY_SOURCE_CONNECTION_ID = 0x10;
    /** Transport parameter ID version_information (RFC 9368). */
    public static final int ID_VERSION_INFORMATION = 0x11;
    /** Transport parameter ID grease_quic_bit (RFC 9287 §3), a zero-length value. */
    public static final int ID_GREASE_QUIC_BIT = 0x2ab2;

    /** Default max_udp_payload_size. */
    public static final long DEFAULT_MAX_UDP_PAYLOAD_SIZE = 65527;
    /** Default ack_delay_exponent. */
    public static final int DEFAULT_ACK_DELAY_EXPONENT = 3;
    /** Default max_ack_delay, in milliseconds. */
    public static final long DEFAULT_MAX_ACK_DELAY_MILLIS = 25;
    /** Default active_connection_id_limit. */
    public static final long DEFAULT_ACTIVE_CONNECTION_ID_LIMIT = 2;

    /** The smallest valid max_udp_payload_size. */
    public static final long MIN_MAX_UDP_PAYLOAD_SIZE = 1200;
    /** The largest valid ack_delay_exponent. */
    public static final int MAX_ACK_DELAY_EXPONENT = 20;
    /** max_ack_delay must be below this many milliseconds (2^14). */
    public static final long MAX_ACK_DELAY_LIMIT_MILLIS = 1L << 14;
    /** The largest valid initial_max_streams_bidi/uni, 2^60 (RFC 9000 §4.6). */
    public static final long MAX_STREAMS_LIMIT = 1L << 60;
    /** The smallest valid active_connection_id_limit. */
    public static final long MIN_ACTIVE_CONNECTION_ID_LIMIT = 2;
    /** The longest connection ID of QUIC version 1. */
    public static final int MAX_CONNECTION_ID_LENGTH = 20;
    /** The length of a stateless reset token. */
    public static final int STATELESS_RESET_TOKEN_LENGTH = 16;

    private static final TransportParameters DEFAULTS = new Builder().build();

    // Connection IDs and the token are null when absent; an empty array is a present zero-length connection ID.
    private final byte[] originalDestinationConnectionId;
    private final long maxIdleTimeoutMillis;
    private final byte[] statelessResetToken;
    private final long maxUdpPayloadSize;
    private final long initialMaxData;
    private final long initialMaxStreamDataBidiLocal;
    private final long initialMaxStreamDataBidiRemote;
    private final long initialMaxStreamDataUni;
    private final long initialMaxStreamsBidi;
    private final long initialMaxStreamsUni;
    private final int ackDelayExponent;
    private final long maxAckDelayMillis;
    private final boolean activeMigrationDisabled;
    private final PreferredAddress preferredAddress;
    private final long activeConnectionIdLimit;
    private final byte[] initialSourceConnectionId;
    private final byte[] retrySourceConnectionId;
    private final VersionInformation versionInformation;
    private final boolean greaseQuicBit;

    private TransportParameters(Builder b) {
        this.originalDestinationConnectionId = b.originalDestinationConnectionId;
        this.maxIdleTimeoutMillis = b.maxIdleTimeoutMillis;
        this.statelessResetToken = b.statelessResetToken;
        this.maxUdpPayloadSize = b.maxUdpPayloadSize;
        this.initialMaxData = b.initialMaxData;
        this.initialMaxStreamDataBidiLocal = b.initialMaxStreamDataBidiLocal;
        this.initialMaxStreamDataBidiRemote = b.initialMaxStreamDataBidiRemote;
        this.initialMaxStreamDataUni = b.initialMaxStreamDataUni;
        this.initialMaxStreamsBidi = b.initialMaxStreamsBidi;
        this.initialMaxStreamsUni = b.initialMaxStreamsUni;
        this.ackDelayExponent = b.ackDelayExponent;
        this.maxAckDelayMillis = b.maxAckDelayMillis;
        this.activeMigrationDisabled = b.activeMigrationDisabled;
        this.preferredAddress = b.preferredAddress;
        this.activeConnectionIdLimit = b.activeConnectionIdLimit;
        this.initialSourceConnectionId = b.initialSourceConnectionId;
        this.retrySourceConnectionId = b.retrySourceConnectionId;
        this.versionInformation = b.versionInformation;
        this.greaseQuicBit = b.greaseQuicBit;
    }

    /** A builder holding the RFC defaults and no optional parameter. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this value's parameters. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** original_destination_connection_id (server only): a copy, or empty when absent. */
    public Optional<byte[]> originalDestinationConnectionId() {
        return copyOf(originalDestinationConnectionId);
    }

    /** max_idle_timeout in milliseconds; 0 means no idle timeout. */
    public long maxIdleTimeoutMillis() {
        return maxIdleTimeoutMillis;
    }

    /** stateless_reset_token (server only): a 16-byte copy, or empty when absent. */
    public Optional<byte[]> statelessResetToken() {
        return copyOf(statelessResetToken);
    }

    /** max_udp_payload_size; 65527 when absent. */
    public long maxUdpPayloadSize() {
        return maxUdpPayloadSize;
    }

    /** initial_max_data. */
    public long initialMaxData() {
        return initialMaxData;
    }

    /** initial_max_stream_data_bidi_local. */
    public long initialMaxStreamDataBidiLocal() {
        return initialMaxStreamDataBidiLocal;
    }

    /** initial_max_stream_data_bidi_remote. */
    public long initialMaxStreamDataBidiRemote() {
        return initialMaxStreamDataBidiRemote;
    }

    /** initial_max_stream_data_uni. */
    public long initialMaxStreamDataUni() {
        return initialMaxStreamDataUni;
    }

    /** initial_max_streams_bidi. */
    public long initialMaxStreamsBidi() {
        return initialMaxStreamsBidi;
    }

    /** initial_max_streams_uni. */
    public long initialMaxStreamsUni() {
        return initialMaxStreamsUni;
    }

    /** ack_delay_exponent; 3 when absent. */
    public int ackDelayExponent() {
        return ackDelayExponent;
    }

    /** max_ack_delay in milliseconds; 25 when absent. */
    public long maxAckDelayMillis() {
        return maxAckDelayMillis;
    }

    /** Whether disable_active_migration was present. */
    public boolean activeMigrationDisabled() {
        return activeMigrationDisabled;
    }

    /**
     * Whether grease_quic_bit was present (RFC 9287): the sender accepts packets with the QUIC bit (the fixed bit of
     * RFC 9000 §17) set to 0, so packets sent to it may clear that bit.
     */
    public boolean greaseQuicBit() {
        return greaseQuicBit;
    }

    /** preferred_address (server only), or empty when absent. */
    public Optional<PreferredAddress> preferredAddress() {
        return Optional.ofNullable(preferredAddress);
    }

    /** active_connection_id_limit; 2 when absent. */
    public long activeConnectionIdLimit() {
        return activeConnectionIdLimit;
    }

    /** initial_source_connection_id: a copy (possibly zero-length), or empty when absent. */
    public Optional<byte[]> initialSourceConnectionId() {
        return copyOf(initialSourceConnectionId);
    }

    /** retry_source_connection_id (server only): a copy, or empty when absent. */
    public Optional<byte[]> retrySourceConnectionId() {
        return copyOf(retrySourceConnectionId);
    }

    /** version_information (RFC 9368), or empty when absent. */
    public Optional<VersionInformation> versionInformation() {
        return Optional.ofNullable(versionInformation);
    }

    /** Whether any of the parameters a client must not send is present (RFC 9000 §18.2). */
    boolean hasServerOnlyParameter() {
        return originalDestinationConnectionId != null || statelessResetToken != null || preferredAddress != null
                || retrySourceConnectionId != null;
    }

    private static Optional<byte[]> copyOf(byte[] bytes) {
        return bytes == null ? Optional.empty() : Optional.of(bytes.clone());
    }

    /** The number of bytes {@link #encode(ByteBuffer)} writes. */
    public int encodedLength() {
        int n = 0;
        n += bytesParameterLength(ID_ORIGINAL_DESTINATION_CONNECTION_ID, originalDestinationConnectionId);
        n += integerParameterLength(ID_MAX_IDLE_TIMEOUT, maxIdleTimeoutMillis, 0);
        n += bytesParameterLength(ID_STATELESS_RESET_TOKEN, statelessResetToken);
        n += integerParameterLength(ID_MAX_UDP_PAYLOAD_SIZE, maxUdpPayloadSize, DEFAULT_MAX_UDP_PAYLOAD_SIZE);
        n += integerParameterLength(ID_INITIAL_MAX_DATA, initialMaxData, 0);
        n += integerParameterLength(ID_INITIAL_MAX_STREAM_DATA_BIDI_LOCAL, initialMaxStreamDataBidiLocal, 0);
        n += integerParameterLength(ID_INITIAL_MAX_STREAM_DATA_BIDI_REMOTE, initialMaxStreamDataBidiRemote, 0);
        n += integerParameterLength(ID_INITIAL_MAX_STREAM_DATA_UNI, initialMaxStreamDataUni, 0);
        n += integerParameterLength(ID_INITIAL_MAX_STREAMS_BIDI, initialMaxStreamsBidi, 0);
        n += integerParameterLength(ID_INITIAL_MAX_STREAMS_UNI, initialMaxStreamsUni, 0);
        n += integerParameterLength(ID_ACK_DELAY_EXPONENT, ackDelayExponent, DEFAULT_ACK_DELAY_EXPONENT);
        n += integerParameterLength(ID_MAX_ACK_DELAY, maxAckDelayMillis, DEFAULT_MAX_ACK_DELAY_MILLIS);
        if (activeMigrationDisabled) {
            n += VarInt.encodedLength(ID_DISABLE_ACTIVE_MIGRATION) + VarInt.encodedLength(0);
        }
        if (preferredAddress != null) {
            n += headerLength(ID_PREFERRED_ADDRESS, preferredAddress.encodedLength())
                    + preferredAddress.encodedLength();
        }
        n += integerParameterLength(ID_ACTIVE_CONNECTION_ID_LIMIT, activeConnectionIdLimit,
                DEFAULT_ACTIVE_CONNECTION_ID_LIMIT);
        n += bytesParameterLength(ID_INITIAL_SOURCE_CONNECTION_ID, initialSourceConnectionId);
        n += bytesParameterLength(ID_RETRY_SOURCE_CONNECTION_ID, retrySourceConnectionId);
        if (versionInformation != null) {
            n += headerLength(ID_VERSION_INFORMATION, versionInformation.encodedLength())
                    + versionInformation.encodedLength();
        }
        if (greaseQuicBit) {
            n += headerLength(ID_GREASE_QUIC_BIT, 0);
        }
        return n;
    }

    private static int headerLength(long id, int valueLength) {
        return VarInt.encodedLength(id) + VarInt.encodedLength(valueLength);
    }

    private static int bytesParameterLength(long id, byte[] value) {
        return value == null ? 0 : headerLength(id, value.length) + value.length;
    }

    private static int integerParameterLength(long id, long value, long defaultValue) {
        if (value == defaultValue) {
            return 0;
        }
        int valueLength = VarInt.encodedLength(value);
        return headerLength(id, valueLength) + valueLength;
    }

    /**
     * Writes the parameters at the buffer's position, in ascending ID order, leaving out parameters equal to their
     * default, and advances the position. Does not retain {@code dst}.
     *
     * @return the number of bytes written, {@link #encodedLength()}
     * @throws BufferOverflowException if {@code dst} has less room than {@link #encodedLength()}; nothing is written
     */
    public int encode(ByteBuffer dst) {
        int length = encodedLength();
        if (dst.remaining() < length) {
            throw new BufferOverflowException();
        }
        int start = dst.position();
        putBytes(dst, ID_ORIGINAL_DESTINATION_CONNECTION_ID, originalDestinationConnectionId);
        putInteger(dst, ID_MAX_IDLE_TIMEOUT, maxIdleTimeoutMillis, 0);
        putBytes(dst, ID_STATELESS_RESET_TOKEN, statelessResetToken);
        putInteger(dst, ID_MAX_UDP_PAYLOAD_SIZE, maxUdpPayloadSize, DEFAULT_MAX_UDP_PAYLOAD_SIZE);
        putInteger(dst, ID_INITIAL_MAX_DATA, initialMaxData, 0);
        putInteger(dst, ID_INITIAL_MAX_STREAM_DATA_BIDI_LOCAL, initialMaxStreamDataBidiLocal, 0);
        putInteger(dst, ID_INITIAL_MAX_STREAM_DATA_BIDI_REMOTE, initialMaxStreamDataBidiRemote, 0);
        putInteger(dst, ID_INITIAL_MAX_STREAM_DATA_UNI, initialMaxStreamDataUni, 0);
        putInteger(dst, ID_INITIAL_MAX_STREAMS_BIDI, initialMaxStreamsBidi, 0);
        putInteger(dst, ID_INITIAL_MAX_STREAMS_UNI, initialMaxStreamsUni, 0);
        putInteger(dst, ID_ACK_DELAY_EXPONENT, ackDelayExponent, DEFAULT_ACK_DELAY_EXPONENT);
        putInteger(dst, ID_MAX_ACK_DELAY, maxAckDelayMillis, DEFAULT_MAX_ACK_DELAY_MILLIS);
        if (activeMigrationDisabled) {
            VarInt.encode(dst, ID_DISABLE_ACTIVE_MIGRATION);
            VarInt.encode(dst, 0);
        }
        if (preferredAddress != null) {
            VarInt.encode(dst, ID_PREFERRED_ADDRESS);
            VarInt.encode(dst, preferredAddress.encodedLength());
            preferredAddress.encode(dst);
        }
        putInteger(dst, ID_ACTIVE_CONNECTION_ID_LIMIT, activeConnectionIdLimit, DEFAULT_ACTIVE_CONNECTION_ID_LIMIT);
        putBytes(dst, ID_INITIAL_SOURCE_CONNECTION_ID, initialSourceConnectionId);
        putBytes(dst, ID_RETRY_SOURCE_CONNECTION_ID, retrySourceConnectionId);
        if (versionInformation != null) {
            VarInt.encode(dst, ID_VERSION_INFORMATION);
            VarInt.encode(dst, versionInformation.encodedLength());
            versionInformation.encode(dst);
        }
        if (greaseQuicBit) {
            VarInt.encode(dst, ID_GREASE_QUIC_BIT);
            VarInt.encode(dst, 0);
        }
        int written = dst.position() - start;
        assert written == length : written + " != " + length;
        return written;
    }

    /** The encoding in a new array of {@link #encodedLength()} bytes. */
    public byte[] encode() {
        byte[] out = new byte[encodedLength()];
        encode(ByteBuffer.wrap(out));
        return out;
    }

    private static void putBytes(ByteBuffer dst, long id, byte[] value) {
        if (value != null) {
            VarInt.encode(dst, id);
            VarInt.encode(dst, value.length);
            dst.put(value);
        }
    }

    private static void putInteger(ByteBuffer dst, long id, long value, long defaultValue) {
        if (value != defaultValue) {
            VarInt.encode(dst, id);
            VarInt.encode(dst, VarInt.encodedLength(value));
            VarInt.encode(dst, value);
        }
    }

    /**
     * Decodes a complete transport parameters sequence: all bytes from the buffer's position to its limit. The
     * position ends at the limit on success. Unknown parameters, reserved (greased) ones of RFC 9000 §18.1 included,
     * are skipped. Does not retain {@code src}.
     *
     * @param sender the endpoint that sent the parameters: a client's parameters must not hold server-only ones,
     *     and a client's version_information must list its chosen version
     * @throws QuicException TRANSPORT_PARAMETER_ERROR (RFC 9000 §7.4) if a parameter is truncated, repeated, has a
     *     value of the wrong length or out of range (max_udp_payload_size below 1200, ack_delay_exponent above 20,
     *     max_ack_delay of 2^14 or more, active_connection_id_limit below 2, a stream limit above 2^60, a
     *     connection ID longer than 20 bytes, a stateless reset token that is not 16 bytes), or is server-only and
     *     {@code sender} is {@link Role#CLIENT}
     */
    public static TransportParameters decode(ByteBuffer src, Role sender) throws QuicException {
        Objects.requireNonNull(sender, "sender");
        Builder b = new Builder();
        Set<Long> seen = new HashSet<>();
        while (src.hasRemaining()) {
            long id = readVarInt(src, "transport parameter ID");
            long length = readVarInt(src, "transport parameter length");
            if (length > src.remaining()) {
                throw TlsWire.transportParameter("transport parameter 0x" + Long.toHexString(id) + " has length "
                        + length + " but only " + src.remaining() + " bytes remain");
            }
            ByteBuffer value = src.slice();
            value.limit((int) length);
            src.position(src.position() + (int) length);
            // RFC 9000 §7.4: "An endpoint SHOULD treat receipt of duplicate transport parameters as a connection
            // error of type TRANSPORT_PARAMETER_ERROR."
            if (!seen.add(id)) {
                throw TlsWire.transportParameter("transport parameter 0x" + Long.toHexString(id) + " appears twice");
            }
            if (id == ID_GREASE_QUIC_BIT) {
                // RFC 9287 §3: "An endpoint that receives the grease_quic_bit transport parameter with non-zero
                // length MUST treat this as a connection error of type TRANSPORT_PARAMETER_ERROR."
                if (value.hasRemaining()) {
                    throw TlsWire.transportParameter("grease_quic_bit has a " + value.remaining()
                            + "-byte value; it must be empty");
                }
                b.greaseQuicBit = true;
                continue;
            }
            if (id > ID_VERSION_INFORMATION) {
                continue;
            }
            decodeKnown(b, (int) id, value, sender);
        }
        return b.build();
    }

    private static void decodeKnown(Builder b, int id, ByteBuffer value, Role sender) throws QuicException {
        switch (id) {
            case ID_ORIGINAL_DESTINATION_CONNECTION_ID:
                b.originalDestinationConnectionId = connectionId(value, "original_destination_connection_id",
                        sender);
                break;
            case ID_MAX_IDLE_TIMEOUT:
                b.maxIdleTimeoutMillis = integer(value, "max_idle_timeout");
                break;
            case ID_STATELESS_RESET_TOKEN:
                serverOnly(sender, "stateless_reset_token");
                if (value.remaining() != STATELESS_RESET_TOKEN_LENGTH) {
                    throw TlsWire.transportParameter("stateless_reset_token is " + value.remaining()
                            + " bytes, not " + STATELESS_RESET_TOKEN_LENGTH);
                }
                b.statelessResetToken = TlsWire.toArray(value);
                break;
            case ID_MAX_UDP_PAYLOAD_SIZE:
                b.maxUdpPayloadSize = integer(value, "max_udp_payload_size");
                // RFC 9000 §18.2: "Values below 1200 are invalid."
                if (b.maxUdpPayloadSize < MIN_MAX_UDP_PAYLOAD_SIZE) {
                    throw TlsWire.transportParameter("max_udp_payload_size " + b.maxUdpPayloadSize
                            + " is below " + MIN_MAX_UDP_PAYLOAD_SIZE);
                }
                break;
            case ID_INITIAL_MAX_DATA:
                b.initialMaxData = integer(value, "initial_max_data");
                break;
            case ID_INITIAL_MAX_STREAM_DATA_BIDI_LOCAL:
                b.initialMaxStreamDataBidiLocal = integer(value, "initial_max_stream_data_bidi_local");
                break;
            case ID_INITIAL_MAX_STREAM_DATA_BIDI_REMOTE:
                b.initialMaxStreamDataBidiRemote = integer(value, "initial_max_stream_data_bidi_remote");
                break;
            case ID_INITIAL_MAX_STREAM_DATA_UNI:
                b.initialMaxStreamDataUni = integer(value, "initial_max_stream_data_uni");
                break;
            case ID_INITIAL_MAX_STREAMS_BIDI:
                b.initialMaxStreamsBidi = streams(value, "initial_max_streams_bidi");
                break;
            case ID_INITIAL_MAX_STREAMS_UNI:
                b.initialMaxStreamsUni = streams(value, "initial_max_streams_uni");
                break;
            case ID_ACK_DELAY_EXPONENT: {
                long exponent = integer(value, "ack_delay_exponent");
                // RFC 9000 §18.2: "Values above 20 are invalid."
                if (exponent > MAX_ACK_DELAY_EXPONENT) {
                    throw TlsWire.transportParameter("ack_delay_exponent " + exponent + " is above "
                            + MAX_ACK_DELAY_EXPONENT);
                }
                b.ackDelayExponent = (int) exponent;
                break;
            }
            case ID_MAX_ACK_DELAY:
                b.maxAckDelayMillis = integer(value, "max_ack_delay");
                // RFC 9000 §18.2: "Values of 2^14 or greater are invalid."
                if (b.maxAckDelayMillis >= MAX_ACK_DELAY_LIMIT_MILLIS) {
                    throw TlsWire.transportParameter("max_ack_delay " + b.maxAckDelayMillis + " is 2^14 or more");
                }
                break;
            case ID_DISABLE_ACTIVE_MIGRATION:
                if (value.hasRemaining()) {
                    throw TlsWire.transportParameter("disable_active_migration has a " + value.remaining()
                            + "-byte value; it must be empty");
                }
                b.activeMigrationDisabled = true;
                break;
            case ID_PREFERRED_ADDRESS:
                serverOnly(sender, "preferred_address");
                b.preferredAddress = PreferredAddress.decode(value);
                break;
            case ID_ACTIVE_CONNECTION_ID_LIMIT:
                b.activeConnectionIdLimit = integer(value, "active_connection_id_limit");
                // RFC 9000 §18.2: "An endpoint that receives a value less than 2 MUST close the connection with an
                // error of type TRANSPORT_PARAMETER_ERROR."
                if (b.activeConnectionIdLimit < MIN_ACTIVE_CONNECTION_ID_LIMIT) {
                    throw TlsWire.transportParameter("active_connection_id_limit " + b.activeConnectionIdLimit
                            + " is below " + MIN_ACTIVE_CONNECTION_ID_LIMIT);
                }
                break;
            case ID_INITIAL_SOURCE_CONNECTION_ID:
                b.initialSourceConnectionId = connectionId(value, "initial_source_connection_id", null);
                break;
            case ID_RETRY_SOURCE_CONNECTION_ID:
                b.retrySourceConnectionId = connectionId(value, "retry_source_connection_id", sender);
                break;
            case ID_VERSION_INFORMATION:
                b.versionInformation = VersionInformation.decode(value, sender);
                break;
            default:
                throw new AssertionError(id);
        }
    }

    /**
     * RFC 9000 §18.2: "A client MUST NOT include any server-only transport parameter [...]. A server MUST treat
     * receipt of any of these transport parameters as a connection error of type TRANSPORT_PARAMETER_ERROR."
     */
    private static void serverOnly(Role sender, String name) throws QuicException {
        if (sender == Role.CLIENT) {
            throw TlsWire.transportParameter(name + " is server-only but was sent by a client");
        }
    }

    /** A connection ID value; {@code serverOnlySender} is the sender when the parameter is server-only. */
    private static byte[] connectionId(ByteBuffer value, String name, Role serverOnlySender) throws QuicException {
        if (serverOnlySender != null) {
            serverOnly(serverOnlySender, name);
        }
        if (value.remaining() > MAX_CONNECTION_ID_LENGTH) {
            throw TlsWire.transportParameter(name + " is " + value.remaining() + " bytes, longer than "
                    + MAX_CONNECTION_ID_LENGTH);
        }
        return TlsWire.toArray(value);
    }

    /** An integer value: one varint that fills the whole value (RFC 9000 §18.2). */
    private static long integer(ByteBuffer value, String name) throws QuicException {
        if (!value.hasRemaining() || VarInt.lengthOf(value.get(value.position())) != value.remaining()) {
            throw TlsWire.transportParameter(name + " value is not a single variable-length integer of "
                    + value.remaining() + " bytes");
        }
        return VarInt.decode(value);
    }

    private static long streams(ByteBuffer value, String name) throws QuicException {
        long streams = integer(value, name);
        // RFC 9000 §4.6: a max_streams transport parameter above 2^60 is a TRANSPORT_PARAMETER_ERROR.
        if (streams > MAX_STREAMS_LIMIT) {
            throw TlsWire.transportParameter(name + " " + streams + " is above 2^60");
        }
        return streams;
    }

    private static long readVarInt(ByteBuffer src, String what) throws QuicException {
        if (!src.hasRemaining() || src.remaining() < VarInt.lengthOf(src.get(src.position()))) {
            throw TlsWire.transportParameter(what + " is truncated");
        }
        return VarInt.decode(src);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TransportParameters)) {
            return false;
        }
        TransportParameters that = (TransportParameters) o;
        return maxIdleTimeoutMillis == that.maxIdleTimeoutMillis
                && maxUdpPayloadSize == that.maxUdpPayloadSize
                && initialMaxData == that.initialMaxData
                && initialMaxStreamDataBidiLocal == that.initialMaxStreamDataBidiLocal
                && initialMaxStreamDataBidiRemote == that.initialMaxStreamDataBidiRemote
                && initialMaxStreamDataUni == that.initialMaxStreamDataUni
                && initialMaxStreamsBidi == that.initialMaxStreamsBidi
                && initialMaxStreamsUni == that.initialMaxStreamsUni
                && ackDelayExponent == that.ackDelayExponent
                && maxAckDelayMillis == that.maxAckDelayMillis
                && activeMigrationDisabled == that.activeMigrationDisabled
                && activeConnectionIdLimit == that.activeConnectionIdLimit
                && Arrays.equals(originalDestinationConnectionId, that.originalDestinationConnectionId)
                && Arrays.equals(statelessResetToken, that.statelessResetToken)
                && Objects.equals(preferredAddress, that.preferredAddress)
                && Arrays.equals(initialSourceConnectionId, that.initialSourceConnectionId)
                && Arrays.equals(retrySourceConnectionId, that.retrySourceConnectionId)
                && Objects.equals(versionInformation, that.versionInformation)
                && greaseQuicBit == that.greaseQuicBit;
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(maxIdleTimeoutMillis, maxUdpPayloadSize, initialMaxData, initialMaxStreamDataBidiLocal,
                initialMaxStreamDataBidiRemote, initialMaxStreamDataUni, initialMaxStreamsBidi, initialMaxStreamsUni,
                ackDelayExponent, maxAckDelayMillis, activeMigrationDisabled, activeConnectionIdLimit,
                preferredAddress, versionInformation, greaseQuicBit);
        h = 31 * h + Arrays.hashCode(originalDestinationConnectionId);
        h = 31 * h + Arrays.hashCode(statelessResetToken);
        h = 31 * h + Arrays.hashCode(initialSourceConnectionId);
        return 31 * h + Arrays.hashCode(retrySourceConnectionId);
    }

    /** The parameters that differ from their defaults, with RFC names, for logs and examples. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("TransportParameters{");
        appendBytes(sb, "original_destination_connection_id", originalDestinationConnectionId);
        appendInteger(sb, "max_idle_timeout", maxIdleTimeoutMillis, DEFAULTS.maxIdleTimeoutMillis);
        appendBytes(sb, "stateless_reset_token", statelessResetToken);
        appendInteger(sb, "max_udp_payload_size", maxUdpPayloadSize, DEFAULTS.maxUdpPayloadSize);
        appendInteger(sb, "initial_max_data", initialMaxData, DEFAULTS.initialMaxData);
        appendInteger(sb, "initial_max_stream_data_bidi_local", initialMaxStreamDataBidiLocal,
                DEFAULTS.initialMaxStreamDataBidiLocal);
        appendInteger(sb, "initial_max_stream_data_bidi_remote", initialMaxStreamDataBidiRemote,
                DEFAULTS.initialMaxStreamDataBidiRemote);
        appendInteger(sb, "initial_max_stream_data_uni", initialMaxStreamDataUni, DEFAULTS.initialMaxStreamDataUni);
        appendInteger(sb, "initial_max_streams_bidi", initialMaxStreamsBidi, DEFAULTS.initialMaxStreamsBidi);
        appendInteger(sb, "initial_max_streams_uni", initialMaxStreamsUni, DEFAULTS.initialMaxStreamsUni);
        appendInteger(sb, "ack_delay_exponent", ackDelayExponent, DEFAULTS.ackDelayExponent);
        appendInteger(sb, "max_ack_delay", maxAckDelayMillis, DEFAULTS.maxAckDelayMillis);
        if (activeMigrationDisabled) {
            sb.append("disable_active_migration, ");
        }
        if (preferredAddress != null) {
            sb.append("preferred_address=").append(preferredAddress).append(", ");
        }
        appendInteger(sb, "active_connection_id_limit", activeConnectionIdLimit, DEFAULTS.activeConnectionIdLimit);
        appendBytes(sb, "initial_source_connection_id", initialSourceConnectionId);
        appendBytes(sb, "retry_source_connection_id", retrySourceConnectionId);
        if (versionInformation != null) {
            sb.append("version_information=").append(versionInformation).append(", ");
        }
        if (greaseQuicBit) {
            sb.append("grease_quic_bit, ");
        }
        if (sb.charAt(sb.length() - 1) == ' ') {
            sb.setLength(sb.length() - 2);
        }
        return sb.append('}').toString();
    }

    private static void appendBytes(StringBuilder sb, String name, byte[] value) {
        if (value != null) {
            sb.append(name).append('=').append(Hex.encode(value)).append(", ");
        }
    }

    private static void appendInteger(StringBuilder sb, String name, long value, long defaultValue) {
        if (value != defaultValue) {
            sb.append(name).append('=').append(value).append(", ");
        }
    }

    /**
     * Builds {@link TransportParameters}. Setters check their argument against the limits of RFC 9000 §18.2 and
     * throw {@link IllegalArgumentException} when it is out of range, so a built value always decodes back. Byte
     * arrays are copied; {@code null} removes an optional parameter.
     */
    public static final class Builder {
        private byte[] originalDestinationConnectionId;
        private long maxIdleTimeoutMillis;
        private byte[] statelessResetToken;
        private long maxUdpPayloadSize = DEFAULT_MAX_UDP_PAYLOAD_SIZE;
        private long initialMaxData;
        private long initialMaxStreamDataBidiLocal;
        private long initialMaxStreamDataBidiRemote;
        private long initialMaxStreamDataUni;
        private long initialMaxStreamsBidi;
        private long initialMaxStreamsUni;
        private int ackDelayExponent = DEFAULT_ACK_DELAY_EXPONENT;
        private long maxAckDelayMillis = DEFAULT_MAX_ACK_DELAY_MILLIS;
        private boolean activeMigrationDisabled;
        private PreferredAddress preferredAddress;
        private long activeConnectionIdLimit = DEFAULT_ACTIVE_CONNECTION_ID_LIMIT;
        private byte[] initialSourceConnectionId;
        private byte[] retrySourceConnectionId;
        private VersionInformation versionInformation;
        private boolean greaseQuicBit;

        private Builder() {
        }

        private Builder(TransportParameters p) {
            originalDestinationConnectionId = p.originalDestinationConnectionId;
            maxIdleTimeoutMillis = p.maxIdleTimeoutMillis;
            statelessResetToken = p.statelessResetToken;
            maxUdpPayloadSize = p.maxUdpPayloadSize;
            initialMaxData = p.initialMaxData;
            initialMaxStreamDataBidiLocal = p.initialMaxStreamDataBidiLocal;
            initialMaxStreamDataBidiRemote = p.initialMaxStreamDataBidiRemote;
            initialMaxStreamDataUni = p.initialMaxStreamDataUni;
            initialMaxStreamsBidi = p.initialMaxStreamsBidi;
            initialMaxStreamsUni = p.initialMaxStreamsUni;
            ackDelayExponent = p.ackDelayExponent;
            maxAckDelayMillis = p.maxAckDelayMillis;
            activeMigrationDisabled = p.activeMigrationDisabled;
            preferredAddress = p.preferredAddress;
            activeConnectionIdLimit = p.activeConnectionIdLimit;
            initialSourceConnectionId = p.initialSourceConnectionId;
            retrySourceConnectionId = p.retrySourceConnectionId;
            versionInformation = p.versionInformation;
            greaseQuicBit = p.greaseQuicBit;
        }

        /** original_destination_connection_id (server only), at most 20 bytes; {@code null} removes it. */
        public Builder originalDestinationConnectionId(byte[] connectionId) {
            originalDestinationConnectionId = checkConnectionId(connectionId);
            return this;
        }

        /** max_idle_timeout in milliseconds, in [0, 2^62); 0 disables the idle timeout. */
        public Builder maxIdleTimeoutMillis(long milliseconds) {
            maxIdleTimeoutMillis = checkVarInt(milliseconds, "max_idle_timeout");
            return this;
        }

        /** stateless_reset_token (server only), exactly 16 bytes; {@code null} removes it. */
        public Builder statelessResetToken(byte[] token) {
            if (token != null && token.length != STATELESS_RESET_TOKEN_LENGTH) {
                throw new IllegalArgumentException("stateless_reset_token must be " + STATELESS_RESET_TOKEN_LENGTH
                        + " bytes, not " + token.length);
            }
            statelessResetToken = token == null ? null : token.clone();
            return this;
        }

        /** max_udp_payload_size, in [1200, 2^62). */
        public Builder maxUdpPayloadSize(long size) {
            checkVarInt(size, "max_udp_payload_size");
            if (size < MIN_MAX_UDP_PAYLOAD_SIZE) {
                throw new IllegalArgumentException("max_udp_payload_size below " + MIN_MAX_UDP_PAYLOAD_SIZE + ": "
                        + size);
            }
            maxUdpPayloadSize = size;
            return this;
        }

        /** initial_max_data, in [0, 2^62). */
        public Builder initialMaxData(long bytes) {
            initialMaxData = checkVarInt(bytes, "initial_max_data");
            return this;
        }

        /** initial_max_stream_data_bidi_local, in [0, 2^62). */
        public Builder initialMaxStreamDataBidiLocal(long bytes) {
            initialMaxStreamDataBidiLocal = checkVarInt(bytes, "initial_max_stream_data_bidi_local");
            return this;
        }

        /** initial_max_stream_data_bidi_remote, in [0, 2^62). */
        public Builder initialMaxStreamDataBidiRemote(long bytes) {
            initialMaxStreamDataBidiRemote = checkVarInt(bytes, "initial_max_stream_data_bidi_remote");
            return this;
        }

        /** initial_max_stream_data_uni, in [0, 2^62). */
        public Builder initialMaxStreamDataUni(long bytes) {
            initialMaxStreamDataUni = checkVarInt(bytes, "initial_max_stream_data_uni");
            return this;
        }

        /** initial_max_streams_bidi, in [0, 2^60]. */
        public Builder initialMaxStreamsBidi(long streams) {
            initialMaxStreamsBidi = checkStreams(streams, "initial_max_streams_bidi");
            return this;
        }

        /** initial_max_streams_uni, in [0, 2^60]. */
        public Builder initialMaxStreamsUni(long streams) {
            initialMaxStreamsUni = checkStreams(streams, "initial_max_streams_uni");
            return this;
        }

        /** ack_delay_exponent, in [0, 20]. */
        public Builder ackDelayExponent(int exponent) {
            if (exponent < 0 || exponent > MAX_ACK_DELAY_EXPONENT) {
                throw new IllegalArgumentException("ack_delay_exponent out of range [0, " + MAX_ACK_DELAY_EXPONENT
                        + "]: " + exponent);
            }
            ackDelayExponent = exponent;
            return this;
        }

        /** max_ack_delay in milliseconds, in [0, 2^14). */
        public Builder maxAckDelayMillis(long milliseconds) {
            if (milliseconds < 0 || milliseconds >= MAX_ACK_DELAY_LIMIT_MILLIS) {
                throw new IllegalArgumentException("max_ack_delay out of range [0, 2^14): " + milliseconds);
            }
            maxAckDelayMillis = milliseconds;
            return this;
        }

        /** Sends disable_active_migration: the peer must not migrate to another address during the handshake. */
        public Builder disableActiveMigration() {
            activeMigrationDisabled = true;
            return this;
        }

        /**
         * grease_quic_bit (RFC 9287): present when {@code grease} is true. Only advertise it when this endpoint
         * accepts packets whose QUIC bit is 0; this library's receive path does once these parameters are given to
         * {@code QuicConnection.setLocalTransportParameters}.
         */
        public Builder greaseQuicBit(boolean grease) {
            greaseQuicBit = grease;
            return this;
        }

        /** preferred_address (server only); {@code null} removes it. */
        public Builder preferredAddress(PreferredAddress address) {
            preferredAddress = address;
            return this;
        }

        /** active_connection_id_limit, in [2, 2^62). */
        public Builder activeConnectionIdLimit(long limit) {
            checkVarInt(limit, "active_connection_id_limit");
            if (limit < MIN_ACTIVE_CONNECTION_ID_LIMIT) {
                throw new IllegalArgumentException("active_connection_id_limit below "
                        + MIN_ACTIVE_CONNECTION_ID_LIMIT + ": " + limit);
            }
            activeConnectionIdLimit = limit;
            return this;
        }

        /**
         * initial_source_connection_id, at most 20 bytes (zero-length is valid); {@code null} removes it. Every
         * endpoint must send it (RFC 9000 §7.3).
         */
        public Builder initialSourceConnectionId(byte[] connectionId) {
            initialSourceConnectionId = checkConnectionId(connectionId);
            return this;
        }

        /** retry_source_connection_id (server only), at most 20 bytes; {@code null} removes it. */
        public Builder retrySourceConnectionId(byte[] connectionId) {
            retrySourceConnectionId = checkConnectionId(connectionId);
            return this;
        }

        /** version_information (RFC 9368); {@code null} removes it. */
        public Builder versionInformation(VersionInformation information) {
            versionInformation = information;
            return this;
        }

        /** The immutable parameters. The builder stays usable. */
        public TransportParameters build() {
            return new TransportParameters(this);
        }

        private static byte[] checkConnectionId(byte[] connectionId) {
            if (connectionId == null) {
                return null;
            }
            if (connectionId.length > MAX_CONNECTION_ID_LENGTH) {
                throw new IllegalArgumentException("connection ID longer than " + MAX_CONNECTION_ID_LENGTH
                        + " bytes: " + connectionId.length);
            }
            return connectionId.clone();
        }

        private static long checkVarInt(long value, String name) {
            if (value < 0 || value > VarInt.MAX_VALUE) {
                throw new IllegalArgumentException(name + " out of range [0, 2^62): " + value);
            }
            return value;
        }

        private static long checkStreams(long streams, String name) {
            if (streams < 0 || streams > MAX_STREAMS_LIMIT) {
                throw new IllegalArgumentException(name + " out of range [0, 2^60]: " + streams);
            }
            return streams;
        }
    }
}
