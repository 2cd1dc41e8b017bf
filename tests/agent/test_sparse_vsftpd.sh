#!/bin/bash
# sparse files through backup and restore against the vsftpd store
STORE=vsftpd
. "$top_srcdir/tests/agent/sparse_cases.sh"
