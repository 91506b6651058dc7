package dev.quicj.core.conn;

import dev.quicj.core.QuicVersion;
import dev.quicj.core.crypto.CipherSuite;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.CryptoProvider;
import dev.quicj.core.crypto.PacketProtection;
import java.nio.ByteBuffer;

/**
 * Wraps a provider so that sealing (or header protection) can be made to fail on demand: the CALLBACK_FAILURE path.
 */
public final class FailingCryptoProvider implements CryptoProvider {
    /** What fails once armed. */
    public enum Failure {
        NONE,
        SEAL,
        HEADER_PROTECTION,
        /** Sealing throws an unchecked exception, as a buggy custom cipher might. */
        SEAL_UNCHECKED,
        /** Header protection throws an unchecked exception. */
        HEADER_PROTECTION_UNCHECKED,
        /** Opening throws an unchecked exception. */
        OPEN_UNCHECKED
    }

    private final CryptoProvider delegate;
    private volatile Failure failure = Failure.NONE;
    // how many more times the chosen operation succeeds before it throws
    private volatile int successesLeft;

    public FailingCryptoProvider(CryptoProvider delegate) {
        this.delegate = delegate;
    }

    /** From now on, the chosen operation throws. */
    public void fail(Failure failure) {
        failAfter(failure, 0);
    }

    /** From now on, the chosen operation succeeds {@code successes} more times, then throws. */
    public void failAfter(Failure failure, int successes) {
        this.successesLeft = successes;
        this.failure = failure;
    }

    // whether the chosen operation, now attempted, throws
    private boolean fails(Failure operation) {
        if (failure != operation) {
            return false;
        }
        if (successesLeft > 0) {
            successesLeft--;
            return false;
        }
        return true;
    }

    @Override
    public PacketProtection newPacketProtection(QuicVersion version, CipherSuite suite, byte[] secret)
            throws CryptoException {
        PacketProtection p = delegate.newPacketProtection(version, suite, secret);
        return new ForwardingPacketProtection(p) {
            @Override
            public void seal(ByteBuffer packet, int headerOffset, int headerLength, int payloadLength,
                    long packetNumber) throws CryptoException {
                if (fails(Failure.SEAL)) {
                    throw new CryptoException("seal failure injected by the test", null);
                }
                if (fails(Failure.SEAL_UNCHECKED)) {
                    throw new IllegalStateException("unchecked seal failure injected by the test");
                }
                p.seal(packet, headerOffset, headerLength, payloadLength, packetNumber);
            }

            @Override
            public int open(ByteBuffer packet, int headerOffset, int headerLength, int ciphertextLength,
                    long packetNumber) throws CryptoException {
                if (fails(Failure.OPEN_UNCHECKED)) {
                    throw new IllegalStateException("unchecked open failure injected by the test");
                }
                return p.open(packet, headerOffset, headerLength, ciphertextLength, packetNumber);
            }

            @Override
            public void headerProtectionMask(ByteBuffer packet, int sampleOffset, byte[] mask) throws CryptoException {
                if (fails(Failure.HEADER_PROTECTION)) {
                    throw new CryptoException("header protection failure injected by the test", null);
                }
                if (fails(Failure.HEADER_PROTECTION_UNCHECKED)) {
                    throw new IndexOutOfBoundsException("unchecked header protection failure injected by the test");
                }
                p.headerProtectionMask(packet, sampleOffset, mask);
            }
        };
    }
}
