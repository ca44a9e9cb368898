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

    /**
     * A damaged or hand-edited file never keeps the window from opening: a last spec that is no
     * path is forgotten (it stopped {@code da3 gui} with "Nul character not allowed"), and a window
     * size of 1e9 is cut to the screen (the window laid out a billion pixels of table rows and never
     * appeared), one that is no size at all gives the default.
     */
    @Test
    void aDamagedFileOpensAWindowThatFits(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("workbench.properties");
        Files.writeString(file, "spec.last=\\u0000bad\n" + "window.width=1e9\nwindow.height=-3\nwindow.x=NaN\n");
        WindowState s = new WindowState(file);
        assertThat(s.lastSpec()).isNull();
        assertThat(s.length("window.width", 1500, 400, 1600)).isEqualTo(1600);
        assertThat(s.length("window.height", 940, 300, 1000)).as("negative: the default").isEqualTo(940);
        assertThat(s.length("window.height", 940, 300, 800)).as("the default fits too").isEqualTo(800);
        assertThat(s.length("window.x", 1500, 400, 1600)).isEqualTo(1500);
        assertThat(s.length("absent", 1500, 400, 1600)).isEqualTo(1500);
        s.setNumber("window.width", 1234);
        assertThat(s.length("window.width", 1500, 400, 1600)).isEqualTo(1234);
    }
}
