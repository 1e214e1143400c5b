#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The series mailed with b4, as a contributor who uses b4 would, compared
# with build/out/mail/ (make series):
#   - a scratch clone of build/linux in build/b4/linux (sparse: the top
#     level files only, no kernel checkout; build/linux is only read)
#   - b4 prep -n tdx-connect -f tdxc-base, then the branch tdxc-mail (the
#     series as make series mails it: the sender's From: and Signed-off-by)
#   - the cover letter of series/cover-letter, with the To: and Cc: of
#     build/out/mail/'s cover letter as trailers, through b4 prep
#     --edit-cover (its editor copies the text in); B4_AUTO_TO_CC=1 runs
#     b4 prep --auto-to-cc instead, with the same get_maintainer.pl split
#   - b4 send --dry-run -o build/b4/out
# and the same number of messages, subjects in the same order, From:,
# changelogs, diffs and cover letter addressees as build/out/mail/.
# b4 runs offline with a configuration of its own in the clone (the
# global and system git configurations are not read): no lore, no web
# endpoint, no signing, and an SMTP command that a dry run never runs.
. "$(dirname "$0")/lib.sh"

if ! command -v b4 >/dev/null 2>&1; then
	line="apt-get install -y --no-install-recommends b4"
	[ "$(id -u)" = 0 ] || die "b4 is not installed; as root run: $line"
	phase "installing Debian package b4"
	mkdir -p "$LOGS"
	if ! { apt-get update && DEBIAN_FRONTEND=noninteractive $line; } >"$LOGS/b4-deps.log" 2>&1; then
		tail -n 20 "$LOGS/b4-deps.log" >&2
		die "could not install b4 (log: $LOGS/b4-deps.log)"
	fi
fi

