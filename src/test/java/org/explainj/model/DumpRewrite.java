package org.explainj.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Development aid: writes the code files a rewrite changes, for reading ({@code DumpRewrite model.pt outdir}). */
final class DumpRewrite {
    public static void main(String[] args) throws Exception {
        TorchScriptArchive archive = TorchScriptArchive.read(Path.of(args[0]));
        TapRewriter.Result r = new TapRewriter(ModuleTree.of(archive)).rewrite();
        for (Map.Entry<String, String> e : r.files().entrySet()) {
            Path out = Path.of(args[1]).resolve(e.getKey().substring(e.getKey().indexOf("/code/") + 6));
            Files.createDirectories(out.getParent());
            Files.writeString(out, e.getValue());
        }
        System.out.println(r.info());
    }
}
