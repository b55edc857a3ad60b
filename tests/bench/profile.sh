#!/bin/bash
# profile.sh HUSK BUNDLE N [OUT]: where one `husk run` of BUNDLE spends its time until the container's program is
# exec'd (issue 18), written as a markdown section to OUT (default: stdout). tests/bench/run.sh calls it and puts the
# section into docs/performance.md; it also runs on its own, as root:
#   tests/bench/profile.sh build/husk /path/to/bundle 30
#
# 1. Phases: N runs with --debug --log-format json. Every narrated step carries a timestamp (ns); the phases are the
#    spans between landmark messages (the state directory's mkdir, clone3, the init's first word, pivot_root,
#    READY, the write of state.json, COMMITTED, execve). Median and p90 over the N runs. The logging itself costs
#    (one write per line), so the sum is above a run's time without --debug: the split is what counts.
# 2. Off-CPU waits (when perf is installed): N (at most 10) more runs, each under `perf record -a -e sched:sched_switch,
#    sched:sched_wakeup -g`; every time a husk process (the runtime or the container's init before its execve)
#    sleeps in D state, the time until its wakeup is added to the innermost kernel functions that explain it
#    (an RCU grace period and who asked for it, a cache flush, a block write, a mutex). Median per run and the
#    largest single wait. Run queue delays (the machine's load) are not counted: these are the waits the kernel
#    imposed on husk.
set -euo pipefail
export LC_ALL=C

