#!/usr/bin/env bash
# Installs ExplainJ into an ImageJ 1.x or Fiji folder.
#
#   scripts/assemble-imagej.sh TARGET_DIR [--fiji] [--jar FILE] [--offline]
#
#   TARGET_DIR   the ImageJ folder (the one holding ij.jar, or Fiji.app); created if missing
#   --fiji       leave out the jars Fiji already ships (see FIJI_PROVIDED below)
#   --jar FILE   install this plugin jar instead of target/ExplainJ_-<version>.jar (no build; InstallTest uses it)
#   --offline    run Maven with -o (everything must already be in ~/.m2)
#
# THE LAYOUT (the one place it is defined; src/test/java/org/explainj/install/InstallTest.java checks it):
#
#   TARGET_DIR/plugins/ExplainJ_-<version>.jar   the plugin; plugins.config at its root gives the menu entries
#                                                (Plugins > ExplainJ > Explain Image..., ...)
#   TARGET_DIR/jars/<artifactId>-<version>[-<classifier>].jar
#                                                the runtime dependencies (Maven scope compile + runtime), among
#                                                them the 112 MB pytorch-native-cpu-2.7.1-linux-x86_64.jar (libtorch)
#   TARGET_DIR/.explainj-install.txt             the files this script installed (removed again on the next run)
#
#   Why jars/ works for both: Fiji puts jars/ on its class path; plain ImageJ 1.x's ij.io.PluginClassLoader
#   (checked in ij 1.54p's source) adds every .jar in plugins/, in plugins/<subfolder>/ (one level) and in the
#   jars/ folder next to plugins/ ("add ImageJ/jars"). The plugin jar itself must be in plugins/ (only jars there,
#   with "_" in the name, are scanned for plugins.config).
#
#   Left out:
#   - always: ImageJ itself (net.imagej:ij) and its dependencies: ij.jar is already there;
#   - with --fiji: everything under ij, imglib2 and scijava-common in `mvn dependency:tree` (Fiji ships them and
#     their dependencies, e.g. parsington, in its own versions);
#   - a dependency of which TARGET_DIR/jars/ already holds a jar of another origin (same artifactId, any version):
#     that one is kept (one version per artifact, as the Fiji updater expects) and a differing version is reported;
#   - with --fiji: slf4j-simple when jars/ already holds an SLF4J binding (Fiji: scijava-log-slf4j / logback).
#
# Nothing is downloaded when ImageJ runs: libtorch comes from the native jar. On the first start DJL extracts it
# (about 450 MB; 2-8 s measured) to ~/.djl.ai/pytorch/2.7.1-20250812-cpu-linux-x86_64/; DJL_CACHE_DIR (environment variable or
# -DDJL_CACHE_DIR=... system property) puts that cache elsewhere.
set -euo pipefail

FIJI_PROVIDED="net.imagej:ij net.imglib2:imglib2 org.scijava:scijava-common"
ALWAYS_PROVIDED="net.imagej:ij"
SLF4J_BINDINGS="slf4j-simple logback-classic scijava-log-slf4j slf4j-jdk14 slf4j-reload4j slf4j-log4j12 slf4j-nop"
MANIFEST_NAME=".explainj-install.txt"

usage() {
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit "${1:-2}"
}

target=""
fiji=false
jar=""
mvn_flags=(-B -q)
while [ $# -gt 0 ]; do
    case "$1" in
        --fiji) fiji=true ;;
        --jar) [ $# -ge 2 ] || usage; jar="$2"; shift ;;
        --offline) mvn_flags+=(-o) ;;
        -h|--help) usage 0 ;;
        -*) echo "Unknown option: $1" >&2; usage ;;
        *) [ -z "$target" ] || usage; target="$1" ;;
    esac
    shift
done
[ -n "$target" ] || usage

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$target"
target="$(cd "$target" && pwd)"
if [ -n "$jar" ]; then
    [ -f "$jar" ] || { echo "No such plugin jar: $jar" >&2; exit 1; }
    jar="$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")"
fi
command -v "${MVN:-mvn}" >/dev/null 2>&1 || { echo "Maven (mvn) is not on the PATH." >&2; exit 1; }

stage="$(mktemp -d "${TMPDIR:-/tmp}/explainj-assemble.XXXXXX")"
trap 'rm -rf "$stage"' EXIT

cd "$repo"

# Maven, quiet unless it fails (-q still prints colour codes on a terminal).
maven() {
    "${MVN:-mvn}" "${mvn_flags[@]}" "$@" > "$stage/mvn.log" 2>&1 \
        || { cat "$stage/mvn.log" >&2; echo "Failed: mvn ${mvn_flags[*]} $*" >&2; exit 1; }
}

# 1. The runtime dependencies (files and tree) from Maven, in one Maven run.
maven dependency:tree dependency:copy-dependencies \
    -Dscope=runtime -DoutputType=text -DoutputFile="$stage/tree.txt" \
    -DincludeScope=runtime -DoutputDirectory="$stage/deps"

# tree.txt: "g:a:jar:version" then one line per dependency, indented by 3 characters a level:
#   +- g:a:jar[:classifier]:version:scope   (top level)      |  \- g:a:jar:version:scope   (below it)
# -> one line per dependency: "g:a file version top-level-g:a"
deps="$stage/deps.txt"
awk 'NR == 1 { next }
     {
       line = $0; sub(/^[-|+\\ ]*/, "", line); depth = (length($0) - length(line)) / 3
       split(line, w, " "); n = split(w[1], c, ":")
       if (n == 6) { file = c[2] "-" c[5] "-" c[4] "." c[3]; v = c[5] } else { file = c[2] "-" c[4] "." c[3]; v = c[4] }
       if (depth == 1) root = c[1] ":" c[2]
       print c[1] ":" c[2], file, v, root
     }' "$stage/tree.txt" > "$deps"
