# session.bash: one lab's shell session, started by run-labs.sh as
#   bash --norc --noprofile session.bash MODE COMPARE PROLOGUE_PLAN LAB_PLAN
# MODE main: run README's prologue blocks (in the source tree), note the working directory they leave
# in LAB_PLAN/cwd, then the lab's main blocks; stop at the first output that differs.
# MODE cleanup: run the prologue again, go back to that directory, run every cleanup block (all of
# them, whatever fails); compare their output only if COMPARE is 1.
# Every command runs in this one bash process, so cd, variables and functions carry over from one
# command to the next, as in a terminal. Everything of ours is named __lab_*, and nothing here sets
# shell options, so the lab's commands run in a plain non-interactive bash.

__lab_mode=$1
__lab_compare=$2
__lab_prologue=$3
__lab_plan=$4
__lab_last=0
__lab_failed=0
__lab_count=0
__lab_skip=0

# The ERE that matches one line of expected output: blanks collapsed, {{REGEX}} kept as is, the rest
# literal. Sets REPLY.
__lab_line_regex() {
	local s=$1 re="" lit c
	s=${s//$'\t'/ }
	while [[ $s == *"  "* ]]; do s=${s//  / }; done
	s=${s# }
	s=${s% }
	while :; do
		if [[ $s == *"{{"*"}}"* ]]; then
			lit=${s%%"{{"*}
			s=${s#*"{{"}
		else
			lit=$s
			s=""
		fi
		lit=${lit//\\/\\\\}
		for c in . '[' ']' '$' '*' + '?' '(' ')' '{' '}' '|' '^'; do
			lit=${lit//"$c"/\\$c}
		done
		re+=$lit
		[[ -n $s ]] || break
		re+="(${s%%"}}"*})"
		s=${s#*"}}"}
	done
	REPLY="^$re\$"
}

# Normalizes one line of actual output the same way (blanks collapsed, trimmed). Sets REPLY.
__lab_norm() {
	local s=$1
	s=${s//$'\t'/ }
	s=${s//$'\r'/}
	while [[ $s == *"  "* ]]; do s=${s//  / }; done
	s=${s# }
	REPLY=${s% }
}

# __lab_match EXPFILE OUTFILE: does the output match? A line "..." matches any number of lines.
# Dynamic programming over (expected line, actual line), from the end.
__lab_match() {
	local -a exp act re nxt cur
	local n m i j
	mapfile -t exp <"$1"
	mapfile -t act <"$2"
	while ((${#exp[@]} > 0)) && [[ -z ${exp[-1]//[[:space:]]/} ]]; do unset 'exp[-1]'; done
	while ((${#act[@]} > 0)) && [[ -z ${act[-1]//[[:space:]]/} ]]; do unset 'act[-1]'; done
	n=${#exp[@]}
	m=${#act[@]}
	for ((j = 0; j < m; j++)); do
		__lab_norm "${act[j]}"
		act[j]=$REPLY
	done
	for ((i = 0; i < n; i++)); do
		if [[ ${exp[i]} != "..." ]]; then
			__lab_line_regex "${exp[i]}"
			re[i]=$REPLY
		fi
	done
	for ((j = 0; j < m; j++)); do nxt[j]=0; done
	nxt[m]=1
	for ((i = n - 1; i >= 0; i--)); do
		if [[ ${exp[i]} == "..." ]]; then
			cur[m]=${nxt[m]}
			for ((j = m - 1; j >= 0; j--)); do
				cur[j]=$((nxt[j] || cur[j + 1]))
			done
		else
			cur[m]=0
			for ((j = 0; j < m; j++)); do
				cur[j]=0
				if ((nxt[j + 1])) && [[ ${act[j]} =~ ${re[i]} ]]; then
					cur[j]=1
				fi
			done
		fi
		nxt=("${cur[@]}")
	done
	((nxt[0]))
}

# __lab_diff EXPFILE OUTFILE: a unified diff in which actual lines that match their expected line
# (aligned greedily, "..." absorbing lines until the next expected line matches) are shown as the
# expected text, so that only real differences stand out.
__lab_diff() {
	local -a exp act shown
	local i=0 j=0 n m in_dots=0
	mapfile -t exp <"$1"
	mapfile -t act <"$2"
	n=${#exp[@]}
	m=${#act[@]}
	while ((i < n && j < m)); do
		if [[ ${exp[i]} == "..." ]]; then
			if ((i + 1 < n)) && [[ ${exp[i + 1]} != "..." ]]; then
				__lab_line_regex "${exp[i + 1]}"
				local re_next=$REPLY
				__lab_norm "${act[j]}"
				if [[ $REPLY =~ $re_next ]]; then
					((in_dots)) || shown+=("...")
					in_dots=0
					i=$((i + 1))
					continue
				fi
			fi
			((in_dots)) || shown+=("...")
			in_dots=1
			j=$((j + 1))
			continue
		fi
		in_dots=0
		__lab_line_regex "${exp[i]}"
		local line_re=$REPLY
		__lab_norm "${act[j]}"
		if [[ $REPLY =~ $line_re ]]; then
			shown+=("${exp[i]}")
		else
			shown+=("${act[j]}")
		fi
		i=$((i + 1))
		j=$((j + 1))
	done
	if ((i < n)) && [[ ${exp[i]} == "..." ]] && ((!in_dots)); then
		shown+=("...")
	fi
	while ((j < m)); do
		shown+=("${act[j]}")
		j=$((j + 1))
	done
	diff -u --label expected --label actual "$1" <(((${#shown[@]} == 0)) || printf '%s\n' "${shown[@]}") |
		tail -n +3 | sed 's/^/    /'
}

__lab_set_status() {
	return "$1"
}

# __lab_run DIR K: run command K of a plan and compare its output.
__lab_run() {
	local __lab_line __lab_prompt __lab_cmd __lab_out
	read -r __lab_line __lab_prompt <"$1/$2.info"
	__lab_cmd=$(<"$1/$2.cmd")
	__lab_out=$1/$2.out
	((__lab_skip)) && return 0
	__lab_count=$((__lab_count + 1))
	echo "$1 $__lab_line" >"$__lab_plan/current"
	if [[ $__lab_prompt == '$' ]]; then
		__lab_set_status "$__lab_last"
		setpriv --reuid="${LABS_USER:-1000}" --regid="${LABS_USER:-1000}" --clear-groups \
			bash --norc --noprofile -c "$__lab_cmd" >"$__lab_out" 2>&1 </dev/null
	else
		__lab_set_status "$__lab_last"
		eval "$__lab_cmd" >"$__lab_out" 2>&1 </dev/null
	fi
	__lab_last=$?
	[[ $__lab_compare == 1 ]] || return 0
	if ! __lab_match "$1/$2.exp" "$__lab_out"; then
		echo "  line $__lab_line: the output of this command differs:"
		sed 's/^/    '"$__lab_prompt"' /;2,$s/^    . /      /' "$1/$2.cmd"
		__lab_diff "$1/$2.exp" "$__lab_out"
		return 1
	fi
	return 0
}

# __lab_file DIR K: write a file block into the working directory.
__lab_file() {
	local __lab_line __lab_path
	read -r __lab_line __lab_path <"$1/$2.info"
	((__lab_skip)) && return 0
	cp "$1/$2.file" "$__lab_path"
}

# __lab_exec_plan DIR KINDS: run the blocks of one plan whose kind is in KINDS (e.g. "main"). In main
# mode, stop at the first failure; in cleanup mode, go on.
__lab_exec_plan() {
	local __lab_p=$1 __lab_kinds=" $2 " __lab_step __lab_on=0 __lab_a __lab_b __lab_c __lab_d
	local -a __lab_steps
	mapfile -t __lab_steps <"$__lab_p/plan"
	for __lab_step in "${__lab_steps[@]}"; do
		read -r __lab_a __lab_b __lab_c __lab_d <<<"$__lab_step"
		case $__lab_a in
		B)
			__lab_on=0
			[[ $__lab_kinds == *" $__lab_c "* ]] || continue
			__lab_on=1
			__lab_skip=0
			if [[ -n $__lab_d ]] && ! (eval "$__lab_d") >/dev/null 2>&1 </dev/null; then
				echo "  line $__lab_b: block skipped: needs '$__lab_d'"
				__lab_skip=1
			fi
			;;
		C)
			((__lab_on)) || continue
			if ! __lab_run "$__lab_p" "$__lab_b"; then
				__lab_failed=1
				[[ $__lab_mode == cleanup ]] || return 1
			fi
			;;
		F)
			((__lab_on)) || continue
			__lab_file "$__lab_p" "$__lab_b" || {
				__lab_failed=1
				return 1
			}
			;;
		esac
	done
	return 0
}

if [[ $__lab_mode == main ]]; then
	__lab_exec_plan "$__lab_prologue" prologue && pwd >"$__lab_plan/cwd" &&
		__lab_exec_plan "$__lab_plan" main
else
	__lab_exec_plan "$__lab_prologue" prologue
	if [[ -s $__lab_plan/cwd ]]; then
		cd "$(<"$__lab_plan/cwd")" || __lab_failed=1
	fi
	__lab_exec_plan "$__lab_plan" cleanup
fi
echo "$__lab_count" >"$__lab_plan/count.$__lab_mode"
exit "$__lab_failed"
