#!/bin/bash
# sparse files through backup and restore against the local store
STORE=local
. "$top_srcdir/tests/agent/sparse_cases.sh"
