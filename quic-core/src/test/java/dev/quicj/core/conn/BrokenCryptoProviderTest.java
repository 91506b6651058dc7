package dev.quicj.core.conn;

import static dev.quicj.core.conn.ConnectionFixtures.SERVER_PATH;
import static dev.quicj.core.conn.ConnectionFixtures.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.EncryptionLevel;
import dev.quicj.core.QuicVersion;
import dev.quicj.core.crypto.CipherSuite;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.InitialProtections;
import dev.quicj.core.crypto.PacketProtection;
import dev.quicj.core.packet.PacketWriter;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A custom {@link CryptoProvider} that breaks its contract (an unchecked exception, or null where a protection is due)
 * gets the typed outcome a {@link CryptoException} gets, and leaves the connection as it was: the seam the developers'
 * guide asks for ("a failing cipher maps to a CALLBACK_FAILURE-style error") holds for any cipher, not only for ones
 * that fail politely. (Sealing with such a cipher is case E8 in {@link CloseWriterEdgeCaseTest}.)
 */
class BrokenCryptoProviderTest {

    @Test
    void anUncheckedOpeningFailureDropsThePacketAndKeepsNoKeys() throws Exception {
        byte[] initial = ConnectionFixtures.clientFirstInitial(Settings.defaults());
        FailingCryptoProvider crypto = new FailingCryptoProvider(CryptoProvider.jca());
        QuicConnection s = ConnectionFixtures.serverBuilder(Settings.builder().cryptoProvider(crypto).build())
                .build(T0);
        crypto.fail(FailingCryptoProvider.Failure.OPEN_UNCHECKED);
        assertEquals(ReceiveStatus.DROPPED, s.receive(ByteBuffer.wrap(initial.clone()), SERVER_PATH, T0));
        assertEquals(DropReason.DECRYPTION_FAILED, s.lastDropReason());
        assertFalse(s.hasTxKey(EncryptionLevel.INITIAL));
        assertEquals(ConnectionState.SERVER_INITIAL, s.state());

        // the same Initial, once the cipher behaves, is read as if nothing had happened
        crypto.fail(FailingCryptoProvider.Failure.NONE);
        assertEquals(ReceiveStatus.PROCESSED, s.receive(ByteBuffer.wrap(initial.clone()), SERVER_PATH, T0));
        assertTrue(s.hasTxKey(EncryptionLevel.INITIAL));
    }

    /** How a broken provider answers a request for keys. */
    enum Breakage {
        THROWS,
        RETURNS_NULL
    }

    /** Builds keys as the JCA does until {@link #broken} is set, then breaks as told. */
    private static final class BrokenKeys implements CryptoProvider {
        volatile Breakage broken;

        @Override
        public PacketProtection newPacketProtection(QuicVersion version, CipherSuite suite, byte[] secret)
                throws CryptoException {
            if (broken == Breakage.THROWS) {
                throw new ArrayIndexOutOfBoundsException("a provider bug");
            }
            if (broken == Breakage.RETURNS_NULL) {
                return null;
            }
            return CryptoProvider.jca().newPacketProtection(version, suite, secret);
        }
    }

    @ParameterizedTest
    @EnumSource(Breakage.class)
    void aServerDropsAnInitialItCannotKey(Breakage breakage) throws Exception {
        byte[] initial = ConnectionFixtures.clientFirstInitial(Settings.defaults());
        BrokenKeys crypto = new BrokenKeys();
        QuicConnection s = ConnectionFixtures.serverBuilder(Settings.builder().cryptoProvider(crypto).build())
                .build(T0);
        crypto.broken = breakage;
        assertEquals(ReceiveStatus.DROPPED, s.receive(ByteBuffer.wrap(initial.clone()), SERVER_PATH, T0));
        assertEquals(DropReason.NO_KEYS, s.lastDropReason());
        assertFalse(s.hasTxKey(EncryptionLevel.INITIAL));
        assertEquals(ConnectionState.SERVER_INITIAL, s.state());
    }

    @ParameterizedTest
    @EnumSource(Breakage.class)
    void installingAKeyFailsTypedAndInstallsNothing(Breakage breakage) throws Exception {
        BrokenKeys crypto = new BrokenKeys();
        QuicConnection c = ConnectionFixtures.client(Settings.builder().cryptoProvider(crypto).build());
        crypto.broken = breakage;
        byte[] secret = new byte[CipherSuite.TLS_AES_128_GCM_SHA256.hashLength()];
        CryptoException e = assertThrows(CryptoException.class,
                () -> c.installTxKey(EncryptionLevel.HANDSHAKE, CipherSuite.TLS_AES_128_GCM_SHA256, secret));
        if (breakage == Breakage.THROWS) {
            assertInstanceOf(ArrayIndexOutOfBoundsException.class, e.getCause());
        } else {
            assertNull(e.getCause());
        }
        assertFalse(c.hasTxKey(EncryptionLevel.HANDSHAKE));
        // the slot stays free: a working provider installs the key afterwards
        crypto.broken = null;
        c.installTxKey(EncryptionLevel.HANDSHAKE, CipherSuite.TLS_AES_128_GCM_SHA256, secret);
        assertTrue(c.hasTxKey(EncryptionLevel.HANDSHAKE));
    }

    @ParameterizedTest
    @EnumSource(Breakage.class)
    void aStatelessCloseWithABrokenProviderIsCallbackFailure(Breakage breakage) {
        BrokenKeys crypto = new BrokenKeys();
        InitialProtections keys = new InitialProtections(crypto);
        crypto.broken = breakage;
        ConnectionId dcid = ConnectionId.fromHex("8394c8f03e515708");
        ByteBuffer dest = ByteBuffer.allocate(1500);
        assertEquals(CloseOutcome.CALLBACK_FAILURE, StatelessClose.write(dest, QuicVersion.V1, dcid,
                ConnectionId.fromHex("f067a5502a4262b5"), dcid, 0, CloseError.transport(2), keys, new PacketWriter()));
        assertEquals(0, dest.position());
        assertThrows(IllegalStateException.class, keys::server, "no keys are handed out after the failure");

        crypto.broken = null;
        assertEquals(CloseOutcome.WRITTEN, StatelessClose.write(dest, QuicVersion.V1, dcid,
                ConnectionId.fromHex("f067a5502a4262b5"), dcid, 0, CloseError.transport(2), keys, new PacketWriter()));
    }
}
