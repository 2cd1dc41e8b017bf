#!/bin/bash
# verify and restore against the local store
STORE=local
. "$top_srcdir/tests/restore_cases.sh"
