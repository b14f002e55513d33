package org.explainj.ij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.Macro;
import ij.process.ByteProcessor;
import java.io.File;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.explainj.command.ExplainImageCommand;
import org.explainj.explain.Keys;
import org.explainj.explain.Method;
import org.explainj.explain.Option;
import org.explainj.explain.Values;
import org.explainj.testutil.Gui;
import org.junit.jupiter.api.Test;
import org.scijava.ItemIO;
import org.scijava.plugin.Parameter;

/**
 * One definition of every key ({@link Keys}): the SciJava command's fields, the ImageJ dialogs read through a
 * macro, the command-line batch's parsing and the README's key table must all agree with it. Adding a key to
 * {@link Keys} or {@link org.explainj.explain.Options} without its field, or with another default, fails here.
 */
@Gui
class SchemaTest {

    /** A value for each key that is not its default (and valid). */
    private static String other(Option<?> o) {
        if (o.isFlag()) {
            return "true";
        }
        if (!o.choices().isEmpty()) {
            return o.choices().get(o.choices().size() - 1);
        }
        if (o.type() == Integer.class || o.type() == Long.class) {
            return Long.toString(((Number) o.defaultValue()).longValue() + 3);
        }
        if (o.type() == Double.class) {
            return o == Keys.OPACITY ? "0.25" : Double.toString(((Number) o.defaultValue()).doubleValue() + 0.5);
        }
        if (o.type() == File.class) {
            return "/data/" + o.key() + ".txt";
        }
        switch (o.key()) {
            case "target":
                return "top3";
            case "region":
                return "selection";
            case "prefix_tokens":
                return "2";
            case "input_size":
                return "64x48";
            case "channels":
                return "1,1,1";
            case "mean":
            case "std":
                return "0.5";
            default:
                return "x_" + o.key();
        }
    }

    @Test
    void theCommandHasOneFieldPerKeyWithItsTypeDefaultAndLabel() throws Exception {
        ExplainImageCommand fresh = new ExplainImageCommand();
        List<String> inputs = new ArrayList<>();
        for (Field f : ExplainImageCommand.class.getFields()) {
            Parameter p = f.getAnnotation(Parameter.class);
            if (p != null && p.type() == ItemIO.INPUT && !f.getName().equals("image")) {
                inputs.add(f.getName());
            }
        }
        List<String> keys = Keys.ALL.stream().map(Option::key).toList();
        assertEquals(keys.stream().sorted().toList(), inputs.stream().sorted().toList(), "fields vs keys");
        for (Option<?> o : Keys.ALL) {
            Field f = ExplainImageCommand.class.getField(o.key());
            assertTrue(!Modifier.isStatic(f.getModifiers()), o.key());
            Object value = f.get(fresh);
            assertEquals(o.defaultValue(), value, o.key() + ": the field's default");
            assertEquals(o.label(), f.getAnnotation(Parameter.class).label(), o.key() + ": label");
            Class<?> boxed = f.getType().isPrimitive() ? box(f.getType()) : f.getType();
            assertEquals(o.type(), boxed, o.key() + ": type");
        }
        // and back: setValues / values round-trip every key
        Values changed = Values.defaults();
        for (Option<?> o : Keys.ALL) {
            changed = changed.parse(o.key(), other(o));
        }
        fresh.setValues(changed);
        Values read = fresh.values();
        for (Option<?> o : Keys.ALL) {
            assertEquals(changed.get(o), read.get(o), o.key());
        }
    }

    private static Class<?> box(Class<?> p) {
        return p == boolean.class ? Boolean.class : p == int.class ? Integer.class : p == long.class ? Long.class
                : Double.class;
    }

    @Test
    void theDialogsReadEveryKeyFromAMacro() {
        ImagePlus imp = new ImagePlus("image", new ByteProcessor(16, 16));
        imp.setRoi(2, 2, 8, 8); // so that region=selection is offered
        // each method's own options come in its second dialog
        Map<Method, List<Option<?>>> byMethod = new LinkedHashMap<>();
        for (Method m : Method.values()) {
            byMethod.put(m, m.options().stream().filter(o -> o.section() == Option.Section.METHOD).toList());
        }
        for (Map.Entry<Method, List<Option<?>>> e : byMethod.entrySet()) {
            StringBuilder options = new StringBuilder();
            Map<Option<?>, String> expected = new LinkedHashMap<>();
            for (Option<?> o : Keys.ALL) {
                if (o.section() == Option.Section.METHOD && !e.getValue().contains(o)) {
                    continue;
                }
                String v = o == Keys.METHOD ? e.getKey().label() : other(o);
                expected.put(o, v);
                options.append(o.key());
                if (!o.isFlag()) {
                    options.append("=[").append(v).append(']');
                }
                options.append(' ');
            }
            ExplainImageCommand cmd = new ExplainImageCommand();
            cmd.image = imp;
            Thread.currentThread().setName("Run$_schema"); // ImageJ reads macro options per macro thread
            Macro.setOptions(options.toString());
            try {
                assertTrue(ExplainImagePlugin.showDialog(cmd), e.getKey().label());
                assertTrue(ExplainImagePlugin.showMethodDialog(cmd), e.getKey().label());
            } finally {
                Macro.setOptions(null);
            }
            Values read = cmd.values();
            for (Map.Entry<Option<?>, String> x : expected.entrySet()) {
                Option<?> o = x.getKey();
                assertEquals(Values.defaults().parse(o.key(), x.getValue()).get(o), read.get(o),
                        e.getKey().label() + ": " + o.key() + " from the macro string " + options);
            }
        }
    }

    @Test
    void theCommandLineTakesEveryKey() {
        Map<String, String> args = new LinkedHashMap<>();
        for (Option<?> o : Keys.ALL) {
            args.put(o.key(), other(o));
        }
        Values v = Values.parse(args);
        for (Option<?> o : Keys.ALL) {
            assertNotNull(v.get(o), o.key());
            assertEquals(Values.defaults().parse(o.key(), other(o)).get(o), v.get(o), o.key());
        }
        org.explainj.ExplainJException unknown = org.junit.jupiter.api.Assertions.assertThrows(
                org.explainj.ExplainJException.class, () -> Values.parse(Map.of("stepz", "3")));
        assertTrue(unknown.getMessage().contains("Unknown key \"stepz\"") && unknown.getMessage().contains("steps"),
                unknown.getMessage());
    }

    @Test
    void theReadmeKeyTableIsTheOneTheKeysMake() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("<!-- keys:");
        int end = readme.indexOf("<!-- /keys -->");
        assertTrue(start >= 0 && end > start, "the README's key table markers");
        int from = readme.indexOf('\n', start) + 1;
        if (Boolean.getBoolean("explainj.readme.update")) {
            readme = readme.substring(0, from) + Keys.markdownTable() + readme.substring(end);
            Files.writeString(Path.of("README.md"), readme);
            end = readme.indexOf("<!-- /keys -->");
        }
        String table = readme.substring(from, end);
        assertEquals(Keys.markdownTable(), table, "README.md's key table (rewrite it with mvn -o test "
                + "-Dtest=SchemaTest -Dexplainj.readme.update=true)");
    }
}
