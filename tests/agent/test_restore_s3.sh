#!/bin/bash
# verify and restore against S3 (a one-node Ceph with radosgw, tests/lib/ceph.sh):
# the cases of restore_cases.sh, the store damaged through a copy of its objects
STORE=s3
. "$top_srcdir/tests/agent/restore_cases.sh"
