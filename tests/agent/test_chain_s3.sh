#!/bin/bash
# incremental backups (full_every) against S3 (a one-node Ceph with radosgw)
STORE=s3
. "$top_srcdir/tests/agent/chain_cases.sh"
