package org.explainj.cli;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;

/**
 * One image of a batch (ExplainFolder, the Spark job): the image file, the name its outputs get ({@code name}
 * {@code -heatmap.tif}, relative to the output folder, '/'-separated, so images of different folders never share a
 * file), its name in the measurements' Image column, and the ROI file and masks a table names for it. With no ROI
 * file and no mask named, the ROIs are the files beside the image ({@code <stem>.zip}, {@code <stem>.roi},
 * {@code <stem>_mask*.png|tif}). Paths are kept as strings so that a job can be sent to a Spark executor.
 */
public record ImageJob(String image, String name, String label, String roi, List<String> masks)
        implements Serializable {

    public ImageJob {
        masks = List.copyOf(masks);
    }

    public Path imagePath() {
        return Path.of(image);
    }

    /** Whether the ROIs come from the table (a ROI file or masks named) rather than from beside the image. */
    public boolean regionsNamed() {
        return roi != null || !masks.isEmpty();
    }
}
