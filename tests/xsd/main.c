// SPDX-License-Identifier: MIT
/*
 * vd-xenstored: a test xenstored for vifdiag.  One poll() loop serves any
 * number of socket clients (libxenstore with XENSTORED_PATH, xenstore-*
 * tools) and replays an optional scenario of domain and toolstack writes.
 */
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "xsd.h"

static volatile sig_atomic_t got_term, got_usr1;

struct options {
	const char *socket, *pidfile, *tree, *scenario, *access_log, *trace, *stats;
};

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_usr1 = 1;
	else
		got_term = 1;
}

static void usage(FILE *f)
{
	fputs("usage: vd-xenstored --socket PATH [--pidfile PATH] [--tree FILE]\n"
	      "                    [--scenario FILE] [--access-log FILE] [--access-log-no-reads]\n"
	      "                    [--trace FILE] [--stats FILE] [--delay MS] [--client-stats FILE]\n"
	      "                    [--rm-after N:PATH]\n",
	      f);
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option lo[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "tree", required_argument, NULL, 't' },
		{ "scenario", required_argument, NULL, 'S' },
		{ "access-log", required_argument, NULL, 'a' },
		{ "access-log-no-reads", no_argument, NULL, 'R' },
		{ "trace", required_argument, NULL, 'T' },
		{ "stats", required_argument, NULL, 'c' },
		{ "delay", required_argument, NULL, 'd' },
		{ "client-stats", required_argument, NULL, 'C' },
		{ "rm-after", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 's': o->socket = optarg; break;
		case 'p': o->pidfile = optarg; break;
		case 't': o->tree = optarg; break;
		case 'S': o->scenario = optarg; break;
		case 'a': o->access_log = optarg; break;
		case 'R': g_log_reads = false; break;
		case 'T': o->trace = optarg; break;
		case 'c': o->stats = optarg; break;
		case 'd': {
			char *end;
			long ms = strtol(optarg, &end, 10);

			if (*end || end == optarg || ms < 0 || ms > 60000) {
				fprintf(stderr, "vd-xenstored: --delay: expected 0-60000 ms\n");
				return -1;
			}
			g_reply_delay_ms = ms;
			break;
		}
		case 'C': g_client_stats = optarg; break;
		case 'r': {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);

			if (end == optarg || *end != ':' || !n || end[1] != '/') {
				fprintf(stderr, "vd-xenstored: --rm-after: expected N:PATH, N >= 1\n");
				return -1;
			}
			g_rm_after = n;
			g_rm_path = end + 1;
			break;
		}
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc || !o->socket) {
		usage(stderr);
		return -1;
	}
	/* tests/run.sh collects every daemon's client counts of a whole make check */
	if (!g_client_stats && getenv("VD_XSD_STATS_DIR") && *getenv("VD_XSD_STATS_DIR"))
		g_client_stats = xasprintf("%s/xsd-%d.clients", getenv("VD_XSD_STATS_DIR"),
					   (int)getpid());
	return 0;
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "vd-xenstored: socket path too long: %s\n", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	unlink(path); /* as init_sockets() does */
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(path, 0600) ||
	    listen(fd, SOMAXCONN)) {
		perror("vd-xenstored: socket");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Written only once the socket listens, atomically, so tests can wait for it. */
static int write_pidfile(const char *path)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	int ret = -1;

	if (f) {
		bool put = fprintf(f, "%d\n", (int)getpid()) > 0;

		/* closed once, whatever the write did */
		if (fclose(f) == 0 && put)
			ret = rename(tmp, path);
	}
	if (ret)
		perror("vd-xenstored: pidfile");
	free(tmp);
	return ret;
}

static void setup_signals(sigset_t *orig)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGUSR1);
	/* Only delivered inside ppoll(), so a signal can never be missed. */
	sigprocmask(SIG_BLOCK, &block, orig);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void accept_clients(int lfd)
{
	int fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
		conn_new(fd, false, 0);
}

static void flush_all(void)
{
	struct conn *c, *n;

	for (c = g_conns; c; c = n) {
		n = c->next;
		conn_flush(c);
	}
}

/* One poll round: socket clients only (scenario writers have no fd). */
static void poll_once(int lfd, long timeout, const sigset_t *mask)
{
	size_t n = 1, i;
	struct pollfd *pfd;
	struct conn **pc, *c;
	struct timespec ts = { timeout / 1000, (timeout % 1000) * 1000000L };

	for (c = g_conns; c; c = c->next)
		n += c->fd >= 0;
	pfd = xcalloc(n, sizeof(*pfd));
	pc = xcalloc(n, sizeof(*pc));
	pfd[0].fd = lfd;
	pfd[0].events = POLLIN;
	for (n = 1, c = g_conns; c; c = c->next) {
		if (c->fd < 0)
			continue;
		pc[n] = c;
		pfd[n].fd = c->fd;
		pfd[n++].events = (short)((conn_wants_input(c) ? POLLIN : 0) |
					  (c->out_head ? POLLOUT : 0));
	}
	if (ppoll(pfd, n, timeout < 0 ? NULL : &ts, mask) > 0) {
		for (i = 1; i < n; i++) {
			c = pc[i];
			/* Hang-up or error: C xenstored frees the connection at once. */
			if (pfd[i].revents & ~(POLLIN | POLLOUT))
				conn_destroy(c);
			else if ((pfd[i].revents & POLLIN) && !conn_handle_input(c))
				continue;
			else if (pfd[i].revents & POLLOUT)
				conn_flush(c);
		}
		if (pfd[0].revents & POLLIN)
			accept_clients(lfd);
	}
	free(pfd);
	free(pc);
}

static void serve(int lfd, const struct options *o, const sigset_t *mask)
{
	bool want_exit = false;
	long timeout;

	for (;;) {
		if (got_usr1 && (o->stats || g_client_stats)) {
			got_usr1 = 0;
			if (o->stats)
				stats_write(o->stats);
			if (g_client_stats)
				client_stats_write(g_client_stats);
		}
		timeout = want_exit ? 0 : scenario_run(&want_exit);
		flush_all();
		if (got_term || want_exit)
			return;
		poll_once(lfd, timeout, mask);
	}
}

static void rec_put_void(void *p)
{
	rec_put(p);
}

static void shutdown_all(const struct options *o, int lfd)
{
	while (g_conns)
		conn_destroy(g_conns);
	if (o->stats && stats_write(o->stats))
		perror("vd-xenstored: stats");
	if (g_client_stats && client_stats_write(g_client_stats))
		perror("vd-xenstored: client stats");
	close(lfd);
	unlink(o->socket);
	if (o->pidfile)
		unlink(o->pidfile);
	hmap_free(&g_nodes, rec_put_void);
	domains_free();
	scenario_free();
	stats_free();
	log_close();
}

static int open_logs(const struct options *o)
{
	if (o->trace && log_open_trace(o->trace)) {
		perror(o->trace);
		return -1;
	}
	if (o->access_log && log_open_access(o->access_log)) {
		perror(o->access_log);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	sigset_t mask;
	int lfd;

	if (parse_args(argc, argv, &o))
		return 2;
	store_init_root();
	if (o.tree ? tree_load(o.tree) : (tree_default(), 0))
		return 2;
	domains_init_from_store();
	if (o.scenario && scenario_load(o.scenario))
		return 2;
	if (open_logs(&o))
		return 1;
	setup_signals(&mask);
	lfd = listen_on(o.socket);
	if (lfd < 0 || (o.pidfile && write_pidfile(o.pidfile)))
		return 1;
	serve(lfd, &o, &mask);
	shutdown_all(&o, lfd);
	return 0;
}
