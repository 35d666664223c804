/*
 * master_service - master.cf's services as master runs them: a listening
 * endpoint each (an inet or unix socket, a FIFO), made once and kept over
 * a reload as long as the endpoint stays in master.cf.
 */
#define _GNU_SOURCE	/* pipe2 */
#include <errno.h>
#include <strings.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "master.h"
#include "mem.h"
#include "msg.h"
#include "path.h"
#include "str.h"

#define MASTER_BACKLOG 100

/* service_inet_split - "host:port", "[v6]:port" or "port" */
static void
service_inet_split(char *spec, char **host, char **port)
{
	char *colon = strrchr(spec, ':');

	*host = NULL;
	*port = spec;
	if (colon == NULL)
		return;
	*colon = '\0';
	*port = colon + 1;
	*host = spec;
	if (spec[0] == '[' && colon > spec && colon[-1] == ']') {
		colon[-1] = '\0';
		*host = spec + 1;
	}
}

/*
 * service_host - the address to listen on when master.cf names none:
 * inet_interfaces "all" (any), "loopback-only", or the first address it
 * lists (one socket per service: listen on several by naming each in
 * master.cf as host:port).
 */
static const char *
service_host(struct master *m, char *buf, size_t size)
{
	const char *ifs = mta_config_str(m->cfg, "inet_interfaces");
	char *cp, *first;

	if (ifs == NULL || *ifs == '\0' || strcasecmp(ifs, "all") == 0)
		return NULL;
	if (strcasecmp(ifs, "loopback-only") == 0 ||
	    strcasecmp(ifs, "localhost") == 0)
		return "127.0.0.1";
	strlcpy(buf, ifs, size);
	cp = buf;
	first = mta_str_token(&cp, MTA_SEP_LIST);
	return first;
}

