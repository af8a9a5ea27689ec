#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# `make test`: runs the unit tests given as arguments (from $O/tests) and
# a few checks of the built library that need no router, then prints the
# total as "N passed, N failed" and fails if anything failed.
set -u
O=${O:-target}
LIB=$O/lib/libibverbs.so.1
passed=0
failed=0

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

for t in "$@"; do
	echo "== $t"
	out=$("$O/tests/$t" 2>&1)
	rc=$?
	echo "$out"
	last=$(echo "$out" | tail -n 1)
	p=$(echo "$last" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(echo "$last" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	if [ -z "$p" ]; then
		fail "$t" "exit $rc without a summary line"
		continue
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || fail "$t" "exit $rc"
done

echo "== library checks"

# abi_dump checks that its fields tile every struct of ff_abi.h
if "$O/tests/abi_dump" >/dev/null; then
	pass abi_dump_layout
else
	fail abi_dump_layout "fields of ff_abi.h missing from abi_dump"
fi

# every name of the version script is exported at its node, nothing else
want=$(awk '/^[A-Z_0-9.]+ \{/ { node = $1 }
	    /^\t\t[A-Za-z_0-9]+;/ { gsub(/[\t;]/, ""); print node, $0 }' \
	    src/libibverbs.map | sort)
have=$(readelf -W --dyn-syms "$LIB" |
	awk '$7 != "UND" && $8 ~ /@@/ { split($8, a, "@@"); print a[2], a[1] }' |
	grep -v '^\(IBVERBS[A-Z_0-9.]*\) \1$' | sort)
if [ -n "$want" ] && [ "$want" = "$have" ]; then
	pass "exports_match_version_script ($(echo "$have" | wc -l) names)"
else
	fail exports_match_version_script \
		"$(printf '%s\n' "$want" > "$O/want.txt"; \
		   printf '%s\n' "$have" > "$O/have.txt"; \
		   diff "$O/want.txt" "$O/have.txt" | head -5 | tr '\n' ' ')"
fi

if readelf -d "$LIB" | grep -q 'SONAME.*\[libibverbs.so.1\]'; then
	pass soname
else
	fail soname "soname is not libibverbs.so.1"
fi

# unmodified binaries: BIND_NOW must resolve every import (libmlx5/libefa)
for b in ib_send_bw ibv_devinfo; do
	if ! command -v "$b" >/dev/null 2>&1; then
		echo "SKIP loads_$b: not installed"
		continue
	fi
	err=$(LD_LIBRARY_PATH=$O/lib FREEFLOW_SOCKET=/nonexistent/ffr.sock \
	      "$b" -h 2>&1 >/dev/null)
	case "$err" in
	*"not found (required by"*|*"symbol lookup error"*)
		fail "loads_$b" "$(echo "$err" | head -1)" ;;
	*) pass "loads_$b" ;;
	esac
done

# no router: an empty device list, not a crash
if command -v ibv_devices >/dev/null 2>&1; then
	out=$(LD_LIBRARY_PATH=$O/lib FREEFLOW_SOCKET=/nonexistent/ffr.sock \
	      ibv_devices 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ] && ! echo "$out" | grep -q freeflow; then
		pass no_router_empty_list
	else
		fail no_router_empty_list "exit $rc: $out"
	fi
fi

# no FREEFLOW_SOCKET at all: no device either (there is no default socket)
if command -v ibv_devices >/dev/null 2>&1; then
	out=$(env -u FREEFLOW_SOCKET LD_LIBRARY_PATH=$O/lib ibv_devices 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ] && ! echo "$out" | grep -q freeflow; then
		pass no_socket_variable_empty_list
	else
		fail no_socket_variable_empty_list "exit $rc: $out"
	fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
