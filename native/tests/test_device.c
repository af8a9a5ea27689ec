// SPDX-License-Identifier: Apache-2.0
/*
 * Unit tests of device.c without a router: discovery needs FREEFLOW_SOCKET
 * (no default), and ibv_open_device takes the fds of the OPEN reply only
 * as ABI v8 makes them (the router page, the writing end of the doorbell
 * pipe, the reading end of the async pipe), else fails with EPROTO and
 * closes them all.  A thread listening on a socket in a temporary
 * directory plays the router.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "fake_router.h"
#include "ffl.h"
#include "test_util.h"

enum open_mode {
	OPEN_OK,
	OPEN_EVENTFD_BELL,	/* ABI v7 */
	OPEN_EVENTFD_ASYNC,
	OPEN_BELL_READ_END,	/* the wrong ends */
	OPEN_ASYNC_WRITE_END,
	OPEN_ASYNC_SOCKET,
	OPEN_TWO_FDS,
};

static volatile enum open_mode mode;
static int listener;
static char sock_path[108];
/* the router's ends of the last OK open's pipes */
static int bell_r = -1, async_w = -1;

static int router_page_fd(void)
{
	int fd = memfd_create("router", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, FF_ROUTER_SHM_SIZE))
		exit(2);
	return fd;
}

static void answer_open(int sock, const struct fr_request *rq)
{
	struct ff_device_info info = { .name = "ffdev0", .max_cqe = 64,
				       .lid = 7, .gid_tbl_len = 1,
				       .pkey_tbl_len = 1 };
	int bell[2], async[2], sv[2], fds[3], n = 3, i;

	fr_pipe(bell, true);
	fr_pipe(async, false);
	fds[0] = router_page_fd();
	fds[1] = bell[1];
	fds[2] = async[0];
	switch (mode) {
	case OPEN_EVENTFD_BELL:
		fds[1] = eventfd(0, EFD_CLOEXEC);
		break;
	case OPEN_EVENTFD_ASYNC:
		fds[2] = eventfd(0, EFD_CLOEXEC | EFD_SEMAPHORE);
		break;
	case OPEN_BELL_READ_END:
		fds[1] = bell[0];
		break;
	case OPEN_ASYNC_WRITE_END:
		fds[2] = async[1];
		break;
	case OPEN_ASYNC_SOCKET:
		socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
		fds[2] = sv[0];
		close(sv[1]);
		break;
	case OPEN_TWO_FDS:
		n = 2;
		break;
	default:
		break;
	}
	if (mode == OPEN_OK) {
		/* keep the router's ends of the last open to look at (set
		 * before the reply: the test looks once it has it) */
		if (bell_r >= 0)
			close(bell_r);
		if (async_w >= 0)
			close(async_w);
		bell_r = bell[0];
		async_w = async[1];
	}
	fr_reply(sock, rq, 0, &info, sizeof(info), fds, n);
	close(fds[0]);
	if (mode == OPEN_OK) {
		close(bell[1]);
		close(async[0]);
		return;
	}
	for (i = 0; i < 2; i++) {
		close(bell[i]);
		close(async[i]);
	}
	if (mode == OPEN_EVENTFD_BELL)
		close(fds[1]);
	if (mode == OPEN_EVENTFD_ASYNC || mode == OPEN_ASYNC_SOCKET)
		close(fds[2]);
}

