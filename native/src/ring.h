/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Single-producer / single-consumer view of one FreeFlow shared-memory ring
 * (struct ff_ring_ctrl + an array of fixed-size slots).  Indices are
 * free-running 32-bit counters; slot = index & (slots - 1).  The FFL
 * produces on send and receive queues and consumes completion queues; the
 * caller serialises access to one side with its own lock.
 */
#ifndef FREEFLOW_RING_H
#define FREEFLOW_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <freeflow/ff_abi.h>

struct ffl_ring {
	uint32_t *prod;		/* shared */
	uint32_t *cons;		/* shared */
	uint8_t *base;		/* first slot */
	uint32_t mask;		/* slots - 1; slots == 0 means no ring */
	uint32_t slot_size;
	uint32_t head;		/* our next index to produce or consume */
	uint32_t seen;		/* the peer's index as last read */
};

static inline uint32_t ffl_load_acquire(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void ffl_store_release(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline bool ffl_is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/*
 * Attach @r to a ring whose control block is @ctrl and whose @slots slots
 * of @slot_size bytes start @offset bytes into the @shm_size byte mapping
 * @shm.  Returns 0 or EPROTO when the geometry does not fit.  @producer
 * selects which shared index @r owns.
 */
static inline int ffl_ring_attach(struct ffl_ring *r, void *shm,
				  size_t shm_size, struct ff_ring_ctrl *ctrl,
				  uint64_t offset, uint32_t slots,
				  uint32_t slot_size, size_t min_slot,
				  bool producer)
{
	*r = (struct ffl_ring){ 0 };
	if (!slots)
		return 0;
	if (!ffl_is_pow2(slots) || slot_size < min_slot || slot_size % 8 ||
	    offset < FF_SHM_HDR_SIZE || offset % 8 || offset > shm_size ||
	    (uint64_t)slots * slot_size > shm_size - offset)
		return EPROTO;
	r->prod = &ctrl->prod;
	r->cons = &ctrl->cons;
	r->base = (uint8_t *)shm + offset;
	r->mask = slots - 1;
	r->slot_size = slot_size;
	if (producer) {
		r->head = ffl_load_acquire(r->prod);
		r->seen = ffl_load_acquire(r->cons);
	} else {
		r->head = ffl_load_acquire(r->cons);
		r->seen = ffl_load_acquire(r->prod);
	}
	return 0;
}

static inline bool ffl_ring_present(const struct ffl_ring *r)
{
	return r->base != NULL;
}

static inline uint32_t ffl_ring_slots(const struct ffl_ring *r)
{
	return r->base ? r->mask + 1 : 0;
}

/* Producer: the next free slot, or NULL when the ring is full. */
static inline void *ffl_ring_next(struct ffl_ring *r)
{
	if (r->head - r->seen > r->mask) {
		r->seen = ffl_load_acquire(r->cons);
		if (r->head - r->seen > r->mask)
			return NULL;
	}
	return r->base + (size_t)(r->head & r->mask) * r->slot_size;
}

/* Producer: the slot returned by ffl_ring_next() is filled. */
static inline void ffl_ring_push(struct ffl_ring *r)
{
	r->head++;
}

/* Producer: make every pushed slot visible to the consumer. */
static inline void ffl_ring_publish(struct ffl_ring *r)
{
	ffl_store_release(r->prod, r->head);
}

/*
 * Consumer: number of entries ready.  A producer index more than a ring
 * ahead of ours cannot be (a torn or corrupt store): report nothing rather
 * than hand out slots that were never written.
 */
static inline uint32_t ffl_ring_ready(struct ffl_ring *r)
{
	uint32_t n;

	r->seen = ffl_load_acquire(r->prod);
	n = r->seen - r->head;
	return n > r->mask + 1 ? 0 : n;
}

/* Consumer: the @i-th ready entry. */
static inline const void *ffl_ring_peek(const struct ffl_ring *r, uint32_t i)
{
	return r->base + (size_t)((r->head + i) & r->mask) * r->slot_size;
}

/* Consumer: release @n entries to the producer. */
static inline void ffl_ring_pop(struct ffl_ring *r, uint32_t n)
{
	r->head += n;
	ffl_store_release(r->cons, r->head);
}

/* Producer side after the peer reset the ring (QP to RESET). */
static inline void ffl_ring_resync(struct ffl_ring *r, bool producer)
{
	if (!r->base)
		return;
	r->head = ffl_load_acquire(producer ? r->prod : r->cons);
	r->seen = ffl_load_acquire(producer ? r->cons : r->prod);
}

#endif /* FREEFLOW_RING_H */
