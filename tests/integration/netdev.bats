#!/usr/bin/env bats
# linux.netDevices: a host interface moved into the container's network namespace at create (renamed,
# its permanent global addresses kept, up), and back on the host under its own name, with its addresses,
# at delete, at delete --force, and when the create fails. Bad entries fail by JSON path and leave
# nothing. Every test makes its own veth or ifb devices with unique names and removes them in teardown.
# shellcheck disable=SC2016 # jq programs and container shell lines are single-quoted on purpose

load helpers

setup_file() {
	husk_rootfs_cache
}

setup() {
	DEVS=()
	NETNS=
	# unique on this host, and short: interface names have at most 15 bytes
	DEV=hkd${BATS_TEST_NUMBER}x$$
	PEER=hkp${BATS_TEST_NUMBER}x$$
}

teardown() {
	husk_teardown
	local r=$? d
	[[ -z "$NETNS" ]] || ip netns del "$NETNS" 2>/dev/null || true
	for d in "${DEVS[@]}"; do
		ip link del "$d" 2>/dev/null || true
	done
	return $r
}

# veth NAME PEER: a veth pair on the host, both removed in teardown (whatever name they end up with).
# A kernel without the veth (or ifb) driver cannot run the test: skipped, saying so.
veth() {
	DEVS+=("$1" "$2")
	ip link add "$1" type veth peer name "$2" || skip "this kernel cannot make a veth pair"
}

# ifb NAME: an ifb device on the host (a virtual device of its own: gone with a namespace that dies).
ifb() {
	DEVS+=("$1")
	ip link add "$1" type ifb || skip "this kernel cannot make an ifb device"
}

on_host() {
	ip link show dev "$1" >/dev/null 2>&1
}

@test "netDevices: features reports it" {
	run husk features
	assert_success
	[[ "$(jq -r .linux.netDevices.enabled <<<"$output")" == true ]] || fail "features does not claim netDevices"
}

@test "netDevices: moved in renamed and up, global addresses kept; back on the host with its name at delete" {
	local id
	id=$(cid)
	veth "$DEV" "$PEER"
	DEVS+=(ctr0)
	ip link set dev "$DEV" mtu 1400
	ip addr add 10.213.7.1/24 dev "$DEV"
	ip addr add fd00:213:7::1/64 dev "$DEV" nodad
	# not global: stays behind (runtime-spec moves IFA_F_PERMANENT + RT_SCOPE_UNIVERSE only)
	ip addr add 169.254.77.1/16 dev "$DEV" scope link
	ip link set dev "$DEV" up
	setup_bundle sh -c 'ls /sys/class/net; ip -o link show ctr0; ip -o addr show dev ctr0'
	cfg --arg d "$DEV" '.linux.netDevices = {($d): {"name": "ctr0"}}'
	create_quiet "$id"
	! on_host "$DEV" || fail "'$DEV' is still on the host after create"
	husk start "$id"
	wait_for_status "$id" stopped
	run cat "$BATS_TEST_TMPDIR/$id.out"
	assert_output_contains "ctr0"
	[[ "$output" != *"$DEV"* ]] || fail "the host name is seen in the container"
	assert_line_matches '^[0-9]+: ctr0@.*[<,]UP[,>].* mtu 1400 '
	assert_output_contains "inet 10.213.7.1/24"
	assert_output_contains "inet6 fd00:213:7::1/64"
	[[ "$output" != *169.254.77.1* ]] || fail "a link-scope address was moved"
	# stopped but not deleted: still the container's (its namespace is kept for the return)
	! on_host "$DEV" || fail "'$DEV' came back before delete"
	run_husk delete "$id"
	assert_success
	run ip -o link show dev "$DEV"
	assert_success
	assert_output_contains "mtu 1400"
	assert_output_contains "UP"
	run ip -o addr show dev "$DEV"
	assert_output_contains "inet 10.213.7.1/24"
	assert_output_contains "inet6 fd00:213:7::1/64"
	! on_host ctr0 || fail "the container's name reached the host"
	no_trace "$id"
}

