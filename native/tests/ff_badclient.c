// SPDX-License-Identifier: Apache-2.0
/*
 * ff_badclient SOCKETPATH: sends one datagram with a bad magic to a
 * container socket and checks that the router drops the connection (recv
 * returns 0 or ECONNRESET within 5 s).  Prints "disconnected" and exits 0
 * if so, else explains and exits 1.
 *
 * ff_badclient --fd SOCKETPATH: sends FF_OP_OPEN with an fd riding along,
 * which OPEN does not take (ff_abi.h, "File descriptors"): the router must
 * refuse it with EINVAL and send no fd back, and the connection must then
 * serve a proper OPEN (three fds).  Prints "refused" and exits 0 if so.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <freeflow/ff_abi.h>

/* Sends @op with @len bytes of @body and, when @fd >= 0, that fd. */
static int send_req(int sock, uint16_t op, uint32_t seq, const void *body,
		    uint32_t len, int fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	struct ff_hdr hdr = { .magic = FF_ABI_MAGIC,
			      .version = FF_ABI_VERSION, .op = op,
			      .seq = seq, .len = len };
	struct iovec iov[2] = { { &hdr, sizeof(hdr) },
				{ (void *)body, len } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };
	struct cmsghdr *c;

	if (fd >= 0) {
		memset(&cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof(cbuf.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/* The reply's status (-1: none within 5 s); its fds are counted, closed. */
static int recv_reply(int sock, uint32_t seq, int *nfds)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(8 * sizeof(int))];
	} cbuf;
	char buf[FF_MSG_MAX];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf.buf,
			      .msg_controllen = sizeof(cbuf.buf) };
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	struct cmsghdr *c;
	struct ff_hdr hdr;
	ssize_t n;
	int fd;

	*nfds = 0;
	if (poll(&pfd, 1, 5000) != 1)
		return -1;
	n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	if (n < (ssize_t)sizeof(hdr))
		return -1;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		size_t i, k;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < k; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			close(fd);
			++*nfds;
		}
	}
	memcpy(&hdr, buf, sizeof(hdr));
	if (hdr.magic != FF_ABI_MAGIC || hdr.seq != seq)
		return -1;
	return hdr.status;
}

static int stray_fd(int sock)
{
	struct ff_open_req req = { .pid = (uint32_t)getpid(),
				   .comm = "ff_badclient" };
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC), st, nfds;

	if (fd < 0 || send_req(sock, FF_OP_OPEN, 1, &req, sizeof(req), fd)) {
		fprintf(stderr, "send: %s\n", strerror(errno));
		return 1;
	}
	close(fd);
	st = recv_reply(sock, 1, &nfds);
	if (st != EINVAL || nfds) {
		fprintf(stderr, "OPEN with a stray fd: status %d (want %d), "
				"%d fds back\n", st, EINVAL, nfds);
		return 1;
	}
	if (send_req(sock, FF_OP_OPEN, 2, &req, sizeof(req), -1)) {
		fprintf(stderr, "send: %s\n", strerror(errno));
		return 1;
	}
	st = recv_reply(sock, 2, &nfds);
	if (st != 0 || nfds != 3) {
		fprintf(stderr, "OPEN after the refusal: status %d, %d fds "
				"(want 0, 3)\n", st, nfds);
		return 1;
	}
	printf("refused\n");
	return 0;
}

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
	bool fd_mode = argc == 3 && !strcmp(argv[1], "--fd");
	const char *path = argv[argc - 1];
	int fd, r;

	if ((argc != 2 && !fd_mode) || strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: %s [--fd] SOCKETPATH\n", argv[0]);
		return 1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		fprintf(stderr, "connect %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (fd_mode)
		return stray_fd(fd);
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