project="$(head -n 1 "$stage/tree.txt")"          # org.explainj:ExplainJ_:jar:0.1.0-SNAPSHOT
version="${project##*:}"
artifact="$(echo "$project" | cut -d: -f2)"
[ -s "$deps" ] || { echo "Maven reported no dependencies (see $stage/tree.txt)." >&2; exit 1; }

# 2. The plugin jar: built by `mvn package` when missing or older than the sources.
if [ -z "$jar" ]; then
    jar="$repo/target/$artifact-$version.jar"
    if [ ! -f "$jar" ] || [ -n "$(find src/main pom.xml plugins.config -newer "$jar" -print -quit)" ]; then
        echo "Building $(basename "$jar") (mvn -DskipTests package)..."
        maven -DskipTests package
    fi
fi
if command -v jar >/dev/null 2>&1; then
    jar tf "$jar" > "$stage/jar.txt"
    grep -qx 'plugins.config' "$stage/jar.txt" \
        || { echo "$jar has no plugins.config at its root: ImageJ would show no menu entry." >&2; exit 1; }
fi

# 3. Lay out.
mkdir -p "$target/plugins" "$target/jars"
manifest="$target/$MANIFEST_NAME"
if [ -f "$manifest" ]; then                        # what the previous run installed
    grep -E '^(plugins|jars)/[^/]+\.jar$' "$manifest" | while IFS= read -r f; do
        rm -f "$target/$f"
    done
fi
for old in "$target/plugins/$artifact"-*.jar "$target/plugins/$artifact.jar"; do
    if [ -e "$old" ] && [ "$(basename "$old")" != "$artifact-$version.jar" ]; then
        echo "Removing the older plugin jar plugins/$(basename "$old")"
        rm -f "$old"
    fi
done

if $fiji && ! compgen -G "$target/jars/ij-*.jar" >/dev/null; then
    echo "Note: $target/jars has no ij-*.jar; this does not look like a Fiji folder (continuing)."
fi
if ! $fiji && [ ! -f "$target/ij.jar" ]; then
    echo "Note: $target has no ij.jar; this does not look like an ImageJ 1.x folder (continuing)."
fi

size() { stat -c %s "$1"; }
mb() { awk -v b="$1" 'BEGIN { printf "%8.1f MB", b / 1048576 }'; }

installed=("plugins/$artifact-$version.jar")
cp "$jar" "$target/plugins/$artifact-$version.jar"
copied=(); skipped=(); total=$(size "$jar")

has_binding=false
for b in $SLF4J_BINDINGS; do
    compgen -G "$target/jars/$b-[0-9]*.jar" >/dev/null && has_binding=true
done

while read -r ga file v root; do
    a="${ga#*:}"
    provided="$ALWAYS_PROVIDED"; $fiji && provided="$FIJI_PROVIDED"
    if [[ " $provided " == *" $root "* ]]; then
        if [ "$root" = "net.imagej:ij" ]; then why="ImageJ itself"; else why="shipped with Fiji (under $root)"; fi
        skipped+=("$file|$why"); continue
    fi
    if $fiji && [ "$a" = slf4j-simple ] && $has_binding; then
        skipped+=("$file|Fiji has an SLF4J binding"); continue
    fi
    existing="$(cd "$target/jars" && compgen -G "$a-[0-9]*.jar" || true)"
    [ -z "$existing" ] && [ -f "$target/jars/$a.jar" ] && existing="$a.jar"
    if [ -n "$existing" ]; then
        names="$(echo "$existing" | tr '\n' ' ')"
        if [ "$names" = "$file " ]; then why="already there"; else why="kept ${names% } (ExplainJ was built with $v)"; fi
        skipped+=("$file|$why"); continue
    fi
    [ -f "$stage/deps/$file" ] || { echo "Maven did not copy $file." >&2; exit 1; }
    cp "$stage/deps/$file" "$target/jars/$file"
    installed+=("jars/$file"); copied+=("$file"); total=$((total + $(size "$stage/deps/$file")))
done < "$deps"

{
    echo "# Files installed by ExplainJ's scripts/assemble-imagej.sh ($artifact $version$($fiji && echo ', --fiji'))."
    echo "# The next run removes them first."
    printf '%s\n' "${installed[@]}"
} > "$manifest"

# 4. Summary.
echo
echo "ExplainJ $version installed into $target ($($fiji && echo 'Fiji' || echo 'ImageJ 1.x') layout):"
echo "  $(mb "$(size "$target/plugins/$artifact-$version.jar")")  plugins/$artifact-$version.jar"
for f in "${copied[@]}"; do
    echo "  $(mb "$(size "$target/jars/$f")")  jars/$f"
done
echo "  $(mb "$total")  in total, ${#copied[@]} dependency jars + the plugin"
if [ ${#skipped[@]} -gt 0 ]; then
    echo "Not copied:"
    for s in "${skipped[@]}"; do
        echo "  ${s%%|*}: ${s#*|}"
    done
fi
cat <<EOF

Menu: Plugins > ExplainJ > Explain Image...
The first start unpacks libtorch from jars/pytorch-native-cpu-*.jar, about 450 MB, into
  \${DJL_CACHE_DIR:-~/.djl.ai}/pytorch/2.7.1-20250812-cpu-linux-x86_64/
(set DJL_CACHE_DIR, or -DDJL_CACHE_DIR=..., to put it elsewhere). Nothing is downloaded at run time.
EOF
