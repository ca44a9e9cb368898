package org.da3.workbench.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SpecLoaderTest {
    private static final Set<String> DOMAINS = Set.of("shapes", "textures", "glyphs");
    private final SpecLoader loader = new SpecLoader(DOMAINS);

    private static String spec(String methods, String domains, String training) {
        return "name: demo\n"
                + "domains: " + domains + "\n"
                + "methods: " + methods + "\n"
                + "backbone: {name: resnet26, width: 16}\n"
                + "training: " + training + "\n";
    }

    /** A spec with one linear method on shapes and this training section. */
    private static String training(String training) {
        return spec("[linear]", "[shapes]", training);
    }

    /** Asserts that each case's spec text (first) is refused with its message (second), after "demo.yaml: ". */
    private void refused(String[][] cases) {
        for (String[] c : cases) {
            assertThatThrownBy(() -> loader.parse("demo.yaml", c[0])).as(c[0]).isInstanceOf(SpecException.class)
                    .hasMessage("demo.yaml: " + c[1]);
        }
    }

    @Test
    void readsAValidSpecWithDefaults() {
        ExperimentSpec s = loader.parse("demo.yaml", spec("[linear, {name: finetune, options: {learning_rate: 0.02}}]",
                "[shapes, glyphs]", "{epochs: 2, learning_rate: 0.05, image_size: 32, seed: 3}"));
        assertThat(s.name()).isEqualTo("demo");
        assertThat(s.domains()).containsExactly("shapes", "glyphs");
        assertThat(s.methods()).extracting(MethodSpec::name).containsExactly("linear", "finetune");
        assertThat(s.methods().get(1).options()).containsEntry("learning_rate", 0.02);
        assertThat(s.training().epochs()).isEqualTo(2);
        assertThat(s.training().batchSize()).isEqualTo(TrainingSpec.DEFAULTS.batchSize());
        assertThat(s.training().imageSize()).isEqualTo(32);
        assertThat(s.seeds()).containsExactly(3L);
        assertThat(s.target()).isEqualTo("local");
        assertThat(s.backbone().weights()).isNull();
    }

    @Test
    void unknownMethodNamesTheFieldAndTheAllowedMethods() {
        assertThatThrownBy(() -> loader.parse("demo.yaml", spec("[linear, dance]", "[shapes]", "{}")))
                .isInstanceOf(SpecException.class)
                .hasMessage("demo.yaml: methods[1]: unknown method 'dance'; allowed methods: "
                        + String.join(", ", MethodCatalog.names()));
    }

    /** A word in the wrong case, or one letter off, is refused with the word meant. */
    @Test
    void aChoiceNearAnAllowedWordSaysWhichWasMeant() {
        refused(new String[][] {
            {training("{optimizer: SGD}"), "training.optimizer: 'SGD' is not allowed (did you mean sgd?); allowed: sgd,"
                    + " adam"},
            {training("{schedule: Cosine}"), "training.schedule: 'Cosine' is not allowed (did you mean cosine?); allowed:"
                    + " constant, cosine, step"},
            {spec("[{name: finetune, options: {optimizer: Adam}}]", "[shapes]", "{}"), "methods[0].options.optimizer:"
                    + " 'Adam' is not allowed (did you mean adam?); allowed: sgd, adam"},
            {training("{optimizer: rmsprop}"), "training.optimizer: 'rmsprop' is not allowed; allowed: sgd, adam"},
        });
    }

    /** Options put in the wrong place are refused saying where they go. */
    @Test
    void misplacedOptionsSayWhereTheyGo() {
        refused(new String[][] {
            {spec("[{da3: {rho: 0.5, gates: false}}]", "[shapes]", "{}"), "methods[0].da3: 'da3' is a method name, not"
                    + " a field; write the entry as {name: da3, options: {rho: 0.5, gates: false}}"},
            {spec("[{linear: }]", "[shapes]", "{}"), "methods[0].linear: 'linear' is a method name, not a field; write"
                    + " the entry as {name: linear}"},
            {spec("[{name: da3, rho: 0.5}]", "[shapes]", "{}"), "methods[0].rho: 'rho' is an option of da3; put it"
                    + " under options (options: {rho: 0.5})"},
            {spec("[{name: finetune, learning_rate: [0.01, 0.1]}]", "[shapes]", "{}"), "methods[0].learning_rate:"
                    + " 'learning_rate' is an option of finetune; put it under options (options: {learning_rate: [0.01,"
                    + " 0.1]})"},
            // other unknown fields are named as before
            {spec("[{name: da3, colour: red}]", "[shapes]", "{}"), "methods[0].colour: unknown field; allowed fields"
                    + " here: label, name, options"},
        });
    }

    @Test
    void unknownDomainNamesTheFieldAndTheKnownDomains() {
        assertThatThrownBy(() -> loader.parse("demo.yaml", spec("[linear]", "[shapes, birds]", "{}")))
                .isInstanceOf(SpecException.class)
                .hasMessage("demo.yaml: domains[1]: unknown domain 'birds'; known domains (datasets/*.yaml):"
                        + " glyphs, shapes, textures");
    }

    @Test
    void negativeLearningRateIsRefusedWithTheAllowedRange() {
        assertThatThrownBy(() -> loader.parse("demo.yaml", spec("[linear]", "[shapes]", "{learning_rate: -0.1}")))
                .isInstanceOf(SpecException.class)
                .hasMessage("demo.yaml: training.learning_rate: -0.1 is out of range; use a positive number such as 0.01");
    }

    @Test
    void theSameOptionsInAnotherOrderAreTheSameMethod() {
        assertThatThrownBy(() -> loader.parse("demo.yaml", spec("[{name: da3, options: {rho: 0.5, pool: 2}},"
                + " {name: da3, options: {pool: 2, rho: 0.5}}]", "[shapes]", "{}")))
                .isInstanceOf(SpecException.class)
                .hasMessage("demo.yaml: methods[1]: method 'da3[pool=2,rho=0.5]' has the options of 'da3[rho=0.5,pool=2]',"
                        + " listed before it; give one of them other options or a 'label'");
        assertThat(loader.parse("demo.yaml", spec("[{name: da3, options: {rho: 0.5, pool: 2}},"
                + " {name: da3, label: again, options: {pool: 2, rho: 0.5}}]", "[shapes]", "{}")).methods()).hasSize(2);
    }

    @Test
    void aRepeatedSeedIsRefused() {
        assertThatThrownBy(() -> loader.parse("demo.yaml", spec("[linear]", "[shapes]", "{}") + "seeds: [3, 1, 3]\n"))
                .isInstanceOf(SpecException.class)
                .hasMessage("demo.yaml: seeds[2]: 3 is already seeds[0]; a seed repeated would run the same runs twice");
    }

    @Test
    void wholeNumbersBeyondSixtyFourBitsAreOutOfRangeNotWrapped() {
        String base = training("{}");
        String[][] cases = {
            // 2^64 + 1 would wrap to 1, 2^64 + 32 to 32
            {training("{epochs: 18446744073709551617}"),
                "training.epochs: 18446744073709551617 is out of range; use a whole number from 1 to 10000"},
            {training("{batch_size: 18446744073709551648}"),
                "training.batch_size: 18446744073709551648 is out of range; use a whole number from 1 to 4096"},
            {training("{epochs: 99999999999999999999}"),
                "training.epochs: 99999999999999999999 is out of range; use a whole number from 1 to 10000"},
            {training("{epochs: '18446744073709551617'}"),
                "training.epochs: 18446744073709551617 is out of range; use a whole number from 1 to 10000"},
            {training("{seed: 99999999999999999999999}"),
                "training.seed: 99999999999999999999999 is out of range; use a whole number from"
                        + " -9223372036854775808 to 9223372036854775807"},
            {base + "seeds: [18446744073709551617, 1]\n",
                "seeds[0]: 18446744073709551617 is out of range; use a whole number from"
                        + " -9223372036854775808 to 9223372036854775807"},
            {spec("[{name: da3, options: {kernel: 18446744073709551619}}]", "[shapes]", "{}"),
                "methods[0].options.kernel: 18446744073709551619 is out of range; use an odd whole number from 1 to 15"},
            {spec("[{name: da3, options: {rho: 18446744073709551617}}]", "[shapes]", "{}"),
                "methods[0].options.rho: 18446744073709551617 is out of range; use a number from 0 to 1"},
        };
        refused(cases);
        // the extremes of the range itself still read
        assertThat(loader.parse("demo.yaml", base + "seeds: [9223372036854775807, -9223372036854775808]\n").seeds())
                .containsExactly(Long.MAX_VALUE, Long.MIN_VALUE);
    }

    @Test
    void yamlsNanAndInfinityGetTheFieldsRangeMessageLikeQuotedNaN() {
        String[][] cases = {
            {training("{learning_rate: .nan}"),
                "training.learning_rate: NaN is out of range; use a positive number such as 0.01"},
            {training("{learning_rate: 'NaN'}"),
                "training.learning_rate: NaN is out of range; use a positive number such as 0.01"},
            {training("{learning_rate: .inf}"),
                "training.learning_rate: Infinity is out of range; use a positive number such as 0.01"},
            {training("{weight_decay: -.inf}"),
                "training.weight_decay: -Infinity is out of range; use a number from 0 to 1, such as 5e-4"},
            {training("{epochs: .nan}"),
                "training.epochs: 'NaN' is not a whole number; use a whole number from 1 to 10000"},
            {spec("[{name: da3, options: {rho: .nan}}]", "[shapes]", "{}"),
                "methods[0].options.rho: NaN is out of range; use a number from 0 to 1"},
        };
        refused(cases);
    }

    @Test
    void aKeyWrittenWithoutAValueIsRefusedNotReadAsTheDefault() {
        String base = training("{}");
        String empty = ": is empty; give a value or remove the key";
        String[][] cases = {
            {training("\n  epochs:\n  batch_size: 8"), "training.epochs" + empty},
            {training("{epochs: null}"), "training.epochs" + empty},
            {training("{learning_rate: ~}"), "training.learning_rate" + empty},
            {training("{optimizer: ''}"), "training.optimizer" + empty},
            {training("{augmentation: {flip: null}}"), "training.augmentation.flip" + empty},
            {spec("[{name: da3, options: {rho: null}}]", "[shapes]", "{}"), "methods[0].options.rho" + empty},
            {spec("[{name: da3, label: null}]", "[shapes]", "{}"), "methods[0].label" + empty},
            {base.replace("width: 16", "width: "), "backbone.width" + empty},
            {base + "target:\n", "target" + empty},
            {base + "seeds: null\n", "seeds: is empty; give a value or remove the key"},
        };
        refused(cases);
        // where the spec documents empty: no weights, no description, and an empty section is {}
        ExperimentSpec s = loader.parse("demo.yaml", "name: demo\ndescription:\ndomains: [shapes]\nmethods: [linear]\n"
                + "backbone: {weights: }\ntraining:\n");
        assertThat(s.backbone().weights()).isNull();
        assertThat(s.description()).isEmpty();
        assertThat(s.training()).usingRecursiveComparison().ignoringFields("seed").isEqualTo(TrainingSpec.DEFAULTS);
    }

    @Test
    void aTargetMayBeAnSshAddressWithItsKind() {
        String base = spec("[linear]", "[shapes]", "{}");
        assertThat(loader.parse("demo.yaml", base + "target: ssh://nvidia@orin:22/data/da3?kind=jetson\n").target())
                .isEqualTo("ssh://nvidia@orin:22/data/da3?kind=jetson");
        assertThatThrownBy(() -> loader.parse("demo.yaml", base + "target: 'my laptop'\n"))
                .isInstanceOf(SpecException.class)
                .hasMessage("demo.yaml: target: 'my laptop' is not a target; use local, a name from"
                        + " experiments/targets.yaml or ssh://user@host:port[/remote/dir][?kind=jetson]");
        // an address is checked in full when the spec is read, and the spec's field is blamed
        assertThatThrownBy(() -> loader.parse("demo.yaml", base + "target: 'ssh://@:99999'\n"))
                .isInstanceOf(SpecException.class)
                .hasMessageStartingWith("demo.yaml: target: 'ssh://@:99999' has no host;");
        assertThatThrownBy(() -> loader.parse("demo.yaml", base + "target: 'ssh://me@orin:70000'\n"))
                .isInstanceOf(SpecException.class)
                .hasMessage("demo.yaml: target: port 70000 in ssh://me@orin:70000 is out of range; use a port from 1"
                        + " to 65535");
    }

    @Test
    void theAllocatorIsExactUnlessTheSpecSaysReuse() {
        assertThat(loader.parse("demo.yaml", spec("[linear]", "[shapes]", "{}")).training().allocator()).isEqualTo("exact");
        assertThat(loader.parse("demo.yaml", spec("[linear]", "[shapes]", "{allocator: reuse}")).training().allocator())
                .isEqualTo("reuse");
        assertThatThrownBy(() -> loader.parse("demo.yaml", spec("[linear]", "[shapes]", "{allocator: fast}")))
                .isInstanceOf(SpecException.class)
                .hasMessage("demo.yaml: training.allocator: 'fast' is not allowed; allowed: exact, reuse");
    }

    @Test
    void yesAndNoReadTheSameInTheTrainingSectionAsInMethodOptions() {
        ExperimentSpec s = loader.parse("demo.yaml", spec("[{name: da3, options: {gates: 'no'}}]", "[shapes]",
                "{augmentation: {random_crop: 'yes', flip: 'Off'}}"));
        assertThat(s.training().augmentation().randomCrop()).isTrue();
        assertThat(s.training().augmentation().flip()).isFalse();
        assertThat(s.methods().get(0).options()).containsEntry("gates", false);
        assertThatThrownBy(() -> loader.parse("demo.yaml", spec("[linear]", "[shapes]", "{augmentation: {flip: maybe}}")))
                .isInstanceOf(SpecException.class)
                .hasMessage("demo.yaml: training.augmentation.flip: 'maybe' is not true or false");
    }

    @Test
    void defaultsAreTheSameWhetherTheSpecIsSilentOrTheFormStartsEmpty() {
        TrainingSpec t = loader.parse("demo.yaml", spec("[linear]", "[shapes]", "{}")).training();
        TrainingSpec d = TrainingSpec.DEFAULTS;
        assertThat(t.augmentation()).isEqualTo(d.augmentation());
        assertThat(t.augmentation().padding()).isEqualTo(4);
        assertThat(t.imageSize()).as("resnet26's native size").isEqualTo(d.imageSize()).isEqualTo(64);
        assertThat(t).usingRecursiveComparison().ignoringFields("seed").isEqualTo(d);
        // the smallest learning rate is the same for the training section and a method's own
        double min = TrainingSpec.MIN_LEARNING_RATE;
        assertThat(loader.parse("demo.yaml", spec("[{name: linear, options: {learning_rate: " + min + "}}]", "[shapes]",
                "{learning_rate: " + min + "}")).methods().get(0).options()).containsEntry("learning_rate", min);
    }

    @Test
    void misspelledFieldIsNotSilentlyIgnored() {
        assertThatThrownBy(() -> loader.parse("demo.yaml", spec("[linear]", "[shapes]", "{epoch: 3}")))
                .isInstanceOf(SpecException.class)
                .hasMessageStartingWith("demo.yaml: training.epoch: unknown field; did you mean epochs? allowed fields here: allocator, augmentation,");
    }

    @Test
    void methodOptionsAreValidatedAgainstTheCatalog() {
        assertThatThrownBy(() -> loader.parse("demo.yaml",
                spec("[{name: linear, options: {optimizer: rmsprop}}]", "[shapes]", "{}")))
                .isInstanceOf(SpecException.class)
                .hasMessage("demo.yaml: methods[0].options.optimizer: 'rmsprop' is not allowed; allowed: sgd, adam");
        assertThatThrownBy(() -> loader.parse("demo.yaml",
                spec("[{name: da3, options: {kernel: 4}}]", "[shapes]", "{}")))
                .isInstanceOf(SpecException.class)
                .hasMessage("demo.yaml: methods[0].options.kernel: 4 is even; use an odd whole number from 1 to 15");
        assertThatThrownBy(() -> loader.parse("demo.yaml",
                spec("[{name: linear, options: {momentum: 0.5}}]", "[shapes]", "{}")))
                .isInstanceOf(SpecException.class)
                .hasMessageStartingWith("demo.yaml: methods[0].options.momentum: unknown option of method 'linear'");
    }

    @Test
    void everyMethodsLearningRateHasTheRangeOfTheTrainingSection() {
        // docs/spec.md: learning_rate, as a method option, is 1e-9 to 10 for every method
        for (MethodInfo m : MethodCatalog.all()) {
            OptionDef lr = m.option("learning_rate");
            assertThat(lr.min()).as(m.name()).isEqualTo(TrainingSpec.MIN_LEARNING_RATE);
            assertThat(lr.max()).as(m.name()).isEqualTo(10);
        }
        assertThat(loader.parse("demo.yaml", spec("[{name: piggyback, options: {learning_rate: 1e-8}}]", "[shapes]",
                "{learning_rate: 1e-8}")).methods().get(0).options()).containsEntry("learning_rate", 1e-8);
    }

    @Test
    void anEmptyListEntryIsSaidToBeEmptyNotAnUnknownMethodNull() {
        String allowed = "; allowed methods: " + String.join(", ", MethodCatalog.names());
        refused(new String[][] {
            {spec("\n  - linear\n  -\n  - da3", "[shapes]", "{}"),
                "methods[1]: is empty; give a method name or remove the entry" + allowed},
            {spec("[linear, '']", "[shapes]", "{}"), "methods[1]: is empty; give a method name or remove the entry"
                    + allowed},
            {spec("[linear]", "\n  - shapes\n  -", "{}"), "domains[1]: is empty; give a value or remove the entry"},
        });
    }

    @Test
    void sameMethodTwiceNeedsALabel() {
        assertThatThrownBy(() -> loader.parse("demo.yaml", spec("[linear, linear]", "[shapes]", "{}")))
                .hasMessage("demo.yaml: methods[1]: method 'linear' is listed twice; give one of them other options"
                        + " or a 'label'");
        ExperimentSpec s = loader.parse("demo.yaml", spec("[linear, {name: linear, label: linear-b}]", "[shapes]", "{}"));
        assertThat(s.methods()).extracting(MethodSpec::displayLabel).containsExactly("linear", "linear-b");
    }

    @Test
    void aNumberWithALeadingZeroIsNotSilentlyReadAsOctal() {
        // zero-padded seeds: YAML reads 010 as 8 (and 08, no octal, as text)
        String octal = "'010' starts with 0, so YAML reads it as the octal number 8; write 8, or 10 without the"
                + " leading 0";
        refused(new String[][] {
            {spec("[linear]", "[shapes]", "{}") + "seeds: [1, 010]\n", "seeds[1]: " + octal},
            {spec("[linear]", "[shapes]", "{}") + "seeds: [07, 08]\n", "seeds[1]: '08' is text, not a number (in"
                    + " quotes, or with a leading 0); write 8"},
            {spec("[linear]", "[shapes]", "{}") + "seeds: ['3']\n", "seeds[0]: '3' is text, not a number (in"
                    + " quotes, or with a leading 0); write 3"},
            {training("{seed: 010}"), "training.seed: " + octal},
            {training("{learning_rate: 010}"), "training.learning_rate: " + octal},
            {spec("[{name: da3, options: {reduction: 010}}]", "[shapes]", "{}"),
                "methods[0].options.reduction: " + octal},
            {spec("[{name: da3, options: {lambda: 010}}]", "[shapes]", "{}"), "methods[0].options.lambda: " + octal},
        });
        // a leading zero that changes nothing, and quoted text, stay as they were
        assertThat(loader.parse("demo.yaml", training("{epochs: 07, log_every: '010', momentum: 00.5}"))
                .training()).extracting(TrainingSpec::epochs, TrainingSpec::logEvery, TrainingSpec::momentum)
                .containsExactly(7, 10, 0.5);
    }

    /**
     * YAML 1.1's other number forms, hexadecimal, binary and '_' between digits, read as numbers
     * that the file does not show (and JSON or YAML 1.2 would not read): refused, naming the value
     * and the plain decimal; the forms people write stay numbers.
     */
    @Test
    void hexadecimalBinaryAndDigitSeparatorsAreRefusedWithThePlainDecimal() {
        refused(new String[][] {
            {training("{batch_size: 0x10}"), "training.batch_size: '0x10' is a hexadecimal number, which YAML reads as"
                    + " 16; write numbers as plain decimals (16)"},
            {training("{learning_rate: 0x10}"), "training.learning_rate: '0x10' is a hexadecimal number, which YAML"
                    + " reads as 16; write numbers as plain decimals (16)"},
            {training("{seed: -0x1F}"), "training.seed: '-0x1F' is a hexadecimal number, which YAML reads as -31;"
                    + " write numbers as plain decimals (-31)"},
            {training("{epochs: 0b11}"), "training.epochs: '0b11' is a binary number, which YAML reads as 3; write"
                    + " numbers as plain decimals (3)"},
            {training("{train_limit: 1_000}"), "training.train_limit: '1_000' has '_' between its digits; write"
                    + " numbers as plain decimals, without '_' (1000)"},
            {training("{learning_rate: 0.0_1}"), "training.learning_rate: '0.0_1' has '_' between its digits; write"
                    + " numbers as plain decimals, without '_' (0.01)"},
            {training("{augmentation: {padding: 0x4}}"), "training.augmentation.padding: '0x4' is a hexadecimal"
                    + " number, which YAML reads as 4; write numbers as plain decimals (4)"},
            {training("{}").replace("width: 16", "width: 0x10"), "backbone.width: '0x10' is a"
                    + " hexadecimal number, which YAML reads as 16; write numbers as plain decimals (16)"},
            {spec("[linear]", "[shapes]", "{}") + "seeds: [1, 0x10]\n", "seeds[1]: '0x10' is a hexadecimal number,"
                    + " which YAML reads as 16; write numbers as plain decimals (16)"},
            {spec("[{name: da3, options: {kernel: 0x3}}]", "[shapes]", "{}"), "methods[0].options.kernel: '0x3' is a"
                    + " hexadecimal number, which YAML reads as 3; write numbers as plain decimals (3)"},
            {spec("[{name: da3, options: {rho: [0.5, 0.7_5]}}]", "[shapes]", "{}"), "methods[0].options.rho[1]:"
                    + " '0.7_5' has '_' between its digits; write numbers as plain decimals, without '_' (0.75)"},
            {spec("[{name: finetune, options: {learning_rate: 0b1}}]", "[shapes]", "{}"),
                "methods[0].options.learning_rate: '0b1' is a binary number, which YAML reads as 1; write numbers as"
                        + " plain decimals (1)"},
        });
        // the forms people write
        TrainingSpec t = loader.parse("demo.yaml", training("{learning_rate: 1e-3, weight_decay: 5.0e-4, momentum: .5,"
                + " epochs: +5, batch_size: 16}")).training();
        assertThat(t).extracting(TrainingSpec::learningRate, TrainingSpec::weightDecay, TrainingSpec::momentum,
                TrainingSpec::epochs, TrainingSpec::batchSize).containsExactly(1e-3, 5e-4, 0.5, 5, 16);
        // a label or a name that looks like such a number is text, as written
        assertThat(loader.parse("demo.yaml", spec("[{name: linear, label: 0x10}]", "[shapes]", "{}")).methods().get(0)
                .displayLabel()).isEqualTo("0x10");
    }

    @Test
    void aWholeNumberWrittenAsADecimalIsNamedAsWritten() {
        refused(new String[][] {
            {training("{train_limit: 5e4}"), "training.train_limit: '5e4' is not a whole number; use a whole number"
                    + " from 0 to 2147483647"},
            {training("{epochs: 2.0}"), "training.epochs: '2.0' is not a whole number; use a whole number from 1 to"
                    + " 10000"},
            {spec("[{name: da3, options: {reduction: 1.6e1}}]", "[shapes]", "{}"),
                "methods[0].options.reduction: '1.6e1' is not a whole number; use a whole number from 1 to 1024"},
        });
    }

    @Test
    void javasOwnNumberSpellingsAreNotNumbersAndOutOfRangeValuesAreNamedAsWritten() {
        String[][] cases = {
            {training("{momentum: 0.9d}"), "training.momentum: '0.9d' is not a number; use "},
            {training("{learning_rate: '1f'}"), "training.learning_rate: '1f' is not a number; use "},
            {training("{learning_rate: 0x1p-3}"), "training.learning_rate: '0x1p-3' is not a number; use "},
            {training("{learning_rate: 1e400}"), "training.learning_rate: 1e400 is out of range; use "},
            {training("{learning_rate: 1e-400}"), "training.learning_rate: 1e-400 is out of range; use "},
            {spec("[{name: da3, options: {rho: 0.5f}}]", "[shapes]", "{}"), "methods[0].options.rho: '0.5f' is not a"
                    + " number; "},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> loader.parse("demo.yaml", c[0])).as(c[0]).isInstanceOf(SpecException.class)
                    .hasMessageStartingWith("demo.yaml: " + c[1]);
        }
        // a number in quotes, and the ways people write numbers, still are
        assertThat(loader.parse("demo.yaml", training("{momentum: '0.9', learning_rate: .25, weight_decay: 0}"))
                .training()).extracting(TrainingSpec::momentum, TrainingSpec::learningRate, TrainingSpec::weightDecay)
                .containsExactly(0.9, 0.25, 0.0);
    }

    @Test
    void anEmptySeedsKeyOrEntryIsSaidToBeEmpty() {
        String base = "name: demo\ndomains: [shapes]\nmethods: [linear]\n";
        refused(new String[][] {
            {base + "seeds:\n", "seeds: is empty; give a value or remove the key"},
            {base + "seeds: [1, ~]\n", "seeds[1]: is empty; give a value or remove the entry"},
            {base + "seeds: []\n", "seeds: must be a non-empty list of whole numbers, for example [1, 2, 3]"},
        });
    }

    @Test
    void aLabelTooLongToNameARunDirectoryIsRefused() {
        // a sweep of many options makes a label longer than a file name may be: every run would fail
        String many = "{name: da3, options: {gates: false, attention: channel, reduction: 8, pool: 2, kernel: 5,"
                + " lambda: 10.5, rho: 0.55, gate_init: 1.25, skip: false, gate_blocks: all, gate_lr_scale: 0.5,"
                + " gate_temperature: 2.5, budget: block, budget_ramp: rho, budget_warmup: 0.25}}";
        assertThatThrownBy(() -> loader.parse("demo.yaml", spec("[" + many + "]", "[shapes]", "{}")))
                .hasMessage("demo.yaml: methods[0]: the label 'da3[gates=false,attention=channel,reduct...' is 212"
                        + " characters long; a label names the run directories, so use at most 160 (give the entry a"
                        + " shorter 'label')");
        assertThat(loader.parse("demo.yaml", spec("[" + many.replace("{name: da3,", "{name: da3, label: sweep,")
                + "]", "[shapes]", "{}")).methods().get(0).displayLabel()).isEqualTo("sweep");
        String x161 = "x".repeat(161);
        assertThatThrownBy(() -> loader.parse("demo.yaml", spec("[{name: linear, label: " + x161 + "}]", "[shapes]",
                "{}"))).hasMessage("demo.yaml: methods[0].label: the label '" + "x".repeat(40) + "...' is 161"
                        + " characters long; a label names the run directories, so use at most 160");
        assertThat(loader.parse("demo.yaml", spec("[{name: linear, label: " + "x".repeat(160) + "}]", "[shapes]",
                "{}")).methods().get(0).displayLabel()).hasSize(160);
    }

    @Test
    void labelsAndNamesAreTheTextWrittenEvenWhereYamlReadsANumberOrYesNo() {
        ExperimentSpec s = loader.parse("demo.yaml", spec("[{name: linear, label: no}, {name: da3, label: 1e-3},"
                + " {name: finetune, label: 007}]", "[shapes]", "{}").replace("name: demo", "name: 2026"));
        assertThat(s.name()).isEqualTo("2026");
        assertThat(s.methods()).extracting(MethodSpec::displayLabel).containsExactly("no", "1e-3", "007");
        // and the spec the worker is given reads back the same
        assertThat(loader.parse("back.yaml", SpecWriter.toYaml(s, false))).isEqualTo(s);
    }

    @Test
    void aNearMissIsNamedWithWhatItProbablyMeant() {
        assertThatThrownBy(() -> loader.parse("demo.yaml", spec("[DA3]", "[shapes]", "{}")))
                .hasMessageStartingWith("demo.yaml: methods[0]: unknown method 'DA3' (did you mean da3?); allowed methods:");
        assertThatThrownBy(() -> loader.parse("demo.yaml", spec("[{name: da3, options: {lamda: 2}}]", "[shapes]", "{}")))
                .hasMessageStartingWith("demo.yaml: methods[0].options.lamda: unknown option of method 'da3' (did you"
                        + " mean lambda?); its options:");
        assertThatThrownBy(() -> loader.parse("demo.yaml", spec("[linear]", "[shapse]", "{}")))
                .hasMessageStartingWith("demo.yaml: domains[0]: unknown domain 'shapse' (did you mean shapes?)");
        // nothing near: no guess
        assertThatThrownBy(() -> loader.parse("demo.yaml", spec("[linear]", "[birds]", "{}")))
                .hasMessageNotContaining("did you mean");
        assertThat(Names.closest("Epoch", java.util.List.of("epochs", "seed"))).isEqualTo("epochs");
        assertThat(Names.closest("lr", java.util.List.of("learning_rate", "seed"))).isNull();
        assertThat(Names.closest("ab", java.util.List.of("aa", "bb"))).as("a tie is no guess").isNull();
    }

    @Test
    void writerOutputReadsBackToTheSameSpec() {
        ExperimentSpec s = loader.parse("demo.yaml", spec("[linear, {name: finetune, options: {learning_rate: 0.02}}]",
                "[shapes, glyphs]", "{epochs: 2, augmentation: {random_crop: true, flip: true}}"));
        ExperimentSpec back = loader.parse("back.yaml", SpecWriter.toYaml(s, false));
        assertThat(back).isEqualTo(s);
        ExperimentSpec resolved = loader.parse("resolved.yaml", SpecWriter.toYaml(s, true));
        assertThat(resolved.training()).isEqualTo(s.training());
        assertThat(resolved.methods().get(1).options()).containsEntry("learning_rate", 0.02);
    }

    @Test
    void eachRunHasOneMethodAndOneSeed() {
        ExperimentSpec s = loader.parse("demo.yaml", "name: demo\ndomains: [shapes]\nmethods: [linear, finetune]\n"
                + "seeds: [1, 2, 3]\n");
        ExperimentSpec run = s.forRun(s.methods().get(1), 2);
        assertThat(run.methods()).hasSize(1);
        assertThat(run.training().seed()).isEqualTo(2);
        assertThat(run.seeds()).isEqualTo(List.of(2L));
    }

    @Test
    void oneImagePerStepIsRefusedWhereBatchStatisticsWouldSeeOneValuePerChannel() {
        refused(new String[][] {
            {spec("[linear, finetune]", "[shapes]", "{batch_size: 1, image_size: 8}"),
                "training.batch_size: 1 image per step leaves finetune (methods[1]) one value per channel in its"
                        + " BatchNorms, whose last stage is 1x1 at image_size 8, too few for batch statistics; use a"
                        + " batch_size of at least 2, or an image_size of at least 9"},
            {spec("[bn+last]", "[shapes]", "{batch_size: 4, train_limit: 1, image_size: 8}"),
                "training.train_limit: 1 image per step leaves bn+last (methods[0]) one value per channel in its"
                        + " BatchNorms, whose last stage is 1x1 at image_size 8, too few for batch statistics; use a"
                        + " train_limit of 0 or at least 2, or an image_size of at least 9"},
            {spec("[lite-residual]", "[shapes]", "{batch_size: 1, image_size: 16}"),
                "training.batch_size: 1 image per step leaves lite-residual (methods[0]) one value per channel in"
                        + " its modules' BatchNorms, whose last stage's input pooled by 2 is 1x1 at image_size 16,"
                        + " too few for batch statistics; use a batch_size of at least 2, or an image_size of at"
                        + " least 17, or a smaller pool"},
            {spec("[series-adapter]", "[shapes]", "{batch_size: 1, image_size: 32}").replace("resnet26", "resnet18"),
                "training.batch_size: 1 image per step leaves series-adapter (methods[0]) one value per channel in"
                        + " its BatchNorms, whose last stage is 1x1 at image_size 32, too few for batch statistics;"
                        + " use a batch_size of at least 2, or an image_size of at least 33"},
        });
        // more than one value per channel: a second image, a larger map, or frozen BatchNorms
        for (String ok : new String[] {
            spec("[finetune, lite-residual]", "[shapes]", "{batch_size: 2, image_size: 8}"),
            spec("[finetune, {name: lite-residual, options: {pool: 1}}]", "[shapes]", "{batch_size: 1, image_size: 9}"),
            spec("[linear, da3, piggyback]", "[shapes]", "{batch_size: 1, image_size: 8}"),
            spec("[finetune]", "[shapes]", "{batch_size: 1, image_size: 33}").replace("resnet26", "resnet50"),
        }) {
            assertThat(loader.parse("demo.yaml", ok).methods()).as(ok).isNotEmpty();
        }
    }

    @Test
    void theLastStageSideIsTheNetworksSmallestFeatureMap() {
        for (String arch : BackboneSpec.NAMES) {
            org.da3.workbench.nn.ResNet net = org.da3.workbench.nn.ResNet.create(arch, 4);
            for (int size = 8; size <= 80; size++) {
                int side = net.stemOutSide(size);
                for (org.da3.workbench.nn.ResidualBlock b : net.blocks()) {
                    side = b.outSide(side);
                }
                assertThat(new BackboneSpec(arch, 4, null).lastStageSide(size)).as(arch + " at " + size)
                        .isEqualTo(side);
            }
        }
    }
    /**
     * A list of values under a method's options sweeps them: one variant of the entry per
     * combination, the first option's values varying slowest, each labelled by its values.
     */
    @Test
    void aListOfOptionValuesSweepsThemAsVariantsOfTheEntry() {
        ExperimentSpec s = loader.parse("demo.yaml", spec("[linear, {name: da3, options: {learning_rate: [0.01, 0.1],"
                + " rho: [0.5, 0.7, 0.9], gates: true}}]", "[shapes]", "{}"));
        assertThat(s.methods()).extracting(MethodSpec::displayLabel).containsExactly("linear",
                "da3[learning_rate=0.01,rho=0.5,gates=true]", "da3[learning_rate=0.01,rho=0.7,gates=true]",
                "da3[learning_rate=0.01,rho=0.9,gates=true]", "da3[learning_rate=0.1,rho=0.5,gates=true]",
                "da3[learning_rate=0.1,rho=0.7,gates=true]", "da3[learning_rate=0.1,rho=0.9,gates=true]");
        assertThat(s.methods().get(4).options()).containsEntry("learning_rate", 0.1).containsEntry("rho", 0.5)
                .containsEntry("gates", true);
        // a label is kept, followed by the swept values only
        s = loader.parse("demo.yaml", spec("[{name: finetune, label: ft, options: {learning_rate: [0.01, 0.02],"
                + " drop_path: 0.1}}]", "[shapes]", "{}"));
        assertThat(s.methods()).extracting(MethodSpec::displayLabel).containsExactly("ft[learning_rate=0.01]",
                "ft[learning_rate=0.02]");
        // a list of one is the value itself, label and all
        s = loader.parse("demo.yaml", spec("[{name: finetune, label: ft, options: {learning_rate: [0.01]}}]",
                "[shapes]", "{}"));
        assertThat(s.methods()).extracting(MethodSpec::displayLabel).containsExactly("ft");
        // each run's spec.yaml holds one variant, which reads back as itself
        ExperimentSpec again = loader.parse("demo.yaml", SpecWriter.toYaml(s, false));
        assertThat(again.methods()).isEqualTo(s.methods());

        refused(new String[][] {
            {spec("[{name: da3, options: {rho: []}}]", "[shapes]", "{}"), "methods[0].options.rho: is an empty list;"
                    + " give a value, or a list of the values to sweep; use a number from 0 to 1"},
            {spec("[{name: da3, options: {rho: [0.5, 2]}}]", "[shapes]", "{}"), "methods[0].options.rho[1]: 2 is out of"
                    + " range; use a number from 0 to 1"},
            {spec("[{name: da3, options: {rho: [0.5, 0.5]}}]", "[shapes]", "{}"), "methods[0].options.rho[1]: lists"
                    + " 0.5 a second time; sweep each value once"},
            {spec("[{name: da3, options: {rho: [[0.5]]}}]", "[shapes]", "{}"), "methods[0].options.rho[0]: must be a"
                    + " single value, or a list of values to sweep; use a number from 0 to 1"},
            {spec("[{name: da3, options: {rho: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],"
                    + " reduction: [1, 2, 4, 8, 16, 32, 64, 128]}}]", "[shapes]", "{}"), "methods[0].options: sweeps 72"
                    + " combinations of values; an entry sweeps at most 64 (split it into several entries with labels)"},
            // only a method's options sweep; the training section says where a sweep goes
            {training("{learning_rate: [0.01, 0.1]}"), "training.learning_rate: must be a single value, not a list;"
                    + " to sweep it, list the values under a method's options, as in {name: da3, options:"
                    + " {learning_rate: [...]}} (docs/spec.md, Sweeps)"},
            {training("{epochs: [1, 2]}"), "training.epochs: must be a single value, not a list; only a method's"
                    + " options sweep; for several values of epochs, write one spec each"},
            // a sweep that repeats another entry is caught like any repeated entry
            {spec("[{name: da3, options: {rho: 0.5}}, {name: da3, options: {rho: [0.3, 0.5]}}]", "[shapes]", "{}"),
                "methods[1]: method 'da3[rho=0.5]' is listed twice; give one of them other options or a 'label'"},
        });
    }
}
