package org.da3.workbench.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker jar: in tests, the same-machine development jar. */
class WorkerJarTest {

    @Test
    void theDevelopmentJarIsReproducibleAndRunsTheCli() throws Exception {
        WorkerJar a = WorkerJar.current();
        WorkerJar b = WorkerJar.current();
        assertThat(a.development()).isTrue();
        assertThat(a.sha256()).matches("[0-9a-f]{64}").isEqualTo(b.sha256());
        assertThat(a.path().getFileName().toString()).isEqualTo(a.sha256() + ".jar");
        assertThat(WorkerJar.sha256(a.path())).isEqualTo(a.sha256());
        assertThat(WorkerJar.isSelfContained(a.path())).isFalse();
        try (JarFile jf = new JarFile(a.path().toFile())) {
            Attributes m = jf.getManifest().getMainAttributes();
            assertThat(m.getValue(Attributes.Name.MAIN_CLASS)).isEqualTo(LocalTarget.MAIN_CLASS);
            assertThat(m.getValue(Attributes.Name.CLASS_PATH)).contains("file:/").contains("picocli");
            assertThat(jf.getEntry("org/da3/workbench/cli/Da3.class")).isNotNull();
        }
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                a.path().toString(), "--version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).startsWith("DA3 Workbench");
    }

    @Test
    void theSameClassesGiveTheSameHashAndOtherClassesAnother(@TempDir Path dir) throws Exception {
        Path classes = Files.createDirectories(dir.resolve("classes/x"));
        Files.writeString(classes.resolve("A.class"), "a");
        String cp = dir.resolve("classes") + File.pathSeparator + dir.resolve("missing.jar");
        WorkerJar one = WorkerJar.development(dir.resolve("classes"), cp);
        Files.setLastModifiedTime(classes.resolve("A.class"), java.nio.file.attribute.FileTime.fromMillis(0));
        WorkerJar two = WorkerJar.development(dir.resolve("classes"), cp);
        assertThat(two.sha256()).isEqualTo(one.sha256());
        Files.writeString(classes.resolve("A.class"), "b");
        assertThat(WorkerJar.development(dir.resolve("classes"), cp).sha256()).isNotEqualTo(one.sha256());
    }

    @Test
    void aFileWrittenAgainToTheSameSizeWithItsModificationTimeSetBackIsHashedAgain(@TempDir Path dir)
            throws Exception {
        // a patch edited in place, same size, its mtime restored (cp -p, an editor, the same millisecond):
        // the remembered hash must not stand for the new content
        Path f = Files.writeString(dir.resolve("p.safetensors"), "aaaa");
        java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(f);
        String first = WorkerJar.sha256(f);
        Thread.sleep(20);
        Files.writeString(f, "bbbb");
        Files.setLastModifiedTime(f, mtime);
        assertThat(WorkerJar.sha256(f)).isNotEqualTo(first);
        // replaced by another file of the same size and mtime, by a rename
        Path other = Files.writeString(dir.resolve("q"), "aaaa");
        Files.setLastModifiedTime(other, mtime);
        Files.move(other, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(WorkerJar.sha256(f)).isEqualTo(first);
    }
}