@test "netDevices: no name keeps the host's; delete --force of a running container brings it back" {
	local id
	id=$(cid)
	ifb "$DEV"
	setup_bundle sleep 1000
	cfg --arg d "$DEV" '.linux.netDevices = {($d): {}}'
	create_quiet "$id"
	husk start "$id"
	run_husk exec "$id" cat /sys/class/net/"$DEV"/operstate /proc/net/dev
	assert_success
	assert_output_contains "$DEV:"
	! on_host "$DEV" || fail "'$DEV' is on the host and in the container"
	run_husk delete --force "$id"
	assert_success
	on_host "$DEV" || fail "'$DEV' did not come back after delete --force (an ifb dies with the namespace)"
	no_trace "$id"
}

@test "netDevices: a killed container's device comes back at delete; two devices, one renamed" {
	local id
	id=$(cid)
	veth "$DEV" "$PEER"
	setup_bundle sleep 1000
	cfg --arg d "$DEV" --arg p "$PEER" '.linux.netDevices = {($d): {"name": "eth1"}, ($p): {}}'
	create_quiet "$id"
	husk start "$id"
	run_husk exec "$id" ls /sys/class/net
	assert_success
	assert_output_contains "eth1"
	assert_output_contains "$PEER"
	husk kill "$id" KILL
	wait_for_status "$id" stopped
	! on_host "$DEV" && ! on_host "$PEER" || fail "the devices left the stopped container's namespace"
	run_husk delete --force "$id"
	assert_success
	on_host "$DEV" && on_host "$PEER" || fail "a device did not come back"
	no_trace "$id"
}

@test "netDevices: a create that fails after the move (a prestart hook) puts the device back" {
	local id
	id=$(cid)
	veth "$DEV" "$PEER"
	ip addr add 10.213.8.1/24 dev "$DEV"
	printf '#!/bin/sh\nexit 3\n' >"$BATS_TEST_TMPDIR/hook"
	chmod +x "$BATS_TEST_TMPDIR/hook"
	setup_bundle true
	cfg --arg d "$DEV" --arg h "$BATS_TEST_TMPDIR/hook" \
		'.linux.netDevices = {($d): {"name": "ctr0"}} | .hooks.prestart = [{"path": $h}]'
	run_husk create --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "prestart"
	on_host "$DEV" || fail "'$DEV' was lost by the failed create"
	run ip -o addr show dev "$DEV"
	assert_output_contains "inet 10.213.8.1/24"
	no_trace "$id"
}

@test "netDevices: create killed after the move (kill -9): delete --force brings the device back" {
	local id faulty=$HUSK_SRC_DIR/build-fault/husk
	[[ -x "$faulty" ]] || skip "no fault-injection build at $faulty"
	id=$(cid)
	ifb "$DEV"
	setup_bundle sleep 1000
	cfg --arg d "$DEV" '.linux.netDevices = {($d): {"name": "ctr0"}}'
	run env HUSK_FAULT=create.ready "$faulty" --root "$HUSK_TEST_ROOT" create --bundle "$BUNDLE" "$id" 3>&-
	assert_status 137
	run_husk delete --force "$id"
	assert_success
	on_host "$DEV" || fail "'$DEV' was lost with the killed create"
	no_trace "$id"
}

@test "netDevices: a namespace joined by path keeps the device after delete (runtime-spec: its owner's)" {
	local id
	id=$(cid)
	NETNS=husk-netdev-$$
	ip netns add "$NETNS"
	veth "$DEV" "$PEER"
	setup_bundle true
	cfg --arg d "$DEV" --arg p "/var/run/netns/$NETNS" \
		'.linux.netDevices = {($d): {"name": "ctr0"}} |
		 .linux.namespaces = [.linux.namespaces[] | select(.type != "network")] + [{"type": "network", "path": $p}]'
	run_husk run --bundle "$BUNDLE" "$id"
	assert_success
	run ip netns exec "$NETNS" ip -o link show ctr0
	assert_success
	assert_output_contains "UP"
	! on_host "$DEV" || fail "'$DEV' came back from a namespace husk does not own"
	no_trace "$id"
}

