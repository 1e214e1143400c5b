#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the x86_64 KUnit kernel from build/linux with kunit.py (lockdep
# and KASAN on) and run the series' suites under QEMU with TCG.
#
# kunit.py would start QEMU with "-accel kvm" first; on these machines
# /dev/kvm exists but a KVM guest hangs without output, so QEMU is run
# here with TCG and its output fed to "kunit.py parse".  KUNIT_ACCEL=kvm
# brings KVM back where it works.
#
# Results: build/logs/kunit.log (raw), build/logs/kunit.txt (parsed),
# build/logs/kunit.json.
. "$(dirname "$0")/lib.sh"

KBUILD=${KBUILD:-$BUILD/kunit}
ACCEL=${KUNIT_ACCEL:-tcg}
TIMEOUT=${KUNIT_TIMEOUT:-900}
# KUNIT_FILTER="tdx_host_link*" runs only the suites (or suite.test) matching
FILTER=${KUNIT_FILTER:+ kunit.filter_glob=$KUNIT_FILTER}
kunit=$TREE/tools/testing/kunit/kunit.py

[ -x "$kunit" ] || die "no assembled tree in build/linux: run 'make assemble' first"
mkdir -p "$KBUILD" "$LOGS"

# One kunitconfig (kunit.py refuses the same option from two files):
# platform, the series' fragment with its tests built in, then the
# debugging options; the last value of an option wins.
cat "$HARNESS/configs/platform.config" \
	<(sed 's/=m$/=y/' "$HARNESS/configs/tdx-connect.config") \
	"$HARNESS/configs/kunit.config" | merge_fragments >"$KBUILD/.kunitconfig.harness"

phase "kunit: configuring build/kunit (x86_64, lockdep, KASAN)"
python3 "$kunit" config --arch=x86_64 --build_dir="$KBUILD" \
	--kunitconfig="$KBUILD/.kunitconfig.harness" >"$LOGS/kunit-config.log" 2>&1 || {
	tail -n 30 "$LOGS/kunit-config.log" >&2
	die "kunit.py config failed (log: build/logs/kunit-config.log)"
}

phase "kunit: building the kernel with $JOBS jobs (from scratch about 7 minutes; log: build/logs/kunit-build.log)"
with_progress "kunit: build" "$LOGS/kunit-build.log" "$KBUILD" \
	python3 "$kunit" build --arch=x86_64 --build_dir="$KBUILD" --jobs="$JOBS" \
	--kunitconfig="$KBUILD/.kunitconfig.harness" || {
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

phase "kunit: running the suites under QEMU ($ACCEL)"
timeout "$TIMEOUT" qemu-system-x86_64 -nodefaults -m 2048 -smp 2 \
	-kernel "$KBUILD/arch/x86/boot/bzImage" -initrd "$KBUILD/initramfs.cpio" \
	-append "kunit.enable=1 console=ttyS0 kunit_shutdown=none panic=-1$FILTER" \
	-no-reboot -nographic -accel "$ACCEL" -serial stdio -bios qboot.rom \
	</dev/null >"$LOGS/kunit.log" 2>&1
qrc=$?
[ $qrc -eq 124 ] && echo "QEMU timed out after ${TIMEOUT}s" >>"$LOGS/kunit.log"

phase "kunit: results"
python3 "$kunit" parse --json="$LOGS/kunit.json" "$LOGS/kunit.log" >"$LOGS/kunit.txt" 2>&1
prc=$?
# Per suite and per test, as kunit.py prints them.
grep -vE '^\s*$|Test results stored in|Testing complete' "$LOGS/kunit.txt"

# Lockdep and KASAN report through the kernel log, not through KTAP.
splat=$(grep -E 'BUG: KASAN|possible circular locking|possible recursive locking|inconsistent lock state|BUG: sleeping function|suspicious RCU usage|Kernel panic|BUG: unable to handle|general protection fault' "$LOGS/kunit.log" | head -n 5)
if [ -n "$splat" ]; then
	printf '%s\n' "$splat" >&2
	die "the kernel reported a bug while the suites ran (log: build/logs/kunit.log)"
fi
[ $qrc -eq 0 ] || die "QEMU exited with $qrc (log: build/logs/kunit.log)"
[ $prc -eq 0 ] || die "KUnit suites failed (log: build/logs/kunit.log, results: build/logs/kunit.txt)"
grep -q '^ok ' "$LOGS/kunit.log" || grep -q 'ok [0-9]' "$LOGS/kunit.log" ||
	die "no KUnit suite ran (log: build/logs/kunit.log)"

# kmemleak: a leak whose allocation backtrace runs through the series'
# code or a KUnit test fails the run; others (boot-time reports of the
# platform) are counted and left in build/logs/kmemleak.txt.
sed -n '/^kmemleak-report: begin/,/^kmemleak-report: end/p' "$LOGS/kunit.log" >"$LOGS/kmemleak.txt"
grep -q '^kmemleak-report: end' "$LOGS/kmemleak.txt" ||
	die "no kmemleak report after the suites (log: build/logs/kunit.log)"
! grep -q '^kmemleak-report: cannot' "$LOGS/kmemleak.txt" ||
	die "$(grep -m1 '^kmemleak-report: cannot' "$LOGS/kmemleak.txt") (log: build/logs/kunit.log)"
mine=$(awk '/^unreferenced object/ { if (hit) n++; hit = 0 }
	/tdx|kunit/ { hit = 1 }
	END { if (hit) n++; print n + 0 }' "$LOGS/kmemleak.txt")
total=$(grep -c '^unreferenced object' "$LOGS/kmemleak.txt")
[ "$mine" -eq 0 ] || die "kmemleak: $mine leak(s) from the series or its tests (report: build/logs/kmemleak.txt)"
echo "kmemleak: no leak from the series or its tests ($total other report(s) in build/logs/kmemleak.txt)"
grep 'Testing complete' "$LOGS/kunit.txt" | sed 's/^\[[0-9:]*\] //'
