package dev.quicj.core.conn;

import dev.quicj.core.crypto.CipherSuite;
import dev.quicj.core.crypto.CryptoException;
import dev.quicj.core.crypto.PacketProtection;
import java.nio.ByteBuffer;
import java.util.Objects;

/** A {@link PacketProtection} that forwards every call to another; tests override what they observe or replace. */
class ForwardingPacketProtection implements PacketProtection {
    private final PacketProtection delegate;

    ForwardingPacketProtection(PacketProtection delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public CipherSuite suite() {
        return delegate.suite();
    }

    @Override
    public int tagLength() {
        return delegate.tagLength();
    }

    @Override
    public void seal(ByteBuffer packet, int headerOffset, int headerLength, int payloadLength, long packetNumber)
            throws CryptoException {
        delegate.seal(packet, headerOffset, headerLength, payloadLength, packetNumber);
    }

    @Override
    public int open(ByteBuffer packet, int headerOffset, int headerLength, int ciphertextLength, long packetNumber)
            throws CryptoException {
        return delegate.open(packet, headerOffset, headerLength, ciphertextLength, packetNumber);
    }

    @Override
    public void headerProtectionMask(ByteBuffer packet, int sampleOffset, byte[] mask) throws CryptoException {
        delegate.headerProtectionMask(packet, sampleOffset, mask);
    }
}
