#!/bin/bash
# tests/transport/test_transport_vsftpd.sh: the transport against a real vsftpd; see
# tests/transport-ftp.sh.
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/lib/ftpd.sh"
. "$top_srcdir/tests/transport/transport-lib.sh"
. "$top_srcdir/tests/transport/transport-ftp.sh"
ftp_suite vsftpd
