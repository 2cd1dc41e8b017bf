#!/bin/bash
# incremental backups (full_every) against the vsftpd store
STORE=vsftpd
. "$top_srcdir/tests/agent/chain_cases.sh"
