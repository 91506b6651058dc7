package dev.quicj.core.conn;

/**
 * ECN validation state of the current path (<a href="https://www.rfc-editor.org/rfc/rfc9000#section-13.4.2">RFC 9000
 * §13.4.2</a>). A close datagram is marked ECT(0) only when the path is {@link #CAPABLE}.
 */
public enum EcnState {
    /** Validation in progress (the initial state). */
    TESTING,
    /** Testing ended without a verdict. */
    UNKNOWN,
    /** Validation failed: ECN is not used on this path. */
    FAILED,
    /** The path passed validation. */
    CAPABLE
}
