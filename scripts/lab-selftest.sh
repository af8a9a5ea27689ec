#!/usr/bin/env bash
# Tests of the lab launcher (./freeflow lab ...) that do not need the real router or FFL:
# the routers are stand-ins (scripts/testing/fake-assembly, scripts/testing/fake-ffctl)
# and the programs are plain ones (sh, getent, ping, qperf's TCP test). What it checks:
# namespaces, fabric and overlay, hosts files, environment, exit codes, signals,
# stale containers, failure paths of `lab up`, inspect --json and the state file,
# kill-router and start-router, and that `lab down` leaves nothing.
# Needs root. Prints 'N passed, N failed' and exits non-zero on a failure.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FF=$REPO/freeflow
LAB=${SELFTEST_LAB:-ffst}
FAILLAB=${LAB}x
export FREEFLOW_ASSEMBLY=$REPO/scripts/testing/fake-assembly
export FREEFLOW_FFCTL=$REPO/scripts/testing/fake-ffctl
FREEFLOW_LIB=$(mktemp -d)
export FREEFLOW_LIB
unset FREEFLOW_LAB FREEFLOW_LAB_SUBNET FAKE_ROUTER_MODE
STATE=${FREEFLOW_LAB_STATE:-/run/freeflow-lab}
OUT=$(mktemp -d)

passed=0
failed=0
ok() {
	passed=$((passed + 1))
	echo "PASS $*"
}
ko() {
	failed=$((failed + 1))
	echo "FAIL $*"
}
# check DESCRIPTION COMMAND...: the command must succeed
check() {
	local what=$1
	shift
	if "$@" >"$OUT/check.log" 2>&1; then ok "$what"; else
		ko "$what"
		sed 's/^/    /' "$OUT/check.log"
	fi
}
# (programs in the background are started with "$FF" itself, so that $! is the launcher)
lab() { "$FF" lab --lab "$LAB" "$@"; }
contains() { grep -q -- "$2" "$1"; }

finish() {
	"$FF" lab --lab "$LAB" down >/dev/null 2>&1
	"$FF" lab --lab "$FAILLAB" down >/dev/null 2>&1
	rm -rf "$OUT" "$FREEFLOW_LIB"
}
trap finish EXIT

[[ $(id -u) -eq 0 ]] || {
	echo "lab-selftest: needs root" >&2
	exit 1
}
"$FF" lab --lab "$LAB" down >/dev/null 2>&1
"$FF" lab --lab "$FAILLAB" down >/dev/null 2>&1

# ---- lab up failure paths: a clear error, the log tail, nothing left behind
nothing_left() {
	[[ ! -d $STATE/$1 ]] && ! ip netns list | grep -q "^$1-" && ! ip link show "$1-fab" >/dev/null 2>&1
}
FAKE_ROUTER_MODE=fail "$FF" lab --lab "$FAILLAB" up >"$OUT/fail.log" 2>&1
rc=$?
if ((rc != 0)) && contains "$OUT/fail.log" "exited during start" && contains "$OUT/fail.log" "failing on purpose"; then
	ok "lab up: a router that dies is reported with its log"
else
	ko "lab up: a router that dies is reported with its log (rc=$rc)"
	sed 's/^/    /' "$OUT/fail.log"
fi
check "lab up: nothing left after a failed start" nothing_left "$FAILLAB"
FAKE_ROUTER_MODE=mute "$FF" lab --lab "$FAILLAB" up --timeout 2 >"$OUT/mute.log" 2>&1
rc=$?
if ((rc != 0)) && contains "$OUT/mute.log" "no answer to 'ffctl ping'"; then
	ok "lab up: a router that does not answer times out"
else
	ko "lab up: a router that does not answer times out (rc=$rc)"
	sed 's/^/    /' "$OUT/mute.log"
fi
check "lab up: nothing left after a time-out" nothing_left "$FAILLAB"

# ---- a lab of two hosts
if lab up --config no-key-here >"$OUT/x" 2>&1; then ko "lab up --config without KEY=VALUE fails"; else
	ok "lab up --config without KEY=VALUE fails"
fi
check "lab up --hosts 2 (with --config)" lab up --hosts 2 --timeout 30 \
	--config org.freeflow.router:dataPathSelfTestMillis=0 --config org.freeflow.qos:maxQpsPerContainer=7
