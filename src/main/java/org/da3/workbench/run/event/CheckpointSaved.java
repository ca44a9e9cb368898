package org.da3.workbench.run.event;

/**
 * A domain's patch was written.
 *
 * @param domain the domain
 * @param path the patch file, relative to the run directory
 * @param bytes the file size
 * @param trainableParams scalars trained for the domain
 * @param sha256 the file's SHA-256 (hex)
 */
public record CheckpointSaved(String domain, String path, long bytes, long trainableParams, String sha256)
        implements Event {}
