/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The router's side of a container socket for the unit tests (test_events,
 * test_device): take one request (header, payload, fds) and answer it with
 * a status, a payload and fds, on a SOCK_SEQPACKET socket.  Also the
 * router's pipes of ABI v8: pipe2 with the router's end non-blocking.
 */
#ifndef FREEFLOW_FAKE_ROUTER_H
#define FREEFLOW_FAKE_ROUTER_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <freeflow/ff_abi.h>

struct fr_request {
	struct ff_hdr hdr;
	char payload[FF_MSG_MAX];
	int fds[4];
	int nfds;
};

/*
 * A listening SOCK_SEQPACKET socket at @name in a new directory made from
 * @dir_template (mkdtemp); its path goes to @path.  -1 on failure.
 */
__attribute__((unused))
static int fr_listen(char *dir_template, const char *name, char *path,
		     size_t size)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (!mkdtemp(dir_template) ||
	    snprintf(path, size, "%s/%s", dir_template, name) >= (int)size ||
	    strlen(path) >= sizeof(sun.sun_path))
		return -1;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) || listen(fd, 4)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The next request on @sock; false when the peer closed or on error. */
__attribute__((unused))
static bool fr_recv(int sock, struct fr_request *rq)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} cbuf;
	char buf[FF_MSG_MAX];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf.buf,
			      .msg_controllen = sizeof(cbuf.buf) };
	struct cmsghdr *c;
	ssize_t n;

	do {
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < (ssize_t)sizeof(rq->hdr))
		return false;
	memcpy(&rq->hdr, buf, sizeof(rq->hdr));
	memcpy(rq->payload, buf + sizeof(rq->hdr), (size_t)n - sizeof(rq->hdr));
	rq->nfds = 0;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		size_t i, k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k && rq->nfds < 4; i++)
			memcpy(&rq->fds[rq->nfds++],
			       CMSG_DATA(c) + i * sizeof(int), sizeof(int));
	}
	return true;
}

/* The reply to @rq: @status, @len bytes of @payload, @nfds of @fds. */
__attribute__((unused))
static void fr_reply(int sock, const struct fr_request *rq, int status,
		     const void *payload, uint32_t len, const int *fds,
		     int nfds)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} cbuf;
	struct ff_hdr hdr = rq->hdr;
	struct iovec iov[2] = {
		{ .iov_base = &hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)payload, .iov_len = status ? 0 : len },
	};
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	struct cmsghdr *c;

	hdr.status = status;
	hdr.len = status ? 0 : len;
	if (nfds > 0) {
		memset(&cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, (size_t)nfds * sizeof(int));
	}
	while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

/* A failed reply that says why, as the admin socket answers: @reason with its NUL. */
__attribute__((unused))
static void fr_fail(int sock, const struct fr_request *rq, int status,
		    const char *reason)
{
	struct ff_hdr hdr = rq->hdr;
	struct iovec iov[2] = {
		{ .iov_base = &hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)reason, .iov_len = strlen(reason) + 1 },
	};
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };

	hdr.status = status;
	hdr.len = (uint32_t)iov[1].iov_len;
	while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

/*
 * A pipe as the router makes it: @fds[0] reads, @fds[1] writes, and the
 * router's own end (@router_reads: the reading one) is non-blocking.
 */
__attribute__((unused))
static int fr_pipe(int fds[2], bool router_reads)
{
	int own;

	if (pipe2(fds, O_CLOEXEC))
		return -1;
	own = fds[router_reads ? 0 : 1];
	return fcntl(own, F_SETFL, fcntl(own, F_GETFL) | O_NONBLOCK);
}

/* Bytes in the reading end @fd now (it is non-blocking), all taken. */
__attribute__((unused))
static int fr_drain(int fd)
{
	char buf[256];
	ssize_t n;
	int total = 0;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += (int)n;
	return total;
}

/* One byte into the writing end @fd (non-blocking): true if it went in. */
__attribute__((unused))
static bool fr_write_byte(int fd)
{
	static const char one = 1;

	return write(fd, &one, 1) == 1;
}

#endif
