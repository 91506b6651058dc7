package dev.quicj.examples;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.QuicException;
import dev.quicj.core.TransportErrorCode;
import dev.quicj.core.conn.CloseError;
import dev.quicj.core.crypto.CipherSuite;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.inspect.DatagramInspector;
import dev.quicj.core.inspect.InspectedFrame;
import dev.quicj.core.inspect.InspectedPacket;
import dev.quicj.core.tls.ClientHelloInfo;
import dev.quicj.core.tls.HandshakeMessage;
import dev.quicj.core.tls.ServerHelloInfo;
import dev.quicj.core.tls.TlsCodepoints;
import dev.quicj.core.tls.TlsHandshakeReader;
import dev.quicj.core.wire.CloseType;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Text for the examples' output: addresses, closes, decoded datagrams and the TLS messages inside CRYPTO frames. */
final class Describe {
    private Describe() {
    }

    /** {@code 127.0.0.1:4433}, {@code [::1]:4433}. */
    static String address(InetSocketAddress a) {
        if (a == null) {
            return "?";
        }
        String host = a.getAddress() instanceof Inet6Address ? ipv6((Inet6Address) a.getAddress())
                : a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** The RFC 5952 text of an IPv6 address: lower case, the longest run of zero groups as "::", scope if any. */
    static String ipv6(Inet6Address a) {
        byte[] b = a.getAddress();
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        if (a.getScopeId() != 0) {
            sb.append('%').append(a.getScopeId());
        }
        return sb.toString();
    }

    /** A close as given: {@code transport 0x2 (CONNECTION_REFUSED) reason="server busy"}. */
    static String closeError(CloseError e) {
        StringBuilder sb = new StringBuilder();
        if (e.type() == CloseError.Type.TRANSPORT) {
            sb.append("transport 0x").append(Long.toHexString(e.errorCode())).append(" (")
                    .append(TransportErrorCode.name(e.errorCode())).append(')');
            if (e.frameType() != 0) {
                sb.append(" frame_type=0x").append(Long.toHexString(e.frameType()));
            }
        } else if (e.type() == CloseError.Type.APPLICATION) {
            sb.append("application 0x").append(Long.toHexString(e.errorCode()));
        } else {
            return e.type().toString();
        }
        return sb.append(" reason=\"").append(escape(e.reasonAsString())).append('"').toString();
    }

    /**
     * The CONNECTION_CLOSE frame a close puts on the wire, in the format of {@link InspectedFrame.ConnectionClose}.
     * In Initial and Handshake packets an application close becomes transport APPLICATION_ERROR without a reason
     * (RFC 9000 §10.2.3).
     */
    static String closeOnWire(CloseError e, boolean beforeOneRtt) {
        return wireFrame(e, beforeOneRtt).toString();
    }

    /** The frame {@link #closeOnWire} describes. */
    static InspectedFrame.ConnectionClose wireFrame(CloseError e, boolean beforeOneRtt) {
        if (e.type() == CloseError.Type.APPLICATION && beforeOneRtt) {
            return new InspectedFrame.ConnectionClose(CloseType.TRANSPORT, TransportErrorCode.APPLICATION_ERROR, 0,
                    new byte[0]);
        }
        CloseType type = e.type() == CloseError.Type.APPLICATION ? CloseType.APPLICATION : CloseType.TRANSPORT;
        return new InspectedFrame.ConnectionClose(type, e.errorCode(), e.frameType(), e.reason());
    }

    /** Every packet of a datagram, Initial packets of both directions decrypted with keys from {@code odcid}. */
    static List<InspectedPacket> inspect(byte[] datagram, ConnectionId odcid) {
        return DatagramInspector.inspect(datagram, DatagramInspector.initialKeys(odcid, CryptoProvider.jca()), -1);
    }

    /** {@code keys}, each key's name followed by {@code suffix} (the name shows in each packet's {@code keys=}). */
    static DatagramInspector.KeySource renamed(DatagramInspector.KeySource keys, String suffix) {
        return (level, version) -> {
            List<DatagramInspector.NamedKey> named = new ArrayList<>();
            for (DatagramInspector.NamedKey k : keys.candidates(level, version)) {
                named.add(new DatagramInspector.NamedKey(k.name() + suffix, k.protection()));
            }
            return named;
        };
    }

    /**
     * One line per packet header and one per frame (indented by {@code indent} and two more spaces), with the TLS
     * messages a CRYPTO frame starting at offset 0 carries.
     */
    static List<String> packetLines(List<InspectedPacket> packets, String indent) {
        List<String> lines = new ArrayList<>();
        for (InspectedPacket p : packets) {
            lines.add(indent + p.headerLine());
            for (InspectedFrame f : p.frames()) {
                String text = f.toString();
                if (f instanceof InspectedFrame.Crypto) {
                    String tls = tlsMessages((InspectedFrame.Crypto) f);
                    if (!tls.isEmpty()) {
                        text += ": " + tls;
                    }
                }
                lines.add(indent + "  frame " + text);
            }
        }
        return lines;
    }

    /**
     * The TLS handshake messages of a CRYPTO frame that starts the stream (offset 0), e.g. {@code ServerHello
     * (cipher TLS_AES_128_GCM_SHA256)}; "" for a later fragment.
     */
    static String tlsMessages(InspectedFrame.Crypto f) {
        if (f.offset() != 0) {
            return "";
        }
        TlsHandshakeReader reader = new TlsHandshakeReader();
        List<String> names = new ArrayList<>();
        try {
            reader.add(ByteBuffer.wrap(f.data()));
            for (HandshakeMessage m = reader.poll(); m != null; m = reader.poll()) {
                names.add(tlsMessage(m));
            }
        } catch (QuicException e) {
            names.add("not TLS handshake data (" + e.getMessage() + ")");
        }
        if (reader.bufferedBytes() > 0) {
            names.add("the start of a longer TLS message");
        }
        return String.join(", ", names);
    }

    private static String tlsMessage(HandshakeMessage m) throws QuicException {
        switch (m.type()) {
            case TlsCodepoints.CLIENT_HELLO: {
                ClientHelloInfo ch = ClientHelloInfo.decode(m);
                StringBuilder sb = new StringBuilder("ClientHello (");
                ch.serverName().ifPresent(n -> sb.append("server name ").append(n).append(", "));
                sb.append("ALPN ").append(String.join(",", ch.applicationProtocols()));
                sb.append(", QUIC transport parameters");
                return sb.append(')').toString();
            }
            case TlsCodepoints.SERVER_HELLO: {
                ServerHelloInfo sh = ServerHelloInfo.decode(m);
                return (sh.isHelloRetryRequest() ? "HelloRetryRequest" : "ServerHello") + " (cipher "
                        + suiteName(sh.cipherSuite()) + ")";
            }
            default:
                return "TLS handshake message type " + m.type();
        }
    }

    private static String suiteName(CipherSuite suite) {
        return suite == null ? "?" : suite.name();
    }

    /** Escapes quotes, backslashes and control characters. */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