check "lab up again is a no-op" lab up --hosts 2
if lab up --hosts 1 >"$OUT/x" 2>&1; then ko "lab up with another host count fails"; else ok "lab up with another host count fails"; fi
lab status >"$OUT/status" 2>&1
check "status: two routers alive and answering" test "$(grep -cE '^h[12] .* yes +ok ' "$OUT/status")" -eq 2

router_in_ns() {
	local h=$1 pid ns
	pid=$(lab inspect "$h" | sed -n 's/^pid=//p')
	ns=$(ip netns identify "$pid")
	[[ $ns == "$LAB-$h" ]]
}
check "h1's router runs in namespace $LAB-h1" router_in_ns h1
check "h2's router runs in namespace $LAB-h2" router_in_ns h2
cfg_ok() {
	local c=$STATE/$LAB/$1/karaf/etc/org.freeflow.router.cfg
	grep -qx "hostName=$1" "$c" && grep -qx "socketDir=$STATE/$LAB/$1/sock" "$c" &&
		[[ $(grep -c '^hostName' "$c") -eq 1 ]]
}
check "h1's copy of the router is configured (hostName, socketDir)" cfg_ok h1
check "h2's copy of the router is configured (hostName, socketDir)" cfg_ok h2
check "lab up --config set a router key before start" grep -qx "dataPathSelfTestMillis=0" \
	"$STATE/$LAB/h2/karaf/etc/org.freeflow.router.cfg"
check "lab up --config made a configuration file it did not find" grep -qx "maxQpsPerContainer=7" \
	"$STATE/$LAB/h1/karaf/etc/org.freeflow.qos.cfg"
check "two hosts: Ignite discovery lists both" grep -q "discoveryAddresses=.*,.*:47500" \
	"$STATE/$LAB/h2/karaf/etc/org.freeflow.ffo.cfg"
h2addr=$(lab inspect h2 | sed -n 's/^address=//p')
check "the root namespace reaches h2 on the fabric ($h2addr)" ping -c 1 -W 2 "$h2addr"
check "h1 has br0 without an address" test -z "$(ip -n "$LAB-h1" -4 -o addr show br0)"

# ---- inspect --json: one JSON object, the same facts typed
json_has() { # FILE PYTHON-EXPRESSION-OF-d
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}
lab inspect --json h2 >"$OUT/h2.json" 2>&1
check "inspect --json h2: one JSON object" test "$(wc -l <"$OUT/h2.json")" -eq 1
check "inspect --json h2: name, address, pid, router, alive" json_has "$OUT/h2.json" \
	"d['name'] == 'h2' and d['address'] == '$h2addr' and isinstance(d['pid'], int) and d['router'] == 'running' and d['alive'] is True and d['socket'].endswith('/h2/sock/admin.sock')"
check "inspect --json and key=value agree" test "$(lab inspect h2 | sed -n 's/^pid=//p')" = \
	"$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["pid"])' "$OUT/h2.json")"
check "the lab's state is one JSON file" json_has "$STATE/$LAB/lab.json" \
	"d['state'] == 'up' and [h['name'] for h in d['hosts']] == ['h1', 'h2']"

# ---- kill-router / start-router: the host and its containers stay
"$FF" lab --lab "$LAB" run --host h2 --name keep -- sleep 120 >/dev/null 2>&1 &
keep=$!
check "wait for keep" bash -c "for i in \$(seq 50); do ip netns pids $LAB-c-keep | grep -q . && exit 0; sleep 0.2; done; exit 1"
lab inspect --json keep >"$OUT/keep.json" 2>&1
check "inspect --json keep: a container's facts" json_has "$OUT/keep.json" \
	"d['host'] == 'h2' and d['vip'].startswith('10.98.2.') and isinstance(d['pid'], int) and d['alive'] is True"
oldpid=$(lab inspect h2 | sed -n 's/^pid=//p')
check "kill-router h2" lab kill-router h2
check "kill-router: no process of the router's group is left" bash -c "! kill -0 -- -$oldpid 2>/dev/null"
check "kill-router: nothing runs in the host's namespace" test -z "$(ip netns pids "$LAB-h2")"
check "kill-router: the host's namespace stays" test -e "/run/netns/$LAB-h2"
check "kill-router: its container and program stay" bash -c "ip netns pids $LAB-c-keep | grep -q . && kill -0 $keep"
check "kill-router: the state records the router as stopped" json_has "$STATE/$LAB/lab.json" \
	"d['hosts'][1]['router'] == 'stopped' and d['hosts'][1]['pid'] is None and 'keep' in d['containers']"
