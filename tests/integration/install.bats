#!/usr/bin/env bats
# husk installed as a system tool: `cmake --install` into a temporary prefix (nothing on the host is
# touched) puts the binary, the man pages husk(8) and husk-COMMAND(8) and the bash completion in place;
# `man husk` and `man husk-run` show them; libexec/husk/husk-systemd (the systemd driver's helper) is there; the completion completes commands, flags and container ids.

load helpers

BUILD=${HUSK_BUILD_DIR:-$HUSK_SRC_DIR/build}
COMPLETION=$HUSK_SRC_DIR/contrib/completion/husk.bash

setup_file() {
	husk_rootfs_cache
}

teardown() {
	[[ -z "${TREE:-}" ]] || rm -rf "$TREE"
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
	# the systemd driver's helper, in libexec/husk, the only binary linked with libsystemd: husk stays static
	if [[ -x "$BUILD/husk-systemd" ]]; then
		[[ -x "$prefix/libexec/husk/husk-systemd" ]] || fail "no libexec/husk/husk-systemd"
		ldd "$prefix/libexec/husk/husk-systemd" | grep -q 'libsystemd\.so' || fail "husk-systemd without libsystemd"
		run ldd "$prefix/bin/husk"
		refute_output_contains libsystemd
	fi
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

@test "through sudo, run-all.sh and demo.sh build as the user: nothing under build/ stays root's; as root alone (CI), all is root's" {
	local tree user=65534
	# where that user can reach it (BATS_TEST_TMPDIR is root's alone)
	TREE=$(mktemp -d /tmp/husk-test-tree.XXXXXX)
	tree=$TREE
	# the user's clone, and root's files in it (a build directory left by an older run as root)
	chown "$user:$user" "$tree"
	mkdir -p "$tree/build/old" && touch "$tree/build/old/CMakeCache.txt"
	run env -u SUDO_USER SUDO_UID=$user SUDO_GID=$user top="$tree" bash -c '
		. "$0"
		give_back "$top/build"                      # an older root build is handed back first
		as_builder mkdir "$top/build/new"           # what the build makes is the user'\''s
		as_builder touch "$top/build/new/husk"
		touch "$top/build/new/test.log"             # what the tests make as root is handed back at the end
		give_back "$top/build"
		as_builder id -u' "$HUSK_SRC_DIR/tests/as-builder.sh"
	assert_success
	assert_output_equals "$user"
	run find "$tree/build" ! -uid "$user"
	assert_output_equals ""
	# root without sudo (CI): builds as root, hands nothing over
	run env -u SUDO_UID -u SUDO_GID -u SUDO_USER top="$tree" bash -c '. "$0"; as_builder id -u; touch "$top/ci"; give_back "$top"' \
		"$HUSK_SRC_DIR/tests/as-builder.sh"
	assert_output_equals 0
	[[ "$(stat -c %u "$tree/ci")" == 0 ]]
	# sudo, but the tree is not that user's (a clone made by root): stays root
	chown 0:0 "$tree"
	run env SUDO_UID=$user SUDO_GID=$user top="$tree" bash -c '. "$0"; as_builder id -u' "$HUSK_SRC_DIR/tests/as-builder.sh"
	assert_output_equals 0
}

@test "README: from clone to your own container in five commands; steps 3 to 5 run as written" {
	local section cmds=() typed home=$BATS_TEST_TMPDIR/home id
	section=$(awk '/^## Your own container/ { f = 1; next } /^## / { f = 0 } f' "$HUSK_SRC_DIR/README.md")
	mapfile -t cmds < <(sed -n 's/^   \$ //p' <<<"$section")
	[[ ${#cmds[@]} -ge 3 && ${#cmds[@]} -le 5 ]] || fail "${#cmds[@]} commands: ${cmds[*]}"
	[[ "${cmds[0]}" == *"cmake --build build"* && "${cmds[1]}" == "sudo cmake --install build" ]] ||
		fail "steps 1 and 2 are not the build and the install: ${cmds[*]:0:2}"
	# steps 3 to 5 in a fresh home, with husk on PATH (as after step 2), as root; "sudo husk" runs the
	# tree's husk with this test's state root, under this test's id
	id=$(cid)
	mkdir -p "$home" "$BATS_TEST_TMPDIR/bin"
	ln -s "$HUSK" "$BATS_TEST_TMPDIR/bin/husk"
	cat >"$BATS_TEST_TMPDIR/bin/sudo" <<-EOF
		#!/bin/sh
		[ "\$1" = husk ] && { shift; exec "$HUSK" --root "$HUSK_TEST_ROOT" "\$@"; }
		exec "\$@"
	EOF
	chmod +x "$BATS_TEST_TMPDIR/bin/sudo"
	cd "$HUSK_SRC_DIR"
	for step in 2 3; do
		run env HOME="$home" PATH="$BATS_TEST_TMPDIR/bin:$PATH" bash -c "${cmds[$step]}"
		assert_success
		assert_output_equals ""
	done
	[[ -x "$home/box/rootfs/bin/sh" && -f "$home/box/config.json" ]] || fail "no bundle in ~/box"
	# step 5 at a terminal, typing what the README shows after the prompt
	typed=$(sed -n 's/^   \/ # //p' <<<"$section")
	[[ "$typed" == *exit* ]] || fail "the README's session does not exit"
	_husk_record_id "$id"
	run bash -c 'printf "%s\n" "$1" | HOME="$2" PATH="$3" script -qec "cd ~/box && $4" /dev/null | tr -d "\r"' _ \
		"$typed" "$home" "$BATS_TEST_TMPDIR/bin:$PATH" "${cmds[4]/box1/$id}"
	assert_success
	# the README's output lines, but for ps's own line (its pid varies)
	while read -r line; do
		[[ -z "$line" || "$line" == *ps* ]] || assert_line_matches "^ *${line//[()]/.}\$"
	done < <(awk '/^   \$ sudo husk run/ { f = 1; next } /^   ```/ { f = 0 } f && !/^   \/ # /' <<<"$section" | sed 's/^   //')
}
