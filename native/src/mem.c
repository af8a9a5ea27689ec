// SPDX-License-Identifier: Apache-2.0
/*
 * Zero-copy memory registration.
 *
 * One memfd per process, FF_MEMFD_SIZE bytes, sparse and sealed against
 * resizing, backs every registered page at file offset == virtual address.
 * Registering copies the covering pages into the memfd and maps the memfd
 * over them (MAP_FIXED | MAP_SHARED); the router maps the same pages from
 * the same memfd.  Page reference counts (pagemap.c) make overlapping
 * registrations share one backing.  When the last registration covering a
 * page goes, the page is copied back into private anonymous memory at the
 * same address and its hole is punched out of the memfd.
 *
 * fork(): a child gets private copies of the registered pages (atfork
 * handler), so RDMA traffic of the parent never shows through; after
 * ibv_fork_init() they are MADV_DONTFORK instead, like the real library.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ffl.h"
#include "pagemap.h"

#define MEMFD_SEALS	(F_SEAL_SHRINK | F_SEAL_GROW)
#define MAX_SPLITS	64	/* mappings handled per released range */

static struct {
	pthread_mutex_t lock;
	int fd;			/* -1 until the first registration */
	dev_t dev;
	ino_t ino;
	bool fork_init;
	struct ffl_pagemap map;
} mem = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.fd = -1,
};

static size_t page_size(void)
{
	static size_t ps;

	if (!ps)
		ps = (size_t)sysconf(_SC_PAGESIZE);
	return ps;
}

static int memfd_open(void)
{
	struct stat st;
	int fd, err;

	if (mem.fd >= 0)
		return 0;
	fd = memfd_create("freeflow-mr", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return errno;
	if (ftruncate(fd, (off_t)FF_MEMFD_SIZE) ||
	    fcntl(fd, F_ADD_SEALS, MEMFD_SEALS) || fstat(fd, &st)) {
		err = errno;
		close(fd);
		return err;
	}
	mem.fd = fd;
	mem.dev = st.st_dev;
	mem.ino = st.st_ino;
	return 0;
}

/* ---- /proc/self/maps ------------------------------------------------ */

struct vma {
	uintptr_t start;
	uintptr_t end;
	uint64_t offset;
	unsigned long ino;
	unsigned int maj;
	unsigned int min;
	char perms[5];
};

/* Parse one maps line; returns false if it is not one. */
static bool parse_vma(const char *s, struct vma *v)
{
	char *p;

	v->start = strtoul(s, &p, 16);
	if (*p++ != '-')
		return false;
	v->end = strtoul(p, &p, 16);
	if (*p++ != ' ' || strlen(p) < 5)
		return false;
	memcpy(v->perms, p, 4);
	v->perms[4] = 0;
	p += 4;
	v->offset = strtoull(p, &p, 16);
	v->maj = strtoul(p, &p, 16);
	if (*p++ != ':')
		return false;
	v->min = strtoul(p, &p, 16);
	v->ino = strtoul(p, &p, 10);
	return true;
}

typedef int (*vma_fn)(const struct vma *v, void *arg);

/*
 * Call @fn for every mapping overlapping [start, end), in address order,
 * until it returns non-zero.  Uses read(2) only (safe in an atfork child).
 */
static int maps_walk(uintptr_t start, uintptr_t end, vma_fn fn, void *arg)
{
	char buf[4096 + 512];
	size_t have = 0;
	int fd, ret = 0;

	fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	for (;;) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - 1 - have);
		char *line, *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
		buf[have] = 0;
		line = buf;
		while ((nl = strchr(line, '\n'))) {
			struct vma v;

			*nl = 0;
			if (parse_vma(line, &v) && v.end > start &&
			    v.start < end) {
				ret = fn(&v, arg);
				if (ret)
					goto out;
			}
			line = nl + 1;
		}
		have -= (size_t)(line - buf);
		memmove(buf, line, have);
		if (have == sizeof(buf) - 1)
			have = 0;	/* absurd line: drop it */
	}
out:
	close(fd);
	return ret < 0 ? 0 : ret;
}

static bool vma_is_ours(const struct vma *v)
{
	return mem.fd >= 0 && v->perms[3] == 's' && v->ino == mem.ino &&
	       makedev(v->maj, v->min) == mem.dev && v->offset == v->start;
}

struct check {
	uintptr_t cur;
	uintptr_t end;
};

/* Registrable: mapped without holes, readable and private. */
static int check_vma(const struct vma *v, void *arg)
{
	struct check *c = arg;

	if (v->start > c->cur)
		return EFAULT;
	if (v->perms[0] != 'r')
		return EFAULT;
	if (v->perms[3] != 'p')
		return EINVAL;	/* a shared mapping cannot be re-backed */
	c->cur = v->end;
	return c->cur >= c->end ? -1 : 0;
}

struct ours {
	size_t n;
	uintptr_t s[MAX_SPLITS];
	uintptr_t e[MAX_SPLITS];
	uintptr_t lo;
	uintptr_t hi;
};