lab status >"$OUT/status" 2>&1
check "status: h2's router is down" grep -qE '^h2 .* stopped +no +- ' "$OUT/status"
check "status: h1's router still answers" grep -qE '^h1 .* running +yes +ok ' "$OUT/status"
check "kill-router of a stopped router is a no-op" lab kill-router h2
lab run --host h2 --name late -- true >"$OUT/late" 2>&1
rc=$?
check "run on a host whose router is down: a launcher error (125)" test $rc -eq 125
check "run on a host whose router is down says so" grep -q "router of h2 is not running" "$OUT/late"
if lab kill-router h7 >/dev/null 2>&1; then ko "kill-router of an unknown host fails"; else ok "kill-router of an unknown host fails"; fi
# a router that never sees the whole cluster: start-router waits for it, then gives up
FAKE_ROUTER_MODE=alone lab start-router h2 --timeout 3 >"$OUT/alone" 2>&1
rc=$?
if ((rc != 0)) && contains "$OUT/alone" "not in one cluster of 2"; then
	ok "start-router: waits for one cluster of the live routers (and times out)"
else
	ko "start-router: waits for one cluster of the live routers (and times out) (rc=$rc)"
	sed 's/^/    /' "$OUT/alone"
fi
check "start-router that failed: the router is stopped again" json_has "$STATE/$LAB/lab.json" \
	"d['hosts'][1]['router'] == 'stopped' and d['hosts'][1]['pid'] is None"
check "start-router that failed: nothing runs in the host's namespace" test -z "$(ip netns pids "$LAB-h2")"
check "start-router h2" lab start-router h2 --timeout 30
lab status >"$OUT/status" 2>&1
check "status: h2's router is up again" grep -qE '^h2 .* running +yes +ok ' "$OUT/status"
check "status: both routers see a cluster of 2" test "$(grep -cE '^h[12] +2 +2 ' "$OUT/status")" -eq 2
check "start-router: a new router in h2's namespace" bash -c \
	"p=\$('$FF' lab --lab '$LAB' inspect h2 | sed -n 's/^pid=//p'); [[ \$p != '$oldpid' && \$(ip netns identify \$p) == '$LAB-h2' ]]"
check "start-router of a running router is a no-op" lab start-router h2
check "run on h2 after start-router" lab run --host h2 --name again -- true
check "keep outlived its router's restart" kill -0 "$keep"
kill -TERM "$keep"
wait "$keep"
check "keep ends on TERM (143)" test $? -eq 143

# ---- lab link: a host's cable pulled and plugged back
check "link h2 down" lab link h2 down
check "link down: h1 no longer reaches h2 on the fabric" bash -c "! ip netns exec '$LAB-h1' ping -c 1 -W 1 '$h2addr'"
check "link down: the state records it" json_has "$STATE/$LAB/lab.json" "d['hosts'][1]['link'] == 'down'"
lab status >"$OUT/status" 2>&1
check "status: h2's link is down" grep -qE '^h2 +[^ ]+ +[^ ]+ +down ' "$OUT/status"
check "link h2 up" lab link h2 up
check "link up: h1 reaches h2 again" ip netns exec "$LAB-h1" ping -c 1 -W 2 "$h2addr"
check "link up: the state records it" json_has "$STATE/$LAB/lab.json" "d['hosts'][1]['link'] == 'up'"
check "link h2 down --for 200: a cut of 200 ms" lab link h2 down --for 200
check "link after a timed cut: h1 reaches h2" ip netns exec "$LAB-h1" ping -c 1 -W 2 "$h2addr"
check "link after a timed cut: the state says up" json_has "$STATE/$LAB/lab.json" "d['hosts'][1]['link'] == 'up'"
if lab link h2 sideways >/dev/null 2>&1; then ko "link: neither down nor up is an error"; else ok "link: neither down nor up is an error"; fi
if lab link h7 down >/dev/null 2>&1; then ko "link of an unknown host fails"; else ok "link of an unknown host fails"; fi

