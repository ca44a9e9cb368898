package org.da3.workbench.run;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * The jar a remote target runs with {@code java -jar}, and its SHA-256, which names it on the
 * remote machine ({@code jars/<sha256>.jar}) so it is uploaded once per version.
 *
 * <p>When the workbench runs from its shaded jar ({@code target/da3-workbench.jar}, built by {@code
 * mvn package}) that jar is used as is. When it runs from a classes folder (tests, an IDE), a
 * <em>development jar</em> is built instead: the classes plus a manifest whose {@code Class-Path}
 * lists the absolute paths of the dependency jars on this machine. That jar only works on this
 * same machine (the tests' SSH server on 127.0.0.1); for a real remote machine run {@code mvn
 * package} and start the workbench from the shaded jar, or name a jar with {@code
 * -Dda3.workerJar=PATH}.
 *
 * @param path the jar on this machine
 * @param sha256 its SHA-256 (lowercase hex)
 * @param development true for a same-machine development jar
 */
public record WorkerJar(Path path, String sha256, boolean development) {

    /** System property naming the worker jar explicitly. */
    public static final String PROPERTY = "da3.workerJar";

    private static final Map<String, String> HASHES = new ConcurrentHashMap<>();
    private static final long FIXED_TIME = 315_532_800_000L; // 1980-01-01, so the jar's bytes are reproducible

    /**
     * The worker jar of this process.
     *
     * @return the jar
     * @throws IOException if no jar can be found or built, with a message that says what to do
     */
    public static WorkerJar current() throws IOException {
        String explicit = System.getProperty(PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            Path p = Path.of(explicit).toAbsolutePath();
            if (!Files.isRegularFile(p)) {
                throw new IOException("-D" + PROPERTY + "=" + explicit + " does not exist; build it with 'mvn package'");
            }
            return new WorkerJar(p, sha256(p), false);
        }
        Path source = codeSource();
        if (Files.isRegularFile(source) && isSelfContained(source)) {
            return new WorkerJar(source, sha256(source), false);
        }
        if (Files.isDirectory(source)) {
            return development(source, System.getProperty("java.class.path"));
        }
        throw new IOException("the workbench runs from " + source + ", which is not the self-contained jar;"
                + " build it with 'mvn package' and run target/da3-workbench.jar, or pass -D" + PROPERTY + "=JAR");
    }

    private static Path codeSource() throws IOException {
        try {
            return Path.of(WorkerJar.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            throw new IOException("cannot tell where the workbench's classes are: " + e.getMessage(), e);
        }
    }

    /**
     * Whether a jar can run alone: it has a Main-Class and the dependencies (picocli, DJL) inside.
     *
     * @param jar the jar
     * @return true for the shaded jar
     */
    static boolean isSelfContained(Path jar) {
        try (JarFile jf = new JarFile(jar.toFile())) {
            Manifest m = jf.getManifest();
            return m != null && m.getMainAttributes().getValue(Attributes.Name.MAIN_CLASS) != null
                    && jf.getEntry("picocli/CommandLine.class") != null && jf.getEntry("ai/djl/engine/Engine.class") != null;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Builds (or reuses) the development jar of a classes folder: its files plus a manifest with
     * Main-Class and a Class-Path of absolute file URLs of the other class path entries. The bytes
     * depend only on the contents, so equal classes give an equal hash.
     *
     * @param classes the classes folder
     * @param classPath the class path (java.class.path)
     * @return the jar, under {@code java.io.tmpdir/da3-worker-jars/}
     * @throws IOException on a read or write error
     */
    public static WorkerJar development(Path classes, String classPath) throws IOException {
        Path root = classes.toAbsolutePath().normalize();
        List<String> urls = new ArrayList<>();
        for (String e : classPath.split(File.pathSeparator)) {
            if (e.isBlank()) {
                continue;
            }
            Path p = Path.of(e).toAbsolutePath().normalize();
            if (p.equals(root) || !Files.exists(p)) {
                continue;
            }
            urls.add(p.toUri().toString());
        }
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.put(Attributes.Name.MAIN_CLASS, LocalTarget.MAIN_CLASS);
        a.put(Attributes.Name.CLASS_PATH, String.join(" ", urls));
        a.putValue("X-Da3-Development-Jar", "dependencies are absolute paths on the machine that built it;"
                + " use it on that machine only");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        try (JarOutputStream jar = new JarOutputStream(bytes)) {
            JarEntry me = new JarEntry("META-INF/MANIFEST.MF");
            me.setTime(FIXED_TIME);
            jar.putNextEntry(me);
            mf.write(jar);
            jar.closeEntry();
            for (Path f : files) {
                String name = root.relativize(f).toString().replace(File.separatorChar, '/');
                if (name.equals("META-INF/MANIFEST.MF")) {
                    continue;
                }
                JarEntry je = new JarEntry(name);
                je.setTime(FIXED_TIME);
                jar.putNextEntry(je);
                Files.copy(f, jar);
                jar.closeEntry();
            }
        }
        byte[] content = bytes.toByteArray();
        String sha = hex(digest().digest(content));
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "da3-worker-jars");
        Files.createDirectories(dir);
        Path out = dir.resolve(sha + ".jar");
        if (!Files.isRegularFile(out) || Files.size(out) != content.length) {
            Path tmp = Files.createTempFile(dir, sha, ".part");
            try {
                Files.write(tmp, content);
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        return new WorkerJar(out, sha, true);
    }

    /**
     * The SHA-256 of a file, remembered per (path, file key, size, modification and status-change
     * times to the nanosecond where the file system keeps them) so a large jar is hashed once per
     * process, while a file written again, even within the same millisecond and to the same size,
     * or replaced by a rename, is hashed again.
     *
     * @param file the file
     * @return lowercase hex
     * @throws IOException on a read error
     */
    public static String sha256(Path file) throws IOException {
        Path p = file.toAbsolutePath().normalize();
        String key = p + "|" + identity(p);
        String known = HASHES.get(key);
        if (known != null) {
            return known;
        }
        MessageDigest md = digest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(p), md)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        String h = hex(md.digest());
        HASHES.put(key, h);
        return h;
    }

    /** What changes when a file's content may have: its file key, size, mtime and (on Unix) ctime. */
    static String identity(Path p) throws IOException {
        java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(p,
                java.nio.file.attribute.BasicFileAttributes.class);
        String id = a.fileKey() + "|" + a.size() + "|" + a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS);
        try {
            // a write always moves ctime, which no program can set back (mtime can be)
            Object ctime = Files.getAttribute(p, "unix:ctime");
            if (ctime instanceof java.nio.file.attribute.FileTime t) {
                id += "|" + t.to(java.util.concurrent.TimeUnit.NANOSECONDS);
            }
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            // not a Unix file system: file key, size and mtime
        }
        return id;
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
