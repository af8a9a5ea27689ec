// SPDX-License-Identifier: Apache-2.0
/*
 * ffctl: the router's admin CLI (admin.sock).
 *
 *	ffctl [--socket PATH] ping
 *	ffctl [--socket PATH] attach NAME [--tenant T] [--netns PATH | --pid PID]
 *				[--cgroup PATH] [--uid N] [--gid N]
 *	ffctl [--socket PATH] detach NAME
 *	ffctl [--socket PATH] port NAME down|up
 *
 * attach says who the container is (ff_abi.h, ff_container_identity): the
 * network namespace at PATH (opened here and sent along, SCM_RIGHTS) or
 * that of process PID, a cgroup (v2 path as in /proc/PID/cgroup), the uid
 * and gid its processes run as; the router admits only matching peers to
 * the container's socket and needs a namespace or a cgroup.  It prints
 * shell-parsable lines (name=, tenant=, vip=, prefix=, lid=, gid=,
 * socket=).  port takes the container's virtual port down (its contexts
 * get IBV_EVENT_PORT_ERR, its QPs no traffic) or up again.  Errors go to
 * stderr with the router's reason; exit 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/nsfs.h>

#include <infiniband/verbs.h>

#include <freeflow/ff_abi.h>

#include "ff_msg.h"

#define DEFAULT_ADMIN_SOCKET "/run/freeflow/admin.sock"

/* sysexits.h's EX_TEMPFAIL: the router refused with EAGAIN */
#define EXIT_TRY_LATER 75

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ffctl [--socket PATH] ping\n"
		"       ffctl [--socket PATH] attach NAME [--tenant TENANT]\n"
		"             [--netns PATH | --pid PID] [--cgroup PATH]"
		" [--uid UID] [--gid GID]\n"
		"       ffctl [--socket PATH] detach NAME\n"
		"       ffctl [--socket PATH] port NAME down|up\n"
		"       ffctl [--socket PATH] cluster\n"
		"attach: who may use the container's socket: processes in the\n"
		"network namespace PATH (or that of PID), in cgroup PATH (v2, as\n"
		"in /proc/PID/cgroup) or below, running as UID and GID; the\n"
		"router needs --netns, --pid or --cgroup.\n"
		"cluster: the orchestrator's cluster as this router sees it.\n"
		"exit status: 0; %d when the router asked to try again later\n"
		"(EAGAIN: its orchestrator is not ready); 1 otherwise.\n"
		"default socket: %s\n",
		EXIT_TRY_LATER,
		DEFAULT_ADMIN_SOCKET);
}

/* One request (with @fd_in riding along, if >= 0); 0, or 1 after saying why. */
static int call_fd(const char *path, const char *what, uint16_t op,
		   const void *req, uint32_t req_len, int fd_in, void *resp,
		   uint32_t resp_len, int *err_out)
{
	int sock, err;

	sock = ff_msg_connect(path);
	if (sock < 0) {
		fprintf(stderr, "ffctl: %s: cannot connect to %s: %s\n", what,
			path, strerror(-sock));
		return 1;
	}
	err = ff_msg_call(sock, op, 1, req, req_len, fd_in, resp, resp_len,
			  NULL);
	close(sock);
	if (err_out)
		*err_out = err;
	if (err) {
		if (*ff_msg_reason())
			fprintf(stderr, "ffctl: %s: %s: %s\n", what,
				strerror(err), ff_msg_reason());
		else
			fprintf(stderr, "ffctl: %s: %s\n", what,
				strerror(err));
		return 1;
	}
	return 0;
}

static int call(const char *path, const char *what, uint16_t op,
		const void *req, uint32_t req_len, void *resp,
		uint32_t resp_len)
{
	return call_fd(path, what, op, req, req_len, -1, resp, resp_len,
		       NULL);
}

static int set_name(char *dst, size_t size, const char *src, const char *what)
{
	if (!*src || strlen(src) >= size) {
		fprintf(stderr, "ffctl: %s must be 1 to %zu characters\n",
			what, size - 1);
		return 1;
	}
	memcpy(dst, src, strlen(src));
	return 0;
}

