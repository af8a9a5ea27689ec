// SPDX-License-Identifier: Apache-2.0
/*
 * Unit tests of zero-copy registration (src/mem.c) without a router: this
 * test maps the process memfd a second time, as the router does, and checks
 * that writes through it land in the application's buffer exactly while
 * the pages are registered, that data survives register/deregister, and
 * what a fork()ed child sees.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ffl.h"
#include "test_util.h"

static size_t ps;

/* the router's view of [addr, addr + len) */
static char *router_map(int memfd, void *addr, size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, memfd,
		       (off_t)(uintptr_t)addr);

	return p == MAP_FAILED ? NULL : p;
}

static bool mapped_from_memfd(void *addr)
{
	char line[512], want[32];
	bool found = false;
	FILE *f = fopen("/proc/self/maps", "r");

	snprintf(want, sizeof(want), "%lx-", (unsigned long)(uintptr_t)addr);
	while (f && fgets(line, sizeof(line), f)) {
		uintptr_t s = strtoul(line, NULL, 16);
		uintptr_t e = strtoul(strchr(line, '-') + 1, NULL, 16);

		if ((uintptr_t)addr >= s && (uintptr_t)addr < e)
			found = strstr(line, "freeflow-mr") != NULL;
	}
	if (f)
		fclose(f);
	return found;
}

/* every page of [addr, addr + len) has a page-table entry (pagemap bit 63) */
static bool all_present(void *addr, size_t len)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	bool all = fd >= 0;
	uintptr_t p = (uintptr_t)addr & ~(ps - 1);

	for (; all && p < (uintptr_t)addr + len; p += ps) {
		uint64_t entry = 0;

		all = pread(fd, &entry, sizeof(entry), (off_t)(p / ps * 8)) ==
			      sizeof(entry) &&
		      (entry >> 63);
	}
	if (fd >= 0)
		close(fd);
	return all;
}

static int reg(void *addr, size_t len, int *fd)
{
	uintptr_t s = (uintptr_t)addr & ~(ps - 1);
	uintptr_t e = ((uintptr_t)addr + len + ps - 1) & ~(ps - 1);

	return ffl_mem_reg(s, e, fd);
}

static int dereg(void *addr, size_t len)
{
	uintptr_t s = (uintptr_t)addr & ~(ps - 1);
	uintptr_t e = ((uintptr_t)addr + len + ps - 1) & ~(ps - 1);

	return ffl_mem_dereg(s, e);
}

static void test_register_roundtrip(void)
{
	size_t len = 4 * ps;
	char *buf = aligned_alloc(ps, len), *view;
	int fd = -1, err;

	for (size_t i = 0; i < len; i++)
		buf[i] = (char)(i * 7);
	buf[2 * ps] = 0;	/* a zero page stays a hole */
	memset(buf + 2 * ps, 0, ps);

	err = reg(buf, len, &fd);
	CHECK(!err && fd >= 0, "reg_ok", "err %d fd %d", err, fd);
	CHECK(mapped_from_memfd(buf) && mapped_from_memfd(buf + len - 1),
	      "reg_maps_memfd", "buffer not backed by the memfd");
	/* before any access: registration filled the page tables, hole too */
	CHECK(all_present(buf, len), "reg_populates_every_page",
	      "a page of the region would fault on first touch");
	CHECK(buf[1] == 7 && buf[ps + 3] == (char)((ps + 3) * 7) &&
		      buf[2 * ps + 5] == 0,
	      "reg_keeps_contents", "contents changed by registration");

	view = router_map(fd, buf, len);
	CHECK(view && view[1] == 7, "router_sees_app_data",
	      "router view differs");
	if (view) {
		view[100] = 'R';
		buf[200] = 'A';
		CHECK(buf[100] == 'R' && view[200] == 'A',
		      "router_writes_land_in_app", "not shared");
	}

	err = dereg(buf, len);
	CHECK(!err && !mapped_from_memfd(buf), "dereg_restores_private",
	      "err %d, still memfd", err);
	CHECK(buf[100] == 'R' && buf[200] == 'A' && buf[1] == 7,
	      "dereg_keeps_contents", "contents lost on deregistration");
	if (view) {
		view[300] = 'X';
		CHECK(buf[300] != 'X', "dereg_detaches_router",
		      "router still writes into the app after dereg");
		munmap(view, len);
	}
	free(buf);
}

