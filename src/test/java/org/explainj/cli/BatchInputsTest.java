package org.explainj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.explainj.ExplainJException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files of a folder, list or table are explained, and the names their outputs get. */
class BatchInputsTest {

    @TempDir
    Path tmp;

    private Path touch(String relative) throws IOException {
        Path p = tmp.resolve(relative);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, "x");
    }

    private static List<String> names(List<ImageJob> jobs) {
        return jobs.stream().map(ImageJob::name).toList();
    }

    @Test
    void aFolderKeepsImagesAndLeavesOutMasksOutputsAndHiddenFiles() throws IOException {
        Path in = tmp.resolve("in");
        for (String n : new String[] {"in/cell.tif", "in/cell_mask_nucleus.png", "in/cell_masked_stain.tif",
            "in/orphan_mask.png", "in/cell-heatmap.tif", "in/cell-overlay.png", "in/._cell.tif", "in/notes.txt",
            "in/run-overlay-stain.tif", "in/plate1/A01.tif", "in/plate2/A01.tif"}) {
            touch(n);
        }
        assertEquals(List.of("cell", "orphan_mask", "run-overlay-stain"), names(BatchInputs.folder(in, false, null)),
                "cell_masked_stain starts with cell_mask: a mask of cell (as the measurements read it); "
                        + "orphan_mask has no image orphan.*: an image");
        List<ImageJob> all = BatchInputs.folder(in, true, null);
        assertTrue(names(all).containsAll(List.of("plate1/A01", "plate2/A01")), names(all).toString());
        ImageJob a01 = all.stream().filter(j -> j.name().equals("plate2/A01")).findFirst().orElseThrow();
        assertEquals("plate2/A01.tif", a01.label());
        assertNull(a01.roi());
    }

    @Test
    void theOutputFolderInsideTheInputIsLeftOut() throws IOException {
        touch("in/a.tif");
        touch("in/results/b.tif");
        assertEquals(List.of("a"), names(BatchInputs.folder(tmp.resolve("in"), true, tmp.resolve("in/results"))));
    }

    @Test
    void sameNameOtherExtensionKeepsTheExtension() throws IOException {
        touch("in/a.tif");
        touch("in/a.png");
        touch("in/b.tif");
        assertEquals(List.of("a.png", "a.tif", "b"), names(BatchInputs.folder(tmp.resolve("in"), false, null)));
    }

    @Test
    void aListResolvesRelativePathsAndNamesByTheSharedFolder() throws IOException {
        touch("data/p1/x.tif");
        touch("data/p2/x.tif");
        Path list = Files.writeString(tmp.resolve("data/list.txt"), "# images\np1/x.tif\n\n" + tmp.resolve(
                "data/p2/x.tif") + "\n");
        List<ImageJob> jobs = BatchInputs.of(list, tmp.resolve("out"));
        assertEquals(List.of("p1/x", "p2/x"), names(jobs));
        assertEquals(tmp.resolve("data/p1/x.tif").toString(), jobs.get(0).image());
    }

    @Test
    void aTableReadsQuotedPathsRoiAndMaskColumns() throws IOException {
        Path table = Files.writeString(tmp.resolve("t.csv"), "Well,IMAGE,roi,mask\n"
                + "A1,\"p1/a, b.tif\",p1/a.zip,p1/m1.png;p1/m2.png\n"
                + "A2,p2/c.tif,,\n");
        List<ImageJob> jobs = BatchInputs.of(table, null);
        assertEquals(List.of("p1/a, b", "p2/c"), names(jobs));
        assertEquals(tmp.resolve("p1/a.zip").toString(), jobs.get(0).roi());
        assertEquals(List.of(tmp.resolve("p1/m1.png").toString(), tmp.resolve("p1/m2.png").toString()),
                jobs.get(0).masks());
        assertTrue(jobs.get(0).regionsNamed());
        assertTrue(!jobs.get(1).regionsNamed(), "no ROI named: the ROI files beside the image are used");
    }

    @Test
    void badTablesAreRefusedBeforeAnyWork() throws IOException {
        Path noImage = Files.writeString(tmp.resolve("a.csv"), "path,roi\nx.tif,\n");
        assertTrue(assertThrows(ExplainJException.class, () -> BatchInputs.of(noImage, null)).getMessage()
                .contains("no \"image\" column (its columns: path, roi)"));
        Path empty = Files.writeString(tmp.resolve("b.csv"), "image,roi\nx.tif,\n,a.roi\n");
        assertTrue(assertThrows(ExplainJException.class, () -> BatchInputs.of(empty, null)).getMessage()
                .contains("Row 2"));
        Path twice = Files.writeString(tmp.resolve("c.csv"), "image\nx.tif\n./X.TIF\n");
        assertTrue(assertThrows(ExplainJException.class, () -> BatchInputs.of(twice, null)).getMessage()
                .contains("listed twice"));
        assertTrue(assertThrows(ExplainJException.class, () -> BatchInputs.of(tmp.resolve("none"), null))
                .getMessage().contains("does not exist"));
    }
}