static void print_info(const struct ff_container_info *ci)
{
	char vip[INET_ADDRSTRLEN], gid[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET, &ci->vip, vip, sizeof(vip));
	inet_ntop(AF_INET6, ci->gid, gid, sizeof(gid));
	printf("name=%.*s\n", (int)sizeof(ci->name), ci->name);
	printf("tenant=%.*s\n", (int)sizeof(ci->tenant), ci->tenant);
	printf("vip=%s\n", vip);
	printf("prefix=%u\n", ci->prefix_len);
	printf("lid=%u\n", ci->lid);
	printf("gid=%s\n", gid);
	printf("socket=%.*s\n", (int)sizeof(ci->socket_path),
	       ci->socket_path);
}

/* port NAME down|up */
static int set_port(const char *path, int argc, char **argv)
{
	struct ff_port_req req;

	if (argc != 2 || (strcmp(argv[1], "down") && strcmp(argv[1], "up"))) {
		usage(stderr);
		return 1;
	}
	memset(&req, 0, sizeof(req));
	if (set_name(req.name, sizeof(req.name), argv[0], "NAME"))
		return 1;
	req.port_state = strcmp(argv[1], "up") ? IBV_PORT_DOWN :
						 IBV_PORT_ACTIVE;
	return call(path, "port", FF_OP_ADMIN_SET_PORT, &req, sizeof(req),
		    NULL, 0);
}

/* cluster: key=value lines of the router's ff_cluster_info */
static int cluster(const char *path, int argc)
{
	struct ff_cluster_info ci;
	int err;

	if (argc != 0) {
		usage(stderr);
		return 1;
	}
	if (call_fd(path, "cluster", FF_OP_ADMIN_CLUSTER, NULL, 0, -1, &ci,
		    sizeof(ci), &err))
		return err == EAGAIN ? EXIT_TRY_LATER : 1;
	printf("topology_version=%llu\n",
	       (unsigned long long)ci.topology_version);
	printf("servers=%u\n", ci.servers);
	printf("hosts_running=%u\n", ci.hosts_running);
	printf("hosts_lost=%u\n", ci.hosts_lost);
	printf("host_registered=%u\n", ci.host_registered);
	return 0;
}

/* A uid or gid: decimal, 0 .. 2^32 - 2 ((uid_t)-1 means "none"). */
static int parse_id(const char *s, const char *what, uint32_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (!*s || *end || errno || *s == '-' || v >= UINT32_MAX) {
		fprintf(stderr, "ffctl: %s must be a number below %u\n", what,
			UINT32_MAX);
		return 1;
	}
	*out = (uint32_t)v;
	return 0;
}

/* The network namespace at @path, opened read-only; -1 after saying why. */
static int open_netns(const char *path)
{
	int fd, type;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "ffctl: attach: %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	/* nsfs answers NS_GET_NSTYPE (Linux >= 4.11); others ENOTTY */
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type >= 0 && type != CLONE_NEWNET) {
		fprintf(stderr, "ffctl: attach: %s is not a network namespace\n",
			path);
		close(fd);
		return -1;
	}
	if (type < 0 && errno == ENOTTY) {
		fprintf(stderr, "ffctl: attach: %s is not a namespace\n", path);
		close(fd);
		return -1;
	}
	return fd;
}

