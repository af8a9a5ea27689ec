// SPDX-License-Identifier: Apache-2.0
/*
 * SOCK_SEQPACKET request/reply helpers (see ff_msg.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ff_msg.h"

int ff_msg_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, err;

	if (!path || !*path || strlen(path) >= sizeof(sun.sun_path))
		return -EINVAL;
	strcpy(sun.sun_path, path);

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	while (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		if (errno == EINTR)
			continue;
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

static int msg_send(int sock, const struct ff_hdr *hdr, const void *payload,
		    int fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} cbuf;
	struct iovec iov[2] = {
		{ .iov_base = (void *)hdr, .iov_len = sizeof(*hdr) },
		{ .iov_base = (void *)payload, .iov_len = hdr->len },
	};
	struct msghdr msg = {
		.msg_iov = iov,
		.msg_iovlen = hdr->len ? 2 : 1,
	};
	struct cmsghdr *cmsg;
	ssize_t n;

	if (fd >= 0) {
		memset(&cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof(cbuf.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}

	do {
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EPIPE ? ECONNRESET : errno;
	if ((size_t)n != sizeof(*hdr) + hdr->len)
		return EIO;
	return 0;
}

/*
 * Collects the fds of every SCM_RIGHTS message of @msg, in order, into
 * @fds (@nfds entries, -1 where none); closes those that do not fit.
 */
static void take_fds(struct msghdr *msg, int *fds, int nfds)
{
	struct cmsghdr *cmsg;
	size_t i, n;
	int fd, got = 0;

	for (i = 0; i < (size_t)nfds; i++)
		fds[i] = -1;
	for (cmsg = CMSG_FIRSTHDR(msg); cmsg; cmsg = CMSG_NXTHDR(msg, cmsg)) {
		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS ||
		    cmsg->cmsg_len < CMSG_LEN(0))
			continue;
		n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int),
			       sizeof(int));
			if (got < nfds)
				fds[got++] = fd;
			else
				close(fd);
		}
	}
}

static void close_all(int *fds, int nfds)
{
	int i;

	for (i = 0; i < nfds; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

static __thread char reason[FF_MSG_REASON_MAX];

/* A failed reply's payload, when there is one, is its reason as text. */
static void keep_reason(const char *text, uint32_t len)
{
	size_t n = len < sizeof(reason) ? len : sizeof(reason) - 1;

	memcpy(reason, text, n);
	reason[n] = 0;
}

const char *ff_msg_reason(void)
{
	return reason;
}

int ff_msg_call_fds(int sock, uint16_t op, uint32_t seq, const void *req,
		    uint32_t req_len, int fd_in, void *resp, uint32_t resp_len,
		    int *fds_out, int nfds_out)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(FF_MSG_MAX_FDS * sizeof(int))];
	} cbuf;
	union {
		struct ff_hdr hdr;
		char buf[FF_MSG_MAX];
	} in;
	struct ff_hdr out = {
		.magic = FF_ABI_MAGIC,
		.version = FF_ABI_VERSION,
		.op = op,
		.seq = seq,
		.len = req_len,
	};
	struct iovec iov = { .iov_base = in.buf, .iov_len = sizeof(in.buf) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf.buf,
		.msg_controllen = sizeof(cbuf.buf),
	};
	int fds[FF_MSG_MAX_FDS];
	ssize_t n;
	int err, i;

	for (i = 0; i < nfds_out; i++)
		fds_out[i] = -1;
	reason[0] = 0;
	if (sizeof(out) + req_len > FF_MSG_MAX || nfds_out < 0 ||
	    nfds_out > FF_MSG_MAX_FDS)
		return EINVAL;

	err = msg_send(sock, &out, req, fd_in);
	if (err)
		return err;

	do {
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno;
	if (n == 0)
		return ECONNRESET;

	/* keep what the caller asked for, close anything else */
	take_fds(&msg, fds, FF_MSG_MAX_FDS);
	close_all(fds + nfds_out, FF_MSG_MAX_FDS - nfds_out);

	err = EIO;
	if ((msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
	    (size_t)n < sizeof(in.hdr) || in.hdr.magic != FF_ABI_MAGIC ||
	    in.hdr.version != FF_ABI_VERSION || in.hdr.op != op ||
	    in.hdr.seq != seq || in.hdr.len != (size_t)n - sizeof(in.hdr))
		goto err_fds;
	if (in.hdr.status) {
		err = in.hdr.status > 0 ? in.hdr.status : EIO;
		keep_reason(in.buf + sizeof(in.hdr), in.hdr.len);
		goto err_fds;
	}
	if (in.hdr.len < resp_len)
		goto err_fds;
	if (resp_len)
		memcpy(resp, in.buf + sizeof(in.hdr), resp_len);
	for (i = 0; i < nfds_out; i++)
		fds_out[i] = fds[i];
	return 0;

err_fds:
	close_all(fds, nfds_out);
	return err;
}

int ff_msg_call(int sock, uint16_t op, uint32_t seq, const void *req,
		uint32_t req_len, int fd_in, void *resp, uint32_t resp_len,
		int *fd_out)
{
	return ff_msg_call_fds(sock, op, seq, req, req_len, fd_in, resp,
			       resp_len, fd_out, fd_out ? 1 : 0);
}
