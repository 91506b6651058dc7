package dev.quicj.core.conn;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.LongPacketType;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.InitialProtections;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.packet.PacketWriter;
import dev.quicj.core.wire.CloseType;
import dev.quicj.core.wire.PacketNumber;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A server Initial CONNECTION_CLOSE that answers a client Initial without creating a connection (close-spec §4.3,
 * ngtcp2's {@code ngtcp2_crypto_write_connection_close}), for example to refuse a connection or an invalid token.
 * The packet is Initial, packet number as given (0 by default), a 0x1c frame, and no padding beyond what header
 * protection needs. An application close is sent as {@code 1c 0c 00 00} like every Initial-level application close.
 *
 * <p>The packet is as long as its reason phrase makes it, up to what {@code dest} has room for: the caller keeps it
 * within the anti-amplification limit by giving {@code dest} at most three times the bytes of the datagram it answers
 * (RFC 9000 §8.1: "Prior to validating the client address, servers MUST NOT send more than three times as many bytes
 * as the number of bytes they have received"); a reason that does not fit is
 * {@link CloseOutcome#NOBUF_BUFFER_TOO_SMALL}, and the position of {@code dest} does not move. {@code QuicCloseHandler}
 * gives it at most 1200 bytes, the smallest client Initial datagram.
 */
public final class StatelessClose {
    private static final byte[] NO_REASON = new byte[0];
    /**
     * The largest packet number a stateless close can use, 2^31-1: with nothing received from this server, the
     * client decodes it from at most 4 bytes only if they cover twice its value (RFC 9000 §17.1, Appendix A.2).
     */
    public static final long MAX_PACKET_NUMBER = (1L << 31) - 1;

    private StatelessClose() {
    }

    // what every overload checks before it derives or writes anything
    private static void checkArguments(ByteBuffer dest, QuicVersion version, ConnectionId dcid, ConnectionId scid,
            long packetNumber, CloseError error, PacketWriter writer) {
        checkWritable(dest);
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(dcid, "dcid");
        Objects.requireNonNull(scid, "scid");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(writer, "writer");
        checkPacketNumber(packetNumber);
    }

    private static void checkWritable(ByteBuffer dest) {
        Objects.requireNonNull(dest, "dest");
        if (dest.isReadOnly()) {
            throw new IllegalArgumentException("the destination buffer is read-only");
        }
    }

    private static void checkPacketNumber(long packetNumber) {
        if (packetNumber < 0 || packetNumber > MAX_PACKET_NUMBER) {
            throw new IllegalArgumentException("a stateless close's packet number must be in [0, 2^31): "
                    + packetNumber);
        }
    }

    /**
     * Writes the close with packet number 0.
     *
     * @see #write(ByteBuffer, QuicVersion, ConnectionId, ConnectionId, ConnectionId, long, CloseError,
     *     CryptoProvider)
     */
    public static CloseOutcome write(ByteBuffer dest, QuicVersion version, ConnectionId clientInitialDcid,
            ConnectionId dcid, ConnectionId scid, CloseError error, CryptoProvider crypto) {
        return write(dest, version, clientInitialDcid, dcid, scid, 0, error, crypto);
    }

    /**
     * Writes a server Initial close into {@code dest} from its position; on {@link CloseOutcome#WRITTEN} the
     * position advances by the packet's length.
     *
     * @param clientInitialDcid the DCID of the client's Initial: the server's Initial keys derive from it
     * @param dcid the DCID to send to: the client's SCID
     * @param scid the server's SCID
     * @param packetNumber the packet number, in [0, 2^31): the client has received nothing in this space, so a
     *     4-byte encoding must cover twice the packet number (RFC 9000 §17.1)
     * @param error a transport or application close; other types write nothing
     * @return {@link CloseOutcome#WRITTEN}, {@link CloseOutcome#NOTHING_TO_WRITE} for a non-sending error type,
     *     {@link CloseOutcome#NOBUF_BUFFER_TOO_SMALL}, or {@link CloseOutcome#CALLBACK_FAILURE} if key derivation or
     *     sealing failed
     * @throws IllegalArgumentException if {@code dest} is read-only or {@code packetNumber} is not in [0, 2^31)
     * @throws NullPointerException if an argument is null (both checked before anything is derived or written)
     */
    public static CloseOutcome write(ByteBuffer dest, QuicVersion version, ConnectionId clientInitialDcid,
            ConnectionId dcid, ConnectionId scid, long packetNumber, CloseError error, CryptoProvider crypto) {
        Objects.requireNonNull(crypto, "crypto");
        return write(dest, version, clientInitialDcid, dcid, scid, packetNumber, error,
                new InitialProtections(crypto), new PacketWriter());
    }

    /**
     * {@link #write(ByteBuffer, QuicVersion, ConnectionId, ConnectionId, ConnectionId, long, CloseError,
     * CryptoProvider)} with reusable key state and writer: the server Initial keys of {@code clientInitialDcid} are
     * derived into {@code keys} ({@link InitialProtections#deriveServer}), so repeated closes for ever new client
     * DCIDs allocate nothing once warm with a provider that re-keys in place. {@code keys} then holds the server
     * protection of {@code clientInitialDcid}, and no client protection (as after
     * {@link InitialProtections#deriveServer}).
     *
     * @return as the other overloads; {@link CloseOutcome#CALLBACK_FAILURE} if key derivation or sealing failed
     * @throws IllegalArgumentException if {@code dest} is read-only or {@code packetNumber} is not in [0, 2^31)
     * @throws NullPointerException if an argument is null (both checked before {@code keys} is touched)
     */
    public static CloseOutcome write(ByteBuffer dest, QuicVersion version, ConnectionId clientInitialDcid,
            ConnectionId dcid, ConnectionId scid, long packetNumber, CloseError error, InitialProtections keys,
            PacketWriter writer) {
        checkArguments(dest, version, dcid, scid, packetNumber, error, writer);
        Objects.requireNonNull(clientInitialDcid, "clientInitialDcid");
        Objects.requireNonNull(keys, "keys");
        if (!error.type().sendsFrame()) {
            return CloseOutcome.NOTHING_TO_WRITE;
        }
        try {
            keys.deriveServer(version, clientInitialDcid);
        } catch (CryptoException e) {
            return CloseOutcome.CALLBACK_FAILURE;
        }
        return write(dest, version, dcid, scid, packetNumber, error, keys.server(), writer);
    }

    /**
     * Writes a server Initial close with server Initial protection the caller already holds and a reusable writer,
     * so repeated closes allocate nothing.
     *
     * @throws IllegalArgumentException if {@code dest} is read-only or {@code packetNumber} is not in [0, 2^31)
     * @throws NullPointerException if an argument is null (both checked before anything is written)
     */
    public static CloseOutcome write(ByteBuffer dest, QuicVersion version, ConnectionId dcid, ConnectionId scid,
            long packetNumber, CloseError error, PacketProtection serverInitialProtection, PacketWriter writer) {
        checkArguments(dest, version, dcid, scid, packetNumber, error, writer);
        Objects.requireNonNull(serverInitialProtection, "serverInitialProtection");
        if (!error.type().sendsFrame()) {
            return CloseOutcome.NOTHING_TO_WRITE;
        }
        int pnLength = PacketNumber.encodedLength(packetNumber, -1);
        if (!writer.beginLong(dest, dest.position(), dest.remaining(), version, LongPacketType.INITIAL, dcid, scid,
                null, packetNumber, pnLength, serverInitialProtection)) {
            return CloseOutcome.NOBUF_BUFFER_TOO_SMALL;
        }
        boolean fits = error.type() == CloseError.Type.TRANSPORT
                ? writer.writeConnectionClose(CloseType.TRANSPORT, error.errorCode(), error.frameType(),
                        error.reasonBytes(), 0, error.reasonLength())
                // RFC 9000 §10.2.3: an application close in an Initial packet becomes APPLICATION_ERROR, no reason
                : writer.writeConnectionClose(CloseType.TRANSPORT, TransportErrorCode.APPLICATION_ERROR, 0,
                        NO_REASON, 0, 0);
        if (!fits) {
            writer.abandon();
            return CloseOutcome.NOBUF_BUFFER_TOO_SMALL;
        }
        int length;
        try {
            length = writer.finish(0);
        } catch (CryptoException e) {
            return CloseOutcome.CALLBACK_FAILURE;
        }
        dest.position(dest.position() + length);
        return CloseOutcome.WRITTEN;
    }
}
