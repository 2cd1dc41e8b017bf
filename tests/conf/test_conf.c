/*
 * Unit tests for common/conf/conf.c and common/conf/conf_value.c (SPEC section 3):
 * one row per accepted or rejected input.  test_conf_file.c has the rest.
 * Also log_escape(), which keeps the messages about a file one line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "conf/conf_value.h"
#include "util/log.h"

/* A minimal valid file: 4 lines, the [server] section left open. */
#define BASE "[site]\nname = s1\n[server]\nurl = /srv/backup\n"
/* The same with an FTP server: 5 lines, [server] open. */
#define FTP "[site]\nname = s1\n[server]\nurl = ftp://h/d\nuser = u\n"
#define PIN "sha256//LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="
#define AGE "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
#define S64 "0123456789012345678901234567890123456789012345678901234567890123"

/*
 * One row per case.  line > 0: an error the message must place at that
 * line; line < 0: an error about the whole file (no line); line 0: accepted,
 * and field ${what} of the result must render as ${want}.  For errors
 * ${what} must appear in the message (the key, or the reason if no key).
 */
static const struct row {
	const char *input;
	size_t len;		/* 0: strlen(input) */
	int line;
	const char *what;
	const char *want;
} rows[] = {
	/* Defaults. */
	{ BASE, 0, 0, "server.user", "(null)" },
	{ BASE, 0, 0, "server.credentials", "(null)" },
	{ BASE, 0, 0, "server.tls", "required" },
	{ BASE, 0, 0, "server.ca_file", "(null)" },
	{ BASE, 0, 0, "server.pinned_pubkey", "(null)" },
	{ BASE, 0, 0, "server.connect_timeout", "30" },
	{ BASE, 0, 0, "server.stall_timeout", "60" },
	{ BASE, 0, 0, "server.retries", "5" },
	{ BASE, 0, 0, "backup.configuration", "" },
	{ BASE, 0, 0, "backup.data", "" },
	{ BASE, 0, 0, "backup.exclude", "" },
	{ BASE, 0, 0, "backup.retain", "20" },
	{ BASE, 0, 0, "backup.compression", "zstd:3" },
	{ BASE, 0, 0, "backup.part_size", "16777216" },
	{ BASE, 0, 0, "backup.verify_after_upload", "0" },
	{ BASE, 0, 0, "keys.secret", "/etc/sitevault/site.key" },
	{ BASE, 0, 0, "keys.recipients", "" },
	{ BASE, 0, 0, "keys.trusted", "" },
	{ BASE, 0, 0, "state.dir", "/var/lib/sitevault" },
	{ BASE, 0, 0, "path", "t.conf" },

	/* Syntax that is accepted. */
	{ "  [ site ]  # c\n\tname=s2\t# trailing\n[server]\nurl = /x\n", 0, 0,
	    "site.name", "s2" },
	{ "# head\n\n   \n[site]\r\nname = s3\r\n[server]\r\nurl = /x", 0, 0,
	    "site.name", "s3" },
	{ "[server]\nurl = /x\n[site]\nname = s4\n", 0, 0, "site.name", "s4" },
	{ BASE "[backup]\nexclude = a#b *.tmp # not a glob\n", 0, 0,
	    "backup.exclude", "a#b|*.tmp" },
	{ BASE "[backup]\nexclude = #all comment\n", 0, 0,
	    "backup.exclude", "" },
	{ BASE "user = a=b\n", 0, 0, "server.user", "a=b" },
	{ "[site]\nname = A-z_0.9\n[server]\nurl = /x\n", 0, 0,
	    "site.name", "A-z_0.9" },
	{ "[site]\nname = " S64 "\n[server]\nurl = /x\n", 0, 0,
	    "site.name", S64 },

	/* URLs. */
	{ BASE, 0, 0, "local", "/srv/backup" },
	{ FTP, 0, 0, "local", "(null)" },
	{ FTP, 0, 0, "server.url", "ftp://h/d" },
	{ "[site]\nname=a\n[server]\nurl=FTPS://Host:990\nuser=u\n", 0, 0,
	    "server.url", "ftps://Host:990" },
	{ "[site]\nname=a\n[server]\nurl=ftp://[::1]:2121/x\nuser=u\n", 0, 0,
	    "server.url", "ftp://[::1]:2121/x" },
	{ "[site]\nname=a\n[server]\nurl=File:///srv/b\n", 0, 0,
	    "local", "/srv/b" },
	{ "[site]\nname=a\n[server]\nurl=file:///srv/b\nuser = x\n", 0, 0,
	    "server.user", "x" },

	/* Server values. */
	{ FTP "credentials = hidden:QUJD\n", 0, 0, "server.credentials",
	    "hidden:QUJD" },
	{ FTP "credentials = hidden:QUJD\n", 0, 0, "credentials_line", "6" },
	{ FTP "tls = none\n", 0, 0, "server.tls", "none" },
	{ FTP "tls = Required\n", 0, 0, "server.tls", "required" },
	{ FTP "ca_file = /etc/ca.pem\n", 0, 0, "server.ca_file", "/etc/ca.pem" },
	{ FTP "pinned_pubkey = " PIN "\n", 0, 0, "server.pinned_pubkey", PIN },
	{ FTP "pinned_pubkey = " PIN ";" PIN "\n", 0, 0,
	    "server.pinned_pubkey", PIN ";" PIN },
	{ "[site]\nname=a\n[server]\nurl=ftps://h/\nuser=u\ntls=none\n"
	    "pinned_pubkey=" PIN "\n", 0, 0, "server.tls", "none" },
	{ BASE "connect_timeout = 45\n", 0, 0, "server.connect_timeout", "45" },
	{ BASE "connect_timeout = 1s\n", 0, 0, "server.connect_timeout", "1" },
	{ BASE "connect_timeout = 2m\n", 0, 0, "server.connect_timeout", "120" },
	{ BASE "connect_timeout = 1h\n", 0, 0, "server.connect_timeout",
	    "3600" },
	{ BASE "stall_timeout = 1d\n", 0, 0, "server.stall_timeout", "86400" },
	{ BASE "stall_timeout = 007m\n", 0, 0, "server.stall_timeout", "420" },
	{ BASE "retries = 0\n", 0, 0, "server.retries", "0" },
	{ BASE "retries = 100\n", 0, 0, "server.retries", "100" },

	/* Backup values. */
	{ BASE "[backup]\nconfiguration = /a  /b\t/c\n", 0, 0,
	    "backup.configuration", "/a|/b|/c" },
	{ BASE "[backup]\ndata = /var/spool/voicemail\n", 0, 0,
	    "backup.data", "/var/spool/voicemail" },
	{ BASE "[backup]\ndata =\n", 0, 0, "backup.data", "" },
	{ BASE "[backup]\nretain = 1\n", 0, 0, "backup.retain", "1" },
	{ BASE "[backup]\nretain = 100000\n", 0, 0, "backup.retain", "100000" },
	{ BASE "[backup]\ncompression = none\n", 0, 0,
	    "backup.compression", "none:0" },
	{ BASE "[backup]\ncompression = gzip:1\n", 0, 0,
	    "backup.compression", "gzip:1" },
	{ BASE "[backup]\ncompression = gzip:9\n", 0, 0,
	    "backup.compression", "gzip:9" },
	{ BASE "[backup]\ncompression = gzip\n", 0, 0,
	    "backup.compression", "gzip:6" },
	{ BASE "[backup]\ncompression = zstd:1\n", 0, 0,
	    "backup.compression", "zstd:1" },
	{ BASE "[backup]\ncompression = zstd:19\n", 0, 0,
	    "backup.compression", "zstd:19" },
	{ BASE "[backup]\ncompression = ZSTD\n", 0, 0,
	    "backup.compression", "zstd:3" },
	{ BASE "[backup]\npart_size = 64K\n", 0, 0, "backup.part_size",
	    "65536" },
	{ BASE "[backup]\npart_size = 65536\n", 0, 0, "backup.part_size",
	    "65536" },
	{ BASE "[backup]\npart_size = 100k\n", 0, 0, "backup.part_size",
	    "102400" },
	{ BASE "[backup]\npart_size = 1m\n", 0, 0, "backup.part_size",
	    "1048576" },
	{ BASE "[backup]\npart_size = 1G\n", 0, 0, "backup.part_size",
	    "1073741824" },
	{ BASE "[backup]\npart_size = 4G\n", 0, 0, "backup.part_size",
	    "4294967296" },
	{ BASE "[backup]\nverify_after_upload = yes\n", 0, 0,
	    "backup.verify_after_upload", "1" },
	{ BASE "[backup]\nverify_after_upload = TRUE\n", 0, 0,
	    "backup.verify_after_upload", "1" },
	{ BASE "[backup]\nverify_after_upload = on\n", 0, 0,
	    "backup.verify_after_upload", "1" },
	{ BASE "[backup]\nverify_after_upload = 1\n", 0, 0,
	    "backup.verify_after_upload", "1" },
	{ BASE "[backup]\nverify_after_upload = No\n", 0, 0,
	    "backup.verify_after_upload", "0" },
	{ BASE "[backup]\nverify_after_upload = false\n", 0, 0,
	    "backup.verify_after_upload", "0" },
	{ BASE "[backup]\nverify_after_upload = off\n", 0, 0,
	    "backup.verify_after_upload", "0" },
	{ BASE "[backup]\nverify_after_upload = 0\n", 0, 0,
	    "backup.verify_after_upload", "0" },

	/* Keys and state. */
	{ BASE "[keys]\nsecret = /k/site.key\n", 0, 0, "keys.secret",
	    "/k/site.key" },
	{ BASE "[keys]\nrecipients = " AGE " /etc/escrow.txt\n", 0, 0,
	    "keys.recipients", AGE "|/etc/escrow.txt" },
	{ BASE "[keys]\ntrusted = b-1:/a.pub b.2:/b.pub\n", 0, 0,
	    "keys.trusted", "b-1:/a.pub|b.2:/b.pub" },
	{ BASE "[state]\ndir = /var/lib/sv2\n", 0, 0, "state.dir",
	    "/var/lib/sv2" },

	/* Structure errors. */
	{ BASE "bogus = 1\n", 0, 5, "server.bogus", NULL },
	{ BASE "URL = /x\n", 0, 5, "server.URL", NULL },
	{ BASE "name = x\n", 0, 5, "server.name", NULL },
	{ BASE "retain = 3\n", 0, 5, "belongs in [backup]", NULL },
	{ BASE "[sever]\n", 0, 5, "[sever]", NULL },
	{ BASE "[]\n", 0, 5, "unknown section", NULL },
	{ "name = x\n[site]\n", 0, 1, "name", NULL },
	{ "\n\nretain = 3\n", 0, 3, "outside a section", NULL },
	{ BASE "url = /y\n", 0, 5, "server.url", NULL },
	{ BASE "url = /y\n", 0, 5, "first set on line 4", NULL },
	{ BASE "[site]\n", 0, 5, "[site]", NULL },
	{ BASE "[site]\n", 0, 5, "duplicate section", NULL },
	{ BASE "just words\n", 0, 5, "malformed", NULL },
	{ BASE "[backup\n", 0, 5, "malformed section", NULL },
	{ BASE "[backup] x\n", 0, 5, "malformed section", NULL },
	{ BASE " = value\n", 0, 5, "no key", NULL },
	{ "[site]\nname = a\x01z\n", 0, 2, "control character", NULL },
	{ "[site]\nname = a\rz\n", 0, 2, "control character", NULL },
	{ "[site]\nna\0me = a\n", 17, 2, "NUL", NULL },
	{ "[site]\nname = a\n\0", 17, 3, "NUL", NULL },

	/* Missing required keys: the file and the key, no line. */
	{ "", 0, -1, "site.name", NULL },
	{ "# only a comment\n", 0, -1, "site.name", NULL },
	{ "[site]\nname = a\n", 0, -1, "server.url", NULL },
	{ "[site]\nname = a\n[server]\nurl = ftp://h/\n", 0, -1,
	    "server.user", NULL },
	{ "[site]\nname = a\n[server]\nurl = ftps://h/\n", 0, -1,
	    "server.user", NULL },

	/* S3 (s3://BUCKET/PREFIX and its keys). */
#define S3 "[site]\nname = s1\n[server]\nurl = s3://vm-backups/branches\n"
	{ S3 "access_key = AKIA1\n", 0, 0, "server.url",
	    "s3://vm-backups/branches" },
	{ S3 "access_key = AKIA1\n", 0, 0, "server.region", "us-east-1" },
	{ S3 "access_key = AKIA1\n", 0, 0, "server.addressing", "0" },
	{ S3 "access_key = AKIA1\n", 0, 0, "server.object_lock_days", "0" },
	{ S3 "access_key = AKIA1\n", 0, 0, "server.endpoint", "(null)" },
	{ S3 "access_key = AKIA1\nendpoint = https://s3.example.net:8443/\n"
	    "region = eu-1\naddressing = virtual\nobject_lock_days = 30\n",
	    0, 0, "server.object_lock_days", "30" },
	{ S3 "access_key = AKIA1\naddressing = virtual\n", 0, 0,
	    "server.addressing", "1" },
	{ S3 "access_key = AKIA1\nendpoint = http://127.0.0.1:7480\n", 0, 0,
	    "server.endpoint", "http://127.0.0.1:7480" },
	{ S3 "access_key = AKIA1\nendpoint = http://localhost\n", 0, 0,
	    "server.endpoint", "http://localhost" },
	{ "[site]\nname = s1\n[server]\nurl = S3://bkt\naccess_key = A\n", 0,
	    0, "server.url", "s3://bkt" },
	{ S3, 0, -1, "server.access_key", NULL },
	{ S3 "access_key = A\nuser = u\n", 0, 6, "server.user", NULL },
	{ S3 "access_key = A\ntls = required\n", 0, 6, "server.tls", NULL },
	{ S3 "access_key = A\nendpoint = http://s3.example.net\n", 0, 6,
	    "only for this machine", NULL },
	{ S3 "access_key = A\nendpoint = http://localhost.example.net\n", 0,
	    6, "only for this machine", NULL },
	{ S3 "access_key = A\nendpoint = https://h/path\n", 0, 6,
	    "server.endpoint", NULL },
	{ S3 "access_key = A\nendpoint = ftp://h\n", 0, 6,
	    "server.endpoint", NULL },
	{ S3 "access_key = A\naddressing = dns\n", 0, 6, "server.addressing",
	    NULL },
	{ S3 "access_key = A B\n", 0, 5, "server.access_key", NULL },
	{ S3 "access_key = A\nregion = us/east\n", 0, 6, "server.region",
	    NULL },
	{ S3 "access_key = A\nobject_lock_days = 36501\n", 0, 6,
	    "server.object_lock_days", NULL },
	{ FTP "endpoint = https://h\n", 0, 6, "server.endpoint", NULL },
	{ FTP "object_lock_days = 3\n", 0, 6, "server.object_lock_days", NULL },
	{ "[site]\nname = s1\n[server]\nurl = s3://ab\n", 0, 4, "server.url",
	    NULL },
	{ "[site]\nname = s1\n[server]\nurl = s3://Bucket\n", 0, 4,
	    "server.url", NULL },
	{ "[site]\nname = s1\n[server]\nurl = s3://-bkt\n", 0, 4,
	    "server.url", NULL },
	{ "[site]\nname = s1\n[server]\nurl = s3://bkt//x\n", 0, 4,
	    "server.url", NULL },
	{ "[site]\nname = s1\n[server]\nurl = s3://bkt/a/../b\n", 0, 4,
	    "server.url", NULL },
	{ "[site]\nname = s1\n[server]\nurl = s3://bkt/a?b\n", 0, 4,
	    "server.url", NULL },
	{ "[site]\nname = s1\n[server]\nurl = s3://u@bkt/a\n", 0, 4,
	    "server.url", NULL },

	/* Site names. */
	{ "[site]\nname = a/b\n", 0, 2, "site.name", NULL },
	{ "[site]\nname = a b\n", 0, 2, "site.name", NULL },
	{ "[site]\nname =\n", 0, 2, "site.name", NULL },
	{ "[site]\nname = " S64 "x\n", 0, 2, "site.name", NULL },
	{ "[site]\nname = ..\n", 0, 2, "site.name", NULL },
	{ "[site]\nname = .hidden\n", 0, 2, "site.name", NULL },
	{ "[site]\nname = caf\xc3\xa9\n", 0, 2, "site.name", NULL },
	{ "[site]\nname = a*\n", 0, 2, "site.name", NULL },

	/* Server values. */
	{ BASE "\n[server]\n", 0, 6, "[server]", NULL },
	{ "[server]\nurl = http://h/\n", 0, 2, "server.url", NULL },
	{ "[server]\nurl = sftp://h/\n", 0, 2, "server.url", NULL },
	{ "[server]\nurl = ftp://\n", 0, 2, "server.url", NULL },
	{ "[server]\nurl = ftp:///x\n", 0, 2, "server.url", NULL },
	{ "[server]\nurl = ftp://u:pw@h/\n", 0, 2, "server.url", NULL },
	{ "[server]\nurl = ftp://u@h/\n", 0, 2, "credentials", NULL },
	{ "[server]\nurl = ftp://h:0/\n", 0, 2, "port", NULL },
	{ "[server]\nurl = ftp://h:65536/\n", 0, 2, "port", NULL },
	{ "[server]\nurl = ftp://h:/\n", 0, 2, "port", NULL },
	{ "[server]\nurl = ftp://h:21x/\n", 0, 2, "port", NULL },
	{ "[server]\nurl = ftp://:21/\n", 0, 2, "host", NULL },
	{ "[server]\nurl = ftp://[::1/\n", 0, 2, "IPv6", NULL },
	{ "[server]\nurl = ftp://[::1]x/\n", 0, 2, "server.url", NULL },
	{ "[server]\nurl = ftp://h/a?b\n", 0, 2, "query", NULL },
	{ "[server]\nurl = ftp://h/a#b\n", 0, 2, "query", NULL },
	{ "[server]\nurl = ftp://h/a b\n", 0, 2, "blank", NULL },
	{ "[server]\nurl = file://srv/b\n", 0, 2, "server.url", NULL },
	{ "[server]\nurl = srv/b\n", 0, 2, "server.url", NULL },
	{ "[server]\nurl =\n", 0, 2, "empty", NULL },
	{ "[server]\nuser = anonymous\n", 0, 2, "server.user", NULL },
	{ "[server]\nuser = ANONYMOUS\n", 0, 2, "anonymous FTP", NULL },
	{ "[server]\nuser = Ftp\n", 0, 2, "server.user", NULL },
	{ "[server]\nuser = a b\n", 0, 2, "server.user", NULL },
	{ "[server]\nuser =\n", 0, 2, "server.user", NULL },
	{ "[server]\ncredentials = secret\n", 0, 2, "server.credentials",
	    NULL },
	{ "[server]\ncredentials = hidden:\n", 0, 2, "server.credentials",
	    NULL },
	{ "[server]\ncredentials = hidden:QUJ\n", 0, 2, "server.credentials",
	    NULL },
	{ "[server]\ncredentials = hidden:QU$D\n", 0, 2, "server.credentials",
	    NULL },
	{ "[server]\ncredentials = hidden:====\n", 0, 2, "server.credentials",
	    NULL },
	{ "[server]\ntls = yes\n", 0, 2, "server.tls", NULL },
	{ "[server]\ntls = tls\n", 0, 2, "none, try or required", NULL },
	{ "[server]\nca_file = ca.pem\n", 0, 2, "server.ca_file", NULL },
	{ "[server]\npinned_pubkey = abc\n", 0, 2, "server.pinned_pubkey",
	    NULL },
	{ "[server]\npinned_pubkey = sha256//QUJD\n", 0, 2, "SHA-256", NULL },
	{ "[server]\npinned_pubkey = " PIN ";\n", 0, 2,
	    "server.pinned_pubkey", NULL },
	{ "[server]\npinned_pubkey = " PIN ";x\n", 0, 2,
	    "server.pinned_pubkey", NULL },
	{ FTP "tls = none\npinned_pubkey = " PIN "\n", 0, 7,
	    "server.pinned_pubkey", NULL },
	{ FTP "ca_file = /ca.pem\ntls = none\n", 0, 6, "server.ca_file", NULL },
	{ BASE "connect_timeout = 0\n", 0, 5, "server.connect_timeout", NULL },
	{ BASE "connect_timeout = 0s\n", 0, 5, "out of range", NULL },
	{ BASE "connect_timeout = 2d\n", 0, 5, "1s to 1d", NULL },
	{ BASE "connect_timeout = 86401\n", 0, 5, "out of range", NULL },
	{ BASE "connect_timeout = 10x\n", 0, 5, "not a duration", NULL },
	{ BASE "connect_timeout = 10ss\n", 0, 5, "not a duration", NULL },
	{ BASE "connect_timeout = 10 s\n", 0, 5, "not a duration", NULL },
	{ BASE "connect_timeout = 1.5s\n", 0, 5, "not a duration", NULL },
	{ BASE "connect_timeout = -1\n", 0, 5, "not a number", NULL },
	{ BASE "connect_timeout = s\n", 0, 5, "not a number", NULL },
	{ BASE "connect_timeout = 99999999999999999999\n", 0, 5, "too large",
	    NULL },
	{ BASE "connect_timeout = 18446744073709551615d\n", 0, 5, "too large",
	    NULL },
	{ BASE "connect_timeout = 4294967297\n", 0, 5, "out of range", NULL },
	{ BASE "stall_timeout = 1w\n", 0, 5, "server.stall_timeout", NULL },
	{ BASE "retries = 101\n", 0, 5, "server.retries", NULL },
	{ BASE "retries = +5\n", 0, 5, "not a number", NULL },
	{ BASE "retries = 5x\n", 0, 5, "whole number", NULL },
	{ BASE "retries = five\n", 0, 5, "server.retries", NULL },

	/* Backup values. */
	{ BASE "[backup]\nconfiguration = etc/voicemail\n", 0, 6,
	    "backup.configuration", NULL },
	{ BASE "[backup]\nconfiguration = /ok rel\n", 0, 6, "\"rel\"", NULL },
	{ BASE "[backup]\ndata = ./spool\n", 0, 6, "backup.data", NULL },
	{ BASE "[backup]\nretain = 0\n", 0, 6, "backup.retain", NULL },
	{ BASE "[backup]\nretain = 100001\n", 0, 6, "1 to 100000", NULL },
	{ BASE "[backup]\nretain =\n", 0, 6, "backup.retain", NULL },
	{ BASE "[backup]\ncompression = lz4\n", 0, 6, "backup.compression",
	    NULL },
	{ BASE "[backup]\ncompression = zstd:0\n", 0, 6, "1 to 19", NULL },
	{ BASE "[backup]\ncompression = zstd:20\n", 0, 6, "1 to 19", NULL },
	{ BASE "[backup]\ncompression = gzip:0\n", 0, 6, "1 to 9", NULL },
	{ BASE "[backup]\ncompression = gzip:10\n", 0, 6, "1 to 9", NULL },
	{ BASE "[backup]\ncompression = zstd:\n", 0, 6, "backup.compression",
	    NULL },
	{ BASE "[backup]\ncompression = zstd:x\n", 0, 6, "backup.compression",
	    NULL },
	{ BASE "[backup]\ncompression = zstd:3:1\n", 0, 6,
	    "backup.compression", NULL },
	{ BASE "[backup]\ncompression = gzip3\n", 0, 6, "backup.compression",
	    NULL },
	{ BASE "[backup]\ncompression = zstd:99999999999999999999\n", 0, 6,
	    "backup.compression", NULL },
	{ BASE "[backup]\npart_size = 63K\n", 0, 6, "64K to 4G", NULL },
	{ BASE "[backup]\npart_size = 65535\n", 0, 6, "backup.part_size",
	    NULL },
	{ BASE "[backup]\npart_size = 4097M\n", 0, 6, "out of range", NULL },
	{ BASE "[backup]\npart_size = 16X\n", 0, 6, "not a size", NULL },
	{ BASE "[backup]\npart_size = 16MB\n", 0, 6, "not a size", NULL },
	{ BASE "[backup]\npart_size = 17179869184G\n", 0, 6, "too large",
	    NULL },
	{ BASE "[backup]\npart_size = 99999999999999999999\n", 0, 6,
	    "too large", NULL },
	{ BASE "[backup]\nverify_after_upload = maybe\n", 0, 6,
	    "backup.verify_after_upload", NULL },
	{ BASE "[backup]\nverify_after_upload = 2\n", 0, 6, "boolean", NULL },
	{ BASE "[backup]\nbogus = 2\n", 0, 6, "backup.bogus", NULL },

	/* Keys and state. */
	{ BASE "[keys]\nsecret = site.key\n", 0, 6, "keys.secret", NULL },
	{ BASE "[keys]\nsecret =\n", 0, 6, "keys.secret", NULL },
	{ BASE "[keys]\nrecipients = age1ABC\n", 0, 6, "keys.recipients",
	    NULL },
	{ BASE "[keys]\nrecipients = escrow.txt\n", 0, 6, "keys.recipients",
	    NULL },
	{ BASE "[keys]\nrecipients = bob@example.com\n", 0, 6, "age1", NULL },
	{ BASE "[keys]\ntrusted = other.pub\n", 0, 6, "keys.trusted", NULL },
	/* The old bare form names the new one; a site and a path, both. */
	{ BASE "[keys]\ntrusted = /a.pub\n", 0, 6, "SITE:FILE", NULL },
	{ BASE "[keys]\ntrusted = b/2:/a.pub\n", 0, 6, "keys.trusted", NULL },
	{ BASE "[keys]\ntrusted = b2:a.pub\n", 0, 6, "keys.trusted", NULL },
	{ BASE "[state]\ndir = var/lib\n", 0, 6, "state.dir", NULL },
	{ BASE "[state]\ndirectory = /x\n", 0, 6, "state.directory", NULL },
};

