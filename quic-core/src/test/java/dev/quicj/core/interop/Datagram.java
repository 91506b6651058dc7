package dev.quicj.core.interop;

import java.util.Objects;

import dev.quicj.core.Hex;

/**
 * One raw UDP payload and the direction it travelled, as input to {@link Tshark#decode(java.util.List)}.
 * Raw payloads are wrapped as UDP over IPv4 between {@code 127.0.0.1:}{@value Tshark#CLIENT_PORT} (the client) and
 * {@code 127.0.0.1:}{@value Tshark#SERVER_PORT} (the server).
 *
 * @param direction which way the datagram went
 * @param payload   the UDP payload (1 to 65507 bytes); not copied
 */
public record Datagram(Direction direction, byte[] payload) {
    /** Which endpoint sent a datagram. */
    public enum Direction {
        /** Sent by the client (the QUIC endpoint that sent the first Initial). */
        CLIENT_TO_SERVER,
        /** Sent by the server. */
        SERVER_TO_CLIENT
    }

    /** Checks the arguments. */
    public Datagram {
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(payload, "payload");
        if (payload.length == 0 || payload.length > 65507) {
            throw new IllegalArgumentException("UDP payload length " + payload.length + " is not in [1, 65507]");
        }
    }

    /** A datagram sent by the client. */
    public static Datagram fromClient(byte[] payload) {
        return new Datagram(Direction.CLIENT_TO_SERVER, payload);
    }

    /** A datagram sent by the server. */
    public static Datagram fromServer(byte[] payload) {
        return new Datagram(Direction.SERVER_TO_CLIENT, payload);
    }

    /** A datagram sent by the client, from hexadecimal text (whitespace and colons ignored). */
    public static Datagram fromClientHex(String hex) {
        return fromClient(Hex.decode(hex));
    }

    /** A datagram sent by the server, from hexadecimal text (whitespace and colons ignored). */
    public static Datagram fromServerHex(String hex) {
        return fromServer(Hex.decode(hex));
    }

    @Override
    public String toString() {
        return "Datagram[" + direction + ", " + payload.length + " bytes]";
    }
}
