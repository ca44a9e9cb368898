package org.da3.workbench.run;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.da3.workbench.run.event.EventCodec;

/**
 * Where a run that ran on another machine left its files, and whether they have been copied back:
 * {@code remote.json} in its local run directory, written by the ssh target when it starts the
 * worker and marked collected once the run's files and events came back. {@code da3 targets
 * collect} reads it to copy them back later, when the machine answers again; {@code --resume}
 * reads it to warn before it trains again what the machine still holds.
 *
 * @param target the target's name in experiments/targets.yaml, or its ssh:// address (what
 *     {@code --target} takes)
 * @param address {@code user@host:port}, for messages
 * @param remoteRunDir the run's absolute folder on the machine
 * @param collected whether its files and events were copied back
 */
public record RemoteRun(@JsonProperty("target") String target, @JsonProperty("address") String address,
        @JsonProperty("remote_run_dir") String remoteRunDir, @JsonProperty("collected") boolean collected) {

    /** The file's name in a run directory. */
    public static final String FILE = "remote.json";

    /**
     * The record of a run directory.
     *
     * @param dir the run directory
     * @return the record, or null for a run that ran on this machine (no remote.json)
     * @throws IOException naming the file, if it cannot be read or lacks a field
     */
    public static RemoteRun read(RunDirectory dir) throws IOException {
        Path f = dir.dir().resolve(FILE);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        JsonNode n;
        try {
            n = EventCodec.JSON.readTree(f.toFile());
        } catch (IOException e) {
            throw new IOException(f + ": not the JSON the workbench wrote (" + EventLog.oneLine(String.valueOf(e.getMessage()), 200) + ")",
                    e);
        }
        for (String field : new String[] {"target", "remote_run_dir"}) {
            if (n == null || !n.path(field).isTextual() || n.path(field).asText().isBlank()) {
                throw new IOException(f + ": " + field + " is missing; the workbench writes it when it starts a"
                        + " remote run, so this file was changed or cut off");
            }
        }
        return new RemoteRun(n.path("target").asText(), n.path("address").asText(""), n.path("remote_run_dir").asText(),
                n.path("collected").asBoolean(false));
    }

    /**
     * Writes the record into a run directory (atomically).
     *
     * @param dir the run directory
     * @throws IOException if it cannot be written
     */
    public void write(RunDirectory dir) throws IOException {
        AtomicFiles.writeString(dir.dir().resolve(FILE),
                EventCodec.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this) + "\n");
    }

    /** @return the same run, marked as copied back */
    public RemoteRun markCollected() {
        return new RemoteRun(target, address, remoteRunDir, true);
    }
}