[[ $# -ge 3 && $3 =~ ^[0-9]+$ ]] || {
	echo "usage: profile.sh HUSK BUNDLE N [OUT]" >&2
	exit 2
}
husk=$(realpath "$1")
bundle=$(realpath "$2")
N=$3
out=${4:-/dev/stdout}
command -v jq >/dev/null || {
	echo "profile.sh: jq is needed" >&2
	exit 1
}

work=$(mktemp -d /tmp/husk-profile.XXXXXX)
root=$work/root
cleanup() {
	local id
	for id in $("$husk" --root "$root" list -q 2>/dev/null); do
		"$husk" --root "$root" delete --force "$id" >/dev/null 2>&1 || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

# One line per run and phase: "phase ms". Landmarks are matched on the message text of runtime/narrate.c and
# friends; a phase whose landmarks are missing in a run is left out of that run.
phases() {
	jq -r '[.time, .msg] | @tsv' "$1" | awk -F'\t' '
		function ts(s) { split(substr(s, 12, 18), a, ":"); return a[1] * 3600 + a[2] * 60 + a[3] }
		function mark(k, t) { if (!(k in at)) at[k] = t }
		{
			t = ts($1); m = $2
			if (NR == 1) mark("begin", t)
			if (m ~ /the container.s state directory/) mark("statedir", t)
			if (m ~ /: clone3\(/) mark("clone", t)
			if (m ~ /^init\[/) mark("init", t)
			if (m ~ /pivot_root\(/) mark("pivot", t)
			if (m ~ /for a join by "0"/) { mark("procs", t); procs_end = t }
			if (m ~ /send CGROUP_JOIN/) mark("cgdone", t)
			if (m ~ /send READY/) mark("ready", t)
			if (m ~ /write state\.json/) mark("state", t)
			if (m ~ /devices\.(allow|deny) "/) mark("devs", t)
			if (m ~ /send COMMITTED/) mark("committed", t)
			if (m ~ /execve\(/) mark("execve", t)
		}
		function span(name, a, b) { if ((a in at) && (b in at)) printf "%s %.3f\n", name, (at[b] - at[a]) * 1000 }
		END {
			span("1 from the re-exec to the state directory (parse and check config.json)", "begin", "statedir")
			span("2 state directory, cgroup directories, limits", "statedir", "clone")
			span("3 clone3 until the init runs (new namespaces)", "clone", "init")
			span("4 init: namespaces, mounts, /dev, up to pivot_root", "init", "pivot")
			span("5 init: pivot_root, old root detached, masks, read-only paths, user, caps, until READY", "pivot", "ready")
			# the early device rules come just before the join files are opened (runtime/container.c:parent_sync)
			if (("devs" in at) && ((!("procs" in at)) || at["devs"] < at["procs"])) at["procs"] = at["devs"]
			span("6 parent, meanwhile: device rules, the join files opened and sent (the init writes \"0\" to each before READY)", "procs", "cgdone")
			span("8 parent: READY until COMMITTED", "ready", "committed")
			span("9 start: COMMITTED until the execve of the program", "committed", "execve")
			span("total: re-exec until execve", "begin", "execve")
		}'
}

: >"$work/phases"
for ((i = 1; i <= N; i++)); do
	rm -f "$work/log"
	"$husk" --root "$root" --debug --log "$work/log" --log-format json run --bundle "$bundle" "p$i" \
		</dev/null >/dev/null 2>&1 || {
		echo "profile.sh: husk run failed (see $work/log)" >&2
		exit 1
	}
	phases "$work/log" >>"$work/phases"
done

# stats FILE: "key<TAB>median<TAB>p90<TAB>max<TAB>n" per key (the text before the last field), in key order.
stats() {
	awk '{ v = $NF; $NF = ""; sub(/ $/, ""); n[$0]++; x[$0, n[$0]] = v }
		END {
			for (k in n) {
				m = n[k]
				for (i = 1; i <= m; i++) a[i] = x[k, i]
				for (i = 2; i <= m; i++) { y = a[i]; for (j = i - 1; j >= 1 && a[j] > y; j--) a[j + 1] = a[j]; a[j + 1] = y }
				printf "%s\t%.2f\t%.2f\t%.2f\t%d\n", k, a[int((m + 1) / 2)], a[int(m * 0.9 + 0.999)], a[m], m
			}
		}' "$1" | sort
}

offcpu=0
if command -v perf >/dev/null && [[ $(perf list 'sched:sched_switch' 2>/dev/null) == *sched_switch* ]]; then
	offcpu=1
	: >"$work/waits"
	M=$((N < 10 ? N : 10)) # perf record -a -g is slow under load: at most 10 runs
	for ((i = 1; i <= M; i++)); do
		perf record -q -a -g -e sched:sched_switch,sched:sched_wakeup -o "$work/perf.data" -- \
			"$husk" --root "$root" run --bundle "$bundle" "o$i" </dev/null >/dev/null 2>"$work/perf.err" || {
			echo "profile.sh: perf record failed: $(tail -n 3 "$work/perf.err")" >&2
			offcpu=0
			break
		}
		# A D-state switch of a husk task opens a wait keyed by its kernel stack (scheduler and wait helpers
		# left out, four frames kept); the task's next wakeup closes it. Output per run: "key ms" summed.
		perf script -i "$work/perf.data" -F comm,tid,time,event,trace,ip,sym 2>/dev/null | awk -v run="$i" '
			function flush() {
				if (cur != "") { key[cur] = stack }
				cur = ""
			}
			/sched:sched_(switch|wakeup):/ {
				flush()
				for (f = 1; f <= NF; f++) if ($f ~ /^[0-9]+\.[0-9]+:$/) { t = substr($f, 1, length($f) - 1); break }
				if ($0 ~ /sched:sched_wakeup:/) {
					match($0, / pid=[0-9]+/); p = substr($0, RSTART + 5, RLENGTH - 5)
					if (p in open) { sum[key[p]] += (t - open[p]) * 1000; if ((t - open[p]) * 1000 > mx[key[p]]) mx[key[p]] = (t - open[p]) * 1000; delete open[p] }
				} else if ($0 ~ /prev_comm=husk/ && $0 ~ /prev_state=D /) {
					match($0, /prev_pid=[0-9]+/); p = substr($0, RSTART + 9, RLENGTH - 9)
					open[p] = t; cur = p; stack = ""; depth = 0
				}
				next
			}
			cur != "" && NF >= 2 {
				s = $2; sub(/\+0x.*/, "", s)
				if (s ~ /^(__schedule|schedule|schedule_preempt_disabled|schedule_timeout|io_schedule|__wait_for_common|wait_for_completion.*|__wait_on_bit|out_of_line_wait_on_bit|bit_wait_io|\[unknown\]|folio_wait_bit_common)$/) next
				if (depth < 4) { stack = stack (depth ? " < " : "") s; depth++ }
				next
			}
			END { flush(); for (k in sum) printf "%s\t%.3f\t%.3f\n", k, sum[k], mx[k] }' >"$work/run-waits"
		awk -F'\t' '{ print $1 " " $2 }' "$work/run-waits" >>"$work/waits"
		awk -F'\t' '{ print $1 " " $3 }' "$work/run-waits" >>"$work/waits-max"
	done
fi

{
	echo "## Create, phase by phase"
	echo
	echo "Generated by \`tests/bench/profile.sh HUSK BUNDLE $N\` (run.sh calls it with the bench's bundle); load average"
	echo "$(cut -d' ' -f1-3 /proc/loadavg) when it ended. Spans between the timestamps of husk's own \`--debug\` narration"
	echo "(JSON log), $N runs of \`husk run\` of /bin/true; the logging itself adds to every phase, so read the split, not the"
	echo "sum. Phases 4-5 (the init) and 6 (the parent) run at the same time."
	echo
	echo "| phase | median ms | p90 ms | runs |"
	echo "|---|---:|---:|---:|"
	stats "$work/phases" | awk -F'\t' '{ k = $1; sub(/^[0-9] /, "", k); printf "| %s | %s | %s | %s |\n", k, $2, $3, $5 }'
	echo
	if ((offcpu)); then
		echo "Where husk sleeps (off-CPU, D state, from switch-out to wakeup; run queue time not counted): $M more runs under"
		echo "\`perf record -a -e sched:sched_switch,sched:sched_wakeup -g\`, summed per run by the kernel stack that slept."
		echo "*runs* is how many of the $M runs slept there; median over those runs; max is the longest single wait."
		echo
		echo "| kernel stack (innermost first) | runs | median ms per run | max ms |"
		echo "|---|---:|---:|---:|"
		stats "$work/waits" >"$work/w1"
		stats "$work/waits-max" >"$work/w2"
		join -t $'\t' "$work/w1" "$work/w2" | sort -t $'\t' -k2,2gr |
			awk -F'\t' '{ printf "| `%s` | %s | %s | %s |\n", $1, $5, $2, $8 }' | head -n 15
		echo
	else
		echo "(perf is not installed or has no sched tracepoints: no off-CPU table.)"
		echo
	fi
} >"$out"