MAIL_BRANCH=tdxc-mail
mail=$OUT/mail
[ -d "$TREE/.git" ] || die "no assembled tree in build/linux: run 'make assemble' first"
cls=("$mail"/*0000-cover-letter.patch)
cl=${cls[0]}
[ -f "$cl" ] || die "no cover letter in build/out/mail: run 'make series' first"
git_tree rev-parse -q --verify "refs/heads/$MAIL_BRANCH" >/dev/null ||
	die "build/linux has no branch $MAIL_BRANCH: run 'make series' first"
sender_name=$(git_tree log -1 --format=%cn "$MAIL_BRANCH")
sender_email=$(git_tree log -1 --format=%ce "$MAIL_BRANCH")

B=$BUILD/b4
clone=$B/linux
rm -rf "$B"
mkdir -p "$B"
# b4's own commits and the cover letter get today's dates (b4 looks for
# its cover letter in the last year), and no identity or setting of the
# caller's git configuration reaches b4
unset GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL GIT_COMMITTER_DATE GIT_AUTHOR_DATE
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export XDG_CONFIG_HOME=$B/config XDG_DATA_HOME=$B/data XDG_CACHE_HOME=$B/cache
g() { git -C "$clone" "$@"; }
b4run() {	# b4 ARGS... in the clone, its output in build/b4/b4.log
	echo "+ b4 $*" >>"$B/b4.log"
	(cd "$clone" && b4 --offline-mode "$@") >>"$B/b4.log" 2>&1 ||
		die "b4 $* failed: $(tail -n 5 "$B/b4.log")"
}

git clone -q --shared --sparse "$TREE" "$clone" || die "could not clone build/linux into build/b4/linux"
g config user.name "$sender_name"
g config user.email "$sender_email"
g config core.abbrev 7
g config core.editor "cp $B/cover"
g config b4.prep-cover-strategy branch-description
g config b4.send-no-patatt-sign yes
g config b4.email-exclude "$SERIES_EMAIL"
g config b4.send-auto-to-cmd "scripts/get_maintainer.pl ${GM_OPTS[*]} $GM_TO_CMD"
g config b4.send-auto-cc-cmd "scripts/get_maintainer.pl ${GM_OPTS[*]} $GM_CC_CMD"
g config sendemail.smtpserver /bin/false
g checkout -q -b base "$BASE_TAG" || die "could not check out $BASE_TAG in build/b4/linux"

# SUBJECT_PREFIX and VERSION as make series has them
prefixes=()
for w in ${SUBJECT_PREFIX:-PATCH}; do
	[ "$w" = PATCH ] || prefixes+=("$w")
done
popt=()
[ ${#prefixes[@]} -eq 0 ] || popt=(--set-prefixes "${prefixes[@]}")
b4run prep -n tdx-connect -f "$BASE_TAG" "${popt[@]}"
g merge -q --ff-only "origin/$MAIL_BRANCH" >>"$B/b4.log" 2>&1 || die "could not bring $MAIL_BRANCH onto b4/tdx-connect"
[ -z "${VERSION:-}" ] || b4run prep --force-revision "${VERSION#v}"

# the cover letter: subject, blank line, text, and the addressees
python3 - "$SERIES/cover-letter" "$cl" "${B4_AUTO_TO_CC:-}" >"$B/cover" <<'EOF' ||
import email, email.policy, email.utils, sys
text = open(sys.argv[1], encoding='utf-8').read().rstrip('\n')
print(text)
if not sys.argv[3]:
    cl = email.message_from_file(open(sys.argv[2], encoding='utf-8'), policy=email.policy.compat32)
    print()
    for hdr in ('To', 'Cc'):
        for name, addr in email.utils.getaddresses(cl.get_all(hdr, [])):
            print('%s: %s' % (hdr, email.utils.formataddr((name, addr))))
EOF
	die "could not write the cover letter for b4"
b4run prep --edit-cover
if [ -n "${B4_AUTO_TO_CC:-}" ]; then
	g sparse-checkout add scripts >/dev/null || die "could not check out scripts/ in build/b4/linux"
	# get_maintainer.pl wants to see a kernel tree's top folders; the
	# sparse clone has them empty (git does not see empty folders)
	(cd "$clone" && mkdir -p Documentation arch include drivers fs init ipc kernel lib)
	b4run prep --auto-to-cc
fi
b4run send --dry-run -o "$B/out"

python3 - "$mail" "$B/out" "$sender_name" "$sender_email" "$SERIES/cover-letter" <<'EOF' || die "b4's messages differ from build/out/mail/ (b4 log: build/b4/b4.log)"
import email, email.policy, email.utils, glob, os, re, sys
mail, out, sname, smail, cover = sys.argv[1:6]

def addrs(msg, hdr):
    # b4 and git send-email both copy the sender in, each by its own rules
    return sorted({a.lower() for _, a in email.utils.getaddresses(msg.get_all(hdr, []))} - {smail.lower()})

def load(path):
    with open(path, 'rb') as f:
        msg = email.message_from_binary_file(f, policy=email.policy.compat32)
    subject = re.sub(r'\s*\n\s*', ' ', msg.get('Subject', ''))
    m = re.match(r'\[([^]]*)\]\s*(.*)', subject)
    tags, text = (m.group(1).split(), m.group(2)) if m else ([], subject)
    counter = next((t for t in tags if re.match(r'\d+/\d+$', t)), '')
    body = msg.get_payload(decode=True).decode('utf-8')
    return {
        'path': os.path.basename(path),
        'n': int(counter.split('/')[0]) if counter else 0,
        'tags': sorted(tags), 'subject': text,
        'from': email.utils.parseaddr(re.sub(r'\s*\n\s*', ' ', msg['From'])),
        'to': addrs(msg, 'To'), 'cc': addrs(msg, 'Cc'),
        'log': body.split('\n---\n')[0].strip('\n'),
        'diff': body[body.find('\ndiff --git '):body.rfind('\n-- \n')].rstrip('\n') if '\ndiff --git ' in body else '',
        'body': body,
    }

ours = sorted((load(p) for p in glob.glob(os.path.join(mail, '*.patch'))), key=lambda m: m['n'])
b4s = sorted((load(p) for p in glob.glob(os.path.join(out, '*.eml'))), key=lambda m: m['n'])
bad = []
if len(ours) != len(b4s):
    bad.append('%d messages in build/out/mail, %d from b4' % (len(ours), len(b4s)))
for o, b in zip(ours, b4s):
    what = '%s vs %s' % (o['path'], b['path'])
    if (o['n'], o['tags'], o['subject']) != (b['n'], b['tags'], b['subject']):
        bad.append('%s: subject [%s] %s vs [%s] %s' % (what, ' '.join(o['tags']), o['subject'], ' '.join(b['tags']), b['subject']))
    for m in (o, b):
        if m['from'] != (sname, smail):
            bad.append('%s: From: %s <%s>, not the sender' % (m['path'], *m['from']))
    if o['n'] == 0:
        if (o['to'], o['cc']) != (b['to'], b['cc']):
            bad.append('%s: cover letter To:/Cc: differ: %s %s vs %s %s' % (what, o['to'], o['cc'], b['to'], b['cc']))
        continue
    if o['log'] != b['log']:
        bad.append('%s: changelogs differ' % what)
    if not o['diff'] or o['diff'] != b['diff']:
        bad.append('%s: diffs differ' % what)
cover = open(cover, encoding='utf-8').read().split('\n', 2)[2].strip()
for m in (ours[0], b4s[0]):
    if cover not in m['body']:
        bad.append('%s: the text of series/cover-letter is not in the cover letter' % m['path'])
if bad:
    print('\n'.join(bad[:10]), file=sys.stderr)
    sys.exit(1)
print('%d messages, %d patches: subjects in order, From: %s <%s>, changelogs, diffs, cover letter text and %d To:/%d Cc:' %
      (len(b4s), len(b4s) - 1, sname, smail, len(ours[0]['to']), len(ours[0]['cc'])))
EOF
phase "b4: $(b4 --version) prep and send --dry-run on $MAIL_BRANCH give build/out/mail/ message for message (build/b4/out)"
