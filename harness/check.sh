#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Every check of the series, one line each, then "N passed, N failed".
# Exits non-zero if any check fails.  Logs: build/logs/check-<name>.log.
#   check.sh NAME...    only the checks named (make check CHECKS="..."), in
#                       the usual order; they use what earlier runs left,
#                       e.g. checkpatch, quilt and b4 the outputs of series
. "$(dirname "$0")/lib.sh"

mkdir -p "$LOGS"
passed=0
failed=0
failed_names=()
only=" $* "

check() {	# NAME COMMAND...
	local name=$1 t0=$(date +%s) rc log=$LOGS/check-$1.log
	shift
	[ "$only" = "  " ] || [[ $only == *" $name "* ]] || return 0
	"$@" >"$log" 2>&1
	rc=$?
	local t=$(($(date +%s) - t0))
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
		printf 'PASS  %-12s %4ds  %s\n' "$name" "$t" "$(tail -n 1 "$log")"
	else
		failed=$((failed + 1))
		failed_names+=("$name")
		printf 'FAIL  %-12s %4ds  log: build/logs/check-%s.log\n' "$name" "$t" "$name"
		tail -n 12 "$log" | sed 's/^/      | /'
	fi
	return $rc
}

summary() {
	echo "$passed passed, $failed failed"
	[ $failed -eq 0 ]
	exit
}

new_files() {
	git_tree diff --name-only --diff-filter=A "$BASE_TAG" HEAD
}

checkpatch() {
	local p out bad=0
	for p in "$OUT"/mail/*.patch; do
		case "$p" in *0000-cover-letter.patch) continue ;; esac
		# Debian's python3 first: spdxcheck.py needs python3-ply and python3-git
		out=$(cd "$TREE" && PATH=/usr/bin:$PATH perl scripts/checkpatch.pl --strict --quiet --no-summary --show-types "$p" 2>&1)
		if [ -n "$out" ]; then
			echo "== $(basename "$p")"
			printf '%s\n' "$out"
			bad=$((bad + 1))
		fi
	done
	[ $bad -eq 0 ] || { echo "checkpatch --strict: $bad patch(es) with findings"; return 1; }
	echo "checkpatch --strict: $(ls "$OUT"/mail/*.patch | grep -vc cover-letter) patches, no errors, warnings or checks"
}

quilt_apply() {
	local base q=$BUILD/quilt-test f
	base=$(base_dir)
	rm -rf "$q"
	mkdir -p "$q"
	# hard links are safe: patch(1) writes a new file and renames it
	cp -al "$base" "$q/linux" || return 1
	cp -r "$OUT/quilt/patches" "$q/linux/patches"
	(cd "$q/linux" && quilt push -a -q) || { echo "quilt push -a failed on a pristine base"; return 1; }
	# the quilt patches are the mailed branch's (the sender in MAINTAINERS)
	local mailed=refs/heads/tdxc-mail
	while read -r f; do
		if git_tree cat-file -e "$mailed:$f" 2>/dev/null; then
			git_tree show "$mailed:$f" | cmp -s - "$q/linux/$f" || { echo "$f differs after quilt push -a"; return 1; }
		else
			[ ! -e "$q/linux/$f" ] || { echo "$f should be deleted after quilt push -a"; return 1; }
		fi
	done < <(git_tree diff --name-only "$BASE_TAG" "$mailed")
	rm -rf "$q"
	echo "quilt push -a applies $(wc -l <"$OUT/quilt/patches/series") patches to $(cat "$BUILD/base/version" | sed 's/^Linux //')"
}

kernel_doc() {
	local files
	mapfile -t files < <(new_files | grep -E '\.(c|h)$')
	[ ${#files[@]} -gt 0 ] || { echo "no new C files"; return 0; }
	local out
	out=$(cd "$TREE" && scripts/kernel-doc -none -Wall "${files[@]}" 2>&1)
	[ -z "$out" ] || { printf '%s\n' "$out"; return 1; }
	echo "kernel-doc -none -Wall: ${#files[@]} new files clean"
}

maintainers() {
	local f sections entry="X86 TRUST DOMAIN EXTENSIONS (TDX) CONNECT" bad=0 n=0
	while read -r f; do
		n=$((n + 1))
		sections=$(cd "$TREE" && perl scripts/get_maintainer.pl --no-git --no-git-fallback --sections -f "$f" </dev/null 2>/dev/null)
		grep -qxF "$entry" <<<"$sections" || { echo "$f is not covered by the MAINTAINERS entry '$entry'"; bad=1; }
	done < <(new_files)
	[ $bad -eq 0 ] && echo "MAINTAINERS entry covers all $n new files"
}

phase "check: setup"
check deps bash "$HARNESS/deps.sh" || summary
check harness bash "$HARNESS/selftest.sh"
check fetch bash "$HARNESS/fetch.sh" || summary
check assemble bash "$HARNESS/assemble.sh" || summary
check roundtrip bash "$HARNESS/export.sh" --check
# make check mails nothing: on a machine without an identity of its own
# (a bare CI runner), the series check writes the patches as "make check".
if [ -z "${AUTHOR:-}" ] && ! git -C "$REPO" -c user.useConfigOnly=true var GIT_AUTHOR_IDENT >/dev/null 2>&1; then
	export AUTHOR="make check <make-check@localhost.invalid>"
	echo "note: git has no identity here; the series check writes the patches as $AUTHOR"
fi
if check series bash "$HARNESS/series.sh"; then
	check checkpatch checkpatch
	check quilt quilt_apply
	check b4 bash "$HARNESS/b4.sh"
else
	failed=$((failed + 3))
fi
check fragment bash "$HARNESS/build.sh" fragment
check kernel-doc kernel_doc
check maintainers maintainers
phase "check: KUnit under QEMU with lockdep, KASAN, kmemleak and DEBUG_VM"
check kunit env -u KUNIT_FILTER bash "$HARNESS/kunit.sh"
phase "check: builds"
check steps bash "$HARNESS/build.sh" steps
check modules bash "$HARNESS/build.sh" modules
check w1 bash "$HARNESS/build.sh" w1
check sparse bash "$HARNESS/build.sh" sparse
check feature-off bash "$HARNESS/build.sh" off
check selftests bash "$HARNESS/selftests.sh"
phase "check: done"
summary
