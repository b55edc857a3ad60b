# bash completion for husk: commands, global and command flags (read from husk's own --help, so they
# never go stale), flag values, and container ids from `husk list -q` (with the --root given on the
# line). Installed as share/bash-completion/completions/husk; or: source contrib/completion/husk.bash

_husk() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local husk=${COMP_WORDS[0]} cmd="" root=() positional=0 i w
	# global flags that take a value
	local global_values=" --root --log --log-format --cgroup-manager --rootless "

	COMPREPLY=()
	# the command, the --root, and how many arguments follow the command
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ -z $cmd ]]; then
			if [[ $global_values == *" $w "* ]]; then
				[[ $w != --root ]] || root=(--root "${COMP_WORDS[i + 1]}")
				i=$((i + 1))
			elif [[ $w == --root=* ]]; then
				root=("$w")
			elif [[ $w != -* ]]; then
				cmd=$w
			fi
		elif [[ $w == -* ]]; then
			# a command flag that takes a value ("VALUE" in the command's --help) swallows the next word
			if [[ $w != *=* ]] && "$husk" "$cmd" --help 2>/dev/null | grep -qE -- "(^|[ ,])$w VALUE"; then
				i=$((i + 1))
			fi
		else
			positional=$((positional + 1))
		fi
	done

	case $prev in
	--root | --bundle | -b | --cwd)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return
		;;
	--log | --pid-file | --console-socket | --process | -p | --resources | --criu)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
		;;
	--log-format) mapfile -t COMPREPLY < <(compgen -W "text json" -- "$cur") && return ;;
	--format | -f) [[ -z $cmd ]] || { mapfile -t COMPREPLY < <(compgen -W "table json" -- "$cur") && return; } ;;
	--cgroup-manager) mapfile -t COMPREPLY < <(compgen -W "cgroupfs disabled" -- "$cur") && return ;;
	--rootless) mapfile -t COMPREPLY < <(compgen -W "auto true false" -- "$cur") && return ;;
	esac

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$("$husk" --help 2>/dev/null |
				grep -oE -- '--[a-z][a-z-]*' | sort -u)" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$("$husk" --help 2>/dev/null |
				awk '/^Commands:/ { c = 1; next } /^$/ { c = 0 } c { print $1 }')" -- "$cur")
		fi
		return
	fi
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$("$husk" "$cmd" --help 2>/dev/null |
			grep -oE -- '(^|[ ,])--?[a-zA-Z][a-z-]*' | tr -d ' ,' | sort -u)" -- "$cur")
		return
	fi
	case $cmd in
	help)
		((positional > 0)) || mapfile -t COMPREPLY < <(compgen -W "$("$husk" --help 2>/dev/null |
			awk '/^Commands:/ { c = 1; next } /^$/ { c = 0 } c { print $1 }')" -- "$cur")
		;;
	start | state | kill | delete | ps | pause | resume | update | events | exec | checkpoint)
		if ((positional == 0)); then
			mapfile -t COMPREPLY < <(compgen -W "$("$husk" "${root[@]}" list -q 2>/dev/null)" -- "$cur")
		elif [[ $cmd == kill && $positional == 1 ]]; then
			mapfile -t COMPREPLY < <(compgen -W "TERM KILL INT HUP QUIT USR1 USR2 STOP CONT" -- "$cur")
		fi
		;;
	esac
}
complete -F _husk husk
