package org.da3.workbench.data.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.da3.workbench.data.DatasetCatalog;
import org.da3.workbench.data.DatasetDescriptor;
import org.da3.workbench.data.DatasetInfo;
import org.da3.workbench.data.Domain;
import org.da3.workbench.data.DomainSources;
import org.da3.workbench.data.LoadOptions;
import org.da3.workbench.test.TestWorkspace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reads the real Fashion-MNIST files of Debian's package {@code dataset-fashion-mnist} through the
 * committed descriptor {@code datasets/fashion-mnist.yaml}. The CI script installs the package;
 * without it this test fails and says so.
 */
class FashionMnistTest {
    private static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");
    private static DatasetDescriptor descriptor;

    @BeforeAll
    static void installed() {
        assertThat(Files.isRegularFile(DIR.resolve("train-images-idx3-ubyte.gz")))
                .as(DIR + " lacks the Fashion-MNIST files; install them with: sudo apt-get install dataset-fashion-mnist")
                .isTrue();
        descriptor = DatasetCatalog.read(TestWorkspace.projectDir().resolve("datasets/fashion-mnist.yaml"));
    }

    @Test
    void checksAndDescribesTheInstalledFiles() {
        DatasetInfo i = DomainSources.forKind("idx").describe(descriptor);
        assertThat(i.found()).isTrue();
        assertThat(i.trainSize()).isEqualTo(60000);
        assertThat(i.testSize()).isEqualTo(10000);
        assertThat(i.classes()).isEqualTo(10);
        assertThat(DomainSources.forKind("idx").check(descriptor)).isEmpty();
    }

    @Test
    void loadsAt32PixelsWithTheClassNames() {
        Domain d = DomainSources.load(descriptor, new LoadOptions(32, 200, 100, true));
        assertThat(d.classNames()).containsExactly("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
                "Shirt", "Sneaker", "Bag", "Ankle boot");
        assertThat(d.train().size()).isEqualTo(200);
        assertThat(d.test().size()).isEqualTo(100);
        assertThat(d.train().height()).isEqualTo(32);
        assertThat(d.train().channels()).isEqualTo(1);
        assertThat(d.train().labels()).startsWith(9, 0, 0, 3, 0, 2, 7, 2, 5, 5);
        assertThat(d.test().labels()).startsWith(9, 2, 1, 1, 6, 1, 4, 6, 5, 7);
        // Statistics over all 60000 training images (Fashion-MNIST: mean 0.286, std 0.353).
        assertThat(d.mean()[0]).isBetween(0.28f, 0.29f);
        assertThat(d.std()[0]).isBetween(0.35f, 0.36f);
    }
}
