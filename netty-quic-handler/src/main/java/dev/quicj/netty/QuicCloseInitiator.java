package dev.quicj.netty;

/** Which side ended a connection, as reported by {@link QuicConnectionEndedEvent#initiator()}. */
public enum QuicCloseInitiator {
    /** This endpoint closed it: a channel close, an exception, a {@link QuicCloseCommand}, or a rejected Initial. */
    LOCAL,
    /** The peer sent CONNECTION_CLOSE: the connection drains (RFC 9000 §10.2.2). */
    PEER,
    /** The peer sent a stateless reset (RFC 9000 §10.3): the connection drains. */
    STATELESS_RESET,
    /** This endpoint closed it silently because it was idle (a close error of type IDLE_CLOSE, RFC 9000 §10.1). */
    IDLE,
    /** A client gave up after a Version Negotiation packet that rules out its version (RFC 9000 §6.2). */
    VERSION_NEGOTIATION
}
