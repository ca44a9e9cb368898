package org.da3.workbench.data.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.da3.workbench.spec.SpecException;
import org.junit.jupiter.api.Test;

class DataPathsTest {
    private static final Map<String, String> ENV = Map.of("DATA", "/srv/data", "EMPTY", "");

    private static Path expand(String raw) {
        return DataPaths.expand(raw, ENV::get, "/home/ada", "datasets/x.yaml", "path");
    }

    @Test
    void expandsHomeAndVariables() {
        assertThat(expand("~/data/cub")).isEqualTo(Path.of("/home/ada/data/cub"));
        assertThat(expand("~")).isEqualTo(Path.of("/home/ada"));
        assertThat(expand("${DATA}/cifar")).isEqualTo(Path.of("/srv/data/cifar"));
        assertThat(expand("$DATA/cifar")).isEqualTo(Path.of("/srv/data/cifar"));
        assertThat(expand("${MISSING:-~/fallback}/x")).isEqualTo(Path.of("/home/ada/fallback/x"));
        assertThat(expand("${EMPTY:-/opt}/x")).isEqualTo(Path.of("/opt/x"));
        assertThat(expand("/a/./b/../c")).isEqualTo(Path.of("/a/c"));
    }

    @Test
    void anUnsetVariableIsAnErrorNamingIt() {
        assertThatThrownBy(() -> expand("$NOPE/cub")).isInstanceOf(SpecException.class)
                .hasMessage("datasets/x.yaml: path: '$NOPE/cub' uses the environment variable NOPE, which is not set;"
                        + " set it, write ${NOPE:-default}, or write the path out");
        assertThatThrownBy(() -> expand("~bob/cub")).isInstanceOf(SpecException.class)
                .hasMessage("datasets/x.yaml: path: '~bob/cub': only ~ (your home folder) is expanded, not ~user;"
                        + " write the path out");
    }

    @Test
    void relativePathsAreRelativeToTheWorkspace() {
        assertThat(DataPaths.isWorkspaceRelative("data/cub")).isTrue();
        assertThat(DataPaths.isWorkspaceRelative("/data/cub")).isFalse();
        assertThat(DataPaths.isWorkspaceRelative("~/cub")).isFalse();
        assertThat(DataPaths.isWorkspaceRelative("${DATA}/cub")).isFalse();
    }
}
