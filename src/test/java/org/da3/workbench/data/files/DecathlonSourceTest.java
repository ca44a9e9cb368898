package org.da3.workbench.data.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.da3.workbench.test.DatasetFixtures.descriptor;
import static org.da3.workbench.test.DatasetFixtures.image;
import static org.da3.workbench.test.DatasetFixtures.pixel;
import static org.da3.workbench.test.DatasetFixtures.writeImage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.da3.workbench.data.DatasetDescriptor;
import org.da3.workbench.data.DatasetException;
import org.da3.workbench.data.DatasetInfo;
import org.da3.workbench.data.Domain;
import org.da3.workbench.data.LoadOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecathlonSourceTest {
    @TempDir
    Path tmp;

    private CacheDir cache;
    private final DecathlonSource source = new DecathlonSource();
    private Path root;

    /** Categories listed out of id order, to check that classes follow the ids. */
    private static final String CATEGORIES = "\"categories\": [{\"id\": 10002, \"name\": \"beta\"},"
            + " {\"id\": 10001, \"name\": \"alpha\"}, {\"id\": 10003, \"name\": \"gamma\"}]";

    @BeforeEach
    void fixture() throws IOException {
        cache = new CacheDir(tmp.resolve("cache"));
        root = tmp.resolve("decathlon-1.0");
        Files.createDirectories(root.resolve("annotations"));
        Files.writeString(root.resolve("annotations/tiny_train.json"), annotations("train", 6, 0));
        Files.writeString(root.resolve("annotations/tiny_val.json"), annotations("val", 3, 100));
        Files.writeString(root.resolve("annotations/tiny_test_stripped.json"), "{\"info\": {}, \"images\": [{\"id\":"
                + " 1, \"file_name\": \"data/tiny/test/1.png\"}], \"annotations\": [], " + CATEGORIES + "}");
    }

    /** An annotation file of n images, image k of category 10001 + k % 3, written as PNG files. */
    private String annotations(String split, int n, int first) throws IOException {
        StringBuilder images = new StringBuilder();
        StringBuilder anns = new StringBuilder();
        for (int k = 0; k < n; k++) {
            long id = 10_000_001L + first + k;
            String file = "data/tiny/" + split + "/" + String.format("%07d", first + k) + ".png";
            writeImage(root.resolve(file), image(first + k, 10, 10));
            images.append(k == 0 ? "" : ", ").append("{\"id\": ").append(id).append(", \"file_name\": \"").append(file)
                    .append("\", \"width\": 10, \"height\": 10}");
            anns.append(k == 0 ? "" : ", ").append("{\"id\": ").append(k + 1).append(", \"image_id\": ").append(id)
                    .append(", \"category_id\": ").append(10001 + k % 3).append("}");
        }
        return "{\"info\": {\"description\": \"tiny\"}, \"images\": [" + images + "], \"annotations\": [" + anns + "], "
                + CATEGORIES + "}";
    }

    @AfterEach
    void restore() {
        cache.close();
    }

    private DatasetDescriptor desc(String yaml) throws IOException {
        return descriptor(tmp, "tiny", "kind: decathlon\npath: decathlon-1.0\ntask: tiny\n" + yaml);
    }

    @Test
    void readsATaskWithClassesInCategoryIdOrder() throws IOException {
        Domain d = source.load(desc(""), new LoadOptions(10, 0, 0, false));
        assertThat(d.classNames()).containsExactly("alpha", "beta", "gamma");
        assertThat(d.train().size()).isEqualTo(6);
        assertThat(d.test().size()).isEqualTo(3);
        assertThat(d.train().labels()).containsExactly(0, 1, 2, 0, 1, 2);
        assertThat(d.test().pixels()[(4 * 10 + 2) * 3 + 1] & 0xFF).isEqualTo(pixel(100, 4, 2, 1));
        DatasetInfo i = source.describe(desc(""));
        assertThat(i.classes()).isEqualTo(3);
        assertThat(i.trainSize()).isEqualTo(6);
        assertThat(i.testSize()).isEqualTo(3);
        assertThat(source.check(desc(""))).isEmpty();
        assertThat(LayoutProbe.infer(root)).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo("decathlon");
            assertThat(p.name()).isEqualTo("tiny");
        });
    }

    @Test
    void theStrippedTestSetIsRefusedWithTheFix() throws IOException {
        Path f = root.resolve("annotations/tiny_test_stripped.json");
        assertThat(source.check(desc("splits: {test: test_stripped}\n"))).containsExactly(f + ": has no annotations,"
                + " so its images have no labels (the Decathlon's test annotations are stripped); test on val"
                + " instead: splits: {test: val}");
    }

    @Test
    void anAnnotationFileWithoutImagesIsReported() throws IOException {
        Path f = root.resolve("annotations/tiny_val.json");
        Files.writeString(f, "{\"images\": [], \"annotations\": [], " + CATEGORIES + "}");
        DatasetDescriptor d = desc("");
        String msg = f + ": lists no images; the test split needs images (splits in " + d.fileName()
                + " names the annotation files)";
        assertThat(source.check(d)).containsExactly(msg);
        assertThatThrownBy(() -> source.load(d, new LoadOptions(10, 0, 0, true)))
                .isInstanceOf(DatasetException.class).hasMessage(msg);
    }

    @Test
    void testingOnTheTrainingImagesIsRefused() throws IOException {
        DatasetDescriptor d = desc("splits: {test: train}\n");
        String msg = root.resolve("data/tiny/train/0000000.png") + ": is a training image and a test image (as are"
                + " all 6 test images); test on images the network is not trained on (splits in " + d.fileName() + ")";
        assertThat(source.check(d)).containsExactly(msg);
        assertThatThrownBy(() -> source.load(d, new LoadOptions(10, 0, 0, true)))
                .isInstanceOf(DatasetException.class).hasMessage(msg);
    }

    @Test
    void missingImagesAreNamedAndSkipped() throws IOException {
        Path gone = root.resolve("data/tiny/train/0000004.png");
        Files.delete(gone);
        assertThat(source.check(desc(""))).containsExactly(gone + ": does not exist");
        Domain d = source.load(desc(""), new LoadOptions(10, 0, 0, true));
        assertThat(d.skipped()).isEqualTo(1);
        assertThat(d.train().labels()).containsExactly(0, 1, 2, 0, 2);
        assertThatThrownBy(() -> source.load(desc(""), new LoadOptions(10, 0, 0, false)))
                .isInstanceOf(DatasetException.class)
                .hasMessage("1 image cannot be decoded, the first: " + gone + ": does not exist ('da3 datasets check"
                        + " tiny' lists them all)");
    }

    @Test
    void damagedAnnotationsAreAllReported() throws IOException {
        Path train = root.resolve("annotations/tiny_train.json");
        Files.writeString(train, "{\"images\": [{\"id\": 1, \"file_name\": \"data/tiny/train/0000000.png\"},"
                + " {\"id\": 2, \"file_name\": \"data/tiny/train/0000001.png\"}, {\"id\": 2, \"file_name\": \"x.png\"},"
                + " {\"file_name\": \"y.png\"}], \"annotations\": [{\"image_id\": 1, \"category_id\": 10001}], "
                + CATEGORIES + "}");
        assertThat(source.check(desc(""))).containsExactly(
                train + ": images[2] repeats the image id 2; image ids must be unique",
                train + ": images[3] needs a whole-number id and a file_name");
        Files.writeString(train, "{\"images\": [{\"id\": 1, \"file_name\": \"data/tiny/train/0000000.png\"},"
                + " {\"id\": 2, \"file_name\": \"data/tiny/train/0000001.png\"}], \"annotations\": [{\"image_id\": 1,"
                + " \"category_id\": 10009}, {\"image_id\": 7, \"category_id\": 10001}], " + CATEGORIES + "}");
        assertThat(source.check(desc(""))).containsExactly(
                train + ": 1 annotation refers to image ids that images does not list; the file is damaged",
                train + ": 1 image has no annotation, the first id 2 (data/tiny/train/0000001.png); every image needs"
                        + " one category",
                train + ": 1 image has a category_id that categories does not list, the first 10009; the file is"
                        + " damaged");
    }

    @Test
    void brokenJsonAndMissingFilesSayWhere() throws IOException {
        Path val = root.resolve("annotations/tiny_val.json");
        Files.writeString(val, "{\"images\": [\n{\"id\": 1,,}]}");
        Files.writeString(root.resolve("annotations/tiny_train.json"), "{\"images\": []}");
        assertThat(source.check(desc(""))).containsExactly(
                root.resolve("annotations/tiny_train.json") + ": has no annotations list; a COCO-style annotation file"
                        + " needs images, annotations and categories",
                root.resolve("annotations/tiny_train.json") + ": has no categories list; a COCO-style annotation file"
                        + " needs images, annotations and categories",
                val + ": is not valid JSON (Unexpected character (',' (code 44)): was expecting double-quote to start"
                        + " field name at line 2, column 10)");
        DatasetDescriptor other = descriptor(tmp, "other", "kind: decathlon\npath: decathlon-1.0\ntask: svhn\n");
        assertThat(source.check(other)).containsExactly(
                root.resolve("annotations/svhn_train.json") + ": does not exist; a Decathlon folder holds"
                        + " annotations/TASK_train.json and TASK_val.json (tasks found: tiny)",
                root.resolve("annotations/svhn_val.json") + ": does not exist; a Decathlon folder holds"
                        + " annotations/TASK_train.json and TASK_val.json (tasks found: tiny)");
    }

    @Test
    void splitsWithDifferentCategoriesAreReported() throws IOException {
        Path val = root.resolve("annotations/tiny_val.json");
        Files.writeString(val, Files.readString(val).replace("{\"id\": 10003, \"name\": \"gamma\"}",
                "{\"id\": 10003, \"name\": \"gamma\"}, {\"id\": 10004, \"name\": \"delta\"}"));
        assertThat(source.check(desc(""))).containsExactly(val + ": its categories differ from tiny_train.json (4"
                + " against 3); both splits must use the same categories");
    }
}
