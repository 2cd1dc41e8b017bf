#!/bin/bash
# verify and restore against the local store
STORE=local
. "$top_srcdir/tests/agent/restore_cases.sh"
