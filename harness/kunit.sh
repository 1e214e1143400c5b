#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the x86_64 KUnit kernel from build/linux with kunit.py and run the
# series' suites under QEMU with TCG.
#
#   kunit.sh              build, run the suites once, check the run
#   kunit.sh --repeat N   build, then run them N times, each in a fresh
#                         boot, and print "N passed, M failed"
#
# The configuration is the series' own .kunitconfig files (the platform,
# the suites and lockdep) plus harness/configs/kunit.config (KASAN,
# kmemleak, CONFIG_DEBUG_VM).
#
# kunit.py would start QEMU with "-accel kvm" first; on these machines
# /dev/kvm exists but a KVM guest hangs without output, so QEMU is run
# here with TCG and its output fed to "kunit.py parse".  KUNIT_ACCEL=kvm
# brings KVM back where it works.
#
# A run fails when a suite fails, when QEMU does not finish, when kmemleak
# reports a leak of the series or its tests, and when the kernel log has
# a report that no KUnit suppression scope covered: WARNING:, BUG:,
# UBSAN:, refcount_t:, Oops, list_add/list_del corruption, Bad page state
# (suppressed warnings print nothing, so every such line is unexpected).
#
# Results: build/logs/kunit.log (raw), build/logs/kunit.txt (parsed),
# build/logs/kunit.json; with --repeat, build/logs/repeat/run-K.{log,txt}.
. "$(dirname "$0")/lib.sh"

KBUILD=${KBUILD:-$BUILD/kunit}
ACCEL=${KUNIT_ACCEL:-tcg}
TIMEOUT=${KUNIT_TIMEOUT:-1200}
# KUNIT_FILTER="tdx_host_link*" runs only the suites (or suite.test) matching
FILTER=${KUNIT_FILTER:+ kunit.filter_glob=$KUNIT_FILTER}
kunit=$TREE/tools/testing/kunit/kunit.py
# The directories whose .kunitconfig the harness builds with
KUNIT_DIRS="arch/x86/virt/vmx/tdx drivers/virt/coco/tdx-host"

REPEAT=
ARGS_ONLY=
case "${1:-}" in
"") ;;
--repeat | --check-repeat)
	[ "$1" = --check-repeat ] && ARGS_ONLY=1
	REPEAT=${2:-}
	[[ "$REPEAT" =~ ^[1-9][0-9]*$ ]] ||
		die "kunit-repeat: N must be a positive integer, not '${REPEAT}' (e.g. make kunit-repeat N=30)"
	;;
*) die "kunit.sh: unknown argument '$1'" ;;
esac

# The names of the series' suites, from the struct kunit_suite of each
# test file the series adds (in the overlay, as the manifest lists them).
suite_names() {
	local f
	read_manifest
	for f in "${!NEW_STEP[@]}"; do
		case "$f" in *_test.c) ;; *) continue ;; esac
		awk '/struct kunit_suite [a-z0-9_]+ = \{/ { s = 1 }
		     s && /\.name = "/ { sub(/.*\.name = "/, ""); sub(/".*/, ""); print; s = 0 }' \
			"$REPO/$f"
	done | sort
}

# A filter that matches none of the series' suites runs nothing: say so
# before anything is built or run.
if [ -n "${KUNIT_FILTER:-}" ]; then
	glob=${KUNIT_FILTER%%.*}
	hit=
	while read -r s; do
		# shellcheck disable=SC2053 # $glob is a glob on purpose
		[[ $s == $glob ]] && { hit=$s; break; }
	done < <(suite_names)
	[ -n "$hit" ] ||
		die "KUNIT_FILTER='$KUNIT_FILTER' matches none of the series' suites ($(suite_names | tr '\n' ' ' | sed 's/ $//'))"
fi
[ -z "$ARGS_ONLY" ] || exit 0

[ -x "$kunit" ] || die "no assembled tree in build/linux: run 'make assemble' first"
mkdir -p "$KBUILD" "$LOGS"

