#!/bin/bash
# sparse files through backup and restore against S3 (a one-node Ceph with
# radosgw, tests/lib/ceph.sh)
STORE=s3
. "$top_srcdir/tests/agent/sparse_cases.sh"
