#!/bin/sh
# The man page, the help text, the bash completion and the command table must agree.
set -u
LIB=$(cd "$(dirname "$0")" && pwd)/lib.sh
B=${1:?usage: tests/check-sync.sh BUILD_DIR}
B=$(cd "$B" && pwd)
cd "$(dirname "$0")/.." || exit 2
. "$LIB"
BIN=$B/vifdiag
MAN=man/vifdiag.1


# the man page source with troff's \- turned back into -
sed 's/\\-/-/g' "$MAN" >"$T/man"

if groff -man -ww -z "$MAN" >"$T/groff" 2>&1 && [ ! -s "$T/groff" ]; then
	ok "man page is clean under groff -man -ww -z"
else
	nok "groff warnings"; sed 's/^/# /' "$T/groff"
fi

"$BIN" help >"$T/help"
sed -n '/^commands:/,/^$/p' "$T/help" | awk 'NF && $1 != "commands:" {print $1}' >"$T/cmds"
sed -n '/^options:/,/^$/p' "$T/help" | grep -o -- '--[a-z-]*' | sort -u >"$T/opts"
sed -n '/^verdicts:/,/^$/p' "$T/help" | awk 'NF && $1 != "verdicts:" {print $1}' | sort >"$T/verdicts"
[ -s "$T/cmds" ] && [ -s "$T/opts" ] && [ -s "$T/verdicts" ] || nok "help lacks a section"

while read -r c; do
	if grep -Eq "^\.(B|BR) \"?$c\b" "$T/man"; then ok "command $c is in the man page"
	else nok "command $c is not in the man page"; fi
done <"$T/cmds"

sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$T/man" | grep -o -- '--[a-z-]*' | sort -u >"$T/manopts"
if diff -u "$T/opts" "$T/manopts" >"$T/d"; then ok "man OPTIONS list the options of the table"
else nok "man OPTIONS differ from the option table"; sed 's/^/# /' "$T/d"; fi

sed -n '/^\.SH VERDICTS/,/^\.SH /p' "$T/man" | awk '/^\.TP/{getline; print $2}' | sort >"$T/manverdicts"
if diff -u "$T/verdicts" "$T/manverdicts" >"$T/d"; then ok "man VERDICTS match the code"
else nok "man VERDICTS differ from the code"; sed 's/^/# /' "$T/d"; fi

# the wording too: each man VERDICTS entry starts with the table's sentence (vd_verdicts and
# the host and libxl tables, as help prints them), first letter capitalised, then a period
sed -n '/^\.SH VERDICTS/,/^\.SH /p' "$T/man" >"$T/manv"
sed -n '/^verdicts:/,/^$/p' "$T/help" | awk 'NF && $1 != "verdicts:"' | while read -r word meaning; do
	first=$(awk -v w="$word" 'f { print; exit } $0 == ".B " w { f = 1 }' "$T/manv")
	want=$(printf '%s.' "$meaning" | cut -c2-)
	if [ "$(printf %s "$first" | cut -c2-)" = "$want" ] &&
		[ "$(printf %s "$first" | cut -c1 | tr A-Z a-z)" = "$(printf %s "$meaning" | cut -c1 | tr A-Z a-z)" ]; then
		ok "man VERDICTS: $word says what the table says"
	else
		nok "man VERDICTS: $word: '$first', table: '$meaning'"
	fi
done

# finding codes: what the analysis can emit vs the catalogue vs man DIAGNOSES
python3 tests/tools/finding-codes.py src/diag*.c >"$T/codes"
python3 tests/tools/catalogue.py --codes src/catalogue.c >"$T/catcodes"
if [ "$(wc -l <"$T/codes")" -gt 20 ] && diff -u "$T/codes" "$T/catcodes" >"$T/d"; then
	ok "the catalogue has a rule for every finding code and no other ($(wc -l <"$T/codes"))"
else
	nok "finding codes in src/diag*.c differ from src/catalogue.c"; sed 's/^/# /' "$T/d"
fi
if python3 tests/tools/catalogue.py --check src/catalogue.c >"$T/d"; then
	ok "catalogue IDs run VD001.. in order, codes unique, no empty field"
else
	nok "catalogue rows"; sed 's/^/# /' "$T/d"
fi
python3 tests/tools/catalogue.py --man src/catalogue.c >"$T/mandiag"
sed -n '/^\.SH DIAGNOSES/,/^\.SH /p' "$MAN" | sed '$d' >"$T/mansec"
if diff -u "$T/mandiag" "$T/mansec" >"$T/d"; then
	ok "man DIAGNOSES is the catalogue (tests/tools/catalogue.py --man src/catalogue.c)"
else
	nok "man DIAGNOSES differs from the catalogue"; head -30 "$T/d" | sed 's/^/# /'
fi

