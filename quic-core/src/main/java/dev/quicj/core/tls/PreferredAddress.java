package dev.quicj.core.tls;

import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import dev.quicj.core.wire.NetworkOrder;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The value of the server-only preferred_address transport parameter
 * (<a href="https://www.rfc-editor.org/rfc/rfc9000#section-18.2">RFC 9000 §18.2</a>, Figure 22): an address the
 * server would rather be reached at, with the connection ID and stateless reset token to use there. Immutable.
 *
 * <pre>
 * Preferred Address {
 *   IPv4 Address (32),
 *   IPv4 Port (16),
 *   IPv6 Address (128),
 *   IPv6 Port (16),
 *   Connection ID Length (8),
 *   Connection ID (..),
 *   Stateless Reset Token (128),
 * }
 * </pre>
 *
 * <p>A server may offer one address family only, by sending an all-zero address and port for the other; such a family
 * reads back as {@link Optional#empty()}.
 */
public final class PreferredAddress {
    // IPv4 address and port, IPv6 address and port, connection ID length: the fixed part before the connection ID.
    private static final int FIXED_PREFIX_LENGTH = 4 + 2 + 16 + 2 + 1;

    private final byte[] ipv4;
    private final int ipv4Port;
    private final byte[] ipv6;
    private final int ipv6Port;
    private final byte[] connectionId;
    private final byte[] statelessResetToken;

    private PreferredAddress(byte[] ipv4, int ipv4Port, byte[] ipv6, int ipv6Port, byte[] connectionId,
            byte[] statelessResetToken) {
        this.ipv4 = ipv4;
        this.ipv4Port = ipv4Port;
        this.ipv6 = ipv6;
        this.ipv6Port = ipv6Port;
        this.connectionId = connectionId;
        this.statelessResetToken = statelessResetToken;
    }

    /**
     * A preferred address. The arrays are copied.
     *
     * @param ipv4 the IPv4 address and port, or {@code null} to send 0.0.0.0:0
     * @param ipv6 the IPv6 address and port, or {@code null} to send [::]:0
     * @param connectionId the connection ID to use at the new address, 1 to 20 bytes (RFC 9000 forbids a
     *     zero-length one here)
     * @param statelessResetToken the 16-byte stateless reset token of that connection ID
     * @throws IllegalArgumentException if both addresses are {@code null}, an address is unresolved or of the wrong
     *     family, or a length is out of range
     */
    public static PreferredAddress of(InetSocketAddress ipv4, InetSocketAddress ipv6, byte[] connectionId,
            byte[] statelessResetToken) {
        if (ipv4 == null && ipv6 == null) {
            throw new IllegalArgumentException("a preferred address needs an IPv4 or an IPv6 address");
        }
        byte[] v4 = new byte[4];
        int v4Port = 0;
        if (ipv4 != null) {
            if (!(ipv4.getAddress() instanceof Inet4Address)) {
                throw new IllegalArgumentException("not a resolved IPv4 socket address: " + ipv4);
            }
            v4 = ipv4.getAddress().getAddress();
            v4Port = ipv4.getPort();
        }
        byte[] v6 = new byte[16];
        int v6Port = 0;
        if (ipv6 != null) {
            if (!(ipv6.getAddress() instanceof Inet6Address)) {
                throw new IllegalArgumentException("not a resolved IPv6 socket address: " + ipv6);
            }
            v6 = ipv6.getAddress().getAddress();
            v6Port = ipv6.getPort();
        }
        if (v4Port == 0 && isAllZero(v4) && v6Port == 0 && isAllZero(v6)) {
            throw new IllegalArgumentException("a preferred address needs an IPv4 or an IPv6 address other than the "
                    + "unspecified address with port 0, which reads back as no address");
        }
        Objects.requireNonNull(connectionId, "connectionId");
        if (connectionId.length < 1 || connectionId.length > TransportParameters.MAX_CONNECTION_ID_LENGTH) {
            throw new IllegalArgumentException("preferred_address connection ID must be 1.."
                    + TransportParameters.MAX_CONNECTION_ID_LENGTH + " bytes, not " + connectionId.length);
        }
        Objects.requireNonNull(statelessResetToken, "statelessResetToken");
        if (statelessResetToken.length != TransportParameters.STATELESS_RESET_TOKEN_LENGTH) {
            throw new IllegalArgumentException("stateless reset token must be "
                    + TransportParameters.STATELESS_RESET_TOKEN_LENGTH + " bytes, not " + statelessResetToken.length);
        }
        return new PreferredAddress(v4, v4Port, v6, v6Port, connectionId.clone(), statelessResetToken.clone());
    }

    /** The IPv4 address and port, or empty when the server sent 0.0.0.0:0. */
    public Optional<InetSocketAddress> ipv4Address() {
        return socketAddress(ipv4, ipv4Port);
    }

    /**
     * The IPv6 address and port, or empty when the server sent [::]:0. An IPv4-mapped IPv6 address comes back as an
     * {@link Inet4Address}, as {@link InetAddress#getByAddress(byte[])} makes it.
     */
    public Optional<InetSocketAddress> ipv6Address() {
        return socketAddress(ipv6, ipv6Port);
    }

    /** The connection ID to use at the preferred address; a fresh copy. */
    public byte[] connectionId() {
        return connectionId.clone();
    }

    /** The stateless reset token of {@link #connectionId()}; a fresh copy of 16 bytes. */
    public byte[] statelessResetToken() {
        return statelessResetToken.clone();
    }

    private static Optional<InetSocketAddress> socketAddress(byte[] address, int port) {
        if (port == 0 && isAllZero(address)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new InetSocketAddress(InetAddress.getByAddress(address), port));
        } catch (UnknownHostException e) {
            // getByAddress only fails for a length other than 4 or 16, which this class never holds.
            throw new AssertionError(e);
        }
    }

    private static boolean isAllZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    int encodedLength() {
        return FIXED_PREFIX_LENGTH + connectionId.length + statelessResetToken.length;
    }

    void encode(ByteBuffer dst) {
        dst.put(ipv4).putShort(NetworkOrder.convert(dst, (short) ipv4Port));
        dst.put(ipv6).putShort(NetworkOrder.convert(dst, (short) ipv6Port));
        dst.put((byte) connectionId.length).put(connectionId).put(statelessResetToken);
    }

    /**
     * Decodes the whole of {@code value}, the parameter's value bytes.
     *
     * @throws QuicException TRANSPORT_PARAMETER_ERROR if the lengths do not add up or the connection ID is empty or
     *     longer than 20 bytes
     */
    static PreferredAddress decode(ByteBuffer value) throws QuicException {
        int minimum = FIXED_PREFIX_LENGTH + TransportParameters.STATELESS_RESET_TOKEN_LENGTH;
        if (value.remaining() < minimum) {
            throw TlsWire.transportParameter("preferred_address is " + value.remaining() + " bytes, less than "
                    + minimum);
        }
        byte[] v4 = new byte[4];
        value.get(v4);
        int v4Port = value.getShort() & 0xffff;
        byte[] v6 = new byte[16];
        value.get(v6);
        int v6Port = value.getShort() & 0xffff;
        int cidLength = value.get() & 0xff;
        if (cidLength == 0 || cidLength > TransportParameters.MAX_CONNECTION_ID_LENGTH) {
            throw TlsWire.transportParameter("preferred_address connection ID length " + cidLength
                    + " is not in 1.." + TransportParameters.MAX_CONNECTION_ID_LENGTH);
        }
        if (value.remaining() != cidLength + TransportParameters.STATELESS_RESET_TOKEN_LENGTH) {
            throw TlsWire.transportParameter("preferred_address length does not match its connection ID length "
                    + cidLength);
        }
        byte[] cid = new byte[cidLength];
        value.get(cid);
        byte[] token = new byte[TransportParameters.STATELESS_RESET_TOKEN_LENGTH];
        value.get(token);
        return new PreferredAddress(v4, v4Port, v6, v6Port, cid, token);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PreferredAddress)) {
            return false;
        }
        PreferredAddress that = (PreferredAddress) o;
        return ipv4Port == that.ipv4Port && ipv6Port == that.ipv6Port && Arrays.equals(ipv4, that.ipv4)
                && Arrays.equals(ipv6, that.ipv6) && Arrays.equals(connectionId, that.connectionId)
                && Arrays.equals(statelessResetToken, that.statelessResetToken);
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(ipv4Port, ipv6Port);
        h = 31 * h + Arrays.hashCode(ipv4);
        h = 31 * h + Arrays.hashCode(ipv6);
        h = 31 * h + Arrays.hashCode(connectionId);
        return 31 * h + Arrays.hashCode(statelessResetToken);
    }

    @Override
    public String toString() {
        return "PreferredAddress{ipv4=" + ipv4Address().map(Object::toString).orElse("none")
                + ", ipv6=" + ipv6Address().map(Object::toString).orElse("none")
                + ", connectionId=" + Hex.encode(connectionId)
                + ", statelessResetToken=" + Hex.encode(statelessResetToken) + "}";
    }
}
