package dev.quicj.core.tls;

import dev.quicj.core.Hex;
import dev.quicj.core.QuicException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One TLS extension as received: its type and its {@code extension_data}
 * (<a href="https://www.rfc-editor.org/rfc/rfc8446#section-4.2">RFC 8446 §4.2</a>). Immutable; the data is copied in
 * and out.
 *
 * <pre>
 * struct {
 *     ExtensionType extension_type;
 *     opaque extension_data&lt;0..2^16-1&gt;;
 * } Extension;
 * </pre>
 */
public final class TlsExtension {
    private final int type;
    private final byte[] data;

    private TlsExtension(int type, byte[] data) {
        this.type = type;
        this.data = data;
    }

    /** The extension type, 0..65535; see {@link TlsCodepoints#extensionName(int)}. */
    public int type() {
        return type;
    }

    /** The extension_data; a fresh copy. */
    public byte[] data() {
        return data.clone();
    }

    /** A read-only view of the extension_data, positioned at its start. */
    ByteBuffer dataBuffer() {
        return ByteBuffer.wrap(data).asReadOnlyBuffer();
    }

    /**
     * Reads an {@code Extension extensions<0..2^16-1>} block.
     *
     * @throws QuicException CRYPTO_ERROR(decode_error) if the block is truncated, CRYPTO_ERROR(illegal_parameter)
     *     if a type repeats (RFC 8446 §4.2: "There MUST NOT be more than one extension of the same type")
     */
    static List<TlsExtension> decodeBlock(ByteBuffer src) throws QuicException {
        ByteBuffer block = TlsWire.vector16(src, "extensions");
        List<TlsExtension> extensions = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        while (block.hasRemaining()) {
            int type = TlsWire.u16(block, "extension type");
            byte[] data = TlsWire.toArray(TlsWire.vector16(block, TlsCodepoints.extensionName(type)));
            if (!seen.add(type)) {
                throw TlsWire.illegalParameter("extension " + TlsCodepoints.extensionName(type) + " appears twice");
            }
            extensions.add(new TlsExtension(type, data));
        }
        return Collections.unmodifiableList(extensions);
    }

    /** The extension of the given type in {@code extensions}, or {@code null}. */
    static TlsExtension find(List<TlsExtension> extensions, int type) {
        for (TlsExtension e : extensions) {
            if (e.type == type) {
                return e;
            }
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsExtension && ((TlsExtension) o).type == type
                && Arrays.equals(((TlsExtension) o).data, data);
    }

    @Override
    public int hashCode() {
        return 31 * type + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return TlsCodepoints.extensionName(type) + "(" + data.length + " bytes: " + Hex.encode(data) + ")";
    }
}
