#!/bin/bash
# verify and restore against the vsftpd store
STORE=vsftpd
. "$top_srcdir/tests/agent/restore_cases.sh"
