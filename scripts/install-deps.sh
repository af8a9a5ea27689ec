#!/usr/bin/env bash
# Install what FreeFlow needs to build, test and run its lab on Debian 12 (bookworm),
# and only what is missing. Safe to run again: it does nothing when all is there.
#   build:  JDK 17, Maven, gcc, make, the verbs headers (FFL is built against them)
#   lab:    python3 (lab/fflab), iproute2 (ip, bridge, ss), util-linux, procps, ping,
#           arping (a container started on another host announces its move)
#   tests:  the unmodified RDMA programs the end-to-end tests run (perftest,
#           ibverbs-utils, rdmacm-utils, qperf), shellcheck for the scripts
#   bench:  the baselines of bench/ (iperf3, sockperf, ucx-utils' ucx_perftest) and
#           its report (python3, python3-matplotlib)
set -euo pipefail

packages=(
	openjdk-17-jdk-headless maven gcc make libc6-dev pkg-config
	libibverbs-dev librdmacm-dev
	iproute2 iputils-ping iputils-arping procps util-linux coreutils
	perftest ibverbs-utils rdmacm-utils qperf
	shellcheck
	iperf3 sockperf ucx-utils python3 python3-matplotlib
)

installed() {
	[[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]
}

missing=()
for p in "${packages[@]}"; do
	installed "$p" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
	echo "install-deps: all ${#packages[@]} packages are installed"
	exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
	command -v sudo >/dev/null 2>&1 || {
		echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
		exit 1
	}
	SUDO=(sudo)
else
	SUDO=()
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
