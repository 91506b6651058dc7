package dev.quicj.core.tls;

import dev.quicj.core.Role;
import dev.quicj.core.QuicException;
import dev.quicj.core.wire.NetworkOrder;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The value of the version_information transport parameter (0x11) of compatible version negotiation
 * (<a href="https://www.rfc-editor.org/rfc/rfc9368#section-3">RFC 9368 §3</a>). Immutable.
 *
 * <pre>
 * Version Information {
 *   Chosen Version (32),
 *   Available Versions (32) ...,
 * }
 * </pre>
 *
 * <p>Versions are 32-bit wire values ({@link dev.quicj.core.QuicVersion#wireValue()}); reserved (greased) versions
 * are kept as they are.
 */
public final class VersionInformation {
    private final int chosenVersion;
    private final List<Integer> availableVersions;

    private VersionInformation(int chosenVersion, List<Integer> availableVersions) {
        this.chosenVersion = chosenVersion;
        this.availableVersions = availableVersions;
    }

    /**
     * A version_information value.
     *
     * @param chosenVersion the version of the packets carrying this parameter; not 0
     * @param availableVersions the versions the sender can use, most preferred first for a client; none may be 0.
     *     A client must list its chosen version here (checked when the ClientHello is built).
     * @throws IllegalArgumentException if a version is 0, which RFC 9368 §4 makes a parsing failure
     */
    public static VersionInformation of(int chosenVersion, int... availableVersions) {
        if (chosenVersion == 0) {
            throw new IllegalArgumentException("Chosen Version must not be 0");
        }
        List<Integer> available = new ArrayList<>(availableVersions.length);
        for (int v : availableVersions) {
            if (v == 0) {
                throw new IllegalArgumentException("an Available Version must not be 0");
            }
            available.add(v);
        }
        return new VersionInformation(chosenVersion, Collections.unmodifiableList(available));
    }

    /** The Chosen Version: the version of the packets that carried this parameter. */
    public int chosenVersion() {
        return chosenVersion;
    }

    /** The Available Versions in wire order; unmodifiable. */
    public List<Integer> availableVersions() {
        return availableVersions;
    }

    int encodedLength() {
        return 4 * (1 + availableVersions.size());
    }

    void encode(ByteBuffer dst) {
        dst.putInt(NetworkOrder.convert(dst, chosenVersion));
        for (int v : availableVersions) {
            dst.putInt(NetworkOrder.convert(dst, v));
        }
    }

    /**
     * Decodes the whole of {@code value}.
     *
     * @throws QuicException TRANSPORT_PARAMETER_ERROR for every parsing failure of RFC 9368 §4: a value shorter than
     *     4 bytes or not a multiple of 4, a zero version, or (from a client) a Chosen Version missing from the
     *     Available Versions
     */
    static VersionInformation decode(ByteBuffer value, Role sender) throws QuicException {
        int length = value.remaining();
        if (length < 4 || length % 4 != 0) {
            throw TlsWire.transportParameter("version_information length " + length
                    + " is not a positive multiple of 4");
        }
        int chosen = value.getInt();
        if (chosen == 0) {
            throw TlsWire.transportParameter("version_information Chosen Version is 0");
        }
        List<Integer> available = new ArrayList<>(length / 4 - 1);
        boolean chosenListed = false;
        while (value.hasRemaining()) {
            int v = value.getInt();
            if (v == 0) {
                throw TlsWire.transportParameter("version_information has an Available Version 0");
            }
            chosenListed |= v == chosen;
            available.add(v);
        }
        // RFC 9368 §4: "If a server receives Version Information where the Chosen Version is not included in
        // Available Versions, it MUST treat it as a parsing failure."
        if (sender == Role.CLIENT && !chosenListed) {
            throw TlsWire.transportParameter("client version_information does not list its Chosen Version 0x"
                    + Integer.toHexString(chosen) + " among its Available Versions");
        }
        return new VersionInformation(chosen, Collections.unmodifiableList(available));
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof VersionInformation)) {
            return false;
        }
        VersionInformation that = (VersionInformation) o;
        return chosenVersion == that.chosenVersion && availableVersions.equals(that.availableVersions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(chosenVersion, availableVersions);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("VersionInformation{chosen=0x").append(Integer.toHexString(chosenVersion))
                .append(", available=[");
        for (int i = 0; i < availableVersions.size(); i++) {
            sb.append(i == 0 ? "0x" : ", 0x").append(Integer.toHexString(availableVersions.get(i)));
        }
        return sb.append("]}").toString();
    }
}
