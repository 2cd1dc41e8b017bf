#!/bin/bash
# incremental backups (full_every) against the local store
STORE=local
. "$top_srcdir/tests/agent/chain_cases.sh"
