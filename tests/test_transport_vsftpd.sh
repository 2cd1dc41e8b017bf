#!/bin/bash
# tests/test_transport_vsftpd.sh: the transport against a real vsftpd; see
# tests/transport-ftp.sh.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/ftpd.sh"
. "$top_srcdir/tests/transport-lib.sh"
. "$top_srcdir/tests/transport-ftp.sh"
ftp_suite vsftpd
