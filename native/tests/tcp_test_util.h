/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TCP side channel of the two-process C test programs (ff_nopoll,
 * ff_manyqp), as ibv_rc_pingpong has one: listen and accept one peer, dial
 * one (again while it does not listen yet), read a line; all with
 * deadlines.  Needs verbs_test_util.h (now_ms).
 */
#ifndef FREEFLOW_TCP_TEST_UTIL_H
#define FREEFLOW_TCP_TEST_UTIL_H

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * Listens on @port, prints "@who: server ready on port @port", accepts one
 * connection within @deadline_ms; its fd or -1 (errno).
 */
__attribute__((unused))
static int tcp_accept_one(int port, int deadline_ms, const char *who)
{
	struct addrinfo hints = { .ai_flags = AI_PASSIVE,
				  .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM }, *ai;
	struct pollfd pfd;
	char service[16];
	int ls, fd, one = 1;

	snprintf(service, sizeof(service), "%d", port);
	if (getaddrinfo(NULL, service, &hints, &ai))
		return -1;
	ls = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0 ||
	    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(ls, ai->ai_addr, ai->ai_addrlen) || listen(ls, 1)) {
		freeaddrinfo(ai);
		if (ls >= 0)
			close(ls);
		return -1;
	}
	freeaddrinfo(ai);
	printf("%s: server ready on port %d\n", who, port);
	pfd = (struct pollfd){ .fd = ls, .events = POLLIN };
	if (poll(&pfd, 1, deadline_ms) != 1) {
		errno = ETIMEDOUT;
		close(ls);
		return -1;
	}
	fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	close(ls);
	return fd;
}

/* Connects to @host:@port, trying again for @connect_ms; its fd or -1. */
__attribute__((unused))
static int tcp_dial(const char *host, int port, int connect_ms)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM }, *ai, *a;
	long end = now_ms() + connect_ms;
	char service[16];
	int fd;

	snprintf(service, sizeof(service), "%d", port);
	if (getaddrinfo(host, service, &hints, &ai)) {
		errno = EHOSTUNREACH;
		return -1;
	}
	do {	/* the server may not listen yet */
		for (a = ai; a; a = a->ai_next) {
			fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC,
				    0);
			if (fd >= 0 &&
			    !connect(fd, a->ai_addr, a->ai_addrlen)) {
				freeaddrinfo(ai);
				return fd;
			}
			if (fd >= 0)
				close(fd);
		}
		usleep(200000);
	} while (now_ms() < end);
	freeaddrinfo(ai);
	errno = ETIMEDOUT;
	return -1;
}

/* One line of at most @size - 1 bytes within @ms, without its '\n'; its length or -1. */
__attribute__((unused))
static int read_line(int fd, char *line, size_t size, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	long end = now_ms() + ms, left;
	size_t n = 0;

	while (n + 1 < size) {
		left = end - now_ms();
		if (poll(&pfd, 1, left > 0 ? (int)left : 0) != 1 ||
		    read(fd, line + n, 1) != 1)
			return -1;
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = 0;
	return (int)n;
}

#endif
