# tests/lib/cases.sh: the start of tests/agent/*_cases.sh, the tests run
# against one store (STORE: local, s3 or an FTP server of tests/lib/ftpd.sh),
# sourced once STORE is set: the shell harness with the store's (ftpd.sh or
# ceph.sh) and site.sh, then sv_case_site.
. "$top_srcdir/tests/lib/lib.sh"
case $STORE in
local) ;;
s3) . "$top_srcdir/tests/lib/ceph.sh" ;;
*) . "$top_srcdir/tests/lib/ftpd.sh" ;;
esac
. "$top_srcdir/tests/lib/site.sh"
need python3 age
export SITEVAULT_RETRY_BASE_MS=10

# sv_case_site [CONFIG LINES...]: start the store, and make the site
# branch-01 in S=$T/a: its tree (sv_tree) and its configuration C (sv_site,
# with CONFIG LINES), which sv runs sitevault with.
sv_case_site() {
	sv_store_init "$STORE"
	S=$T/a
	sv_tree "$S"
	sv_site branch-01 "$S" "$@"
	C=$S/sitevault.conf
}
sv() { "$SITEVAULT" -c "$C" "$@"; }
