package dev.quicj.core;

/** Which end of a connection this endpoint is. */
public enum Role {
    CLIENT,
    SERVER
}
