// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xlprobe: an independent libxenlight client, outside vifdiag, making the calls of vifdiag's
 * optional libxl enrichment (src/src_xl.c under HAVE_LIBXL). The e2e scenarios run it in
 * dom0 beside vifdiag so that check.sh can compare what libxl says with what vifdiag read
 * from xenstore, and prove from the daemon log that these calls are read-only too.
 *
 * Prints one JSON object:
 *   {"available": false, "error": "..."}            no hypervisor / no privcmd: degrade
 *   {"available": true, "domains": [{"domid", "name", "run_state", "flags": {...},
 *     "shutdown_reason", "nics": [{"devid", "mac", "bridge", "backend_domid", "script",
 *     "nictype", "model", "state", "evtch", "rref_tx", "rref_rx", "backend", "frontend"}]}]}
 * run_state: dying > shutdown > paused > running (libxl's running or blocked).
 * Calls: libxl_ctx_alloc, libxl_list_domain, libxl_domid_to_name, libxl_device_nic_list,
 * libxl_device_nic_getinfo (and their _free/_dispose). Build: cc xlprobe.c -lxenlight
 * -lxentoollog.
 */
#include <libxl.h>
#include <libxl_utils.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xentoollog.h>

static void jstr(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static const char *run_state(const libxl_dominfo *d)
{
	if (d->dying)
		return "dying";
	if (d->shutdown)
		return "shutdown";
	if (d->paused)
		return "paused";
	return "running";
}

int main(void)
{
	/* errors only, on stderr: a host without Xen must stay quiet on stdout */
	xentoollog_logger_stdiostream *lg =
		xtl_createlogger_stdiostream(stderr, getenv("XLPROBE_DEBUG") ? XTL_DEBUG : XTL_CRITICAL, 0);
	libxl_ctx *ctx = NULL;
	libxl_dominfo *doms;
	int nd;

	if (!lg || libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0, (xentoollog_logger *)lg) != 0) {
		printf("{\"available\": false, \"error\": \"libxl_ctx_alloc failed\"}\n");
		if (lg)
			xtl_logger_destroy((xentoollog_logger *)lg);
		return 0;
	}
	doms = libxl_list_domain(ctx, &nd);
	if (!doms) {
		printf("{\"available\": false, \"error\": \"libxl_list_domain failed\"}\n");
		libxl_ctx_free(ctx);
		xtl_logger_destroy((xentoollog_logger *)lg);
		return 0;
	}
	printf("{\"available\": true, \"domains\": [");
	for (int i = 0; i < nd; i++) {
		const libxl_dominfo *d = &doms[i];
		char *name = libxl_domid_to_name(ctx, d->domid);
		int nn = 0;
		libxl_device_nic *nics = libxl_device_nic_list(ctx, d->domid, &nn);

		printf("%s\n  {\"domid\": %u, \"name\": ", i ? "," : "", d->domid);
		jstr(name);
		printf(", \"run_state\": \"%s\", \"flags\": {\"running\": %s, \"blocked\": %s, "
		       "\"paused\": %s, \"shutdown\": %s, \"dying\": %s}, \"shutdown_reason\": ",
		       run_state(d), d->running ? "true" : "false", d->blocked ? "true" : "false",
		       d->paused ? "true" : "false", d->shutdown ? "true" : "false",
		       d->dying ? "true" : "false");
		jstr(d->shutdown ? libxl_shutdown_reason_to_string(d->shutdown_reason) : NULL);
		printf(", \"nics\": [");
		for (int j = 0; j < nn; j++) {
			const libxl_device_nic *n = &nics[j];
			libxl_nicinfo ni;
			char mac[18];

			snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", n->mac[0],
				 n->mac[1], n->mac[2], n->mac[3], n->mac[4], n->mac[5]);
			printf("%s\n    {\"devid\": %d, \"mac\": \"%s\", \"bridge\": ", j ? "," : "",
			       n->devid, mac);
			jstr(n->bridge);
			printf(", \"backend_domid\": %u, \"script\": ", n->backend_domid);
			jstr(n->script);
			printf(", \"nictype\": ");
			jstr(libxl_nic_type_to_string(n->nictype));
			printf(", \"model\": ");
			jstr(n->model);
			libxl_nicinfo_init(&ni);
			if (libxl_device_nic_getinfo(ctx, d->domid, n, &ni) == 0) {
				printf(", \"state\": %d, \"evtch\": %d, \"rref_tx\": %d, \"rref_rx\": %d, "
				       "\"backend\": ",
				       ni.state, ni.evtch, ni.rref_tx, ni.rref_rx);
				jstr(ni.backend);
				printf(", \"frontend\": ");
				jstr(ni.frontend);
			} else {
				printf(", \"state\": null");
			}
			libxl_nicinfo_dispose(&ni);
			printf("}");
		}
		printf("]}");
		libxl_device_nic_list_free(nics, nn);
		free(name);
	}
	printf("\n]}\n");
	libxl_dominfo_list_free(doms, nd);
	libxl_ctx_free(ctx);
	xtl_logger_destroy((xentoollog_logger *)lg);
	return 0;
}
