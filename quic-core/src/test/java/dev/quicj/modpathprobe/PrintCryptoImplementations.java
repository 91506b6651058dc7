package dev.quicj.modpathprobe;

import dev.quicj.core.crypto.CryptoProvider;

/** Run in a child JVM by {@code AddOpensAdviceTest}: prints what quic-core says about its crypto fast paths. */
public final class PrintCryptoImplementations {
    private PrintCryptoImplementations() {
    }

    public static void main(String[] args) {
        System.out.println("module=" + CryptoProvider.class.getModule().getName());
        System.out.println("aes=" + CryptoProvider.aesGcmImplementation());
        System.out.println("sha=" + CryptoProvider.sha256Implementation());
    }
}