kunitconfigs=()
for d in $KUNIT_DIRS; do
	[ -f "$TREE/$d/.kunitconfig" ] || die "$d/.kunitconfig is missing from build/linux"
	kunitconfigs+=("--kunitconfig=$TREE/$d")
done
kunitconfigs+=("--kunitconfig=$HARNESS/configs/kunit.config")

phase "kunit: configuring build/kunit (x86_64; ${KUNIT_DIRS// /, } with lockdep; KASAN, kmemleak, DEBUG_VM)"
python3 "$kunit" config --arch=x86_64 --build_dir="$KBUILD" "${kunitconfigs[@]}" \
	>"$LOGS/kunit-config.log" 2>&1 || {
	tail -n 30 "$LOGS/kunit-config.log" >&2
	die "kunit.py config failed (log: build/logs/kunit-config.log)"
}

phase "kunit: building the kernel with $JOBS jobs (from scratch about 8 minutes; log: build/logs/kunit-build.log)"
with_progress "kunit: build" "$LOGS/kunit-build.log" "$KBUILD" \
	python3 "$kunit" build --arch=x86_64 --build_dir="$KBUILD" --jobs="$JOBS" \
	"${kunitconfigs[@]}" || {
	grep -E 'error|Error' "$LOGS/kunit-build.log" | head -n 30 >&2
	die "KUnit kernel build failed (log: build/logs/kunit-build.log)"
}

# After the built-in suites the kernel goes on to run /init from a small
# initramfs that has kmemleak scan, prints its report and powers off.
gcc -static -O2 -Wall -o "$KBUILD/kmemleak-init" "$HARNESS/kmemleak-init.c" &&
	gcc -O2 -o "$KBUILD/gen_init_cpio" "$TREE/usr/gen_init_cpio.c" ||
	die "cannot build the initramfs tools"
printf '%s\n' "dir /dev 0755 0 0" "nod /dev/console 0600 0 0 c 5 1" "dir /sys 0755 0 0" \
	"file /init $KBUILD/kmemleak-init 0755 0 0" >"$KBUILD/initramfs.list"
"$KBUILD/gen_init_cpio" "$KBUILD/initramfs.list" >"$KBUILD/initramfs.cpio" ||
	die "gen_init_cpio failed"

# run_suites LOG: boot the kernel once; QEMU's status is returned.
# check_pages=1: the page allocator checks every page it hands out and
# takes back (CONFIG_DEBUG_VM turns it on as well).
# The machine is a q35 with QEMU's emulated VT-d unit (intel-iommu, at
# 0xfed90000 in the DMAR table QEMU generates), so that the tdx_host_iommu_vtd
# suite runs the real DMAR parsing and the real VT-d driver's domain-ID
# allocator (CONFIG_INTEL_IOMMU, on by default).  Interrupt remapping is
# off: with TCG there is no split irqchip for it, and the kernel panics on
# an IO-APIC timer behind it.  The boot takes as long as on the default
# (i440fx) machine.
run_suites() {
	local log=$1 qrc
	timeout "$TIMEOUT" qemu-system-x86_64 -nodefaults -machine q35 \
		-device intel-iommu,intremap=off -m 2048 -smp 2 \
		-kernel "$KBUILD/arch/x86/boot/bzImage" -initrd "$KBUILD/initramfs.cpio" \
		-append "kunit.enable=1 console=ttyS0 kunit_shutdown=none panic=-1 check_pages=1$FILTER" \
		-no-reboot -nographic -accel "$ACCEL" -serial stdio -bios qboot.rom \
		</dev/null >"$log" 2>&1
	qrc=$?
	[ $qrc -eq 124 ] && echo "QEMU timed out after ${TIMEOUT}s" >>"$log"
	return $qrc
}

# Kernel reports that fail a run.  A WARN inside kunit_warning_suppress()
# prints nothing, so any of these lines is one that nobody expected.
SPLAT='WARNING:|BUG:|UBSAN:|refcount_t:|Oops|list_add corruption|list_del corruption|Bad page state|kernel BUG at|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|Kernel panic|general protection fault'

