package dev.quicj.core.crypto;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.quicj.core.Hex;
import dev.quicj.core.QuicVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/** Loads the test-vector data files kept next to this class in the test resources. */
final class Vectors {
    private Vectors() {
    }

    /** The file-name prefix of a version's RFC: {@code rfc9001} for v1, {@code rfc9369} for v2. */
    static String rfc(QuicVersion version) {
        return version == QuicVersion.V1 ? "rfc9001" : "rfc9369";
    }

    /** A {@code .properties} vector file. */
    static Vector properties(String name) {
        Properties p = new Properties();
        try (InputStream in = open(name); Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Vector(name, p);
    }

    /** The bytes of a {@code .hex} file: hexadecimal digits, whitespace ignored, lines starting with # skipped. */
    static byte[] hex(String name) {
        String text;
        try (InputStream in = open(name)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StringBuilder digits = new StringBuilder();
        for (String line : text.split("\n")) {
            if (!line.strip().startsWith("#")) {
                digits.append(line).append('\n');
            }
        }
        return Hex.decode(digits);
    }

    private static InputStream open(String name) {
        InputStream in = Vectors.class.getResourceAsStream(name);
        assertNotNull(in, "missing test vector file " + name);
        return in;
    }

    /** One properties vector file; every accessor fails the test when the key is missing. */
    static final class Vector {
        private final String name;
        private final Properties properties;

        Vector(String name, Properties properties) {
            this.name = name;
            this.properties = properties;
        }

        String string(String key) {
            String value = properties.getProperty(key);
            assertNotNull(value, name + " has no " + key);
            return value.strip();
        }

        byte[] bytes(String key) {
            return Hex.decode(string(key));
        }

        int integer(String key) {
            return Integer.parseInt(string(key));
        }

        long number(String key) {
            return Long.parseLong(string(key));
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
