#!/bin/bash
# tests/agent/demo.sh DIR: the README's demo (`make demo`).  Makes a small sample
# voicemail tree, a site key and a configuration storing into a local
# directory, all under DIR (recreated), then runs a backup, lists it,
# verifies it, restores it into a new directory and compares that with the
# source.
set -eu
dir=$1
: "${SITEVAULT:=sitevault}" "${WAVGEN:=wavgen}"
rm -rf "$dir"
mkdir -p "$dir/store" "$dir/sample/etc/voicemail"
dir=$(cd "$dir" && pwd)

echo "== sample voicemail tree: $dir/sample"
"$WAVGEN" "$dir/sample/spool" $((4 * 1024 * 1024)) >/dev/null
mv "$dir/sample/spool/config" "$dir/sample/etc/voicemail/mailboxes"
printf '[general]\nlanguage = en\nmax_message_seconds = 120\n' \
	>"$dir/sample/etc/voicemail/voicemail.conf"

echo "== sitevault keygen --out $dir/site.key"
"$SITEVAULT" keygen --out "$dir/site.key"

cat >"$dir/sitevault.conf" <<CONF
[site]
name = demo-site
[server]
url = $dir/store
[backup]
configuration = $dir/sample/etc/voicemail
data = $dir/sample/spool
retain = 3
part_size = 1M
[keys]
secret = $dir/site.key
[state]
dir = $dir/state
CONF
echo "== configuration: $dir/sitevault.conf (store: $dir/store)"

echo "== sitevault backup --description demo"
"$SITEVAULT" -c "$dir/sitevault.conf" backup --description demo
echo "== sitevault list"
"$SITEVAULT" -c "$dir/sitevault.conf" list
echo "== the server layout"
(cd "$dir/store" && find . -maxdepth 2 | sort | sed 's/^\.\///' | grep -v '^\.$')
echo "== sitevault verify"
"$SITEVAULT" -c "$dir/sitevault.conf" verify
echo "== sitevault restore latest --target $dir/restored"
"$SITEVAULT" -c "$dir/sitevault.conf" restore latest --target "$dir/restored"
echo "== compare the restored tree with the source"
diff -r "$dir/sample" "$dir/restored$dir/sample"
echo "identical: $dir/restored$dir/sample and $dir/sample"