static int collect_ours(const struct vma *v, void *arg)
{
	struct ours *o = arg;

	if (!vma_is_ours(v))
		return 0;
	if (o->n == MAX_SPLITS)
		return -1;
	o->s[o->n] = v->start > o->lo ? v->start : o->lo;
	o->e[o->n] = v->end < o->hi ? v->end : o->hi;
	o->n++;
	return 0;
}

/* ---- copying -------------------------------------------------------- */

static bool page_is_zero(const void *p)
{
	const uint64_t *w = p;
	size_t i, n = page_size() / sizeof(*w);

	for (i = 0; i < n; i++)
		if (w[i])
			return false;
	return true;
}

static int pwrite_all(int fd, const char *buf, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, buf, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		buf += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* Copy the non-zero pages of [start, end) into the memfd at offset == VA. */
static int copy_in(uintptr_t start, uintptr_t end)
{
	size_t ps = page_size();
	uintptr_t run = 0, p;
	int err;

	for (p = start; p <= end; p += ps) {
		bool data = p < end && !page_is_zero((void *)p);

		if (data && !run)
			run = p;
		if (!data && run) {
			err = pwrite_all(mem.fd, (const char *)run, p - run,
					 run);
			if (err)
				return err;
			run = 0;
		}
	}
	return 0;
}

/*
 * Copy what the memfd holds for [start, end) (its data extents only; holes
 * read as zero) into @dst, the private copy of that range.
 */
static void copy_out(uintptr_t start, uintptr_t end, char *dst)
{
	off_t pos = (off_t)start, data, hole;

	while (pos < (off_t)end) {
		data = lseek(mem.fd, pos, SEEK_DATA);
		if (data < 0 || data >= (off_t)end)
			return;
		hole = lseek(mem.fd, data, SEEK_HOLE);
		if (hole < 0 || hole > (off_t)end)
			hole = (off_t)end;
		memcpy(dst + (data - (off_t)start), (void *)(uintptr_t)data,
		       (size_t)(hole - data));
		pos = hole;
	}
}

/* Replace our shared mapping of [start, end) by a private copy. */
static int privatise(uintptr_t start, uintptr_t end)
{
	size_t len = end - start;
	void *tmp;
	int err;

	tmp = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (tmp == MAP_FAILED)
		return errno;
	copy_out(start, end, tmp);
	if (mremap(tmp, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
		   (void *)start) == MAP_FAILED) {
		err = errno;
		munmap(tmp, len);
		return err;
	}
	return 0;
}

/* Privatise every part of [start, end) that is still our mapping. */
static int privatise_ours(uintptr_t start, uintptr_t end)
{
	struct ours o = { .lo = start, .hi = end };
	int err = 0, e;
	size_t i;

	maps_walk(start, end, collect_ours, &o);
	for (i = 0; i < o.n; i++) {
		e = privatise(o.s[i], o.e[i]);
		err = err ? err : e;
	}
	return err;
}

/* ---- page map callbacks -------------------------------------------- */

static int back(uintptr_t start, uintptr_t end, void *arg)
{
	struct check c = { .cur = start, .end = end };
	int err;

	(void)arg;
	err = maps_walk(start, end, check_vma, &c);
	if (!err && c.cur < end)
		err = EFAULT;
	if (err)
		return err;

	err = copy_in(start, end);
	if (err)
		goto punch;
	/*
	 * MAP_POPULATE: the page tables are filled now, as an HCA pins and maps
	 * at registration; otherwise the application's first touch of every
	 * page after ibv_reg_mr faults (and allocates the zero pages left out
	 * of the copy), inside its first work requests.
	 */
	if (mmap((void *)start, end - start, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED | MAP_POPULATE, mem.fd,
		 (off_t)start) == MAP_FAILED) {
		err = errno;
		goto punch;
	}
	if (mem.fork_init)
		madvise((void *)start, end - start, MADV_DONTFORK);
	return 0;

punch:
	fallocate(mem.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		  (off_t)start, (off_t)(end - start));
	return err;
}

static int unback(uintptr_t start, uintptr_t end, void *arg)
{
	int err;

	(void)arg;
	err = privatise_ours(start, end);
	fallocate(mem.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		  (off_t)start, (off_t)(end - start));
	return err;
}

static int dontfork(uintptr_t start, uintptr_t end, void *arg)
{
	(void)arg;
	madvise((void *)start, end - start, MADV_DONTFORK);
	return 0;
}

/* ---- interface ------------------------------------------------------ */

int ffl_mem_reg(uintptr_t start, uintptr_t end, int *memfd)
{
	int err;

	if (start % page_size() || end % page_size() || end < start ||
	    end > FF_MEMFD_SIZE)
		return EINVAL;

	pthread_mutex_lock(&mem.lock);
	err = memfd_open();
	if (!err)
		err = ffl_pagemap_get(&mem.map, start, end, back, unback,
				      NULL);
	*memfd = mem.fd;
	pthread_mutex_unlock(&mem.lock);
	return err;
}

int ffl_mem_dereg(uintptr_t start, uintptr_t end)
{
	int err;

	pthread_mutex_lock(&mem.lock);
	err = ffl_pagemap_put(&mem.map, start, end, unback, NULL);
	pthread_mutex_unlock(&mem.lock);
	return err;
}

bool ffl_mem_fork_initialized(void)
{
	return mem.fork_init;
}

/*
 * fork() without ibv_fork_init(): the child must see registered pages as
 * they were at fork time, while the router goes on writing the parent's.
 * So the snapshot is taken before fork (prepare, in the parent): a private
 * anonymous copy of every still-mapped registered range.  The child moves
 * its inherited copies over the ranges (mremap); the parent drops its own.
 */
struct snap {
	uintptr_t start;
	uintptr_t end;
	void *copy;	/* NULL: snapshot failed, the child copies itself */
};

static struct {
	struct snap *v;
	size_t n;
	size_t cap;
} snaps;

static void snap_add(uintptr_t start, uintptr_t end)
{
	size_t len = end - start;
	struct snap *v;
	void *copy;

	if (snaps.n == snaps.cap) {
		size_t cap = snaps.cap ? 2 * snaps.cap : 16;

		v = realloc(snaps.v, cap * sizeof(*v));
		if (!v)
			return;	/* the child then copies it itself */
		snaps.v = v;
		snaps.cap = cap;
	}
	copy = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (copy == MAP_FAILED)
		copy = NULL;
	else
		copy_out(start, end, copy);
	snaps.v[snaps.n++] = (struct snap){ start, end, copy };
}

static int snap_range(uintptr_t start, uintptr_t end, void *arg)
{
	struct ours o = { .lo = start, .hi = end };
	size_t i;

	(void)arg;
	maps_walk(start, end, collect_ours, &o);
	for (i = 0; i < o.n; i++)
		snap_add(o.s[i], o.e[i]);
	return 0;
}

static void atfork_prepare(void)
{
	pthread_mutex_lock(&mem.lock);
	snaps.n = 0;
	if (mem.fd >= 0 && !mem.fork_init)
		ffl_pagemap_for_each(&mem.map, snap_range, NULL);
}

static void atfork_parent(void)
{
	size_t i;

	for (i = 0; i < snaps.n; i++)
		if (snaps.v[i].copy)
			munmap(snaps.v[i].copy,
			       snaps.v[i].end - snaps.v[i].start);
	snaps.n = 0;
	pthread_mutex_unlock(&mem.lock);
}

static int privatise_range(uintptr_t start, uintptr_t end, void *arg)
{
	(void)arg;
	privatise_ours(start, end);
	return 0;
}

/*
 * The child shares the memfd with the parent: install the snapshots (or,
 * where none could be taken, copy now), then forget the registrations and
 * use a fresh memfd for its own, which would otherwise land on the
 * parent's pages at the same offsets.  After ibv_fork_init() the pages are
 * not in the child at all.
 */
static void atfork_child(void)
{
	size_t i;

	if (mem.fd >= 0 && !mem.fork_init) {
		for (i = 0; i < snaps.n; i++) {
			struct snap *sn = &snaps.v[i];
			size_t len = sn->end - sn->start;

			if (sn->copy &&
			    mremap(sn->copy, len, len,
				   MREMAP_MAYMOVE | MREMAP_FIXED,
				   (void *)sn->start) != MAP_FAILED)
				continue;
			if (sn->copy)
				munmap(sn->copy, len);
			privatise(sn->start, sn->end);
		}
		/* ranges no snapshot covered (out of memory in prepare) */
		ffl_pagemap_for_each(&mem.map, privatise_range, NULL);
	}
	snaps.n = 0;
	if (mem.fd >= 0) {
		ffl_pagemap_clear(&mem.map);
		close(mem.fd);
		mem.fd = -1;
	}
	pthread_mutex_unlock(&mem.lock);
}

static void fork_init_locked(void)
{
	if (mem.fork_init)
		return;
	mem.fork_init = true;
	ffl_pagemap_for_each(&mem.map, dontfork, NULL);
}

__attribute__((constructor)) static void mem_init(void)
{
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
	if (getenv("RDMAV_FORK_SAFE") || getenv("IBV_FORK_SAFE"))
		fork_init_locked();
}

FF_EXPORT int ibv_fork_init(void)
{
	pthread_mutex_lock(&mem.lock);
	fork_init_locked();
	pthread_mutex_unlock(&mem.lock);
	return 0;
}

FF_EXPORT enum ibv_fork_status ibv_is_fork_initialized(void)
{
	return mem.fork_init ? IBV_FORK_ENABLED : IBV_FORK_DISABLED;
}

static int fork_advise(void *base, size_t size, int advice)
{
	uintptr_t ps = page_size(), s, e;

	if (!mem.fork_init || !size)
		return 0;
	s = (uintptr_t)base & ~(ps - 1);
	e = ((uintptr_t)base + size + ps - 1) & ~(ps - 1);
	return madvise((void *)s, e - s, advice) ? errno : 0;
}

FF_EXPORT int ibv_dontfork_range(void *base, size_t size)
{
	return fork_advise(base, size, MADV_DONTFORK);
}

FF_EXPORT int ibv_dofork_range(void *base, size_t size)
{
	return fork_advise(base, size, MADV_DOFORK);
}
