package dev.quicj.examples;

/** Bad command-line arguments: printed as one line followed by the command's usage, exit status 2. */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message, null, false, false);
    }
}