static void
list_render(char *const *list, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; list[i] != NULL && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s",
		    i > 0 ? "|" : "", list[i]);
}

/* The value of field ${what} of ${c}, as the rows spell it. */
static void
render(const struct conf *c, const char *what, char *buf, size_t len)
{
	const char *s = NULL;
	uint64_t u = 0;
	int isnum = 1;

#define STR(name, f) else if (strcmp(what, name) == 0) { s = c->f; isnum = 0; }
#define NUM(name, f) else if (strcmp(what, name) == 0) u = (uint64_t)c->f;
#define LIST(name, f) else if (strcmp(what, name) == 0) { \
	list_render(c->f, buf, len); return; }
	if (strcmp(what, "local") == 0) {
		s = conf_local_path(c);
		isnum = 0;
	}
	STR("path", path)
	STR("site.name", site_name)
	STR("server.url", server_url)
	STR("server.user", server_user)
	STR("server.credentials", server_credentials)
	NUM("credentials_line", server_credentials_line)
	STR("server.ca_file", server_ca_file)
	STR("server.pinned_pubkey", server_pinned_pubkey)
	NUM("server.connect_timeout", server_connect_timeout)
	NUM("server.stall_timeout", server_stall_timeout)
	NUM("server.retries", server_retries)
	STR("server.endpoint", server_endpoint)
	STR("server.region", server_region)
	STR("server.access_key", server_access_key)
	NUM("server.addressing", server_addressing)
	NUM("server.object_lock_days", server_object_lock_days)
	LIST("backup.configuration", backup_configuration)
	LIST("backup.data", backup_data)
	LIST("backup.exclude", backup_exclude)
	NUM("backup.retain", backup_retain)
	NUM("backup.part_size", backup_part_size)
	NUM("backup.verify_after_upload", backup_verify_after_upload)
	STR("keys.secret", keys_secret)
	LIST("keys.recipients", keys_recipients)
	LIST("keys.trusted", keys_trusted)
	STR("state.dir", state_dir)
	else if (strcmp(what, "server.tls") == 0) {
		s = conf_value_tls_name(c->server_tls);
		isnum = 0;
	} else if (strcmp(what, "backup.compression") == 0) {
		snprintf(buf, len, "%s:%d",
		    conf_value_compression_name(c->backup_compression),
		    c->backup_compression_level);
		return;
	} else
		fail_msg("no field %s", what);
