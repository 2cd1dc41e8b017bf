#!/bin/bash
# verify and restore against the vsftpd store
STORE=vsftpd
. "$top_srcdir/tests/restore_cases.sh"
