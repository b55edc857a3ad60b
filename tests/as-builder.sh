# Sourced (bash) by tests/run-all.sh and rootfs-fixtures/demo.sh, with $top set to the source tree.
# Run as root through sudo, they install packages as root but build as the user who typed sudo, so
# build*/ stays that user's and a later "cmake -S . -B build" without sudo works. Run as root without
# sudo (CI, a root shell), or on a tree that user does not own, everything stays as the current user.
: "${top:?as-builder.sh: set top to the source tree first}"

builder_uid=$(id -u)
builder_gid=$(id -g)
if [ "$builder_uid" -eq 0 ] && [ -n "${SUDO_UID:-}" ] && [ "${SUDO_UID}" != 0 ] &&
	[ "$(stat -c %u "$top")" = "$SUDO_UID" ]; then
	builder_uid=$SUDO_UID
	builder_gid=${SUDO_GID:-$SUDO_UID}
fi

# as_builder CMD...: run CMD as the builder (the sudo user, or ourselves).
as_builder() {
	if [ "$builder_uid" = "$(id -u)" ]; then
		"$@"
	else
		HOME=$(getent passwd "$builder_uid" | cut -d: -f6) \
			setpriv --reuid="$builder_uid" --regid="$builder_gid" --init-groups -- "$@"
	fi
}

# give_back DIR...: what root made in DIR (test logs, bundles, ctest's files, or a whole build directory
# left by an older run as root) goes to the builder, so that user can rebuild and delete it.
give_back() {
	local d
	[ "$builder_uid" != "$(id -u)" ] || return 0
	for d in "$@"; do
		[ -e "$d" ] || continue
		find "$d" -xdev -uid 0 -exec chown -h "$builder_uid:$builder_gid" {} + 2>/dev/null || true
	done
}
