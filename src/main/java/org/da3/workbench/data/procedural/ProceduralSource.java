package org.da3.workbench.data.procedural;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.da3.workbench.data.DatasetDescriptor;
import org.da3.workbench.data.DatasetInfo;
import org.da3.workbench.data.Domain;
import org.da3.workbench.data.DomainSource;
import org.da3.workbench.data.LoadOptions;
import org.da3.workbench.data.Split;
import org.da3.workbench.spec.SpecException;
import org.da3.workbench.spec.YamlNodes;

/**
 * Built-in domains drawn with Java2D from a seed: no files, no network, the same pixels for the
 * same seed and size. Descriptor fields:
 *
 * <pre>
 * kind: procedural
 * generator: shapes      # shapes, textures, glyphs, signs, mixture
 * train_size: 3000       # images per split, classes balanced
 * test_size: 1000
 * seed: 11               # the dataset's own seed (not the run's)
 * </pre>
 */
public final class ProceduralSource implements DomainSource {

    private static final Map<String, Generator> GENERATORS = new LinkedHashMap<>();

    static {
        for (Generator g : List.of(new ShapesGenerator(), new TexturesGenerator(), new GlyphsGenerator(),
                new SignsGenerator(), new MixtureGenerator())) {
            GENERATORS.put(g.name(), g);
        }
    }

    /** The settings of a procedural dataset. */
    record Settings(Generator generator, int trainSize, int testSize, long seed) {}

    @Override
    public String kind() {
        return "procedural";
    }

    @Override
    public Set<String> fieldNames() {
        return Set.of("generator", "train_size", "test_size", "seed");
    }

    /** @return the generator names */
    public static List<String> generatorNames() {
        return new ArrayList<>(GENERATORS.keySet());
    }

    Settings settings(DatasetDescriptor d) {
        YamlNodes y = new YamlNodes(d.fileName());
        JsonNode f = d.fields();
        String gen = y.requiredText(f, "", "generator");
        Generator g = GENERATORS.get(gen);
        if (g == null) {
            throw new SpecException(d.fileName(), "generator", "'" + gen + "' is not a generator"
                    + org.da3.workbench.spec.Names.meant(gen, GENERATORS.keySet()) + "; allowed: "
                    + String.join(", ", GENERATORS.keySet()));
        }
        int train = (int) y.integer(f, "", "train_size", 2000, 1, 10_000_000);
        int test = (int) y.integer(f, "", "test_size", 500, 1, 10_000_000);
        long seed = y.integer(f, "", "seed", 1, Long.MIN_VALUE, Long.MAX_VALUE);
        return new Settings(g, train, test, seed);
    }

    @Override
    public DatasetInfo describe(DatasetDescriptor d) {
        try {
            Settings s = settings(d);
            return new DatasetInfo(d.name(), kind(), "built-in (" + s.generator().name() + ")", true,
                    s.generator().classNames().size(), s.trainSize(), s.testSize(), List.of());
        } catch (SpecException e) {
            // nothing is missing (the generators are built in): the descriptor is wrong
            return new DatasetInfo(d.name(), kind(), "built-in", true, -1, -1, -1, List.of(e.getMessage()));
        }
    }

    @Override
    public List<String> check(DatasetDescriptor d) {
        return describe(d).problems();
    }

    @Override
    public Domain load(DatasetDescriptor d, LoadOptions options) {
        Settings s = settings(d);
        int size = options.imageSize();
        int nTrain = options.trainLimit() > 0 ? Math.min(options.trainLimit(), s.trainSize()) : s.trainSize();
        int nTest = options.testLimit() > 0 ? Math.min(options.testLimit(), s.testSize()) : s.testSize();
        Split train = generate(s.generator(), s.seed(), 0, nTrain, size);
        Split test = generate(s.generator(), s.seed(), 1, nTest, size);
        float[][] stats = Domain.statistics(train);
        return new Domain(d.name(), s.generator().classNames(), train, test, stats[0], stats[1], 0);
    }

    /**
     * Draws a split. Image {@code i} of split {@code split} depends only on (seed, split, i, size),
     * so the result is the same however many threads draw it.
     *
     * @param g the generator
     * @param seed the dataset seed
     * @param split 0 for train, 1 for test
     * @param count the number of images
     * @param size the image side
     * @return the split
     */
    static Split generate(Generator g, long seed, int split, int count, int size) {
        int classes = g.classNames().size();
        int bytes = size * size * 3;
        byte[] pixels = new byte[count * bytes];
        int[] labels = new int[count];
        // A fixed class order per split: balanced, shuffled deterministically.
        SplittableRandom order = new SplittableRandom(mix(seed, split, -1));
        for (int i = 0; i < count; i++) {
            labels[i] = i % classes;
        }
        for (int i = count - 1; i > 0; i--) {
            int j = order.nextInt(i + 1);
            int t = labels[i];
            labels[i] = labels[j];
            labels[j] = t;
        }
        IntStream.range(0, count).parallel().forEach(i -> {
            byte[] img = g.draw(labels[i], size, new SplittableRandom(mix(seed, split, i)));
            System.arraycopy(img, 0, pixels, i * bytes, bytes);
        });
        return new Split(pixels, labels, size, size, 3);
    }

    private static long mix(long seed, int split, long index) {
        long h = seed * 0x9E3779B97F4A7C15L + split * 0xC2B2AE3D27D4EB4FL + index * 0x165667B19E3779F9L;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return h;
    }
}
