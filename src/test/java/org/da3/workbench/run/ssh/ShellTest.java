package org.da3.workbench.run.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Quoting round-trips through a real /bin/sh: every value comes out as the same single word. */
class ShellTest {
    static final List<String> NASTY = List.of("", "plain", "two words", "it's", "'", "''", "\"double\"",
            "$(touch /tmp/da3-pwned-1)", "`touch /tmp/da3-pwned-2`", "${HOME}", "$HOME", "a\\b", "line\nbreak",
            "; rm -rf / #", "'; touch /tmp/da3-pwned-3 #", "*", "~", "-n", "é ü 中", "tab\there", "!!", "a&b|c>d<e");

    @Test
    void quotedWordsComeOutOfShUnchanged() throws Exception {
        StringBuilder cmd = new StringBuilder("printf '%s\\0'");
        for (String s : NASTY) {
            cmd.append(' ').append(Shell.quote(s));
        }
        Process p = new ProcessBuilder("/bin/sh", "-c", cmd.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        List<String> words = new ArrayList<>(List.of(out.split("\0", -1)));
        words.remove(words.size() - 1);
        assertThat(words).isEqualTo(NASTY);
        assertThat(new java.io.File("/tmp/da3-pwned-1")).doesNotExist();
        assertThat(new java.io.File("/tmp/da3-pwned-3")).doesNotExist();
    }

    @Test
    void joinQuotesEveryWord() {
        assertThat(Shell.join(List.of("java", "-Dx=a b", "it's"))).isEqualTo("'java' '-Dx=a b' 'it'\"'\"'s'");
    }

    @Test
    void nulCannotBeQuotedAndEnvNamesAreChecked() {
        assertThatThrownBy(() -> Shell.quote("a\0b")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Shell.isEnvName("PYTORCH_LIBRARY_PATH")).isTrue();
        assertThat(Shell.isEnvName("_X1")).isTrue();
        assertThat(Shell.isEnvName("1X")).isFalse();
        assertThat(Shell.isEnvName("A=B")).isFalse();
        assertThat(Shell.isEnvName("A;B")).isFalse();
        assertThat(Shell.isEnvName(null)).isFalse();
    }
}
