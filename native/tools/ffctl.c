// SPDX-License-Identifier: Apache-2.0
/*
 * ffctl: the router's admin CLI (admin.sock).
 *
 *	ffctl [--socket PATH] ping
 *	ffctl [--socket PATH] attach NAME [--tenant T]
 *	ffctl [--socket PATH] detach NAME
 *	ffctl [--socket PATH] port NAME down|up
 *
 * attach prints shell-parsable lines (name=, tenant=, vip=, prefix=, lid=,
 * gid=, socket=).  port takes the container's virtual port down (its
 * contexts get IBV_EVENT_PORT_ERR, its QPs no traffic) or up again.  Errors
 * go to stderr with the router's reason; exit 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <infiniband/verbs.h>

#include <freeflow/ff_abi.h>

#include "ff_msg.h"

#define DEFAULT_ADMIN_SOCKET "/run/freeflow/admin.sock"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ffctl [--socket PATH] ping\n"
		"       ffctl [--socket PATH] attach NAME [--tenant TENANT]\n"
		"       ffctl [--socket PATH] detach NAME\n"
		"       ffctl [--socket PATH] port NAME down|up\n"
		"default socket: %s\n",
		DEFAULT_ADMIN_SOCKET);
}

static int call(const char *path, const char *what, uint16_t op,
		const void *req, uint32_t req_len, void *resp,
		uint32_t resp_len)
{
	int sock, err;

	sock = ff_msg_connect(path);
	if (sock < 0) {
		fprintf(stderr, "ffctl: %s: cannot connect to %s: %s\n", what,
			path, strerror(-sock));
		return 1;
	}
	err = ff_msg_call(sock, op, 1, req, req_len, -1, resp, resp_len,
			  NULL);
	close(sock);
	if (err) {
		fprintf(stderr, "ffctl: %s: %s\n", what, strerror(err));
		return 1;
	}
	return 0;
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

int main(int argc, char **argv)
{
	const char *path = DEFAULT_ADMIN_SOCKET, *tenant = NULL, *cmd, *name;
	struct ff_container_info info;
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
	if (strcmp(cmd, "attach") && strcmp(cmd, "detach")) {
		fprintf(stderr, "ffctl: unknown command '%s'\n", cmd);
		usage(stderr);
		return 1;
	}

	if (i >= argc) {
		usage(stderr);
		return 1;
	}
	name = argv[i++];
	if (!strcmp(cmd, "attach") && i + 1 < argc &&
	    !strcmp(argv[i], "--tenant")) {
		tenant = argv[i + 1];
		i += 2;
	}
	if (i != argc) {
		usage(stderr);
		return 1;
	}

	memset(&req, 0, sizeof(req));
	if (set_name(req.name, sizeof(req.name), name, "NAME") ||
	    (tenant && set_name(req.tenant, sizeof(req.tenant), tenant,
				"TENANT")))
		return 1;

	if (!strcmp(cmd, "detach"))
		return call(path, "detach", FF_OP_ADMIN_REMOVE_CONTAINER, &req,
			    sizeof(req), NULL, 0);

	if (call(path, "attach", FF_OP_ADMIN_ADD_CONTAINER, &req, sizeof(req),
		 &info, sizeof(info)))
		return 1;
	print_info(&info);
	return 0;
}
