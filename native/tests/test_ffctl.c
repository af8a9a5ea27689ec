// SPDX-License-Identifier: Apache-2.0
/*
 * Unit tests of ffctl (target/bin/ffctl, run as a child process) against a
 * fake admin socket: what each command line puts on the wire (ABI v8:
 * attach sends struct ff_attach_req, and the network namespace's fd rides
 * along with FF_IDENTITY_NETNS), what it prints, and what it refuses
 * before asking the router.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake_router.h"
#include "test_util.h"

static char ffctl[PATH_MAX];
static char sock_path[108];
static int listener;

/* what the fake router saw last, and how it answers */
static struct {
	int requests;
	uint16_t op;
	uint32_t len;
	struct ff_attach_req attach;
	int nfds;
	ino_t fd_ino;
	dev_t fd_dev;
} seen;
static volatile int answer_status;
static const char *volatile answer_reason; /* with answer_status: fail saying this */

static const struct ff_cluster_info cluster_info = {
	.topology_version = 1ull << 33, .servers = 3, .hosts_running = 2,
	.hosts_lost = 1, .host_registered = 1,
};

static void *fake_router(void *arg)
{
	struct ff_container_info info = { .name = "c1", .tenant = "t",
					  .socket_path = "/run/c1.sock",
					  .lid = 9, .prefix_len = 16,
					  .vip = 0x0100000a };
	struct fr_request rq;
	struct stat st;
	int sock, i;

	(void)arg;
	while ((sock = accept4(listener, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		while (fr_recv(sock, &rq)) {
			seen.requests++;
			seen.op = rq.hdr.op;
			seen.len = rq.hdr.len;
			memset(&seen.attach, 0, sizeof(seen.attach));
			memcpy(&seen.attach, rq.payload,
			       rq.hdr.len < sizeof(seen.attach) ?
				       rq.hdr.len : sizeof(seen.attach));
			seen.nfds = rq.nfds;
			seen.fd_ino = 0;
			if (rq.nfds && !fstat(rq.fds[0], &st)) {
				seen.fd_ino = st.st_ino;
				seen.fd_dev = st.st_dev;
			}
			for (i = 0; i < rq.nfds; i++)
				close(rq.fds[i]);
			if (!answer_status &&
			    rq.hdr.op == FF_OP_ADMIN_CLUSTER)
				fr_reply(sock, &rq, 0, &cluster_info,
					 sizeof(cluster_info), NULL, 0);
			else if (answer_status && answer_reason)
				fr_fail(sock, &rq, answer_status,
					answer_reason);
			else
				fr_reply(sock, &rq, answer_status, &info,
					 rq.hdr.op == FF_OP_ADMIN_ADD_CONTAINER ?
						 sizeof(info) : 0,
					 NULL, 0);
		}
		close(sock);
	}
	return NULL;
}

/* Runs ffctl --socket SOCK @args...; its exit status, stdout in @out. */
static bool capture_stderr; /* run() puts ffctl's stderr into @out too */

static int run(char *out, size_t size, const char *const *args)
{
	const char *argv[16] = { ffctl, "--socket", sock_path };
	int p[2], status, n = 3, i;
	size_t got = 0;
	ssize_t r;
	pid_t pid;

	for (i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		if (capture_stderr)
			dup2(p[1], 2);
		else if (!getenv("TEST_FFCTL_VERBOSE"))
			dup2(open("/dev/null", O_WRONLY), 2);
		execv(ffctl, (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	while (got + 1 < size && (r = read(p[0], out + got,
					   size - 1 - got)) > 0)
		got += (size_t)r;
	out[got] = 0;
	close(p[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool same_netns(const char *path)
{
	struct stat st;

	return !stat(path, &st) && seen.nfds == 1 && seen.fd_ino == st.st_ino &&
	       seen.fd_dev == st.st_dev;
}

static void test_attach(void)
{
	const struct ff_container_identity *id = &seen.attach.identity;
	char out[1024], pid[32], self_ns[64];
	int rc, before;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	snprintf(self_ns, sizeof(self_ns), "/proc/%d/ns/net", (int)getpid());

	rc = run(out, sizeof(out), (const char *const[]){
		"attach", "c1", "--tenant", "t", "--netns", self_ns, "--uid",
		"1000", "--gid", "1001", NULL });
	CHECK(rc == 0 && seen.op == FF_OP_ADMIN_ADD_CONTAINER &&
		      seen.len == sizeof(struct ff_attach_req) &&
		      !strcmp(seen.attach.container.name, "c1") &&
		      !strcmp(seen.attach.container.tenant, "t") &&
		      id->flags == (FF_IDENTITY_NETNS | FF_IDENTITY_UID |
				    FF_IDENTITY_GID) &&
		      id->uid == 1000 && id->gid == 1001 && !id->cgroup[0] &&
		      same_netns(self_ns),
	      "attach_netns_uid_gid", "rc %d op %u len %u flags %#x uid %u "
	      "gid %u fds %d", rc, seen.op, seen.len, id->flags, id->uid,
	      id->gid, seen.nfds);
	CHECK(strstr(out, "name=c1\n") && strstr(out, "socket=/run/c1.sock\n") &&
		      strstr(out, "vip=10.0.0.1\n") && strstr(out, "lid=9\n"),
	      "attach_prints_info", "%s", out);

	rc = run(out, sizeof(out), (const char *const[]){
		"attach", "c2", "--pid", pid, "--cgroup", "/kubepods/pod1",
		NULL });
	CHECK(rc == 0 && seen.len == sizeof(struct ff_attach_req) &&
		      id->flags == (FF_IDENTITY_NETNS | FF_IDENTITY_CGROUP) &&
		      !strcmp(id->cgroup, "/kubepods/pod1") &&
		      !strcmp(seen.attach.container.tenant, "") &&
		      same_netns("/proc/self/ns/net"),
	      "attach_pid_is_its_netns", "rc %d flags %#x cgroup %s fds %d",
	      rc, id->flags, id->cgroup, seen.nfds);

	rc = run(out, sizeof(out), (const char *const[]){
		"attach", "c3", "--cgroup", "/x", NULL });
	CHECK(rc == 0 && id->flags == FF_IDENTITY_CGROUP && seen.nfds == 0 &&
		      !strcmp(id->cgroup, "/x"),
	      "attach_cgroup_only_no_fd", "rc %d flags %#x fds %d", rc,
	      id->flags, seen.nfds);

	answer_status = EAGAIN;
	answer_reason = "the orchestrator is not ready";
	capture_stderr = true;
	rc = run(out, sizeof(out), (const char *const[]){ "attach", "c6",
							  NULL });
	capture_stderr = false;
	answer_reason = NULL;
	answer_status = 0;
	CHECK(rc == 75 && strstr(out, strerror(EAGAIN)) &&
		      strstr(out, ": the orchestrator is not ready\n"),
	      "attach_refused_prints_the_routers_reason", "rc %d: %s", rc,
	      out);

	rc = run(out, sizeof(out), (const char *const[]){ "cluster", NULL });
	CHECK(rc == 0 && seen.op == FF_OP_ADMIN_CLUSTER && seen.len == 0 &&
		      !strcmp(out, "topology_version=8589934592\nservers=3\n"
				   "hosts_running=2\nhosts_lost=1\n"
				   "host_registered=1\n"),
	      "cluster_prints_the_routers_view", "rc %d: %s", rc, out);
	answer_status = EAGAIN;
	rc = run(out, sizeof(out), (const char *const[]){ "cluster", NULL });
	answer_status = 0;
	CHECK(rc == 75, "cluster_not_ready_exits_75", "rc %d", rc);

	answer_status = EINVAL;
	rc = run(out, sizeof(out), (const char *const[]){ "attach", "c4",
							  NULL });
	answer_status = 0;
	CHECK(rc == 1 && id->flags == 0 && seen.nfds == 0 &&
		      seen.len == sizeof(struct ff_attach_req),
	      "attach_without_identity_router_says", "rc %d flags %#x", rc,
	      id->flags);

	before = seen.requests;
	CHECK(run(out, sizeof(out), (const char *const[]){
		      "attach", "c5", "--netns", "/etc/hostname", NULL }) == 1 &&
		      run(out, sizeof(out), (const char *const[]){
			      "attach", "c5", "--netns", self_ns, "--pid", pid,
			      NULL }) == 1 &&
		      run(out, sizeof(out), (const char *const[]){
			      "attach", "c5", "--uid", "-1", NULL }) == 1 &&
		      run(out, sizeof(out), (const char *const[]){
			      "attach", "c5", "--cgroup", "relative", NULL }) ==
			      1 &&
		      run(out, sizeof(out), (const char *const[]){
			      "attach", "c5", "--gid", NULL }) == 1 &&
		      run(out, sizeof(out), (const char *const[]){
			      "attach", "c5", "--pid", "0", NULL }) == 1 &&
		      seen.requests == before,
	      "attach_refuses_bad_options_locally", "%d requests sent",
	      seen.requests - before);
}

static void test_other_commands(void)
{
	char out[256];
	int rc;

	rc = run(out, sizeof(out), (const char *const[]){ "detach", "c1",
							  NULL });
	CHECK(rc == 0 && seen.op == FF_OP_ADMIN_REMOVE_CONTAINER &&
		      seen.len == sizeof(struct ff_container_req) &&
		      !strcmp(seen.attach.container.name, "c1") &&
		      seen.nfds == 0,
	      "detach_sends_container_req", "rc %d op %u len %u", rc, seen.op,
	      seen.len);
	rc = run(out, sizeof(out), (const char *const[]){ "ping", NULL });
	CHECK(rc == 0 && seen.op == FF_OP_ADMIN_PING && seen.len == 0 &&
		      !strcmp(out, "ok\n"),
	      "ping", "rc %d op %u out %s", rc, seen.op, out);
	rc = run(out, sizeof(out), (const char *const[]){ "port", "c1", "down",
							  NULL });
	CHECK(rc == 0 && seen.op == FF_OP_ADMIN_SET_PORT &&
		      seen.len == sizeof(struct ff_port_req),
	      "port", "rc %d op %u len %u", rc, seen.op, seen.len);
}

int main(void)
{
	char dir[] = "/tmp/ffl-test-ffctl-XXXXXX", exe[PATH_MAX], *slash;
	ssize_t n;
	pthread_t t;

	/* target/tests/test_ffctl -> target/bin/ffctl */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 32);
	if (n <= 0)
		return 2;
	exe[n] = 0;
	slash = strrchr(exe, '/');
	*slash = 0;
	strcpy(ffctl, exe);
	strcat(ffctl, "/../bin/ffctl");
	if (access(ffctl, X_OK)) {
		CHECK(0, "ffctl_built", "%s: %s", ffctl, strerror(errno));
		return t_summary();
	}
	listener = fr_listen(dir, "admin.sock", sock_path, sizeof(sock_path));
	if (listener < 0)
		return 2;
	pthread_create(&t, NULL, fake_router, NULL);

	test_attach();
	test_other_commands();

	unlink(sock_path);
	rmdir(dir);
	return t_summary();
}
