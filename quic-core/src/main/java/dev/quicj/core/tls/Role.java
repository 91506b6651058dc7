package dev.quicj.core.tls;

/**
 * Which endpoint sent a message or a set of transport parameters. Some transport parameters are the server's alone
 * (<a href="https://www.rfc-editor.org/rfc/rfc9000#section-18.2">RFC 9000 §18.2</a>), and RFC 9368 adds a rule for
 * a client's version_information, so decoding needs to know the sender.
 */
public enum Role {
    /** The endpoint that opened the connection; its parameters travel in the ClientHello. */
    CLIENT,
    /** The endpoint that accepted the connection; its parameters travel in EncryptedExtensions. */
    SERVER
}
