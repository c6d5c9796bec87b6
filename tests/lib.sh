# Shared by the shell suites: a scratch dir $T and the result lines tests/run.sh counts.
# A suite sources this after cd'ing where it works, then ends with `finish`.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; : >"$T/failed"; }

# exit status of the suite: 1 if any nok ran (also from subshells, hence the file)
finish() { [ ! -e "$T/failed" ]; }
