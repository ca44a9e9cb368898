package org.da3.workbench.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.da3.workbench.test.TestWorkspace;
import org.junit.jupiter.api.Test;

/** docs/methods.md names every option of every method in the catalog, so the reference cannot fall behind the code. */
class MethodsDocTest {

    @Test
    void everyMethodOptionIsDocumented() throws Exception {
        String doc = Files.readString(TestWorkspace.projectDir().resolve(Path.of("docs", "methods.md")));
        for (MethodInfo m : MethodCatalog.all()) {
            for (OptionDef o : m.options()) {
                assertThat(doc).as("docs/methods.md names %s's option %s", m.name(), o.name()).contains("`" + o.name() + "`");
            }
        }
    }
}