/* one connection at a time: OPEN, then whatever comes (refused) */
static void *fake_router(void *arg)
{
	struct fr_request rq;
	int sock, i;

	(void)arg;
	while ((sock = accept4(listener, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		while (fr_recv(sock, &rq)) {
			if (rq.hdr.op == FF_OP_OPEN)
				answer_open(sock, &rq);
			else
				fr_reply(sock, &rq, EINVAL, NULL, 0, NULL, 0);
			for (i = 0; i < rq.nfds; i++)
				close(rq.fds[i]);
		}
		close(sock);
	}
	return NULL;
}

static int open_fds(void)
{
	int fd, n = 0;

	for (fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

static bool readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

static void test_no_socket_no_device(void)
{
	struct ibv_device **list;
	int n = -1;

	unsetenv(FF_ENV_SOCKET);
	errno = 0;
	list = ibv_get_device_list(&n);
	CHECK(list && n == 0 && !list[0] && errno == ENOENT,
	      "no_freeflow_socket_no_device", "list %p, %d devices, errno %d",
	      (void *)list, n, errno);
	ibv_free_device_list(list);
	setenv(FF_ENV_SOCKET, "", 1);
	list = ibv_get_device_list(&n);
	CHECK(list && n == 0, "empty_freeflow_socket_no_device",
	      "%d devices", n);
	ibv_free_device_list(list);
}

static struct ibv_device *device(void)
{
	static struct ibv_device *dev;
	struct ibv_device **list;
	int n = 0;

	if (dev)
		return dev;
	setenv(FF_ENV_SOCKET, sock_path, 1);
	mode = OPEN_OK;
	list = ibv_get_device_list(&n);
	if (CHECK(list && n == 1 && !strcmp(list[0]->name, "ffdev0"),
		  "device_listed", "%d devices (%s)", n, strerror(errno)))
		dev = list[0];
	ibv_free_device_list(list);
	return dev;
}

static bool pipe_end(int fd, int accmode)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) &&
	       (fcntl(fd, F_GETFL) & O_ACCMODE) == accmode;
}

static void test_open_ok(void)
{
	struct ibv_device *dev = device();
	struct ffl_context *fctx;
	struct ibv_context *ctx;
	struct ibv_async_event ev;
	sigset_t pending;
	int fl, r;

	if (!dev)
		return;
	mode = OPEN_OK;
	ctx = ibv_open_device(dev);
	if (!CHECK(ctx, "open_device", "%s", strerror(errno)))
		return;
	fctx = to_fctx(ctx);
	fl = fcntl(fctx->bell.fd, F_GETFL);
	CHECK(pipe_end(fctx->bell.fd, O_WRONLY) && (fl & O_NONBLOCK),
	      "doorbell_write_end_made_nonblocking", "flags %#x", fl);
	fl = fcntl(ctx->async_fd, F_GETFL);
	CHECK(pipe_end(ctx->async_fd, O_RDONLY) && !(fl & O_NONBLOCK) &&
		      !readable(ctx->async_fd),
	      "async_fd_read_end_left_blocking", "flags %#x", fl);

	ffl_bell_write(fctx->bell.fd);
	CHECK(fr_drain(bell_r) == 1, "ring_reaches_router", "no byte");

	/* the router goes: end of file on async_fd, EPIPE on the doorbell */
	close(async_w);
	async_w = -1;
	r = ibv_get_async_event(ctx, &ev);
	CHECK(r == -1 && errno == ECONNRESET, "async_eof_econnreset",
	      "r %d errno %d", r, errno);
	close(bell_r);
	bell_r = -1;
	errno = 0;
	ffl_bell_write(fctx->bell.fd);
	sigpending(&pending);
	CHECK(errno == 0 && !sigismember(&pending, SIGPIPE),
	      "ring_without_router_no_sigpipe", "errno %d", errno);
	CHECK(ibv_close_device(ctx) == 0, "close_device", "failed");
}

static void test_open_refused(void)
{
	static const struct {
		enum open_mode mode;
		const char *name;
	} bad[] = {
		{ OPEN_EVENTFD_BELL, "eventfd_doorbell_eproto" },
		{ OPEN_EVENTFD_ASYNC, "eventfd_async_eproto" },
		{ OPEN_BELL_READ_END, "doorbell_read_end_eproto" },
		{ OPEN_ASYNC_WRITE_END, "async_write_end_eproto" },
		{ OPEN_ASYNC_SOCKET, "async_socket_eproto" },
		{ OPEN_TWO_FDS, "two_fds_eproto" },
	};
	struct ibv_device *dev = device();
	struct ibv_context *ctx;
	int i, fds, err, now;

	if (!dev)
		return;
	for (i = 0; i < (int)(sizeof(bad) / sizeof(bad[0])); i++) {
		mode = bad[i].mode;
		usleep(20000);	/* the router is done with the last one */
		fds = open_fds();
		errno = 0;
		ctx = ibv_open_device(dev);
		err = errno;
		usleep(20000);	/* the router closes its copies */
		now = open_fds();
		CHECK(!ctx && err == EPROTO && now == fds, bad[i].name,
		      "context %p, errno %d, fds %d -> %d", (void *)ctx, err,
		      fds, now);
	}
	mode = OPEN_OK;
}

int main(void)
{
	char dir[] = "/tmp/ffl-test-device-XXXXXX";
	pthread_t t;

	listener = fr_listen(dir, "c.sock", sock_path, sizeof(sock_path));
	if (listener < 0)
		return 2;
	pthread_create(&t, NULL, fake_router, NULL);

	test_no_socket_no_device();
	test_open_ok();
	test_open_refused();

	unlink(sock_path);
	rmdir(dir);
	return t_summary();
}
