package dev.quicj.core.conn;

/** The ECN codepoint of an IP packet (<a href="https://www.rfc-editor.org/rfc/rfc3168#section-5">RFC 3168 §5</a>). */
public enum Ecn {
    /** Not ECN-Capable Transport, 0b00. */
    NOT_ECT(0),
    /** ECT(1), 0b01. */
    ECT_1(1),
    /** ECT(0), 0b10. */
    ECT_0(2),
    /** Congestion Experienced, 0b11. */
    CE(3);

    private final int codepoint;

    Ecn(int codepoint) {
        this.codepoint = codepoint;
    }

    /** The two-bit codepoint, which is also the low two bits of the IP TOS / traffic class byte. */
    public int codepoint() {
        return codepoint;
    }

    /** The constant for a two-bit codepoint. */
    public static Ecn of(int codepoint) {
        return values()[codepoint & 3];
    }
}
