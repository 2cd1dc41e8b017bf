#ifndef METRICS_H_
#define METRICS_H_

#include <stddef.h>
#include <stdint.h>

/*
 * The node_exporter textfile ([state] metrics; sitevault.conf(5)): after
 * each backup, restore, verify and prune the file is read back, the
 * samples of that run replaced, and the whole rewritten under a temporary
 * name in the same directory and renamed into place, mode 0644 (the
 * exporter runs as another user).  Gauges:
 *
 *   sitevault_last_run_timestamp_seconds{operation}   end of the last run
 *   sitevault_last_run_exit_code{operation}           its exit code
 *   sitevault_last_run_duration_seconds               the last run's length
 *   sitevault_last_success_timestamp_seconds{category} last good backup
 *   sitevault_last_backup_bytes{category}             bytes it stored
 *   sitevault_last_backup_files{category}             files it holds
 */

/* One category a backup run completed. */
struct metrics_backup {
	const char *category;		/* "Configuration" or "Data" */
	uint64_t bytes;			/* stored on the server */
	uint64_t files;
};

/**
 * metrics_update(file, op, exitcode, secs, now, b, nb):
 * Record a run of ${op} ("backup", "restore", "verify", "prune") that
 * ended at ${now} with ${exitcode} after ${secs} seconds, and the ${nb}
 * categories ${b} it backed up, in ${file}.  Return 0, or -1 after logging
 * (the caller warns: the run's outcome stands).
 */
int metrics_update(const char *, const char *, int, double, int64_t,
    const struct metrics_backup *, size_t);

#endif /* !METRICS_H_ */