# ---- lab run: output, exit status, environment, address
lab run --name out1 -- sh -c 'echo to-stdout; echo to-stderr >&2; exit 7' >"$OUT/o" 2>"$OUT/e"
rc=$?
check "run: exit status passes through" test "$rc" -eq 7
check "run: stdout passes through" grep -qx to-stdout "$OUT/o"
check "run: stderr passes through" grep -qx to-stderr "$OUT/e"
# shellcheck disable=SC2016 # expanded in the container
lab run --name env1 --tenant blue -- sh -c 'echo "S=$FREEFLOW_SOCKET"; echo "L=$LD_LIBRARY_PATH"; ip -4 -o addr show eth0' >"$OUT/env" 2>&1
check "run: FREEFLOW_SOCKET is the container's socket" grep -qx "S=$STATE/$LAB/h1/sock/containers/env1.sock" "$OUT/env"
check "run: LD_LIBRARY_PATH starts with the FFL directory" grep -q "^L=$FREEFLOW_LIB" "$OUT/env"
check "run: eth0 has the router's virtual IP" grep -q 'inet 10\.98\.1\.[0-9]*/16' "$OUT/env"
check "run: the tenant reached the router" grep -q 'attach env1' "$STATE/$LAB/h1/sock/events.log"
check "run: the container was detached at its end" grep -q 'detach env1' "$STATE/$LAB/h1/sock/events.log"
# the launcher is Python, which ignores SIGPIPE: its programs must not inherit that
sigpipe_bit() {
	local mask
	mask=$(sed -n 's/^SigIgn:[[:space:]]*//p')
	echo $((0x${mask:-0} & 0x1000))
}
here=$(sigpipe_bit </proc/self/status)
check "run: SIGPIPE's disposition is the caller's" test "$(lab run --name sig1 -- cat /proc/self/status | sigpipe_bit)" = "$here"
if lab run --name out2 -- /no/such/program >/dev/null 2>&1; then ko "run: a missing program fails"; else ok "run: a missing program fails"; fi
lab run --host h9 --name out3 -- true >/dev/null 2>&1
check "run: an unknown host is a launcher error (125)" test $? -eq 125
lab run --name BAD_NAME -- true >/dev/null 2>&1
check "run: a bad name is a launcher error (125)" test $? -eq 125

# ---- two containers on h1, one on h2: names, hosts files, TCP across the overlay
"$FF" lab --lab "$LAB" run --host h1 --name srv -- qperf >"$OUT/srv.log" 2>&1 &
srv=$!
check "wait-port: qperf listens in srv" lab wait-port --name srv 19765 --timeout 20
check "run: srv resolves itself" lab exec --name srv -- getent hosts srv
check "exec: SIGPIPE's disposition is the caller's" test "$(lab exec --name srv -- cat /proc/self/status | sigpipe_bit)" = "$here"
check "port: srv's port goes down" lab port --name srv down
check "port: the router heard it" grep -q 'port srv down' "$STATE/$LAB/h1/sock/events.log"
check "port: an unknown container is an error" bash -c "! '$FF' lab --lab '$LAB' port --name nosuch up"
lab run --host h1 --name near -- sh -c 'getent hosts srv && ping -c 1 -W 2 srv && qperf -t 1 srv tcp_lat' >"$OUT/near" 2>&1
check "same host: name, ping and TCP to srv" test $? -eq 0
lab run --host h2 --name far -- sh -c 'getent hosts srv && ping -c 1 -W 2 srv && qperf -t 1 srv tcp_bw' >"$OUT/far" 2>&1
rc=$?
check "other host (VXLAN overlay): name, ping and TCP to srv" test $rc -eq 0
((rc == 0)) || sed 's/^/    /' "$OUT/far"
"$FF" lab --lab "$LAB" run --host h2 --name idle -- sleep 30 >/dev/null 2>&1 &
idle=$!
check "wait for idle" bash -c "for i in \$(seq 50); do grep -q idle /etc/netns/$LAB-c-srv/hosts && exit 0; sleep 0.2; done; exit 1"
check "the running srv sees the new container in its /etc/hosts" lab exec --name srv -- getent hosts idle
check "containers share one hosts file (one inode)" test "$(stat -c %i "/etc/netns/$LAB-c-srv/hosts")" = "$(stat -c %i "/etc/netns/$LAB-c-idle/hosts")"
lab status >"$OUT/status" 2>&1
check "status lists srv and idle alive" test "$(grep -cE '^(srv|idle) .* yes *$' "$OUT/status")" -eq 2
lab run --name srv -- true >/dev/null 2>&1
check "run: a name in use is a launcher error (125)" test $? -eq 125

