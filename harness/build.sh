#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build checks of the assembled series (build/linux, tdxc-base..HEAD).
#
#   build.sh steps       each step builds the directories it touches
#   build.sh steps-full  each step builds vmlinux and modules (slow)
#   build.sh modules     the whole series builds vmlinux and modules, with
#                        the suites built in (tdx-host too) and with them
#                        off (tdx_host.ko), so that modpost checks every
#                        export and namespace
#   build.sh w1          W=1 of the touched directories: no warning that
#                        the base does not have
#   build.sh sparse      sparse (make C=2) on the touched directories: no
#                        warning in a file the series adds or edits that
#                        the base does not have
#   build.sh off         vmlinux and the touched directories with the
#                        series' own Kconfig symbols off
#   build.sh fragment    merge_config.sh with the series' fragment on top
#                        of x86_64_defconfig and platform.config gives
#                        every value the fragment asks for
#
# steps, modules, w1, sparse and off build in a second work tree,
# build/steps-src, with the output in build/steps, one after the other, so
# that each rebuilds only what differs from the one before.
# Configs: Kconfig's defaults + harness/configs/build.config +
# harness/configs/platform.config + the series' fragment
# (harness/configs/tdx-connect.config); "fragment" alone starts from
# x86_64_defconfig, as a distribution config would.
. "$(dirname "$0")/lib.sh"

SRC2=$BUILD/steps-src
O_STEPS=$BUILD/steps
mode=${1:?usage: build.sh steps|steps-full|modules|w1|sparse|off|fragment}

[ -d "$TREE/.git" ] || die "no assembled tree in build/linux: run 'make assemble' first"
base=$(git_tree rev-parse "$BASE_TAG^{commit}")
head=$(git_tree rev-parse HEAD)
mapfile -t commits < <(git_tree rev-list --reverse "$base..$head")

kmake() {	# SRC O ARGS...
	local src=$1 o=$2
	shift 2
	make -s -C "$src" O="$o" -j"$JOBS" "$@"
}

# The second work tree, checked out at a commit; reused between runs so
# that only what changes between steps is rebuilt.
checkout2() {
	if ! git -C "$SRC2" rev-parse --git-dir >/dev/null 2>&1 ||
	   [ "$(git -C "$SRC2" rev-parse "$BASE_TAG^{commit}" 2>/dev/null)" != "$base" ]; then
		rm -rf "$SRC2" "$O_STEPS"
		git_tree worktree prune
		git_tree worktree add -q --detach "$SRC2" "$1" || die "cannot create $SRC2"
	else
		git -C "$SRC2" checkout -q --detach -f "$1" || die "cannot check out $1 in $SRC2"
	fi
}

# seed_config SRC O [off]: the fragments on Kconfig's defaults, kept as
# text in O/seed.config so that each step can start from it again (a
# symbol that a step has not added yet is dropped by olddefconfig).
seed_config() {
	local o=$2
	mkdir -p "$o"
	{
		cat "$HARNESS/configs/build.config" "$HARNESS/configs/platform.config" \
			"$HARNESS/configs/tdx-connect.config"
		[ "${3:-}" = off ] && series_symbols | sed 's/.*/# CONFIG_& is not set/'
		[ "${3:-}" = nosuites ] && printf '# CONFIG_%s is not set\n' TDX_CONNECT_KUNIT_TEST TDX_HOST_KUNIT_TEST
	} | merge_fragments >"$o/seed.config"
}

configure() {	# SRC O
	cp "$2/seed.config" "$2/.config"
	kmake "$1" "$2" olddefconfig >/dev/null 2>"$2/olddefconfig.err" || {
		cat "$2/olddefconfig.err"
		die "make olddefconfig failed"
	}
}

# Kconfig symbols the series defines (in files it adds or edits).
series_symbols() {
	git_tree diff "$base" "$head" -- '*Kconfig*' | sed -n 's/^+\(menu\)\?config \([A-Za-z0-9_]*\).*/\2/p' | sort -u
}

# Directories to build for the files changed between two commits: the
# folder of each C or assembly file and Makefile, and for a header the
# folders of every C file the series has changed so far (its users).
dirs_for() {	# FROM TO
	local f d
	{
		git_tree diff --name-only "$1" "$2" | while read -r f; do
			case "$f" in
			tools/*) ;;	# not Kbuild: harness/selftests.sh builds them
			*.c | *.S | */Makefile | */Kbuild) dirname "$f" ;;
			*.h) git_tree diff --name-only "$base" "$2" -- '*.c' ':!tools/' | xargs -r -n1 dirname ;;
			esac
		done
	} | sort -u | while read -r d; do
		[ -e "$SRC2/$d/Makefile" ] || [ -e "$SRC2/$d/Kbuild" ] && echo "$d/"
	done
}

