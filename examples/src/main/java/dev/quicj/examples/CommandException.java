package dev.quicj.examples;

/** A command failed for a reason the user can act on: printed as one {@code error:} line, exit status 1. */
final class CommandException extends Exception {
    private static final long serialVersionUID = 1L;

    CommandException(String message) {
        super(message, null, false, false);
    }
}