# exit codes: help line vs man EXIT STATUS
codes_help=$(grep '^exit status' "$T/help" | grep -o '[0-9]' | tr -d '\n')
codes_man=$(sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$T/man" | awk '/^\.TP/{getline; print $2}' | tr -d '\n')
if [ "$codes_help" = "$codes_man" ] && [ -n "$codes_help" ]; then ok "exit codes agree ($codes_help)"
else nok "exit codes: help '$codes_help' vs man '$codes_man'"; fi

# completion comes from the same table
"$BIN" __complete "" | sort >"$T/ccmds"
if sort "$T/cmds" | diff -u - "$T/ccmds" >"$T/d"; then ok "completion offers exactly the commands"
else nok "completion commands differ"; sed 's/^/# /' "$T/d"; fi
for c in $(cat "$T/cmds"); do
	"$BIN" help "$c" | grep -o -- '--[a-z-]*' | sort -u >"$T/hopts"
	"$BIN" __complete "$c" "--" | sort -u >"$T/copts"
	if diff -u "$T/hopts" "$T/copts" >"$T/d"; then ok "completion options of $c match its help"
	else nok "completion options of $c differ"; sed 's/^/# /' "$T/d"; fi
done

# the bash function, run for real
if command -v bash >/dev/null; then
	out=$(PATH="$B:$PATH" bash -c '. completions/vifdiag.bash; COMP_WORDS=(vifdiag sho); COMP_CWORD=1; _vifdiag; printf "%s\n" "${COMPREPLY[@]}"')
	if [ "$out" = show ]; then ok "bash completion completes 'sho' to 'show'"
	else nok "bash completion gave '$out' for 'sho'"; fi
	out=$(PATH="$B:$PATH" bash -c '. completions/vifdiag.bash; COMP_WORDS=(vifdiag --from tests/fixtures/multi-domain-host/tree.txt status ""); COMP_CWORD=4; _vifdiag; printf "%s\n" "${COMPREPLY[@]}"' | sort | tr '\n' ' ')
	want=$("$BIN" --from tests/fixtures/multi-domain-host/tree.txt status --json | jq -r '[.vifs[] | (.domid|tostring)] | unique | .[]' | sort | tr '\n' ' ')
	case " $out" in
	*" ${want%% *} "*) ok "bash completion offers domains from --from" ;;
	*) nok "bash completion domains: '$out' lacks '$want'" ;;
	esac
fi

# libxenlight is optional: the build without it must compile (-Werror), link without it,
# and say why libxl is unavailable (test_xl's real-libxl case takes the #else branch)
if make --no-print-directory BUILD="$T/nolibxl" LIBXL=0 all "$T/nolibxl/unit/test_xl" >"$T/mk" 2>&1 &&
	! ldd "$T/nolibxl/vifdiag" | grep -q libxenlight && "$T/nolibxl/unit/test_xl" >"$T/ut" 2>&1; then
	ok "make LIBXL=0 builds without libxenlight and its test_xl passes"
else
	nok "make LIBXL=0"; tail -n 5 "$T/mk" "$T/ut" 2>/dev/null | sed 's/^/# /'
fi

