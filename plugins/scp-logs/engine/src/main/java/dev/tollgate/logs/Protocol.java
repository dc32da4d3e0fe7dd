package dev.tollgate.logs;

/** How files travel. AUTO uses SFTP and falls back to SCP when the server has no SFTP subsystem. */
public enum Protocol {
    AUTO, SFTP, SCP
}
