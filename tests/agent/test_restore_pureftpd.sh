#!/bin/bash
# verify and restore against the pureftpd store
STORE=pureftpd
. "$top_srcdir/tests/agent/restore_cases.sh"
