package dev.tollgate.logs;

/**
 * How files travel. As a setting: AUTO (the default) sends one tar stream where the server allows it,
 * else SFTP, else SCP; TAR requires the tar stream (files the server's tar could not write still go
 * over SFTP); SFTP and SCP use only that protocol. In a result: the protocol that finished the upload.
 */
public enum Protocol {
    AUTO,
    /** One tar stream over an SSH exec channel, unpacked by GNU tar, renamed into place over SFTP. */
    TAR,
    SFTP,
    SCP
}
