package dev.quicj.examples;

import dev.quicj.core.ConnectionId;
import dev.quicj.core.Hex;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small parser for {@code --name value} options, {@code --flag} switches and positional arguments. Every
 * malformed input is a {@link UsageException} naming the option.
 */
final class Args {
    private final Map<String, String> values = new HashMap<>();
    private final Set<String> flags = new HashSet<>();
    private final List<String> positional = new ArrayList<>();
    private final Set<String> used = new HashSet<>();

    /**
     * @param valued the options that take a value (without "--")
     * @param switches the options that take none
     */
    Args(String[] argv, Set<String> valued, Set<String> switches) throws UsageException {
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (a.startsWith("--")) {
                String name = a.substring(2);
                String inline = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    inline = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (valued.contains(name)) {
                    String v = inline;
                    if (v == null) {
                        if (i + 1 >= argv.length) {
                            throw new UsageException("option --" + name + " needs a value");
                        }
                        v = argv[++i];
                    }
                    if (values.put(name, v) != null) {
                        throw new UsageException("option --" + name + " given twice");
                    }
                } else if (switches.contains(name) && inline == null) {
                    flags.add(name);
                } else {
                    throw new UsageException("unknown option --" + name);
                }
            } else {
                positional.add(a);
            }
        }
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    String string(String name, String defaultValue) {
        return values.getOrDefault(name, defaultValue);
    }

    String required(String name) throws UsageException {
        String v = values.get(name);
        if (v == null) {
            throw new UsageException("missing required option --" + name);
        }
        return v;
    }

    List<String> positional() {
        return positional;
    }

    /** A number in decimal or {@code 0x} hexadecimal, in [min, max]. */
    static long number(String name, String text, long min, long max) throws UsageException {
        long v;
        try {
            String t = text.trim();
            if (t.startsWith("0x") || t.startsWith("0X")) {
                v = Long.parseUnsignedLong(t.substring(2), 16);
                if (v < 0) {
                    throw new NumberFormatException();
                }
            } else {
                v = Long.parseLong(t);
            }
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " is not a number: '" + text + "'");
        }
        if (v < min || v > max) {
            throw new UsageException("--" + name + " must be in " + min + ".." + max + ": " + text);
        }
        return v;
    }

    long number(String name, long defaultValue, long min, long max) throws UsageException {
        String t = values.get(name);
        return t == null ? defaultValue : number(name, t, min, max);
    }

    static byte[] hex(String name, String text) throws UsageException {
        try {
            return Hex.decode(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--" + name + " is not hexadecimal: " + e.getMessage());
        }
    }

    static ConnectionId connectionId(String name, String text) throws UsageException {
        byte[] b = hex(name, text);
        if (b.length > ConnectionId.MAX_LENGTH) {
            throw new UsageException("--" + name + " is longer than 20 bytes: " + b.length);
        }
        return ConnectionId.of(b);
    }
}
