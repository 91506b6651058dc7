package dev.quicj.examples;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.conn.CloseOutcome;
import dev.quicj.core.conn.NetworkPath;
import dev.quicj.core.conn.QuicConnection;
import dev.quicj.core.conn.Settings;
import dev.quicj.core.conn.StatelessClose;
import dev.quicj.core.crypto.CryptoProvider;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Set;

/**
 * {@code write-close}: prints the hex of one Initial-level CONNECTION_CLOSE datagram, written by the library itself.
 * A client close comes from a real client connection that first wrote its Initial with packet number {@code pn - 1}
 * and then {@link QuicConnection#writeConnectionClose closed}; a server close is the {@link StatelessClose}. Initial
 * keys derive from {@code --odcid}, or from {@code --retry-scid} for a client that processed a Retry.
 */
final class WriteCloseCommand {
    static final String USAGE = "usage: write-close --role client|server --version 1|2 --odcid HEX --dcid HEX "
            + "--scid HEX --pn N [--token HEX] [--retry-scid HEX] [--error N] [--frame-type N] [--reason TEXT] "
            + "[--app]\n"
            + "  prints the hex of one Initial CONNECTION_CLOSE datagram\n"
            + "  --role        client: a real client's close after its first Initial, padded to 1200 bytes;\n"
            + "                server: a stateless server Initial close, at most 1200 bytes\n"
            + "  --version     QUIC version 1 or 2\n"
            + "  --odcid       the client's first DCID, at least 8 bytes: the Initial keys derive from it\n"
            + "  --dcid        the packet's Destination Connection ID; --scid its Source Connection ID\n"
            + "  --pn          packet number: client 1..2^31 (its first Initial used pn - 1), server 0..2^31-1\n"
            + "  --token       client only: the token its Initials repeat\n"
            + "  --retry-scid  client only: the SCID of the Retry it processed, from which its Initial keys then\n"
            + "                derive (RFC 9001 §5.2); needs the Retry's --token\n"
            + "  --error       error code, decimal or 0x hex (default 0, NO_ERROR); --frame-type the triggering\n"
            + "                frame type (default 0); --reason the reason phrase (default none)\n"
            + "  --app         an application close (1c 0c 00 00 at Initial level)";

    private static final Set<String> VALUED = Set.of("role", "version", "odcid", "dcid", "scid", "pn", "token",
            "retry-scid", "error", "frame-type", "reason");
    private static final Set<String> SWITCHES = Set.of("app");
    private static final NetworkPath PATH = new NetworkPath(new InetSocketAddress("127.0.0.1", 50000),
            new InetSocketAddress("127.0.0.1", 4433));

    private WriteCloseCommand() {
    }

    static int run(String[] argv, PrintStream out) throws UsageException {
        Args a = new Args(argv, VALUED, SWITCHES);
        if (!a.positional().isEmpty()) {
            throw new UsageException("unexpected argument '" + a.positional().get(0) + "'");
        }
        String role = a.required("role");
        if (!role.equals("client") && !role.equals("server")) {
            throw new UsageException("--role must be client or server: '" + role + "'");
        }
        QuicVersion version = Main.version(a.required("version"));
        ConnectionId odcid = Args.connectionId("odcid", a.required("odcid"));
        ConnectionId dcid = Args.connectionId("dcid", a.required("dcid"));
        ConnectionId scid = Args.connectionId("scid", a.required("scid"));
        long pn = Args.number("pn", a.required("pn"), 0, (1L << 62) - 1);
        long code = a.number("error", TransportErrorCode.NO_ERROR, 0, TransportErrorCode.MAX_CODE);
        long frameType = a.number("frame-type", 0, 0, TransportErrorCode.MAX_CODE);
        String reason = a.string("reason", "");
        boolean app = a.flag("app");
        // an application close has no Frame Type field (RFC 9000 §19.19): --frame-type is ignored with --app, as
        // ngtcp2's encoder ignores it for 0x1d frames
        CloseError error = app ? CloseError.application(code, reason) : CloseError.transport(code, frameType, reason);
        byte[] datagram;
        if (role.equals("client")) {
            byte[] token = a.has("token") ? Args.hex("token", a.string("token", "")) : null;
            ConnectionId retryScid = a.has("retry-scid")
                    ? Args.connectionId("retry-scid", a.string("retry-scid", "")) : null;
            datagram = clientClose(version, odcid, dcid, scid, pn, token, retryScid, error);
        } else {
            if (a.has("token")) {
                throw new UsageException("--token is for client Initials; a server's Initial carries no token");
            }
            if (a.has("retry-scid")) {
                throw new UsageException("--retry-scid is for a client; a server's stateless close has no Retry");
            }
            datagram = serverClose(version, odcid, dcid, scid, pn, error);
        }
        out.println(Hex.encode(datagram));
        return 0;
    }

