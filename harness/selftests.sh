#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The series' KVM selftests (tools/testing/selftests/kvm of build/linux),
# built with the selftests' own Makefile and run.
#
#   1. make headers of build/linux with O=build/selftests/khdr (the UAPI
#      headers the selftests compile against, installed outside the tree);
#   2. make -C tools/testing/selftests/kvm OUTPUT=build/selftests/kvm with
#      KHDR_INCLUDES pointing there: every KVM selftest, so that a change
#      to libkvm breaks no other test;
#   3. no compiler or linker warning may name a file the series adds or
#      edits under tools/, and build/linux must be left as it was;
#   4. x86/tdx_vmcall_args_test must pass (it needs /dev/kvm only for the
#      library's start-up checks, and skips without it);
#   5. x86/tdx_mmio_test must pass or skip (exit 4) with its reason: it
#      skips on a host without TDX before it creates any VM.
# Logs: build/logs/selftests-*.log.  The last line sums it all up.
. "$(dirname "$0")/lib.sh"

O=$BUILD/selftests
KVM=tools/testing/selftests/kvm
TIMEOUT=${SELFTESTS_TIMEOUT:-300}

[ -d "$TREE/.git" ] || die "no assembled tree in build/linux: run 'make assemble' first"
mkdir -p "$O" "$LOGS"
base=$(git_tree rev-parse "$BASE_TAG^{commit}")

tree_state() {
	git_tree status --porcelain --ignored --untracked-files=all | sort
}
before=$(tree_state)

phase "selftests: UAPI headers of build/linux into build/selftests/khdr"
make -s -C "$TREE" O="$O/khdr" -j"$JOBS" headers >"$LOGS/selftests-headers.log" 2>&1 ||
	die "make headers failed (log: build/logs/selftests-headers.log)"

# The series' objects always compile again: warnings appear only then.
mapfile -t stems < <(git_tree diff --name-only "$base" HEAD -- tools/ |
	grep -E '\.(c|h|S)$' | sed -E "s|^$KVM/||; s|\.[chS]$||")
[ ${#stems[@]} -gt 0 ] || die "the series adds no KVM selftest file"
for s in "${stems[@]}"; do
	rm -f "$O/kvm/$s.o"
done

phase "selftests: building $KVM"
make -C "$TREE/$KVM" OUTPUT="$O/kvm" KHDR_INCLUDES="-isystem $O/khdr/usr/include" \
	-j"$JOBS" >"$LOGS/selftests-build.log" 2>&1 || {
	grep -E 'error' "$LOGS/selftests-build.log" | head -n 20
	die "the KVM selftests do not build (log: build/logs/selftests-build.log)"
}

[ "$(tree_state)" = "$before" ] || die "building the selftests changed build/linux: $(diff <(echo "$before") <(tree_state) | head -n 5)"

# Warnings that name a file of the series (its source or its object).
grep -E '[Ww]arning' "$LOGS/selftests-build.log" >"$LOGS/selftests-warnings.log" || true
mine=$(grep -F -f <(printf '%s\n' "${stems[@]}") "$LOGS/selftests-warnings.log" || true)
if [ -n "$mine" ]; then
	printf '%s\n' "$mine"
	die "$(printf '%s\n' "$mine" | wc -l) warning(s) in the series' selftest files (log: build/logs/selftests-build.log)"
fi
others=$(wc -l <"$LOGS/selftests-warnings.log")

run() {	# TEST: run build/selftests/kvm/x86/TEST, log it, return its exit code
	local log=$LOGS/selftests-$1.log rc
	phase "selftests: x86/$1"
	timeout "$TIMEOUT" "$O/kvm/x86/$1" >"$log" 2>&1
	rc=$?
	[ $rc -ne 124 ] || die "x86/$1 did not finish in ${TIMEOUT}s (log: build/logs/selftests-$1.log)"
	return $rc
}

skip_reason() {	# LOG
	sed -n 's/.*# SKIP *-\{0,1\} *//p' "$1" | head -n 1
}

run tdx_vmcall_args_test
case $? in
0) args=$(grep -o 'pass:[0-9]* fail:0' "$LOGS/selftests-tdx_vmcall_args_test.log") ||
	die "x86/tdx_vmcall_args_test passed without a TAP total (log: build/logs/selftests-tdx_vmcall_args_test.log)"
   args="passed ($args)" ;;
4) args="skipped: $(skip_reason "$LOGS/selftests-tdx_vmcall_args_test.log")" ;;
*) tail -n 12 "$LOGS/selftests-tdx_vmcall_args_test.log"
   die "x86/tdx_vmcall_args_test failed (log: build/logs/selftests-tdx_vmcall_args_test.log)" ;;
esac

run tdx_mmio_test
case $? in
0) mmio="passed on a TDX host" ;;
4) reason=$(skip_reason "$LOGS/selftests-tdx_mmio_test.log")
   [ -n "$reason" ] || die "x86/tdx_mmio_test skipped without a reason (log: build/logs/selftests-tdx_mmio_test.log)"
   mmio="skipped: $reason" ;;
*) tail -n 12 "$LOGS/selftests-tdx_mmio_test.log"
   die "x86/tdx_mmio_test failed (log: build/logs/selftests-tdx_mmio_test.log)" ;;
esac

echo "KVM selftests build, no warning in the series' ${#stems[@]} files ($others elsewhere); tdx_vmcall_args_test $args; tdx_mmio_test $mmio"
