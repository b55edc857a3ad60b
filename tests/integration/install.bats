#!/usr/bin/env bats
# husk installed as a system tool: `cmake --install` into a temporary prefix (nothing on the host is
# touched) puts the binary, the man pages husk(8) and husk-COMMAND(8) and the bash completion in place;
# `man husk` and `man husk-run` show them; the completion completes commands, flags and container ids.

load helpers

BUILD=${HUSK_BUILD_DIR:-$HUSK_SRC_DIR/build}
COMPLETION=$HUSK_SRC_DIR/contrib/completion/husk.bash

setup_file() {
	husk_rootfs_cache
}

teardown() {
	husk_teardown
}

need_man_pages() {
	[[ -f "$BUILD/man/husk.8" ]] ||
		skip "no man pages in $BUILD/man: go-md2man was missing at configure time (tests/install-deps.sh installs it)"
	command -v man >/dev/null || skip "man is not installed (apt-get install man-db)"
}

# complete_words WORD...: what the bash completion offers for the last WORD of "WORD...", one per line,
# as bash would ask _husk after a TAB (WORD[0] is the husk binary to ask).
complete_words() {
	run bash -c 'source "$1" && shift && complete -p husk >/dev/null &&
		COMP_WORDS=("$@") && COMP_CWORD=$(($# - 1)) && COMP_LINE="$*" && COMP_POINT=${#COMP_LINE} &&
		_husk && printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPLETION" "$@"
}

@test "cmake --install into a prefix: bin/husk, man pages, bash completion; man husk and man husk-run" {
	local prefix=$BATS_TEST_TMPDIR/prefix cmd
	need_man_pages
	run cmake --install "$BUILD" --prefix "$prefix"
	assert_success
	[[ -x "$prefix/bin/husk" ]] || fail "no bin/husk"
	[[ -f "$prefix/share/bash-completion/completions/husk" ]] || fail "no bash completion"
	# one page per docs/cmd/ page: husk(8) and husk-COMMAND(8)
	for cmd in "$HUSK_SRC_DIR"/docs/cmd/*.md; do
		cmd=$(basename "$cmd" .md)
		[[ $cmd == husk ]] && cmd=husk.8 || cmd=husk-$cmd.8
		[[ -f "$prefix/share/man/man8/$cmd" ]] || fail "no man8/$cmd"
	done
	run env MANPATH="$prefix/share/man" MANWIDTH=100 man --nj -P cat husk
	assert_success
	assert_line_matches '^ +husk - a small, hardened OCI container runtime'
	assert_line_matches '^SYNOPSIS'
	assert_output_contains "husk-run(8)"
	run env MANPATH="$prefix/share/man" MANWIDTH=100 man --nj -P cat husk-run
	assert_success
	assert_line_matches '^ +husk-run - create and start a container'
	assert_line_matches '^ +-d, --detach'
	# the installed completion works with the installed binary
	COMPLETION=$prefix/share/bash-completion/completions/husk complete_words "$prefix/bin/husk" ru
	assert_success
	assert_output_equals run
	# cmake --install lists what it wrote: all of it is under the prefix
	run grep -v "^$prefix/" "$BUILD/install_manifest.txt"
	assert_output_equals ""
}

@test "every man page renders with man -l, without groff errors" {
	local page warnings
	need_man_pages
	for page in "$BUILD"/man/*.8; do
		run env MANWIDTH=100 man -l --nj -P cat "$page"
		assert_success
		assert_line_matches '^NAME$'
		assert_line_matches '^SYNOPSIS$'
		# nothing of the markdown left: no link syntax, no heading marks
		[[ "$output" != *"]("* && "$output" != *"## "* ]] || fail "$page: markdown left in the page"
		# groff's warnings, but for a wide table at this width
		warnings=$(MANWIDTH=100 man -l --warnings -P cat "$page" 2>&1 >/dev/null | grep -v -e 'table wider than line width' -e "^warning: file '<standard input>', around line" || true)
		[[ -z "$warnings" ]] || fail "$page: $warnings"
	done
}

@test "bash completion: husk ex<TAB> completes exec; flags, flag values and commands of help" {
	complete_words "$HUSK" ex
	assert_success
	assert_output_equals exec
	complete_words "$HUSK" ""
	for cmd in create start run exec state list kill delete spec help; do
		assert_line_matches "^$cmd\$"
	done
	complete_words "$HUSK" --ro
	assert_output_equals "$(printf '%s\n' --root --rootless)"
	complete_words "$HUSK" --log-format ""
	assert_output_equals "$(printf '%s\n' text json)"
	complete_words "$HUSK" --root /tmp r
	assert_output_equals "$(printf '%s\n' restore resume run)"
	complete_words "$HUSK" run --pid
	assert_output_equals --pid-file
	complete_words "$HUSK" run --de
	assert_output_equals --detach
	complete_words "$HUSK" help st
	assert_output_equals "$(printf '%s\n' start state)"
}

@test "bash completion: container ids from husk list -q, with the --root of the line" {
	local id
	id=$(cid)
	setup_bundle sleep 100
	# the waiting init keeps its stdio: not bats' output pipe
	husk create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1 3>&-
	complete_words "$HUSK" --root "$HUSK_TEST_ROOT" state ""
	assert_output_equals "$id"
	complete_words "$HUSK" --root "$HUSK_TEST_ROOT" exec "${id:0:10}"
	assert_output_equals "$id"
	complete_words "$HUSK" --root="$HUSK_TEST_ROOT" delete --force ""
	assert_output_equals "$id"
	# kill ID SIGNAL: signal names after the id
	complete_words "$HUSK" --root "$HUSK_TEST_ROOT" kill "$id" K
	assert_output_equals KILL
	# after the id of exec comes the container's command: no ids offered
	complete_words "$HUSK" --root "$HUSK_TEST_ROOT" exec "$id" ""
	assert_output_equals ""
	# another state root has none
	complete_words "$HUSK" --root "$BATS_TEST_TMPDIR/empty" state ""
	assert_output_equals ""
	run_husk delete --force "$id"
	assert_success
}