# check_run LOG TXT JSON QRC: parse and check one run; prints one line
# that says why it failed, or the KUnit totals, and returns 1 or 0.
check_run() {
	local log=$1 txt=$2 json=$3 qrc=$4 prc first kml mine total
	python3 "$kunit" parse ${json:+--json="$json"} "$log" >"$txt" 2>&1
	prc=$?

	first=$(grep -n -m1 -E "$SPLAT" "$log")
	if [ -n "$first" ]; then
		echo "the kernel reported '${first#*:}' at line ${first%%:*} of $log"
		return 1
	fi
	[ "$qrc" -eq 0 ] || { echo "QEMU exited with $qrc (log: $log)"; return 1; }
	[ $prc -eq 0 ] || {
		echo "KUnit suites failed, first: $(grep -m1 -F '[FAILED]' "$txt" | sed 's/^\[[0-9:]*\] //') (log: $log, results: $txt)"
		return 1
	}
	grep -q '^ok ' "$log" || grep -q 'ok [0-9]' "$log" || { echo "no KUnit suite ran (log: $log)"; return 1; }

	# kmemleak: a leak whose allocation backtrace runs through the
	# series' code or a KUnit test fails the run; others (boot-time
	# reports of the platform) are counted and left in the report.
	kml=${log%.log}-kmemleak.txt
	[ "$log" = "$LOGS/kunit.log" ] && kml=$LOGS/kmemleak.txt
	sed -n '/^kmemleak-report: begin/,/^kmemleak-report: end/p' "$log" >"$kml"
	grep -q '^kmemleak-report: end' "$kml" ||
		{ echo "no kmemleak report after the suites (log: $log)"; return 1; }
	! grep -q '^kmemleak-report: cannot' "$kml" ||
		{ echo "$(grep -m1 '^kmemleak-report: cannot' "$kml") (log: $log)"; return 1; }
	mine=$(awk '/^unreferenced object/ { if (hit) n++; hit = 0 }
		/tdx|kunit/ { hit = 1 }
		END { if (hit) n++; print n + 0 }' "$kml")
	total=$(grep -c '^unreferenced object' "$kml")
	[ "$mine" -eq 0 ] || { echo "kmemleak: $mine leak(s) from the series or its tests (report: $kml)"; return 1; }
	echo "$(grep 'Testing complete' "$txt" | sed 's/^\[[0-9:]*\] //'); no kernel report; kmemleak: no leak of the series ($total other)"
}

if [ -z "$REPEAT" ]; then
	phase "kunit: running the suites under QEMU ($ACCEL)"
	run_suites "$LOGS/kunit.log"
	qrc=$?
	phase "kunit: results"
	check_run "$LOGS/kunit.log" "$LOGS/kunit.txt" "$LOGS/kunit.json" $qrc >"$LOGS/kunit-check.txt"
	crc=$?
	# Per suite and per test, as kunit.py prints them.
	grep -vE '^\s*$|Test results stored in|Testing complete' "$LOGS/kunit.txt"
	[ $crc -eq 0 ] || die "$(cat "$LOGS/kunit-check.txt")"
	cat "$LOGS/kunit-check.txt"
	exit 0
fi

mkdir -p "$LOGS/repeat"
rm -f "$LOGS"/repeat/run-*
passed=0
failed=0
phase "kunit: $REPEAT runs of ${KUNIT_FILTER:-every suite} under QEMU ($ACCEL), each in a fresh boot"
for ((k = 1; k <= REPEAT; k++)); do
	t0=$(date +%s)
	run_suites "$LOGS/repeat/run-$k.log"
	qrc=$?
	if line=$(check_run "$LOGS/repeat/run-$k.log" "$LOGS/repeat/run-$k.txt" "" $qrc); then
		passed=$((passed + 1))
		phase "run $k/$REPEAT: PASS in $(($(date +%s) - t0))s: $line"
	else
		failed=$((failed + 1))
		phase "run $k/$REPEAT: FAIL in $(($(date +%s) - t0))s: $line"
	fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
