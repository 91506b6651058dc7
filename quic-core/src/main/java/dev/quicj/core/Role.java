package dev.quicj.core;

/**
 * Which end of a connection an endpoint is. It also says who sent a message or a set of transport parameters: some
 * transport parameters are the server's alone (<a href="https://www.rfc-editor.org/rfc/rfc9000#section-18.2">RFC
 * 9000 §18.2</a>).
 */
public enum Role {
    /** The endpoint that opened the connection; its transport parameters travel in the ClientHello. */
    CLIENT,
    /** The endpoint that accepted the connection; its transport parameters travel in EncryptedExtensions. */
    SERVER
}