    private static byte[] clientClose(QuicVersion version, ConnectionId odcid, ConnectionId dcid, ConnectionId scid,
            long pn, byte[] token, ConnectionId retryScid, CloseError error) throws UsageException {
        if (odcid.length() < QuicConnection.MIN_INITIAL_DCID_LENGTH) {
            throw new UsageException("--odcid of a client must be at least 8 bytes (RFC 9000 §7.2): "
                    + odcid.length());
        }
        if (retryScid != null && token == null) {
            throw new UsageException("--retry-scid needs the Retry's --token, which every later Initial repeats");
        }
        if (retryScid != null && retryScid.equals(odcid)) {
            throw new UsageException("--retry-scid must differ from --odcid: a client discards a Retry whose SCID is "
                    + "the DCID of its Initial (RFC 9000 §17.2.5.1)");
        }
        if (pn < 1 || pn - 1 > Integer.MAX_VALUE) {
            throw new UsageException("--pn of a client must be in 1..2^31: its first Initial used pn - 1");
        }
        long now = System.nanoTime();
        try {
            Settings settings = Settings.builder().initialPacketNumber(pn - 1).build();
            QuicConnection.ClientBuilder builder = QuicConnection.clientBuilder().version(version)
                    .originalDestinationConnectionId(odcid)
                    .destinationConnectionId(dcid).sourceConnectionId(scid).path(PATH).token(token)
                    .settings(settings);
            if (retryScid != null) {
                builder.retrySourceConnectionId(retryScid);
            }
            QuicConnection c = builder.build(now);
            c.submitCryptoData(EncryptionLevel.INITIAL, ClientHellos.encode(version, scid, null, "h3"));
            if (c.writePacket(null, null, ByteBuffer.allocate(1500), now) == 0) {
                // the ClientHello and the token do not fit the 1200 bytes the client's datagrams are held to
                throw new UsageException("--token too long: the client's first Initial, ClientHello and token "
                        + "included, must fit in 1200 bytes (" + (token == null ? 0 : token.length) + "-byte token)");
            }
            ByteBuffer dest = ByteBuffer.allocate(1500);
            CloseOutcome outcome = c.writeConnectionClose(null, null, dest, error, now);
            if (outcome != CloseOutcome.WRITTEN) {
                throw new UsageException(notWritten(outcome, error));
            }
            return Arrays.copyOf(dest.array(), dest.position());
        } catch (dev.quicj.core.crypto.CryptoException | QuicException e) {
            // a QuicException is AEAD_LIMIT_REACHED (RFC 9001 §6.6), which a first Initial never meets
            throw new IllegalStateException("packet protection failed", e);
        }
    }

    private static byte[] serverClose(QuicVersion version, ConnectionId odcid, ConnectionId dcid, ConnectionId scid,
            long pn, CloseError error) throws UsageException {
        if (odcid.length() < QuicConnection.MIN_INITIAL_DCID_LENGTH) {
            // a server drops client Initials with a shorter DCID (RFC 9000 §7.2): there is nothing to answer
            throw new UsageException("--odcid must be at least 8 bytes (RFC 9000 §7.2): " + odcid.length());
        }
        // at most 1200 bytes, as QuicCloseHandler gives a stateless refusal: nothing is known of the path (close-spec
        // §3.1), and the client's close is held to the same size
        ByteBuffer dest = ByteBuffer.allocate(QuicConnection.MIN_INITIAL_DATAGRAM_SIZE);
        if (pn > StatelessClose.MAX_PACKET_NUMBER) {
            throw new UsageException("--pn of a server must be in 0..2^31-1: the client has received nothing from it, "
                    + "so 4 bytes must cover twice the packet number");
        }
        CloseOutcome outcome = StatelessClose.write(dest, version, odcid, dcid, scid, pn, error, CryptoProvider.jca());
        if (outcome != CloseOutcome.WRITTEN) {
            throw new UsageException(notWritten(outcome, error));
        }
        return Arrays.copyOf(dest.array(), dest.position());
    }

    /** Why no close was written, in the terms of the command line. */
    private static String notWritten(CloseOutcome outcome, CloseError error) {
        if (outcome == CloseOutcome.NOBUF_BUFFER_TOO_SMALL && error.reasonLength() > 0) {
            return "no close written: the " + error.reasonLength() + "-byte --reason does not fit the datagram ("
                    + outcome + "); use a shorter one";
        }
        return "no close written: " + outcome;
    }
}
