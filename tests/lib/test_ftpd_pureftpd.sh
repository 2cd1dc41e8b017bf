#!/bin/bash
# tests/lib/test_ftpd_pureftpd.sh: the FTP test harness against a real pureftpd (plain and
# every TLS mode it has), with curl; see tests/ftpd-check.sh.
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/lib/ftpd.sh"
. "$top_srcdir/tests/lib/ftpd-check.sh"
ftpd_check pureftpd
