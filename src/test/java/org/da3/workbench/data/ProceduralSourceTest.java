package org.da3.workbench.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.da3.workbench.spec.SpecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProceduralSourceTest {
    @TempDir
    Path dir;

    private DatasetDescriptor write(String name, String generator, long seed) throws IOException {
        Path f = dir.resolve(name + ".yaml");
        Files.writeString(f, "kind: procedural\ngenerator: " + generator + "\ntrain_size: 60\ntest_size: 20\nseed: "
                + seed + "\n");
        return DatasetCatalog.read(f);
    }

    @Test
    void sameSeedGivesIdenticalImagesAndLabels() throws IOException {
        for (String g : new String[] {"shapes", "textures", "glyphs", "signs", "mixture"}) {
            Domain a = DomainSources.load(write("a-" + g, g, 5), new LoadOptions(24, 0, 0, false));
            Domain b = DomainSources.load(write("b-" + g, g, 5), new LoadOptions(24, 0, 0, false));
            assertThat(a.train().pixels()).as(g).isEqualTo(b.train().pixels());
            assertThat(a.train().labels()).as(g).isEqualTo(b.train().labels());
            assertThat(a.test().pixels()).as(g).isEqualTo(b.test().pixels());
            assertThat(a.fingerprint()).isEqualTo(b.fingerprint());
        }
    }

    @Test
    void differentSeedsGiveDifferentImages() throws IOException {
        for (String g : new String[] {"shapes", "textures", "glyphs", "signs", "mixture"}) {
            Domain a = DomainSources.load(write("a-" + g, g, 5), new LoadOptions(24, 0, 0, false));
            Domain b = DomainSources.load(write("b-" + g, g, 6), new LoadOptions(24, 0, 0, false));
            assertThat(Arrays.equals(a.train().pixels(), b.train().pixels())).as(g).isFalse();
            assertThat(a.fingerprint()).isNotEqualTo(b.fingerprint());
        }
    }

    @Test
    void trainAndTestDifferAndClassesAreBalanced() throws IOException {
        Domain d = DomainSources.load(write("s", "shapes", 1), new LoadOptions(16, 0, 0, false));
        assertThat(d.numClasses()).isEqualTo(10);
        assertThat(d.train().size()).isEqualTo(60);
        assertThat(d.test().size()).isEqualTo(20);
        int[] counts = new int[10];
        for (int l : d.train().labels()) {
            counts[l]++;
        }
        assertThat(counts).containsOnly(6);
        assertThat(Arrays.equals(Arrays.copyOf(d.train().pixels(), d.test().pixels().length), d.test().pixels()))
                .isFalse();
        for (float m : d.mean()) {
            assertThat(m).isBetween(0.05f, 0.95f);
        }
    }

    @Test
    void limitsAndImageSizeAreHonoured() throws IOException {
        Domain d = DomainSources.load(write("s", "glyphs", 1), new LoadOptions(20, 30, 7, false));
        assertThat(d.train().size()).isEqualTo(30);
        assertThat(d.test().size()).isEqualTo(7);
        assertThat(d.train().height()).isEqualTo(20);
        assertThat(d.train().pixels()).hasSize(30 * 20 * 20 * 3);
    }

    @Test
    void unknownGeneratorIsNamed() throws IOException {
        DatasetDescriptor d = write("x", "clouds", 1);
        assertThatThrownBy(() -> DomainSources.load(d, new LoadOptions(16, 0, 0, false)))
                .isInstanceOf(SpecException.class)
                .hasMessage(dir.resolve("x.yaml") + ": generator: 'clouds' is not a generator; allowed: shapes,"
                        + " textures, glyphs, signs, mixture");
        DatasetInfo info = DomainSources.forKind("procedural").describe(d);
        assertThat(info.problems()).hasSize(1);
        // a wrong field, not missing data: da3 datasets list said "missing", da3 run "cannot use domain 'x' (missing:"
        assertThat(info.found()).as("the generators are built in; the descriptor is wrong").isTrue();
    }

    @Test
    void catalogKeepsBrokenDescriptorsAsProblems() throws IOException {
        write("good", "shapes", 1);
        Files.writeString(dir.resolve("bad.yaml"), "kind: telepathy\n");
        DatasetCatalog cat = DatasetCatalog.load(dir);
        assertThat(cat.names()).containsExactly("good");
        assertThat(cat.problems()).hasSize(1);
        assertThat(cat.problems().values().iterator().next()).contains("bad.yaml: kind: 'telepathy' is not a source kind");
    }
}
