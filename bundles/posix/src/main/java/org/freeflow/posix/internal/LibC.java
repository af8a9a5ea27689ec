package org.freeflow.posix.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The glibc functions this bundle binds.  Calls return -1 (or MAP_FAILED) on
 * failure; the caller then reads {@link Native#getLastError()}.
 */
public interface LibC extends Library {

    LibC INSTANCE = Native.load("c", LibC.class);

    int AF_UNIX = 1;
    int SOCK_SEQPACKET = 5;
    int SOCK_NONBLOCK = 0x800;
    int SOCK_CLOEXEC = 0x80000;
    int SOL_SOCKET = 1;
    int SO_PEERCRED = 17;
    int SCM_RIGHTS = 1;
    int MSG_CTRUNC = 0x8;
    int MSG_TRUNC = 0x20;
    int MSG_DONTWAIT = 0x40;
    int MSG_NOSIGNAL = 0x4000;
    int MSG_CMSG_CLOEXEC = 0x40000000;
    int F_GETFL = 3;
    int F_SETFL = 4;
    int O_WRONLY = 1;
    int O_NONBLOCK = 0x800;
    int F_DUPFD_CLOEXEC = 1030;
    int F_ADD_SEALS = 1033;
    int F_GET_SEALS = 1034;
    int F_SETPIPE_SZ = 1031;
    int O_ACCMODE = 3;
    int O_CLOEXEC = 0x80000;
    int EPOLL_CTL_ADD = 1;
    int EPOLL_CTL_DEL = 2;
    int EPOLLIN = 0x1;
    int PROT_READ = 1;
    int PROT_WRITE = 2;
    int MAP_SHARED = 1;
    int SC_PAGESIZE = 30;
    int SEEK_DATA = 3;
    int SEEK_HOLE = 4;
    int MADV_POPULATE_WRITE = 23;

    int socket(int domain, int type, int protocol);

    int socketpair(int domain, int type, int protocol, int[] sv);

    int bind(int fd, Pointer addr, int addrlen);

    int listen(int fd, int backlog);

    int accept4(int fd, Pointer addr, Pointer addrlen, int flags);

    int connect(int fd, Pointer addr, int addrlen);

    long sendmsg(int fd, Pointer msg, int flags);

    long recvmsg(int fd, Pointer msg, int flags);

    int getsockopt(int fd, int level, int name, Pointer value, Pointer len);

    int close(int fd);

    int open(String path, int flags);

    int chmod(String path, int mode);

    int chown(String path, int uid, int gid);

    int pipe2(int[] fds, int flags);

    int epoll_create1(int flags);

    int epoll_ctl(int epfd, int op, int fd, Pointer event);

    int fstatfs(int fd, Pointer buf);

    int poll(Pointer fds, long nfds, int timeoutMillis);

    int memfd_create(String name, int flags);

    int ftruncate(int fd, long length);

    int fcntl(int fd, int cmd, int arg);

    int fstat(int fd, Pointer stat);

    Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);

    int munmap(Pointer addr, long length);

    int madvise(Pointer addr, long length, int advice);

    long lseek(int fd, long offset, int whence);

    int eventfd(int initval, int flags);

    long read(int fd, Pointer buf, long count);

    long write(int fd, Pointer buf, long count);

    long sysconf(int name);

    int gettid();

    int sched_setaffinity(int pid, long cpusetsize, Pointer mask);

    int sched_getaffinity(int pid, long cpusetsize, Pointer mask);
}
