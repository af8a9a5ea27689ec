// SPDX-License-Identifier: Apache-2.0
/*
 * The router's notification pipes (ff_abi.h, "File descriptors"): the
 * context's async pipe and every completion channel are the reading end
 * of a pipe that the router writes one byte per notification into.  The
 * app owns the fd as much as we do: it may poll it, make it non-blocking
 * or not, and the FFL must never change its file status flags (they live
 * in the open file description the app sees).
 *
 * Two kinds of reads happen here:
 *
 *  - the read a waiting verb (ibv_get_async_event, ibv_get_cq_event) makes
 *    when it has nothing to return: an ordinary read() of one byte, which
 *    blocks or fails with EAGAIN as the app's flags say, and which a signal
 *    ends (EINTR) or not (SA_RESTART) exactly as with rdma-core;
 *
 *  - a byte the FFL owes the pipe: one of an event that a destroy dropped,
 *    or the byte of a CQ whose notification was taken by looking at its
 *    flag.  It must be taken without ever blocking, whatever the flags.
 *
 * For the second kind there is no flag-free non-blocking read of a pipe
 * that works everywhere: preadv2(RWF_NOWAIT) is refused on pipes by older
 * kernels, recv(MSG_DONTWAIT) is for sockets, reopening /proc/self/fd/N
 * with O_NONBLOCK fails when the router runs as another user (the pipe's
 * inode is the router's, mode 0600), and toggling O_NONBLOCK would change
 * the app's description under its feet (and make another thread's
 * blocking read fail with EAGAIN).  So: poll() with a zero timeout, then
 * read() one byte, under the object's lock, and only while no thread of
 * the FFL sits in a read of the first kind (ffl_pipe_in.readers).  Nothing
 * else in the FFL reads the fd, so a byte poll() saw is still there for
 * the read().  (Only the app reading the fd itself, which no verbs program
 * does, could take it in between; then that read blocks the app's own
 * thread until the router's next byte, and nobody else.)  When a byte is
 * not there yet, or a blocking reader is about, the debt is remembered
 * (ffl_pipe_in.owed) and paid by a later settle or by that reader.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ffl.h"

int ffl_pipe_check(int fd, int accmode)
{
	struct stat st;
	int fl;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode))
		return EPROTO;
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || (fl & O_ACCMODE) != accmode)
		return EPROTO;
	return 0;
}

void ffl_pipe_in_init(struct ffl_pipe_in *p, int fd)
{
	p->fd = fd;
	p->owed = 0;
	p->readers = 0;
}

/* One byte if there is one now; never blocks (see above).  Under the lock. */
static bool take_nowait(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char byte;
	ssize_t n;
	int r;

	do {
		r = poll(&pfd, 1, 0);
	} while (r < 0 && errno == EINTR);
	if (r != 1 || !(pfd.revents & POLLIN))
		return false;	/* empty, or only POLLHUP/POLLNVAL */
	do {
		n = read(fd, &byte, 1);
	} while (n < 0 && errno == EINTR);
	return n == 1;
}

void ffl_pipe_settle(struct ffl_pipe_in *p)
{
	int saved = errno;

	while (p->owed > 0 && !p->readers && take_nowait(p->fd))
		p->owed--;
	errno = saved;
}

void ffl_pipe_owe(struct ffl_pipe_in *p, int bytes)
{
	p->owed += bytes;
	ffl_pipe_settle(p);
}

int ffl_pipe_wait(struct ffl_pipe_in *p, pthread_mutex_t *lock)
{
	char byte;
	ssize_t n;
	int err;

	p->readers++;
	pthread_mutex_unlock(lock);
	n = read(p->fd, &byte, 1);
	err = errno;
	pthread_mutex_lock(lock);
	p->readers--;
	if (n == 1)
		return 0;
	/* end of file: the router closed its end, it is gone */
	errno = n == 0 ? ECONNRESET : err;
	return -1;
}
