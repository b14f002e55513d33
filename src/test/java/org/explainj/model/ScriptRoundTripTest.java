package org.explainj.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.explainj.model.script.Parser;
import org.explainj.model.script.Printer;
import org.explainj.testutil.Resources;
import org.junit.jupiter.api.Test;

/**
 * Every code file of every TorchScript model in the test resources (traced and scripted, torch 1.13, the
 * torchvision families and the construct models) parses, and prints back byte for byte: the parser reads the whole
 * subset the serializer writes, and the printer writes it the way torch does.
 */
class ScriptRoundTripTest {

    @Test
    void everyCodeFileOfEveryTestModelPrintsBackUnchanged() throws IOException {
        List<Path> models = new ArrayList<>();
        try (Stream<Path> s = Files.walk(Resources.path(""))) {
            s.filter(p -> p.toString().endsWith(".pt")).forEach(models::add);
        }
        assertTrue(models.size() >= 40, "test models found: " + models.size());
        int files = 0;
        for (Path model : models) {
            TorchScriptArchive archive;
            try {
                archive = TorchScriptArchive.read(model);
            } catch (ModelException damaged) {
                continue; // the deliberately damaged files of the robustness tests
            }
            for (Map.Entry<String, String> e : archive.codeFiles().entrySet()) {
                assertEquals(e.getValue(), Printer.file(Parser.parseFile(e.getValue())),
                        model.getFileName() + ": " + e.getKey());
                files++;
            }
        }
        System.out.println("code files printed back unchanged: " + files + " from " + models.size() + " models");
        assertTrue(files > 500, "code files: " + files);
    }
}
