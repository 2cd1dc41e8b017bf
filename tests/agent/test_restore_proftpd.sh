#!/bin/bash
# verify and restore against the proftpd store
STORE=proftpd
. "$top_srcdir/tests/agent/restore_cases.sh"
