# Sourced by the benchmark scripts: builds the test classes and sets CP to a copy of them plus the test class path,
# so that a build started meanwhile (mvn test, mvn clean) cannot disturb the run. The copy is removed on exit.
mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -DincludeScope=test
SNAP="$(mktemp -d)"
trap 'rm -rf "$SNAP"' EXIT
cp -r target/classes "$SNAP/classes"
cp -r target/test-classes "$SNAP/test-classes"
CP="$SNAP/classes:$SNAP/test-classes:$(cat target/bench-classpath.txt)"
export CP