@test "netDevices: a name taken in the joined namespace is refused by JSON path, the device stays" {
	local id
	id=$(cid)
	NETNS=husk-netdev-$$
	ip netns add "$NETNS"
	ip netns exec "$NETNS" ip link add taken0 type veth peer name taken1
	veth "$DEV" "$PEER"
	setup_bundle true
	cfg --arg d "$DEV" --arg p "/var/run/netns/$NETNS" \
		'.linux.netDevices = {($d): {"name": "taken0"}} |
		 .linux.namespaces = [.linux.namespaces[] | select(.type != "network")] + [{"type": "network", "path": $p}]'
	run_husk run --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains ".linux.netDevices[\"$DEV\"].name: name clash"
	on_host "$DEV" || fail "'$DEV' left the host"
	no_trace "$id"
}

@test "netDevices: a missing device (also the second of two) fails by JSON path before anything exists" {
	local id
	id=$(cid)
	ifb "$DEV"
	setup_bundle true
	cfg --arg d "$DEV" '.linux.netDevices = {($d): {}, "hknone0": {"name": "x0"}}'
	run_husk run --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains 'config.json: .linux.netDevices["hknone0"]: network interface '"'hknone0'"' does not exist'
	on_host "$DEV" || fail "'$DEV' left the host"
	no_trace "$id"
}

@test "netDevices: invalid names, clashes, no network namespace, rootless: refused by JSON path" {
	local id line bad want
	id=$(cid)
	ifb "$DEV"
	setup_bundle true
	cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/saved.json"
	# FILTER @@ EXPECTED (the filters use "|")
	while IFS= read -r line; do
		bad=${line%% @@ *} want=${line#* @@ }
		cp "$BATS_TEST_TMPDIR/saved.json" "$BUNDLE/config.json"
		cfg --arg d "$DEV" "$bad"
		echo "case: $bad" >&2
		run_husk run --bundle "$BUNDLE" "$id"
		assert_failure
		assert_output_contains "$want"
		no_trace "$id"
		on_host "$DEV" || fail "'$DEV' left the host ($bad)"
	done <<-'EOF'
		.linux.netDevices = {($d): {"name": "a b"}} @@ .name: invalid network interface name "a b"
		.linux.netDevices = {($d): {"name": "x:1"}} @@ .name: invalid network interface name "x:1"
		.linux.netDevices = {($d): {"name": "."}} @@ .name: invalid network interface name "."
		.linux.netDevices = {($d): {"name": ".."}} @@ .name: invalid network interface name ".."
		.linux.netDevices = {($d): {"name": "a/b"}} @@ .name: invalid network interface name "a/b"
		.linux.netDevices = {($d): {"name": "sixteen-bytes-xx"}} @@ .name: invalid network interface name
		.linux.netDevices = {($d): {"name": "e%d%d"}} @@ .name: invalid network interface name
		.linux.netDevices = {"eth%d": {}} @@ .linux.netDevices["eth%d"]: invalid network interface name
		.linux.netDevices = {($d): {"name": "lo"}} @@ .name: name clash
		.linux.netDevices = {($d): {"name": "x0"}, "hkother0": {"name": "x0"}} @@ ["hkother0"].name: name clash
		.linux.netDevices = {($d): {}} | .linux.namespaces |= map(select(.type != "network")) @@ .linux.netDevices: unable to move network devices without a network namespace
		.linux.netDevices = {($d): {}} | .linux.namespaces |= map(select(.type != "network")) + [{"type": "network", "path": "/proc/self/ns/net"}] @@ .linux.netDevices: unable to move network devices into the host's network namespace
	EOF
	cp "$BATS_TEST_TMPDIR/saved.json" "$BUNDLE/config.json"
	cfg --arg d "$DEV" '.linux.netDevices = {($d): {}}'
	run "$HUSK" --root "$HUSK_TEST_ROOT" --rootless true run --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains ".linux.netDevices: not supported for rootless containers"
	no_trace "$id"
}
