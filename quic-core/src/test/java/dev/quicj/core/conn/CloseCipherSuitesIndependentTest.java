package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_ODCID;
import static dev.quicj.core.conn.ConnectionFixtures.CLIENT_SCID;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.crypto.CipherSuite;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.ChaCha20ParameterSpec;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * close-spec §4.2 "Protection" for the two other TLS 1.3 suites QUIC uses (RFC 9001 §5.3, §5.4.3, §5.4.4): a coalesced
 * server close whose Handshake packet is protected with TLS_CHACHA20_POLY1305_SHA256 and whose 1-RTT packet with
 * TLS_AES_256_GCM_SHA384 (HKDF-SHA384, a 32-byte key, AES-256 header protection), opened with JCA alone.
 */
class CloseCipherSuitesIndependentTest {
    private static final byte[] HS_SECRET = filled(0x5a, 32);
    private static final byte[] ONE_RTT_SECRET = filled(0x6b, 48);

    private static byte[] filled(int v, int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }

    /** Opens the packet at {@code off}: returns its plaintext payload; {@code end[0]} receives where it ends. */
    private static byte[] open(byte[] dg, int off, boolean chacha, byte[] secret, int[] end) throws Exception {
        String mac = chacha ? "HmacSHA256" : "HmacSHA384";
        int keyLen = 32;
        byte[] key = IndependentQuic.expandLabel(mac, secret, "quic key", keyLen);
        byte[] iv = IndependentQuic.expandLabel(mac, secret, "quic iv", 12);
        byte[] hp = IndependentQuic.expandLabel(mac, secret, "quic hp", keyLen);
        byte[] b = dg.clone();
        boolean longHeader = (b[off] & 0x80) != 0;
        int pnOffset;
        int stop;
        if (longHeader) {
            int p = off + 5;
            p += 1 + (b[p] & 0xff);
            p += 1 + (b[p] & 0xff);
            assertEquals(0x80, b[p] & 0xc0, "4-byte Length");
            int len = (b[p] & 0x3f) << 24 | (b[p + 1] & 0xff) << 16 | (b[p + 2] & 0xff) << 8 | (b[p + 3] & 0xff);
            pnOffset = p + 4;
            stop = pnOffset + len;
        } else {
            pnOffset = off + 1 + CLIENT_SCID.length();
            stop = b.length;
        }
        byte[] sample = Arrays.copyOfRange(b, pnOffset + 4, pnOffset + 20);
        byte[] mask;
        if (chacha) {
            // RFC 9001 §5.4.4: counter = sample[0..4] little-endian, nonce = sample[4..16]
            int counter = (sample[0] & 0xff) | (sample[1] & 0xff) << 8 | (sample[2] & 0xff) << 16
                    | (sample[3] & 0xff) << 24;
            Cipher c = Cipher.getInstance("ChaCha20");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(hp, "ChaCha20"),
                    new ChaCha20ParameterSpec(Arrays.copyOfRange(sample, 4, 16), counter));
            mask = c.doFinal(new byte[5]);
        } else {
            Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(hp, "AES"));
            mask = c.doFinal(sample);
        }
        b[off] ^= (byte) (mask[0] & (longHeader ? 0x0f : 0x1f));
        int pnLen = (b[off] & 3) + 1;
        long pn = 0;
        for (int i = 0; i < pnLen; i++) {
            b[pnOffset + i] ^= mask[1 + i];
            pn = pn << 8 | (b[pnOffset + i] & 0xff);
        }
        byte[] nonce = iv.clone();
        for (int i = 0; i < 8; i++) {
            nonce[11 - i] ^= (byte) (pn >>> (8 * i));
        }
        Cipher aead;
        if (chacha) {
            aead = Cipher.getInstance("ChaCha20-Poly1305");
            aead.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
        } else {
            aead = Cipher.getInstance("AES/GCM/NoPadding");
            aead.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        }
        aead.updateAAD(Arrays.copyOfRange(b, off, pnOffset + pnLen));
        end[0] = stop;
        return aead.doFinal(b, pnOffset + pnLen, stop - pnOffset - pnLen);
    }

    @Test
    void chachaHandshakeAndAes256OneRttClosePacketsOpenIndependently() throws Exception {
        Settings jca = Settings.defaults();
        QuicConnection s = ConnectionFixtures.server(jca);
        s.installTxKey(EncryptionLevel.HANDSHAKE, CipherSuite.TLS_CHACHA20_POLY1305_SHA256, HS_SECRET);
        s.installTxKey(EncryptionLevel.ONE_RTT, CipherSuite.TLS_AES_256_GCM_SHA384, ONE_RTT_SECRET);
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.WRITTEN,
                s.writeConnectionClose(null, null, dest, CloseError.application(0x3f, "suite"), T0 + 1));
        byte[] dg = Arrays.copyOf(dest.array(), dest.position());
        List<Integer> starts = IndependentQuic.packetStarts(dg);
        assertEquals(3, starts.size(), HexFormat.of().formatHex(dg));
        IndependentQuic.Opened initial = IndependentQuic.open(dg, 0,
                IndependentQuic.initialKeys(IndependentQuic.V1, CLIENT_ODCID.toByteArray(), true), 0);
        assertEquals("1c0c0000", initial.payloadHex());
        int[] end = new int[1];
        assertArrayEquals(HexFormat.of().parseHex("1c0c0000"), open(dg, starts.get(1), true, HS_SECRET, end));
        assertEquals(starts.get(2).intValue(), end[0]);
        assertArrayEquals(HexFormat.of().parseHex("1d3f05" + HexFormat.of().formatHex("suite".getBytes(
                StandardCharsets.US_ASCII))), open(dg, starts.get(2), false, ONE_RTT_SECRET, end));
        assertEquals(dg.length, end[0]);
    }
}
