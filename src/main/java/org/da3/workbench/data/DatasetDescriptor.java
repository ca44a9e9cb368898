package org.da3.workbench.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One dataset as described by a {@code datasets/<name>.yaml} file: its name, its source kind and
 * the kind-specific fields, kept as a tree for the {@link DomainSource} of that kind to validate.
 *
 * @param name the dataset name used in specs
 * @param kind the source kind, for example {@code procedural} or {@code idx}
 * @param title a display name
 * @param description one line for lists and the GUI
 * @param file the descriptor file (null for descriptors built in memory)
 * @param fields the whole descriptor tree, for kind-specific fields
 */
public record DatasetDescriptor(
        String name, String kind, String title, String description, Path file, JsonNode fields) {

    /** Checks the required fields. */
    public DatasetDescriptor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        title = title == null || title.isBlank() ? name : title;
        description = description == null ? "" : description;
        Objects.requireNonNull(fields, "fields");
    }

    /** @return the file name used in error messages */
    public String fileName() {
        return file == null ? "datasets/" + name + ".yaml" : file.toString();
    }
}
