/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Control-message transport shared by the FFL and ffctl: one SOCK_SEQPACKET
 * datagram per message, struct ff_hdr + payload; a request carries at most
 * one fd, a reply up to FF_MSG_MAX_FDS.
 */
#ifndef FREEFLOW_FF_MSG_H
#define FREEFLOW_FF_MSG_H

#include <stddef.h>
#include <stdint.h>

#include <freeflow/ff_abi.h>

#ifndef FF_HIDDEN
#define FF_HIDDEN __attribute__((visibility("hidden")))
#endif

/* Connect a SEQPACKET socket to @path; returns the fd or -errno. */
FF_HIDDEN int ff_msg_connect(const char *path);

/*
 * One request/reply exchange.  Sends @op with @req (@req_len bytes) and,
 * when @fd_in >= 0, that fd; waits for the reply, checks magic, version,
 * op and seq, copies @resp_len payload bytes to @resp and, when @fd_out is
 * not NULL, returns the attached fd there (-1 if none; an unexpected fd is
 * closed).  Returns 0, the reply's status (a positive errno) or a positive
 * errno for a local or protocol failure (EIO for a malformed reply,
 * ECONNRESET when the peer closed).
 */
FF_HIDDEN int ff_msg_call(int sock, uint16_t op, uint32_t seq,
			  const void *req, uint32_t req_len, int fd_in,
			  void *resp, uint32_t resp_len, int *fd_out);

/*
 * The same, for a reply that carries several fds: on success @fds_out
 * (@nfds_out <= FF_MSG_MAX_FDS entries) holds the reply's fds in the order
 * they were sent, -1 for each one missing; fds beyond @nfds_out are
 * closed.  On failure every received fd is closed and @fds_out is all -1.
 */
#define FF_MSG_MAX_FDS	4

FF_HIDDEN int ff_msg_call_fds(int sock, uint16_t op, uint32_t seq,
			      const void *req, uint32_t req_len, int fd_in,
			      void *resp, uint32_t resp_len, int *fds_out,
			      int nfds_out);

/*
 * The reason the peer gave for the last failed reply on this thread (an
 * admin socket's replies carry one), NUL-terminated; "" when it gave none
 * or the last call did not fail by the peer's status.
 */
FF_HIDDEN const char *ff_msg_reason(void);

#endif /* FREEFLOW_FF_MSG_H */