/* service_inet - a listening TCP socket for "[host:]port" */
static int
service_inet(struct master *m, const char *spec, struct mta_buf *err)
{
	struct addrinfo hints = {0}, *res = NULL;
	char *copy = mta_strdup(spec), *host, *port, ifbuf[256];
	int fd = -1, on = 1, rc;

	service_inet_split(copy, &host, &port);
	if (host == NULL)
		host = (char *)service_host(m, ifbuf, sizeof(ifbuf));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	hints.ai_family = AF_UNSPEC;
	rc = getaddrinfo(host && *host ? host : NULL, port, &hints, &res);
	if (rc != 0) {
		mta_buf_printf(err, "inet service %s: %s", spec, gai_strerror(rc));
		goto out;
	}
	if ((fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) < 0 ||
	    listen(fd, MASTER_BACKLOG) < 0) {
		mta_buf_printf(err, "inet service %s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
out:
	if (res)
		freeaddrinfo(res);
	free(copy);
	return fd;
}

/* service_unix - a listening socket private/NAME or public/NAME */
static int
service_unix(const struct mta_master_ent *e, struct mta_buf *err)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd;

	if (snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s",
		     e->private_ ? "private" : "public", e->service) >=
	    (int)sizeof(sun.sun_path)) {
		mta_buf_printf(err, "unix service %s: name too long", e->service);
		return -1;
	}
	unlink(sun.sun_path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(sun.sun_path, 0666) < 0 || listen(fd, MASTER_BACKLOG) < 0) {
		mta_buf_printf(err, "unix service %s: %s", sun.sun_path,
			       strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* service_fifo - the FIFO public/NAME, held open by master too */
static int
service_fifo(const struct mta_master_ent *e, struct mta_buf *err)
{
	char path[256];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", e->private_ ? "private" : "public",
		 e->service);
	if (lstat(path, &st) == 0 && !S_ISFIFO(st.st_mode))
		unlink(path);
	if (mkfifo(path, 0622) < 0 && errno != EEXIST) {
		mta_buf_printf(err, "fifo service %s: %s", path, strerror(errno));
		return -1;
	}
	chmod(path, 0622);
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		mta_buf_printf(err, "fifo service %s: %s", path, strerror(errno));
	return fd;
}

/* service_endpoint - what identifies a service across a reload */
static char *
service_endpoint(const struct mta_master_ent *e)
{
	struct mta_buf b = MTA_BUF_INIT(1024);

	mta_buf_printf(&b, "%s/%s/%d", mta_master_type_name(e->type), e->service,
		       e->private_);
	return mta_buf_steal(&b);
}

/* service_copy_ent - an entry that outlives the parsed master.cf */
static void
service_copy_ent(struct mta_master_ent *to, const struct mta_master_ent *from)
{
	*to = *from;
	to->service = mta_strdup(from->service);
	to->command = mta_strdup(from->command);
	to->argv = mta_calloc(from->argc + 1, sizeof(char *));
	for (size_t i = 0; i < from->argc; i++)
		to->argv[i] = mta_strdup(from->argv[i]);
	to->opt_name = mta_calloc(from->nopt + 1, sizeof(char *));
	to->opt_value = mta_calloc(from->nopt + 1, sizeof(char *));
	for (size_t i = 0; i < from->nopt; i++) {
		to->opt_name[i] = mta_strdup(from->opt_name[i]);
		to->opt_value[i] = mta_strdup(from->opt_value[i]);
	}
}

/* service_free_ent - the copy's strings */
static void
service_free_ent(struct mta_master_ent *e)
{
	free(e->service);
	free(e->command);
	for (size_t i = 0; i < e->argc; i++)
		free(e->argv[i]);
	free(e->argv);
	for (size_t i = 0; i < e->nopt; i++) {
		free(e->opt_name[i]);
		free(e->opt_value[i]);
	}
	free(e->opt_name);
	free(e->opt_value);
}

/* service_open - the endpoint and the status pipe of a new service */
static int
service_open(struct master *m, struct master_service *s, struct mta_buf *err)
{
	int pipefd[2];

	switch (s->ent.type) {
	case MTA_MASTER_INET:
		s->listen_fd = service_inet(m, s->ent.service, err);
		break;
	case MTA_MASTER_UNIX:
		s->listen_fd = service_unix(&s->ent, err);
		break;
	case MTA_MASTER_FIFO:
		s->listen_fd = service_fifo(&s->ent, err);
		break;
	default:
		mta_buf_printf(err, "%s: service type %s is not supported",
			       s->ent.service, mta_master_type_name(s->ent.type));
		return -1;
	}
	if (s->listen_fd < 0 || pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	s->status_rd = pipefd[0];
	s->status_wr = pipefd[1];
	return 0;
}

/* service_update - take master.cf's (new) entry for a service */
static void
service_update(struct master *m, struct master_service *s,
	       const struct mta_master_ent *e)
{
	char path[4096];

	if (s->ent.service)
		service_free_ent(&s->ent);
	service_copy_ent(&s->ent, e);
	free(s->path);
	mta_path_join(path, sizeof(path),
		      mta_config_str(m->cfg, "daemon_directory"), e->command);
	s->path = mta_strdup(path);
	s->maxproc = e->maxproc < 0 ?
		(int)mta_config_int(m->cfg, "default_process_limit") : e->maxproc;
	/* the first wake-up at once, as Postfix: mail queued while stopped */
	s->next_wakeup = e->wakeup > 0 ? time(NULL) : 0;
	s->keep = true;
}

/* service_find - the running service with this endpoint */
static struct master_service *
service_find(struct master *m, const char *key)
{
	for (int i = 0; i < m->nservices; i++)
		if (strcmp(m->services[i]->key, key) == 0)
			return m->services[i];
	return NULL;
}

/* master_service_close - stop listening; the children are told apart */
void
master_service_close(struct master_service *s)
{
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->status_wr >= 0)
		close(s->status_wr);
	s->listen_fd = s->status_wr = -1;
	if (s->ent.type == MTA_MASTER_UNIX || s->ent.type == MTA_MASTER_FIFO) {
		char path[256];

		snprintf(path, sizeof(path), "%s/%s",
			 s->ent.private_ ? "private" : "public", s->ent.service);
		unlink(path);
	}
}

/* master_service_free - everything of a service without children */
void
master_service_free(struct master_service *s)
{
	master_service_close(s);
	if (s->status_rd >= 0)
		close(s->status_rd);
	service_free_ent(&s->ent);
	free(s->key);
	free(s->path);
	free(s->children);
	free(s);
}

/*
 * master_services_load - (re)read master.cf: keep the services that are
 * still there (their children are told to restart with the new
 * configuration), open the new ones, close those that are gone.
 */
int
master_services_load(struct master *m, struct mta_buf *err)
{
	char path[4096];
	struct mta_master *mc;
	int added = 0;

	mta_path_join(path, sizeof(path), m->config_dir, "master.cf");
	if ((mc = mta_master_load(path, err)) == NULL)
		return -1;
	for (int i = 0; i < m->nservices; i++)
		m->services[i]->keep = false;
	for (size_t i = 0; i < mc->n; i++) {
		char *key = service_endpoint(&mc->ents[i]);
		struct master_service *s = service_find(m, key);

		if (s == NULL) {
			s = mta_calloc(1, sizeof(*s));
			s->listen_fd = s->status_rd = s->status_wr = -1;
			s->key = key;
			service_update(m, s, &mc->ents[i]);
			if (service_open(m, s, err) < 0) {
				master_service_free(s);
				mta_master_free(mc);
				return -1;
			}
			m->services = mta_reallocarray(m->services, m->nservices + 1,
						       sizeof(*m->services));
			m->services[m->nservices++] = s;
			added++;
		} else {
			free(key);
			service_update(m, s, &mc->ents[i]);
		}
	}
	mta_master_free(mc);
	return added;
}
