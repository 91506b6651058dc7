package dev.quicj.core.conn;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * QUIC packet protection computed from scratch with JCA only (HmacSHA256 HKDF, AES/ECB for header protection,
 * AES/GCM for the payload): nothing of the library is used, so it checks the library's bytes independently.
 * RFC 9001 §5, RFC 9369 §3.
 */
public final class IndependentQuic {
    public static final int V1 = 0x00000001;
    public static final int V2 = 0x6b3343cf;
    static final byte[] V1_SALT = hex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a");
    static final byte[] V2_SALT = hex("0dede3def700a6db819381be6e269dcbf9bd2ed9");

    private IndependentQuic() {
    }

    public static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    static byte[] hmac(byte[] key, byte[]... parts) throws Exception {
        return hmac("HmacSHA256", key, parts);
    }

    private static byte[] hmac(String algorithm, byte[] key, byte[]... parts) throws Exception {
        Mac mac = Mac.getInstance(algorithm);
        mac.init(new SecretKeySpec(key, algorithm));
        for (byte[] p : parts) {
            mac.update(p);
        }
        return mac.doFinal();
    }

    static byte[] expandLabel(byte[] secret, String label, int length) throws Exception {
        return expandLabel("HmacSHA256", secret, label, length);
    }

    /** HKDF-Expand-Label (RFC 8446 §7.1) with HMAC {@code algorithm}, for lengths up to one hash. */
    static byte[] expandLabel(String algorithm, byte[] secret, String label, int length) throws Exception {
        byte[] full = ("tls13 " + label).getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        info.write(length >> 8);
        info.write(length);
        info.write(full.length);
        info.write(full, 0, full.length);
        info.write(0);
        // HKDF-Expand, length <= one hash: T(1) = HMAC(PRK, info | 0x01)
        byte[] t = hmac(algorithm, secret, info.toByteArray(), new byte[] {1});
        return Arrays.copyOf(t, length);
    }

    /** key, iv, hp of a secret for version {@code version}. */
    public static Keys keys(int version, byte[] secret) throws Exception {
        String p = version == V2 ? "quicv2 " : "quic ";
        return new Keys(expandLabel(secret, p + "key", 16), expandLabel(secret, p + "iv", 12),
                expandLabel(secret, p + "hp", 16));
    }

    /** Initial keys of one side ("client in" / "server in"). */
    public static Keys initialKeys(int version, byte[] dcid, boolean server) throws Exception {
        byte[] initial = hmac(version == V2 ? V2_SALT : V1_SALT, dcid);
        byte[] secret = expandLabel(initial, server ? "server in" : "client in", 32);
        return keys(version, secret);
    }

    public record Keys(byte[] key, byte[] iv, byte[] hp) {
    }

    /** One opened packet. */
    public record Opened(int firstByte, boolean longHeader, int version, int typeBits, byte[] dcid, byte[] scid,
            byte[] token, long pn, byte[] payload, int end) {
        public String payloadHex() {
            return HexFormat.of().formatHex(payload);
        }
    }

    static int varintLength(int first) {
        return 1 << ((first & 0xff) >> 6);
    }

    static long varint(byte[] b, int off) {
        int len = varintLength(b[off]);
        long v = b[off] & 0x3f;
        for (int i = 1; i < len; i++) {
            v = v << 8 | (b[off + i] & 0xff);
        }
        return v;
    }

    /**
     * Opens the packet at {@code off} of {@code dg} with {@code k}; for a short header {@code shortDcidLength} is
     * the DCID length. {@code dg} is copied, not changed.
     */
    public static Opened open(byte[] dg, int off, Keys k, int shortDcidLength) throws Exception {
        return open(dg, off, k, shortDcidLength, -1);
    }

