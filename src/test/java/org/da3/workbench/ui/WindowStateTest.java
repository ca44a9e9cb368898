package org.da3.workbench.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Window layout and the last spec survive a restart through a small properties file. */
class WindowStateTest {

    @Test
    void remembersBoundsAndTheLastSpec(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cfg/workbench.properties");
        Path spec = Files.writeString(dir.resolve("a.yaml"), "name: a\n");
        WindowState s = new WindowState(file);
        s.setNumber("window.width", 1234);
        s.setLastSpec(spec);
        assertThat(s.save()).isTrue();

        WindowState back = new WindowState(file);
        assertThat(back.number("window.width", 0)).isEqualTo(1234);
        assertThat(back.number("window.height", 77)).isEqualTo(77);
        assertThat(back.lastSpec()).isEqualTo(spec.toAbsolutePath().normalize());

        Files.delete(spec);
        assertThat(new WindowState(file).lastSpec()).as("a deleted spec is forgotten").isNull();
    }
}
