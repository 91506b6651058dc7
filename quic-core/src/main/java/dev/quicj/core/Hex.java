package dev.quicj.core;

/** Lower-case hexadecimal encoding and decoding, for tools, tests and diagnostics (not on hot paths). */
public final class Hex {
    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private Hex() {
    }

    /** Encodes all of {@code bytes}. */
    public static String encode(byte[] bytes) {
        return encode(bytes, 0, bytes.length);
    }

    /** Encodes {@code length} bytes of {@code bytes} from {@code offset}. */
    public static String encode(byte[] bytes, int offset, int length) {
        char[] out = new char[length * 2];
        for (int i = 0; i < length; i++) {
            int b = bytes[offset + i] & 0xff;
            out[2 * i] = DIGITS[b >>> 4];
            out[2 * i + 1] = DIGITS[b & 0xf];
        }
        return new String(out);
    }

    /**
     * Decodes hexadecimal text. Whitespace and colons are ignored; an optional {@code 0x} prefix is accepted.
     *
     * @throws IllegalArgumentException if the text has an odd number of digits or a character that is not a digit
     */
    public static byte[] decode(CharSequence text) {
        StringBuilder digits = new StringBuilder(text.length());
        String s = text.toString().trim();
        if (s.startsWith("0x") || s.startsWith("0X")) {
            s = s.substring(2);
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || c == ':') {
                continue;
            }
            if (Character.digit(c, 16) < 0) {
                throw new IllegalArgumentException("not a hexadecimal digit: '" + c + "'");
            }
            digits.append(c);
        }
        if ((digits.length() & 1) != 0) {
            throw new IllegalArgumentException("odd number of hexadecimal digits: " + digits.length());
        }
        byte[] out = new byte[digits.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (Character.digit(digits.charAt(2 * i), 16) << 4
                    | Character.digit(digits.charAt(2 * i + 1), 16));
        }
        return out;
    }
}