    /**
     * As {@link #open(byte[], int, Keys, int)}, the full packet number recovered from its truncated encoding with
     * RFC 9000 Appendix A.3 given the largest packet number received so far in its space ({@code -1} for none).
     */
    public static Opened open(byte[] dg, int off, Keys k, int shortDcidLength, long largestPn) throws Exception {
        byte[] b = dg.clone();
        int first = b[off] & 0xff;
        boolean longHeader = (first & 0x80) != 0;
        int p = off + 1;
        int version = 0;
        byte[] dcid;
        byte[] scid = null;
        byte[] token = null;
        int typeBits = -1;
        int end;
        int pnOffset;
        if (longHeader) {
            version = (b[p] & 0xff) << 24 | (b[p + 1] & 0xff) << 16 | (b[p + 2] & 0xff) << 8 | (b[p + 3] & 0xff);
            p += 4;
            int dl = b[p++] & 0xff;
            dcid = Arrays.copyOfRange(b, p, p + dl);
            p += dl;
            int sl = b[p++] & 0xff;
            scid = Arrays.copyOfRange(b, p, p + sl);
            p += sl;
            typeBits = (first >> 4) & 3;
            int initialBits = version == V2 ? 1 : 0;
            if (typeBits == initialBits) {
                long tl = varint(b, p);
                p += varintLength(b[p]);
                token = Arrays.copyOfRange(b, p, p + (int) tl);
                p += (int) tl;
            }
            long len = varint(b, p);
            p += varintLength(b[p]);
            pnOffset = p;
            end = p + (int) len;
        } else {
            dcid = Arrays.copyOfRange(b, p, p + shortDcidLength);
            pnOffset = p + shortDcidLength;
            end = b.length;
        }
        byte[] sample = Arrays.copyOfRange(b, pnOffset + 4, pnOffset + 20);
        Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(k.hp(), "AES"));
        byte[] mask = ecb.doFinal(sample);
        b[off] ^= (byte) (mask[0] & (longHeader ? 0x0f : 0x1f));
        int pnLen = (b[off] & 3) + 1;
        long pn = 0;
        for (int i = 0; i < pnLen; i++) {
            b[pnOffset + i] ^= mask[1 + i];
            pn = pn << 8 | (b[pnOffset + i] & 0xff);
        }
        pn = decodePacketNumber(largestPn, pn, pnLen * 8);
        byte[] aad = Arrays.copyOfRange(b, off, pnOffset + pnLen);
        byte[] nonce = k.iv().clone();
        for (int i = 0; i < 8; i++) {
            nonce[11 - i] ^= (byte) (pn >>> (8 * i));
        }
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(k.key(), "AES"), new GCMParameterSpec(128, nonce));
        gcm.updateAAD(aad);
        byte[] payload = gcm.doFinal(b, pnOffset + pnLen, end - pnOffset - pnLen);
        return new Opened(b[off] & 0xff, longHeader, version, typeBits, dcid, scid, token, pn, payload, end);
    }

    /** RFC 9000 Appendix A.3, DecodePacketNumber. */
    static long decodePacketNumber(long largestPn, long truncatedPn, int pnNbits) {
        long expected = largestPn + 1;
        long win = 1L << pnNbits;
        long hwin = win / 2;
        long mask = win - 1;
        long candidate = (expected & ~mask) | truncatedPn;
        if (candidate <= expected - hwin && candidate < (1L << 62) - win) {
            return candidate + win;
        }
        if (candidate > expected + hwin && candidate >= win) {
            return candidate - win;
        }
        return candidate;
    }

    /** The start offsets of the coalesced long-header packets of a datagram, and of a trailing short header. */
    public static List<Integer> packetStarts(byte[] dg) {
        List<Integer> starts = new ArrayList<>();
        int p = 0;
        while (p < dg.length) {
            starts.add(p);
            int first = dg[p] & 0xff;
            if ((first & 0x80) == 0) {
                break;
            }
            int version = (dg[p + 1] & 0xff) << 24 | (dg[p + 2] & 0xff) << 16 | (dg[p + 3] & 0xff) << 8
                    | (dg[p + 4] & 0xff);
            int q = p + 5;
            q += 1 + (dg[q] & 0xff);
            q += 1 + (dg[q] & 0xff);
            int typeBits = (first >> 4) & 3;
            if (typeBits == (version == V2 ? 1 : 0)) {
                long tl = varint(dg, q);
                q += varintLength(dg[q]) + (int) tl;
            }
            long len = varint(dg, q);
            q += varintLength(dg[q]);
            p = q + (int) len;
        }
        return starts;
    }

    /** AES-128-GCM Retry integrity tag (RFC 9001 §5.8, RFC 9369 §3.3.3) over the pseudo-packet. */
    public static byte[] retryTag(int version, byte[] odcid, byte[] retryWithoutTag) throws Exception {
        byte[] key = version == V2 ? hex("8fb4b01b56ac48e260fbcbcead7ccc92") : hex("be0c690b9f66575a1d766b54e368c84e");
        byte[] nonce = version == V2 ? hex("d86969bc2d7c6d9990efb04a") : hex("461599d35d632bf2239825bb");
        ByteArrayOutputStream pseudo = new ByteArrayOutputStream();
        pseudo.write(odcid.length);
        pseudo.write(odcid, 0, odcid.length);
        pseudo.write(retryWithoutTag, 0, retryWithoutTag.length);
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        gcm.updateAAD(pseudo.toByteArray());
        return gcm.doFinal();
    }

    /** Seals a short-header packet: DCID, 2-byte packet number, key phase, payload (padded so the sample fits). */
    public static byte[] sealShort(Keys payloadKeys, byte[] hpKey, byte[] dcid, long pn, int keyPhase, byte[] payload)
            throws Exception {
        byte[] frames = payload.length >= 4 ? payload : Arrays.copyOf(payload, 4);
        int pnLen = 2;
        byte[] header = new byte[1 + dcid.length + pnLen];
        header[0] = (byte) (0x40 | (keyPhase << 2) | (pnLen - 1));
        System.arraycopy(dcid, 0, header, 1, dcid.length);
        header[1 + dcid.length] = (byte) (pn >> 8);
        header[2 + dcid.length] = (byte) pn;
        byte[] nonce = payloadKeys.iv().clone();
        for (int i = 0; i < 8; i++) {
            nonce[11 - i] ^= (byte) (pn >>> (8 * i));
        }
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(payloadKeys.key(), "AES"), new GCMParameterSpec(128, nonce));
        gcm.updateAAD(header);
        byte[] ct = gcm.doFinal(frames);
        byte[] out = Arrays.copyOf(header, header.length + ct.length);
        System.arraycopy(ct, 0, out, header.length, ct.length);
        int pnOffset = 1 + dcid.length;
        byte[] sample = Arrays.copyOfRange(out, pnOffset + 4, pnOffset + 20);
        Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(hpKey, "AES"));
        byte[] mask = ecb.doFinal(sample);
        out[0] ^= (byte) (mask[0] & 0x1f);
        for (int i = 0; i < pnLen; i++) {
            out[pnOffset + i] ^= mask[1 + i];
        }
        return out;
    }

    /** The next 1-RTT secret of a key update (RFC 9001 §6.1, RFC 9369 §3.3.2: "quicv2 ku"). */
    public static byte[] nextSecret(int version, byte[] secret) throws Exception {
        return expandLabel(secret, version == V2 ? "quicv2 ku" : "quic ku", 32);
    }

    /** Opens a short-header packet whose header protection key differs from the payload keys. */
    public static Opened openShort(byte[] dg, Keys payloadKeys, byte[] hpKey, int dcidLength) throws Exception {
        return open(dg, 0, new Keys(payloadKeys.key(), payloadKeys.iv(), hpKey), dcidLength);
    }
}
