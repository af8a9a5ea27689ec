// SPDX-License-Identifier: Apache-2.0
/*
 * ff_badclient SOCKETPATH: sends one datagram with a bad magic to a
 * container socket and checks that the router drops the connection (recv
 * returns 0 or ECONNRESET within 5 s).  Prints "disconnected" and exits 0
 * if so, else explains and exits 1.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <freeflow/ff_abi.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ff_hdr garbage = {
		.magic = 0xdeadbeef,
		.version = FF_ABI_VERSION,
		.op = FF_OP_OPEN,
		.seq = 1,
	};
	struct pollfd pfd;
	char buf[FF_MSG_MAX];
	ssize_t n;
	int fd, r;

	if (argc != 2 || strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: %s SOCKETPATH\n", argv[0]);
		return 1;
	}
	strcpy(sun.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		fprintf(stderr, "connect %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (send(fd, &garbage, sizeof(garbage), MSG_NOSIGNAL) < 0) {
		fprintf(stderr, "send: %s\n", strerror(errno));
		return 1;
	}

	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	do {
		r = poll(&pfd, 1, 5000);
	} while (r < 0 && errno == EINTR);
	if (r == 0) {
		fprintf(stderr, "still connected after 5 s\n");
		return 1;
	}
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno == ECONNRESET)) {
		printf("disconnected\n");
		return 0;
	}
	if (n > 0)
		fprintf(stderr, "router answered garbage (%zd bytes)\n", n);
	else
		fprintf(stderr, "recv: %s\n", strerror(errno));
	return 1;
}
