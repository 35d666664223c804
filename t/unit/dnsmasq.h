/*
 * dnsmasq.h - for unit tests that need DNS: a dnsmasq on 127.0.0.1, on a
 * port the kernel says is free, that answers only the records the test
 * gives it (--no-resolv, --no-hosts): no query leaves the machine.
 *
 *	int port = dnsmasq_port();
 *	pid_t pid = dnsmasq_start(port, records);	(NULL-terminated)
 *	... dnsmasq_ready(dns, "a.test") ...
 *	dnsmasq_stop(pid);
 */
#ifndef MTA_TEST_DNSMASQ_H
#define MTA_TEST_DNSMASQ_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dns.h"

#define DNSMASQ "/usr/sbin/dnsmasq"
#define DNSMASQ_ARGS_MAX 64

/* dnsmasq_port - a UDP port nobody uses right now, or -1 */
static int
dnsmasq_port(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), port = -1;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* dnsmasq_start - the test's records only; its pid, or -1 */
static pid_t
dnsmasq_start(int port, const char *const *records)
{
	static const char *const fixed[] = {
		"dnsmasq", "--no-daemon", "--no-resolv", "--no-hosts",
		"--listen-address=127.0.0.1", "--bind-interfaces",
		"--conf-file=/dev/null", "--log-facility=/dev/null",
		"--pid-file=", "--local=/test/",
	};
	const char *argv[DNSMASQ_ARGS_MAX];
	char portarg[32];
	size_t n = 0;
	pid_t pid;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		argv[n++] = fixed[i];
	snprintf(portarg, sizeof(portarg), "--port=%d", port);
	argv[n++] = portarg;
	while (*records && n < DNSMASQ_ARGS_MAX - 1)
		argv[n++] = *records++;
	argv[n] = NULL;
	if ((pid = fork()) != 0)
		return pid;
	if (freopen("/dev/null", "w", stderr) == NULL)
		_exit(126);
	execv(DNSMASQ, (char *const *)argv);
	_exit(127);
}

/* dnsmasq_ready - wait (5 s at most) until it answers for name */
static int
dnsmasq_ready(struct mta_dns *dns, const char *name)
{
	for (int i = 0; i < 50; i++) {
		struct mta_dns_addrs *a = mta_dns_addr(dns, name);
		int up = a->status == MTA_DNS_OK;

		mta_dns_addrs_free(a);
		if (up)
			return 1;
		usleep(100000);
	}
	return 0;
}

/* dnsmasq_stop - and reap it */
static void
dnsmasq_stop(pid_t pid)
{
	int status;

	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, &status, 0);
	}
}

#endif
