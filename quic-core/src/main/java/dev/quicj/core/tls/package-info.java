/**
 * The TLS 1.3 messages QUIC needs before it has a TLS stack: building a client's ClientHello, reading a peer's
 * ClientHello or ServerHello, and the QUIC transport parameters they carry
 * (<a href="https://www.rfc-editor.org/rfc/rfc9001#section-4">RFC 9001 §4</a>,
 * <a href="https://www.rfc-editor.org/rfc/rfc9001#section-8.2">§8.2</a>,
 * <a href="https://www.rfc-editor.org/rfc/rfc9000#section-18">RFC 9000 §18</a>). No keys are derived and no
 * handshake is driven here.
 *
 * <ul>
 *   <li>{@link dev.quicj.core.tls.TransportParameters}: the quic_transport_parameters value, with a builder and a
 *       decoder that validates per RFC 9000 §18.2 for a given {@link dev.quicj.core.Role};</li>
 *   <li>{@link dev.quicj.core.tls.ClientHello}: the bytes of a client's first CRYPTO frames, with a real X25519 key
 *       share whose key pair is kept;</li>
 *   <li>{@link dev.quicj.core.tls.TlsHandshakeReader}: cuts in-order CRYPTO bytes into
 *       {@link dev.quicj.core.tls.HandshakeMessage}s;</li>
 *   <li>{@link dev.quicj.core.tls.ClientHelloInfo} and {@link dev.quicj.core.tls.ServerHelloInfo}: parsers for the
 *       two hellos.</li>
 * </ul>
 *
 * <p>Malformed input is a {@link dev.quicj.core.QuicException} carrying the error to close the connection with:
 * TRANSPORT_PARAMETER_ERROR for transport parameters, CRYPTO_ERROR {@code 0x0100 + alert} (RFC 9001 §4.8) for TLS
 * structure, PROTOCOL_VIOLATION for a ClientHello asking for middlebox compatibility mode, CRYPTO_BUFFER_EXCEEDED for
 * a message too large to buffer. The frame type reported is CRYPTO (0x06), the frame that carried the bytes.
 * Misuse of a builder is an {@link java.lang.IllegalArgumentException} or {@link java.lang.IllegalStateException}.
 */
package dev.quicj.core.tls;