#undef STR
#undef NUM
#undef LIST
	if (isnum)
		snprintf(buf, len, "%llu", (unsigned long long)u);
	else
		snprintf(buf, len, "%s", s != NULL ? s : "(null)");
}

/* Check the message of a rejected row. */
static void
check_error(size_t i, const struct row *r, const char *msg)
{
	char want[64];

	if (log_class() != EX_CONFIG)
		fail_msg("row %zu: class %d, want EX_CONFIG", i, log_class());
	if (strchr(msg, '\n') != NULL)
		fail_msg("row %zu: message is not one line: %s", i, msg);
	if (r->line > 0)
		snprintf(want, sizeof(want), "t.conf:%d: ", r->line);
	else
		snprintf(want, sizeof(want), "t.conf: ");
	if (strncmp(msg, want, strlen(want)) != 0)
		fail_msg("row %zu: message does not start with \"%s\": %s", i,
		    want, msg);
	if (strstr(msg, r->what) == NULL)
		fail_msg("row %zu: message does not name \"%s\": %s", i,
		    r->what, msg);
}

static void
test_rows(void **state)
{
	char msg[1024], got[1024];
	const struct row *r;
	struct conf *c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		r = &rows[i];
		log_reset();
		log_capture(msg, sizeof(msg));
		c = conf_parse("t.conf", r->input,
		    r->len ? r->len : strlen(r->input));
		log_capture(NULL, 0);
		if (r->line == 0) {
			if (c == NULL)
				fail_msg("row %zu: rejected: %s", i, msg);
			render(c, r->what, got, sizeof(got));
			if (strcmp(got, r->want) != 0)
				fail_msg("row %zu: %s is \"%s\", want \"%s\"", i,
				    r->what, got, r->want);
		} else {
			if (c != NULL)
				fail_msg("row %zu: accepted, want an error "
				    "naming %s", i, r->what);
			check_error(i, r, msg);
		}
		conf_free(c);
	}
}

