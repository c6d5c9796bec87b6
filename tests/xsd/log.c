// SPDX-License-Identifier: MIT
/*
 * The two daemon logs vifdiag reads: the C xenstored (<= 4.17) trace file
 * and the oxenstored access log (logging.ml), each in its exact shape.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "xsd.h"

/* access-log-nb-chars: a longer line is cut to 179 characters ending "..". */
#define ACCESS_NB_CHARS 180

bool g_log_reads = true;
long g_reply_delay_ms;
static int trace_fd = -1;
static FILE *access_fp;

int log_open_trace(const char *path)
{
	trace_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (trace_fd < 0)
		return -1;
	/* reopen_log() marks every (re)open. */
	trace_line("\n***\n");
	return 0;
}

int log_open_access(const char *path)
{
	access_fp = fopen(path, "ae");
	return access_fp ? 0 : -1;
}

void log_close(void)
{
	if (trace_fd >= 0)
		close(trace_fd);
	if (access_fp)
		fclose(access_fp);
	trace_fd = -1;
	access_fp = NULL;
}

static void write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

void trace_line(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	if (trace_fd < 0)
		return;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	write_all(trace_fd, s, (size_t)n);
	free(s);
}

/* "IN 0x55d5c8e8a2b0 20231111 12:00:00 WRITE (path value)", local time, NULs as spaces. */
void trace_io(const struct conn *c, const struct xsd_sockmsg *hdr, const char *body, bool out)
{
	struct buf b = { 0 };
	time_t now;
	struct tm tm;
	uint32_t i;

	if (trace_fd < 0)
		return;
	now = time(NULL);
	localtime_r(&now, &tm);
	buf_printf(&b, "%s %p %04d%02d%02d %02d:%02d:%02d %s (", out ? "OUT" : "IN",
		   (const void *)c, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		   tm.tm_min, tm.tm_sec, type_name(hdr->type));
	for (i = 0; i < hdr->len; i++)
		buf_add(&b, body[i] ? &body[i] : " ", 1);
	buf_adds(&b, ")\n");
	write_all(trace_fd, b.p, b.len);
	buf_free(&b);
}

/* logging.ml sanitize_data: NUL -> space, then OCaml String.escaped. */
static void ocaml_escaped(struct buf *b, const char *data, size_t len)
{
	static const char special[] = "\"\\\n\t\r\b", named[] = "\"\\ntrb";
	const char *sp;
	unsigned char ch;
	size_t i;

	for (i = 0; i < len; i++) {
		ch = data[i] ? (unsigned char)data[i] : ' ';
		sp = strchr(special, ch);
		if (sp)
			buf_printf(b, "\\%c", named[sp - special]);
		else if (ch >= ' ' && ch <= '~')
			buf_add(b, &ch, 1);
		else
			buf_printf(b, "\\%03u", ch);
	}
}

/* "[20200918T15:15:18.045Z]  A41354       write    /path value" */
void access_line(const char *con, uint32_t tid, const char *op, const char *data, size_t len)
{
	struct buf b = { 0 };
	struct timeval tv;
	struct tm tm;
	char id[32];

	if (!access_fp)
		return;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	if (tid)
		snprintf(id, sizeof(id), "%s.%u", con, tid);
	else
		snprintf(id, sizeof(id), "%s", con);
	buf_printf(&b, "[%04d%02d%02dT%02d:%02d:%02d.%03dZ]  %-12s %s ", tm.tm_year + 1900,
		   tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		   (int)(tv.tv_usec / 1000), id, op);
	ocaml_escaped(&b, data, len);
	if (b.len > ACCESS_NB_CHARS - 1) {
		b.len = ACCESS_NB_CHARS - 1;
		memcpy(b.p + b.len - 2, "..", 2);
	}
	b.p[b.len] = '\0';
	fprintf(access_fp, "%s\n", b.p);
	fflush(access_fp);
	buf_free(&b);
}

/* string_of_access_type in logging.ml (padded to 9 where it fits). */
static const char *access_op(uint32_t type)
{
	static const char *const ops[XS_TYPE_COUNT] = {
		[XS_CONTROL] = "debug    ",
		[XS_DIRECTORY] = "directory",
		[XS_READ] = "read     ",
		[XS_GET_PERMS] = "getperms ",
		[XS_WATCH] = "watch    ",
		[XS_UNWATCH] = "unwatch  ",
		[XS_TRANSACTION_START] = "t start  ",
		[XS_TRANSACTION_END] = "t end    ",
		[XS_INTRODUCE] = "introduce",
		[XS_RELEASE] = "release  ",
		[XS_GET_DOMAIN_PATH] = "getdomain",
		[XS_WRITE] = "write    ",
		[XS_MKDIR] = "mkdir    ",
		[XS_RM] = "rm       ",
		[XS_SET_PERMS] = "setperms ",
		[XS_WATCH_EVENT] = "w event  ",
		[XS_ERROR] = "error    ",
		[XS_IS_DOMAIN_INTRODUCED] = "is introduced",
		[XS_RESUME] = "resume   ",
		[XS_SET_TARGET] = "settarget",
		[XS_RESET_WATCHES] = "reset watches",
		[XS_DIRECTORY_PART] = "directory",
	};

	return type < XS_TYPE_COUNT && ops[type] ? ops[type] : "invalid  ";
}

static bool is_read_op(uint32_t type)
{
	return type == XS_READ || type == XS_DIRECTORY || type == XS_GET_PERMS ||
	       type == XS_DIRECTORY_PART;
}

/*
 * xb_op: logged after the request was handled.  Transaction start/end have
 * their own lines (written while handling them); read ops only with reads on.
 */
void access_request(const struct conn *c, const struct xsd_sockmsg *hdr, const char *body)
{
	if (hdr->type == XS_TRANSACTION_START || hdr->type == XS_TRANSACTION_END)
		return;
	if (is_read_op(hdr->type) && !g_log_reads)
		return;
	access_line(c->name, hdr->tx_id, access_op(hdr->type), body, hdr->len);
}

/* xb_answer: errors (ENOENT only with read ops) and watch events, when sent. */
void access_answer(const struct conn *c, const struct xsd_sockmsg *hdr, const char *body)
{
	if (hdr->type == XS_ERROR && hdr->len >= 6 && !memcmp(body, "ENOENT", 6) &&
	    !g_log_reads)
		return;
	if (hdr->type != XS_ERROR && hdr->type != XS_WATCH_EVENT)
		return;
	access_line(c->name, hdr->tx_id, access_op(hdr->type), body, hdr->len);
}