# ---- signals: TERM and INT end the program and remove the container
kill -TERM "$idle"
wait "$idle"
rc=$?
check "TERM: lab run exits 143" test "$rc" -eq 143
check "TERM: the namespace is gone" test ! -e "/run/netns/$LAB-c-idle"
check "TERM: /etc/netns entry is gone" test ! -e "/etc/netns/$LAB-c-idle"
check "TERM: detached" grep -q 'detach idle' "$STATE/$LAB/h2/sock/events.log"
check "TERM: srv's hosts file no longer lists idle" bash -c "! grep -q idle /etc/netns/$LAB-c-srv/hosts"
"$FF" lab --lab "$LAB" run --name stubborn -- sh -c 'trap "" TERM; sleep 60' >/dev/null 2>&1 &
stub=$!
check "wait for stubborn" bash -c "for i in \$(seq 50); do ip netns pids $LAB-c-stubborn | grep -q . && exit 0; sleep 0.2; done; exit 1"
s0=$SECONDS
kill -TERM "$stub"
wait "$stub"
rc=$?
check "TERM ignored: lab run ends (KILL after 10 s) with 143" test "$rc" -eq 143 -a $((SECONDS - s0)) -lt 30
check "TERM ignored: the namespace is gone" test ! -e "/run/netns/$LAB-c-stubborn"
# --default-signal: INT as a terminal sends it, even when this script was started with INT
# ignored (nohup, a background job): bash cannot trap a signal ignored when it started
set -m
env --default-signal=INT "$FF" lab --lab "$LAB" run --name intr -- sleep 30 >/dev/null 2>&1 &
intr=$!
set +m
check "wait for intr" bash -c "for i in \$(seq 50); do ip netns pids $LAB-c-intr | grep -q . && exit 0; sleep 0.2; done; exit 1"
check "wait-port: a container that listens nowhere times out" \
	bash -c "! '$FF' lab --lab '$LAB' wait-port --name intr 1 --timeout 1"
kill -INT "$intr"
wait "$intr"
check "INT: lab run exits 130" test $? -eq 130
check "INT: the namespace is gone" test ! -e "/run/netns/$LAB-c-intr"
"$FF" lab --lab "$LAB" run --name short -- sleep 1 >/dev/null 2>&1 &
short=$!
s0=$SECONDS
lab wait-port --name short 5 --timeout 20 >/dev/null 2>&1
rc=$?
check "wait-port fails early when the container ends" test $rc -ne 0 -a $((SECONDS - s0)) -lt 10
wait "$short"

# ---- a wrapper killed with KILL leaves a stale container: the next run replaces it
"$FF" lab --lab "$LAB" run --name stale -- sleep 60 >/dev/null 2>&1 &
st=$!
check "wait for stale" bash -c "for i in \$(seq 50); do ip netns pids $LAB-c-stale | grep -q . && exit 0; sleep 0.2; done; exit 1"
kill -KILL "$st"
wait "$st" 2>/dev/null
lab run --name stale -- true >/dev/null 2>&1
check "a stale container is replaced" test $? -eq 0
check "the stale container's program was ended" test -z "$(ip netns pids "$LAB-c-stale" 2>/dev/null)"

# ---- lab down with a container still running
check "srv still runs" kill -0 "$srv"
pid1=$(lab inspect h1 | sed -n 's/^pid=//p')
check "lab down" lab down
wait "$srv"
check "down: srv's lab run ended" test $? -ne 0
check "down: router processes are gone" bash -c "! kill -0 -- -$pid1 2>/dev/null"
check "down: no namespace, bridge or state left" nothing_left "$LAB"
check "down: no /etc/netns entry left" bash -c "! ls -a /etc/netns 2>/dev/null | grep -q -- '$LAB'"
check "down again is a no-op" lab down

echo "lab-selftest: $passed passed, $failed failed"
((failed == 0))