/* Messages and listed names: control characters escaped (log_escape). */
static void
test_log_escape(void **state)
{
	static const struct {
		const char *in;
		size_t len;		/* of the buffer; 0: large */
		const char *want;
	} esc[] = {
		{ "plain", 0, "plain" },
		{ "a\nsitevault: forged", 0, "a\\nsitevault: forged" },
		{ "\t\r", 0, "\\t\\r" },
		{ "\033[31m", 0, "\\x1b[31m" },
		{ "\001\037\177", 0, "\\x01\\x1f\\x7f" },
		{ "back\\slash", 0, "back\\slash" },
		{ "caf\xc3\xa9 \xc2\xa0", 0, "caf\xc3\xa9 \xc2\xa0" },
		{ "\xc2\x9b" "1m", 0, "\\xc2\\x9b" "1m" },
		{ "end\xc2", 0, "end\xc2" },
		{ "\xff\x80", 0, "\xff\x80" },
		/* Cut before what does not fit, never inside an escape. */
		{ "a\nb", 3, "a" },
		{ "a\nb", 4, "a\\n" },
		{ "a\nb", 5, "a\\nb" },
		{ "\001", 4, "" },
		{ "abc", 1, "" },
	};
	char buf[256], msg[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(esc) / sizeof(esc[0]); i++) {
		memset(buf, 'X', sizeof(buf));
		log_escape(esc[i].in, buf, esc[i].len ? esc[i].len :
		    sizeof(buf));
		if (strcmp(buf, esc[i].want) != 0)
			fail_msg("row %zu: got \"%s\", want \"%s\"", i, buf,
			    esc[i].want);
	}
	/* log_fail() escapes the formatted message (what it captures too). */
	log_capture(msg, sizeof(msg));
	log_fail(EX_IOERR, "archive entry %s: device node refused",
	    "a\nsitevault: forged");
	log_capture(NULL, 0);
	assert_string_equal(msg,
	    "archive entry a\\nsitevault: forged: device node refused");
	log_reset();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_log_escape),
	};

	log_init("test_conf", 0, 0);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
