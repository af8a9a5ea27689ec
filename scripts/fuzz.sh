#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS]: the long fuzz run of docs/fuzzing.md (./freeflow fuzz).
#
# Builds router-core and what it needs, then fuzzes each of its Jazzer targets in a JVM
# of its own (mvn -Pfuzz-long) for SECONDS (default 1500, i.e. 25 minutes) or a million
# inputs, whichever comes first; no other test runs. The corpus Jazzer grows is kept in
# bundles/router-core/.cifuzz-corpus/ (not in git) and seeds the next run; an input that
# fails lands in the target's Inputs directory under bundles/router-core/src/test/resources/
# as crash-<sha1>, where the normal suite runs it from then on.
#
# Environment: FUZZ_RUNS (inputs per target, default 1000000; -1: no limit),
# FUZZ_MVN_ARGS (more Maven arguments, e.g. -o). Prints the inputs each target ran.
set -euo pipefail

REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
seconds=${1:-1500}
runs=${FUZZ_RUNS:-1000000}
if [[ ! $seconds =~ ^[1-9][0-9]*$ ]]; then
	echo "usage: $0 [SECONDS]  (seconds per fuzz target, default 1500)" >&2
	exit 2
fi
if [[ ! $runs =~ ^(-1|[1-9][0-9]*)$ ]]; then
	echo "$0: FUZZ_RUNS must be a positive number or -1, not '$runs'" >&2
	exit 2
fi

log=$REPO/bundles/router-core/target/fuzz-long.log
mkdir -p "$(dirname "$log")"
started=$(mktemp)
trap 'rm -f "$started"' EXIT
echo "fuzz: each target for ${seconds}s or $runs inputs; log in $log" >&2
cd "$REPO"
read -r -a extra <<<"${FUZZ_MVN_ARGS:-}"
set +e
mvn -B "${extra[@]}" -pl bundles/router-core -am verify -Pfuzz-long \
	-Dfuzz.seconds="$seconds" -Dfuzz.runs="$runs" -Dfuzz.timeout=$((seconds + 300)) 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

# one line per target: the execution's name, then libFuzzer's "Done N runs in S second(s)"
echo >&2
echo "fuzz: inputs per target" >&2
awk '
	/maven-surefire-plugin:.*:test \(fuzz-/ { match($0, /\(fuzz-[a-z]+\)/); target = substr($0, RSTART + 1, RLENGTH - 2) }
	/^Done [0-9]+ runs in [0-9]+ second/ && target != "" {
		rate = $5 > 0 ? int($2 / $5) : $2
		printf "  %-14s %10d inputs in %6d s  (%d/s)\n", target, $2, $5, rate
	}
' "$log" >&2
found=$(find "$REPO/bundles/router-core/src/test/resources" -name 'crash-*' -newer "$started" 2>/dev/null || true)
if [[ -n $found ]]; then
	echo "fuzz: findings (fix them; keep each file as a regression input):" >&2
	echo "$found" >&2
fi
exit "$rc"
