package org.explainj.bioimage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.explainj.model.ModelCache;
import org.explainj.testutil.Resources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A package's TorchScript weights are checked against their sha256 at every first open of a session; a new session
 * takes the checksum from the cache folder's record while the weights' size, time stamp and zip directory are
 * unchanged, and hashes them again once they change.
 */
class PackageChecksumTest {

    @TempDir
    Path tmp;

    @Test
    void aNewSessionReadsTheRecordedChecksumOnlyWhileTheWeightsAreUnchanged() throws IOException {
        Path pkg = tmp.resolve("unet");
        Path source = Resources.path("bioimageio/unet2d_v05");
        Files.createDirectories(pkg);
        try (Stream<Path> s = Files.list(source)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                Files.copy(f, pkg.resolve(f.getFileName()));
            }
        }
        Path cache = tmp.resolve("cache");
        Path weights = pkg.resolve("weights.pt");
        String real = ModelCache.sha256(weights);
        assertEquals(weights, BioimagePackage.open(pkg, cache).weights());
        List<Path> records;
        try (Stream<Path> s = Files.list(cache.resolve("hashes"))) {
            records = s.toList();
        }
        assertEquals(1, records.size(), "one record, for the weights (the test tensors are hashed every time)");
        Path record = records.get(0);
        assertTrue(Files.readString(record).trim().endsWith(" " + real), Files.readString(record));
        // a new session trusts the record: a forged checksum there is what it compares with the description's
        String forged = "f".repeat(64);
        Files.writeString(record, Files.readString(record).replace(real, forged));
        PackageException e = assertThrows(PackageException.class, () -> BioimagePackage.open(pkg, cache));
        assertTrue(e.getMessage().contains(forged) && e.getMessage().contains(real), e.getMessage());
        // ... but not once the weights file changed on disk (here: its time stamp): hashed again, accepted
        Files.setLastModifiedTime(weights, FileTime.fromMillis(Files.getLastModifiedTime(weights).toMillis() + 5000));
        assertEquals(weights, BioimagePackage.open(pkg, cache).weights());
        assertTrue(Files.readString(record).trim().endsWith(" " + real), Files.readString(record));
    }
}