# kernel-like style, as .clang-format says
unformatted=""
for f in src/*.c include/*.h; do
	clang-format --style=file "$f" | cmp -s - "$f" || unformatted="$unformatted $f"
done
if [ -z "$unformatted" ]; then ok "src/ and include/ are clang-formatted"
else nok "not clang-formatted (make format):$unformatted"; fi

# cppcheck over src/ (every #if configuration): clean, or each suppression justified in
# tests/cppcheck-suppressions.txt or inline; and it finds a bug planted in a copy, so a
# broken invocation cannot pass
if command -v cppcheck >/dev/null 2>&1; then
	cpc() {
		cppcheck -q -j2 --std=c11 --enable=warning,performance,portability,style --inline-suppr \
			-Iinclude --suppressions-list=tests/cppcheck-suppressions.txt --error-exitcode=1 \
			--template='{file}:{line}: {severity} {id}: {message}' "$@"
	}
	if cpc src/ >"$T/cc" 2>&1; then ok "cppcheck: src/ clean (suppressions justified)"
	else nok "cppcheck finds:"; grep -v '^ \|^$' "$T/cc" | sed 's/^/# /'; fi
	rm -rf "$T/ccsrc" && cp -r src "$T/ccsrc"
	printf 'int vd_planted(void)\n{\n\tint a[2] = { 0, 0 };\n\n\treturn a[2];\n}\n' >>"$T/ccsrc/util.c"
	if ! cpc "$T/ccsrc" >"$T/cc" 2>&1 && grep -q 'util.c:.*arrayIndexOutOfBounds' "$T/cc"; then
		ok "cppcheck: a planted out-of-bounds read is found"
	else nok "cppcheck missed a planted bug"; sed 's/^/# /' "$T/cc" | head -5; fi
	rm -rf "$T/ccsrc"
else
	echo "# cppcheck not installed: skipped"
fi

# clang-tidy over src/ (.clang-tidy: bugprone, clang-analyzer and cert, each check left
# out or tuned with its reason): clean, two files at a time, with the compile flags make
# itself uses (its dry run of one object); and it finds the bugs planted in a copy, so a
# broken invocation cannot pass
if command -v clang-tidy >/dev/null 2>&1; then
	ctflags=$(make -n -B --no-print-directory V=1 BUILD="$T/ct" "$T/ct/obj/util.o" |
		sed -n 's/^[^ ]* \(.*\) -c -o .*/\1/p')
	ctargs=""
	# 14 cannot tune bugprone-sizeof-expression as .clang-tidy does (see there)
	[ "$(clang-tidy --version | sed -n 's/.*version \([0-9]*\).*/\1/p')" -ge 15 ] 2>/dev/null ||
		ctargs="--checks=-bugprone-sizeof-expression"
	# the analyzer's deep mode: about five times slower (.clang-tidy)
	[ -z "${CT_DEEP:-}" ] ||
		ctargs="$ctargs --extra-arg=-Xclang --extra-arg=-analyzer-config --extra-arg=-Xclang --extra-arg=mode=deep"
	ct() { # OUT FILE...: the diagnostics in OUT; 0 if there are none
		out=$1
		shift
		# shellcheck disable=SC2086
		printf '%s\n' "$@" | xargs -P2 -I{} clang-tidy --quiet --config-file=.clang-tidy $ctargs {} \
			-- $ctflags >"$out" 2>&1
	}
	t0=$(date +%s)
	if [ -n "$ctflags" ] && ct "$T/ct.out" src/*.c; then
		ok "clang-tidy: src/ clean (.clang-tidy says why each check is off or tuned)"
	else
		nok "clang-tidy finds:"
		grep -E ': (warning|error):' "$T/ct.out" | sed 's/^/# /'
		[ -n "$ctflags" ] || echo "# no compile line from make -n"
	fi
	echo "# clang-tidy: $(ls src/*.c | wc -l) files in $(($(date +%s) - t0)) s"
	mkdir -p "$T/ctsrc" && cp src/util.c "$T/ctsrc/util.c"
	cat >>"$T/ctsrc/util.c" <<'EOF'
int vd_planted_null(int n);
int vd_planted_atoi(const char *s);
int vd_planted_clone(int n);
int vd_planted_null(int n)
{
	int *p = NULL;

	if (n)
		p = &n;
	return *p;
}
int vd_planted_atoi(const char *s)
{
	return atoi(s);
}
int vd_planted_clone(int n)
{
	if (n)
		return 1;
	else
		return 1;
}
EOF
	ct "$T/ct.out" "$T/ctsrc/util.c"
	missed=""
	for c in clang-analyzer-core.NullDereference cert-err34-c bugprone-branch-clone; do
		grep -q "util.c:.*\[$c" "$T/ct.out" || missed="$missed $c"
	done
	if [ -z "$missed" ]; then
		ok "clang-tidy: a planted null dereference, atoi and branch clone are found"
	else
		nok "clang-tidy missed planted bugs:$missed"
		sed 's/^/# /' "$T/ct.out" | head -5
	fi
	rm -rf "$T/ctsrc"
else
	echo "# clang-tidy not installed: skipped"
fi

# the layering rule: no printing below the renderers, no exit() below main
if grep -nE '\b(printf|fprintf|puts|fputs|putchar)\s*\(' src/*.c | grep -vE '^src/(render(_[a-z_]+)?|cmd|cmd_complete|main|json)\.c:' | grep -v 'snprintf\|vsnprintf' >"$T/p"; then
	nok "printing below the renderers"; sed 's/^/# /' "$T/p"
else
	ok "no printing below the renderers"
fi
if grep -nE '\b(exit|_exit|err|errx)\s*\(' src/*.c | grep -v '^src/main\.c:' >"$T/p"; then
	nok "exit() below main"; sed 's/^/# /' "$T/p"
else
	ok "no exit() below main"
fi
if grep -nE '\bxs_(write|rm|mkdir|set_permissions|introduce_domain|release_domain|set_target|resume_domain)\s*\(' src/*.c >"$T/p"; then
	nok "src/ calls a mutating libxenstore function"; sed 's/^/# /' "$T/p"
else
	ok "src/ calls no mutating libxenstore function"
fi
if grep -n 'opts->json\|o->json' src/*.c | grep -v '^src/render\.c:\|^src/main\.c:\|^src/dispatch\.c:' >"$T/p"; then
	nok "format checks outside the renderer choice"; sed 's/^/# /' "$T/p"
else
	ok "no if (json) outside the renderer choice"
fi

finish