static void test_overlap(void)
{
	size_t len = 3 * ps;
	char *buf = aligned_alloc(ps, 4 * ps), *view;
	int fd, err;

	memset(buf, 'o', 4 * ps);
	reg(buf, len, &fd);			/* pages 0-2 */
	reg(buf + ps + 10, 2 * ps, &fd);	/* pages 1-3 */
	view = router_map(fd, buf, 4 * ps);
	dereg(buf, len);			/* page 3 and 1-2 stay */
	CHECK(!mapped_from_memfd(buf) && mapped_from_memfd(buf + ps) &&
		      mapped_from_memfd(buf + 3 * ps),
	      "overlap_shares_pages", "wrong pages released");
	if (view) {
		view[ps + 1] = 'S';
		CHECK(buf[ps + 1] == 'S', "overlap_still_shared",
		      "surviving registration lost its backing");
	}
	err = dereg(buf + ps + 10, 2 * ps);
	CHECK(!err && !mapped_from_memfd(buf + ps) &&
		      !mapped_from_memfd(buf + 3 * ps) && buf[ps + 1] == 'S' &&
		      buf[3 * ps] == 'o',
	      "overlap_last_dereg", "err %d", err);
	CHECK(dereg(buf, ps) == EINVAL, "dereg_unregistered_einval",
	      "accepted");
	if (view)
		munmap(view, 4 * ps);
	free(buf);
}

static void test_bad_memory(void)
{
	char *shared = mmap(NULL, ps, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char *hole = mmap(NULL, 3 * ps, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd, err;

	err = reg(shared, ps, &fd);
	CHECK(err == EINVAL, "shared_mapping_einval", "err %d", err);
	munmap(hole + ps, ps);
	mprotect(hole, ps, PROT_READ | PROT_WRITE);
	err = reg(hole, 2 * ps, &fd);
	CHECK(err == EFAULT, "unmapped_efault", "err %d", err);
	err = reg(hole + 2 * ps, ps, &fd);
	CHECK(err == EFAULT, "prot_none_efault", "err %d", err);
	CHECK(!mapped_from_memfd(hole), "failed_reg_leaves_no_backing",
	      "memfd mapping left behind");
	munmap(shared, ps);
	munmap(hole, 3 * ps);
}

/* child: report what it sees at buf[0] after the parent's router wrote */
static void test_fork(bool fork_init)
{
	char *buf = aligned_alloc(ps, ps), *view;
	int fd, pipefd[2], go[2], status;
	char seen = 0;
	pid_t pid;

	memset(buf, 'p', ps);
	reg(buf, ps, &fd);
	view = router_map(fd, buf, ps);
	if (pipe(pipefd) || pipe(go) || !view)
		exit(2);
	pid = fork();
	if (pid == 0) {
		char c = 'N';	/* 'N': page absent (DONTFORK) */

		/* wait until the parent's "router" has written */
		if (read(go[0], &c, 1) != 1)
			_exit(3);
		c = fork_init ? 'N' : buf[0];
		if (write(pipefd[1], &c, 1) != 1)
			_exit(3);
		_exit(0);
	}
	view[0] = 'W';
	if (write(go[1], "g", 1) != 1)
		exit(2);
	if (read(pipefd[0], &seen, 1) != 1)
		seen = '?';
	waitpid(pid, &status, 0);
	if (fork_init) {
		CHECK(seen == 'N' && WIFEXITED(status) && buf[0] == 'W',
		      "fork_init_parent_keeps_sharing", "seen %c", seen);
	} else {
		CHECK(seen == 'p', "fork_child_gets_private_copy",
		      "child saw '%c' (parent's RDMA write leaked)", seen);
		CHECK(buf[0] == 'W', "fork_parent_still_shared",
		      "parent lost its backing");
	}
	munmap(view, ps);
	dereg(buf, ps);
	close(pipefd[0]);
	close(pipefd[1]);
	close(go[0]);
	close(go[1]);
	free(buf);
}

static void test_fork_init_dontfork(void)
{
	char *buf = aligned_alloc(ps, ps);
	int fd, pipefd[2];
	char c = '?';
	pid_t pid;

	ibv_fork_init();
	CHECK(ibv_is_fork_initialized() == IBV_FORK_ENABLED,
	      "fork_init_reported", "status %d", ibv_is_fork_initialized());
	memset(buf, 'd', ps);
	reg(buf, ps, &fd);
	if (pipe(pipefd))
		exit(2);
	pid = fork();
	if (pid == 0) {
		/* the page must be absent in the child: mincore says ENOMEM */
		unsigned char v;

		c = mincore(buf, ps, &v) && errno == ENOMEM ? 'A' : 'P';
		if (write(pipefd[1], &c, 1) != 1)
			_exit(3);
		_exit(0);
	}
	if (read(pipefd[0], &c, 1) != 1)
		c = '?';
	waitpid(pid, NULL, 0);
	CHECK(c == 'A', "fork_init_dontfork", "child %s the page",
	      c == 'P' ? "has" : "could not check");
	dereg(buf, ps);
	close(pipefd[0]);
	close(pipefd[1]);
	free(buf);
}

int main(void)
{
	ps = (size_t)sysconf(_SC_PAGESIZE);
	CHECK(ibv_is_fork_initialized() == IBV_FORK_DISABLED,
	      "fork_not_initialized", "status %d",
	      ibv_is_fork_initialized());
	test_register_roundtrip();
	test_overlap();
	test_bad_memory();
	test_fork(false);
	test_fork_init_dontfork();
	test_fork(true);
	return t_summary();
}