# LOG -> normalised warning lines: compiler and sparse "file:l:c: warning:"
# and kernel-doc "Warning: file:l ...", without paths and line numbers.
warnings() {
	grep -E ': (warning|error):|^(Warning|warning|WARNING): ' "$1" |
		sed -E "s|$SRC2/||g; s|$TREE/||g; s|^\.\./[^ ]*steps-src/||; s|:[0-9]+:[0-9]+:|:|; s|:[0-9]+ | |" | sort -u
}

case "$mode" in
steps | steps-full)
	checkout2 "$base"
	seed_config "$SRC2" "$O_STEPS"
	prev=$base
	i=0
	for c in "${commits[@]}"; do
		i=$((i + 1))
		subject=$(git_tree log -1 --format=%s "$c")
		checkout2 "$c"
		configure "$SRC2" "$O_STEPS"
		if [ "$mode" = steps-full ]; then
			targets=(vmlinux modules)
		else
			mapfile -t targets < <(dirs_for "$prev" "$c")
		fi
		echo "step $i ($subject): ${targets[*]:-Kconfig only}"
		if [ ${#targets[@]} -gt 0 ]; then
			kmake "$SRC2" "$O_STEPS" "${targets[@]}" >"$LOGS/step-$i.log" 2>&1 || {
				grep -E 'error|Error' "$LOGS/step-$i.log" | head -n 20
				die "step $i ($subject) does not build (log: build/logs/step-$i.log)"
			}
		fi
		prev=$c
	done
	echo "${#commits[@]} steps build"
	;;
modules)
	# The per-step builds compile directories only; modpost, which
	# enforces EXPORT_SYMBOL_FOR_MODULES() and symbol namespaces, runs
	# only when modules are linked against vmlinux.
	checkout2 "$head"
	[ -f "$O_STEPS/seed.config" ] || seed_config "$SRC2" "$O_STEPS"
	configure "$SRC2" "$O_STEPS"
	kmake "$SRC2" "$O_STEPS" vmlinux modules >"$LOGS/modules.log" 2>&1 || {
		grep -E 'error|ERROR' "$LOGS/modules.log" | head -n 20
		die "vmlinux and modules do not build (log: build/logs/modules.log)"
	}
	# With the suites on, tdx-host is built in, as its suites run at boot.
	# tdx_host.ko, and modpost's checks of its "module:tdx-host" imports,
	# come with the suites off: in the same tree, only what depends on the
	# suites' symbols is rebuilt.
	seed_config "$SRC2" "$O_STEPS" nosuites
	configure "$SRC2" "$O_STEPS"
	kmake "$SRC2" "$O_STEPS" vmlinux modules >"$LOGS/modules-nosuites.log" 2>&1 || {
		grep -E 'error|ERROR' "$LOGS/modules-nosuites.log" | head -n 20
		die "vmlinux and modules do not build with the suites off (log: build/logs/modules-nosuites.log)"
	}
	# the series' modules, from this build's modules.order (not stale .ko files)
	mapfile -t mods < <(git_tree diff --name-only "$base" "$head" -- '*Makefile' |
		xargs -r -n1 dirname | sort -u | while read -r d; do
			grep "^$d/" "$O_STEPS/modules.order" 2>/dev/null | sed 's/\.o$/.ko/'
		done)
	# the other modes start from the seed with the suites on
	seed_config "$SRC2" "$O_STEPS"
	[ ${#mods[@]} -gt 0 ] || die "the suites off, the series still builds no module (tdx_host.ko expected)"
	echo "vmlinux and modules build, with the suites built in and with them off; series modules with the suites off: ${#mods[@]} (${mods[*]##*/})"
	;;
w1 | sparse)
	mapfile -t dirs < <(dirs_for "$base" "$head")
	[ ${#dirs[@]} -gt 0 ] || { echo "the series touches no C directory"; exit 0; }
	flags=(W=1)
	if [ "$mode" = sparse ]; then
		sparse=$BUILD/tools/bin/sparse
		[ -x "$sparse" ] || "$HARNESS/sparse.sh" || exit 1
		flags=(C=2 CHECK="$sparse")
	fi
	for side in base head; do
		rev=${!side}
		checkout2 "$rev"
		[ -f "$O_STEPS/seed.config" ] || seed_config "$SRC2" "$O_STEPS"
		configure "$SRC2" "$O_STEPS"
		present=()
		for d in "${dirs[@]}"; do
			[ -e "$SRC2/$d/Makefile" ] || [ -e "$SRC2/$d/Kbuild" ] || continue
			present+=("$d")
			# W=1 warnings are printed only when a file compiles
			[ "$mode" = w1 ] && [ -d "$O_STEPS/$d" ] && find "$O_STEPS/$d" -name '*.o' -delete
		done
		log=$LOGS/$mode-$side.log
		kmake "$SRC2" "$O_STEPS" "${flags[@]}" "${present[@]}" >"$log" 2>&1 || {
			[ $side = base ] && echo "note: the base does not build ${present[*]} cleanly"
			[ $side = head ] && { grep -E 'error' "$log" | head -n 20; die "$mode build failed (log: build/logs/$mode-head.log)"; }
		}
		warnings "$log" >"$LOGS/$mode-$side.warnings"
	done
	if [ "$mode" = sparse ]; then
		# only files the series adds or edits
		git_tree diff --name-only "$base" "$head" -- '*.c' '*.h' >"$LOGS/sparse-files"
		grep -F -f "$LOGS/sparse-files" "$LOGS/sparse-head.warnings" >"$LOGS/sparse-head.mine" || true
		mv "$LOGS/sparse-head.mine" "$LOGS/sparse-head.warnings"
	fi
	new=$(comm -13 "$LOGS/$mode-base.warnings" "$LOGS/$mode-head.warnings")
	if [ -n "$new" ]; then
		printf '%s\n' "$new"
		die "$(printf '%s\n' "$new" | wc -l) new $mode warning(s) in ${dirs[*]} (log: build/logs/$mode-head.log)"
	fi
	echo "$mode: no new warnings in ${dirs[*]} ($(wc -l <"$LOGS/$mode-base.warnings") already in the base)"
	;;
off)
	mapfile -t syms < <(series_symbols)
	[ ${#syms[@]} -gt 0 ] || die "the series defines no Kconfig symbol"
	# In the steps tree, after the modules check: only what depends on
	# the series' symbols is rebuilt, not a second kernel from scratch.
	checkout2 "$head"
	seed_config "$SRC2" "$O_STEPS" off
	configure "$SRC2" "$O_STEPS"
	for s in "${syms[@]}"; do
		! grep -q "^CONFIG_$s=" "$O_STEPS/.config" || die "CONFIG_$s is still on in the feature-off config"
	done
	mapfile -t dirs < <(dirs_for "$base" "$head")
	echo "series symbols off: ${syms[*]}; building vmlinux ${dirs[*]}"
	kmake "$SRC2" "$O_STEPS" vmlinux "${dirs[@]}" >"$LOGS/off.log" 2>&1 || {
		grep -E 'error|Error' "$LOGS/off.log" | head -n 20
		die "the build with the series' symbols off failed (log: build/logs/off.log)"
	}
	# the other modes start from the seed with the series on
	seed_config "$SRC2" "$O_STEPS"
	echo "vmlinux builds with ${syms[*]} off"
	;;
fragment)
	o=$BUILD/fragment
	rm -rf "$o"
	mkdir -p "$o"
	kmake "$TREE" "$o" x86_64_defconfig >/dev/null || die "make x86_64_defconfig failed"
	(cd "$TREE" && scripts/kconfig/merge_config.sh -O "$o" "$o/.config" \
		"$HARNESS/configs/platform.config" "$HARNESS/configs/tdx-connect.config") >"$LOGS/fragment.log" 2>&1 ||
		die "merge_config.sh failed (log: build/logs/fragment.log)"
	# merge_config.sh also reports defconfig values that olddefconfig
	# changes; only the fragments' own values matter here.
	if grep -A2 -F -f <(sed -n 's/^\(CONFIG_[A-Za-z0-9_]*\)=.*/Value requested for \1 /p' \
		"$HARNESS/configs/platform.config" "$HARNESS/configs/tdx-connect.config") "$LOGS/fragment.log"; then
		die "merge_config.sh could not set every value of tdx-connect.config (log: build/logs/fragment.log)"
	fi
	while read -r line; do
		grep -qxF "$line" "$o/.config" || die "merge_config.sh left $line out of the final .config"
	done < <(grep -E '^CONFIG_' "$HARNESS/configs/tdx-connect.config")
	echo "merge_config.sh sets every value of tdx-connect.config"
	;;
*)
	die "usage: build.sh steps|steps-full|w1|sparse|off|fragment"
	;;
esac