/* attach NAME [options]: @argv[0] is NAME */
static int attach(const char *path, int argc, char **argv)
{
	const char *netns = NULL, *pid = NULL, *cgroup = NULL, *tenant = NULL;
	struct ff_container_identity *id;
	struct ff_container_info info;
	struct ff_attach_req req;
	char pid_ns[64];
	int i, fd = -1, rc, err = 0;
	char *end;

	memset(&req, 0, sizeof(req));
	id = &req.identity;
	if (argc < 1 || set_name(req.container.name,
				 sizeof(req.container.name), argv[0], "NAME"))
		goto bad_usage;
	for (i = 1; i < argc; i += 2) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] :
							       NULL;

		if (!val)
			goto bad_usage;
		if (!strcmp(opt, "--tenant") && !tenant) {
			tenant = val;
		} else if (!strcmp(opt, "--netns") && !netns && !pid) {
			netns = val;
		} else if (!strcmp(opt, "--pid") && !netns && !pid) {
			pid = val;
		} else if (!strcmp(opt, "--cgroup") && !cgroup) {
			cgroup = val;
		} else if (!strcmp(opt, "--uid") &&
			   !(id->flags & FF_IDENTITY_UID)) {
			if (parse_id(val, "UID", &id->uid))
				return 1;
			id->flags |= FF_IDENTITY_UID;
		} else if (!strcmp(opt, "--gid") &&
			   !(id->flags & FF_IDENTITY_GID)) {
			if (parse_id(val, "GID", &id->gid))
				return 1;
			id->flags |= FF_IDENTITY_GID;
		} else {
			goto bad_usage;
		}
	}
	if (tenant && set_name(req.container.tenant,
			       sizeof(req.container.tenant), tenant, "TENANT"))
		return 1;
	if (cgroup) {
		if (cgroup[0] != '/') {
			fprintf(stderr, "ffctl: the cgroup must be a path that "
					"starts with /\n");
			return 1;
		}
		if (set_name(id->cgroup, sizeof(id->cgroup), cgroup, "CGROUP"))
			return 1;
		id->flags |= FF_IDENTITY_CGROUP;
	}
	if (pid) {
		long v = strtol(pid, &end, 10);

		if (!*pid || *end || v <= 0 || v > INT_MAX) {
			fprintf(stderr, "ffctl: PID must be a process id\n");
			return 1;
		}
		snprintf(pid_ns, sizeof(pid_ns), "/proc/%ld/ns/net", v);
		netns = pid_ns;
	}
	if (netns) {
		fd = open_netns(netns);
		if (fd < 0)
			return 1;
		id->flags |= FF_IDENTITY_NETNS;
	}

	rc = call_fd(path, "attach", FF_OP_ADMIN_ADD_CONTAINER, &req,
		     sizeof(req), fd, &info, sizeof(info), &err);
	if (fd >= 0)
		close(fd);
	if (rc) {
		if (err == EINVAL &&
		    !(id->flags & (FF_IDENTITY_NETNS | FF_IDENTITY_CGROUP)))
			fprintf(stderr, "ffctl: attach needs --netns, --pid or "
					"--cgroup\n");
		return err == EAGAIN ? EXIT_TRY_LATER : 1;
	}
	print_info(&info);
	return 0;

bad_usage:
	usage(stderr);
	return 1;
}

int main(int argc, char **argv)
{
	const char *path = DEFAULT_ADMIN_SOCKET, *cmd;
	struct ff_container_req req;
	int i = 1;

	if (i + 1 < argc && !strcmp(argv[i], "--socket")) {
		path = argv[i + 1];
		i += 2;
	}
	if (i >= argc) {
		usage(stderr);
		return 1;
	}
	cmd = argv[i++];

	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "ping")) {
		if (i != argc) {
			usage(stderr);
			return 1;
		}
		if (call(path, "ping", FF_OP_ADMIN_PING, NULL, 0, NULL, 0))
			return 1;
		printf("ok\n");
		return 0;
	}
	if (!strcmp(cmd, "port"))
		return set_port(path, argc - i, argv + i);
	if (!strcmp(cmd, "cluster"))
		return cluster(path, argc - i);
	if (!strcmp(cmd, "attach"))
		return attach(path, argc - i, argv + i);
	if (strcmp(cmd, "detach")) {
		fprintf(stderr, "ffctl: unknown command '%s'\n", cmd);
		usage(stderr);
		return 1;
	}

	if (i + 1 != argc) {
		usage(stderr);
		return 1;
	}
	memset(&req, 0, sizeof(req));
	if (set_name(req.name, sizeof(req.name), argv[i], "NAME"))
		return 1;
	return call(path, "detach", FF_OP_ADMIN_REMOVE_CONTAINER, &req,
		    sizeof(req), NULL, 0);
}
