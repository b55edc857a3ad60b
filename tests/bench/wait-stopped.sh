#!/bin/bash
# wait-stopped.sh OUTFILE TAG RUNTIME [RUNTIME-OPTIONS...] ID: run "RUNTIME [RUNTIME-OPTIONS...] state ID" back to
# back until it reports "stopped", then append "TAG,ELAPSED_NS,POLLS,STATUS" to OUTFILE. ELAPSED_NS is the wall time
# from this script's first poll to the poll that saw "stopped", so it includes the cost of the state calls
# themselves. STATUS is 0, or 1 when the container was not stopped after 10 s (the exit status too).
# run.sh starts it through nsenter for crun, so that entering the mount namespace stays outside the timing.
set -euo pipefail
export LC_ALL=C # EPOCHREALTIME must use '.' as its decimal point

[[ $# -ge 4 ]] || {
	echo "usage: wait-stopped.sh OUTFILE TAG RUNTIME [RUNTIME-OPTIONS...] ID" >&2
	exit 2
}
out=$1
tag=$2
shift 2
id=${*: -1}
cmd=("${@:1:$#-1}")

# Sets NOW to EPOCHREALTIME ("seconds.microseconds") in microseconds, without forking a subshell.
now_us() {
	local t=$EPOCHREALTIME
	NOW=$((${t%.*} * 1000000 + 10#${t#*.}))
}

# The state output goes through a file, not $(...), so a poll forks nothing but the runtime.
tmp=$out.state.$$
trap 'rm -f "$tmp"' EXIT
state=
polls=0
status=1
now_us
start=$NOW
deadline=$((start + 10000000))
while :; do
	polls=$((polls + 1))
	if "${cmd[@]}" state "$id" >"$tmp" 2>/dev/null; then
		IFS= read -r -d '' state <"$tmp" || true
		if [[ $state =~ \"status\"[[:space:]]*:[[:space:]]*\"([a-z]+)\" ]] && [[ ${BASH_REMATCH[1]} == stopped ]]; then
			status=0
			break
		fi
	fi
	now_us
	[[ $NOW -lt $deadline ]] || break
done
now_us
echo "$tag,$(((NOW - start) * 1000)),$polls,$status" >>"$out"
exit "$status"
