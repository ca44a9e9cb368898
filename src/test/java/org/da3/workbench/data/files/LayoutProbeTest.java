package org.da3.workbench.data.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.da3.workbench.test.DatasetFixtures.cifar10;
import static org.da3.workbench.test.DatasetFixtures.idxDataset;
import static org.da3.workbench.test.DatasetFixtures.imageFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.da3.workbench.data.DatasetDescriptor;
import org.da3.workbench.data.DatasetException;
import org.da3.workbench.data.DomainSources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayoutProbeTest {
    @TempDir
    Path tmp;

    private static DatasetDescriptor only(Path p) {
        return LayoutProbe.infer(p).get(0);
    }

    @Test
    void recognisesEachLayout() throws IOException {
        assertThat(only(idxDataset(tmp.resolve("mnist"), 4, 2, 2, true)).kind()).isEqualTo("idx");
        assertThat(only(tmp.resolve("mnist/train-images-idx3-ubyte.gz")).kind()).isEqualTo("idx");
        assertThat(only(cifar10(tmp.resolve("cifar-10-batches-bin"), 1, 1)).kind()).isEqualTo("cifar");
        DatasetDescriptor f = only(imageFolder(tmp.resolve("CUB 200"), "train", new String[] {"a"}, 1, 8));
        assertThat(f.kind()).isEqualTo("imagefolder");
        assertThat(f.name()).isEqualTo("CUB-200");
        assertThat(DomainSources.forKind("idx").check(only(tmp.resolve("mnist")))).isEmpty();
    }

    @Test
    void otherIdxPrefixesBecomeSplits() throws IOException {
        Path d = tmp.resolve("kmnist");
        Files.createDirectories(d);
        Files.write(d.resolve("k49-train-images.idx3-ubyte"), org.da3.workbench.test.DatasetFixtures.idxImages(4, 8, 8));
        Files.write(d.resolve("k49-train-labels.idx1-ubyte"), org.da3.workbench.test.DatasetFixtures.idxLabels(0, 1, 0,
                1));
        Files.write(d.resolve("k49-test-images.idx3-ubyte"), org.da3.workbench.test.DatasetFixtures.idxImages(2, 8, 8));
        Files.write(d.resolve("k49-test-labels.idx1-ubyte"), org.da3.workbench.test.DatasetFixtures.idxLabels(0, 1));
        DatasetDescriptor k = only(d);
        assertThat(k.fields().path("splits").path("train").asText()).isEqualTo("k49-train");
        assertThat(k.fields().path("splits").path("test").asText()).isEqualTo("k49-test");
        assertThat(DomainSources.forKind("idx").check(k)).isEmpty();
    }

    @Test
    void aRelativePathIsRelativeToTheWorkspaceOrElseToTheDescriptorsFolder() throws IOException {
        // in a workspace's datasets/: relative to the workspace
        Files.createDirectories(tmp.resolve("ws/datasets"));
        Files.writeString(tmp.resolve("ws/datasets/m.yaml"), "kind: idx\npath: data/mnist\n");
        assertThat(only(tmp.resolve("ws/datasets/m.yaml")).fields().path("path").asText())
                .isEqualTo(tmp.resolve("ws/data/mnist").toString());
        // elsewhere, beside its data (da3 datasets check FILE): relative to its own folder
        idxDataset(tmp.resolve("mine/mnist"), 4, 2, 2, true);
        Files.writeString(tmp.resolve("mine/m.yaml"), "kind: idx\npath: mnist\n");
        DatasetDescriptor d = only(tmp.resolve("mine/m.yaml"));
        assertThat(d.fields().path("path").asText()).isEqualTo(tmp.resolve("mine/mnist").toString());
        assertThat(DomainSources.forKind("idx").check(d)).isEmpty();
    }

    @Test
    void anUnknownFolderListsTheAcceptedLayouts() throws IOException {
        Files.createDirectories(tmp.resolve("stuff"));
        assertThatThrownBy(() -> LayoutProbe.infer(tmp.resolve("stuff"))).isInstanceOf(DatasetException.class)
                .hasMessage(tmp.resolve("stuff") + ": no dataset layout recognised; " + LayoutProbe.ACCEPTED);
        assertThatThrownBy(() -> LayoutProbe.infer(tmp.resolve("nothing"))).isInstanceOf(DatasetException.class)
                .hasMessage(tmp.resolve("nothing") + ": does not exist; give a dataset name (see 'da3 datasets"
                        + " list'), a dataset folder or a descriptor file");
    }
}
