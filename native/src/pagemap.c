// SPDX-License-Identifier: Apache-2.0
/*
 * Page reference counts (see pagemap.h).  Registrations are few and long
 * lived, so a sorted array with memmove is both simple and fast enough.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pagemap.h"

/* Index of the first range that ends after @addr. */
static size_t find(const struct ffl_pagemap *m, uintptr_t addr)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->r[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int reserve(struct ffl_pagemap *m, size_t extra)
{
	struct ffl_pgrange *r;
	size_t cap;

	if (m->n + extra <= m->cap)
		return 0;
	cap = m->cap ? m->cap : 16;
	while (cap < m->n + extra)
		cap *= 2;
	r = realloc(m->r, cap * sizeof(*r));
	if (!r)
		return ENOMEM;
	m->r = r;
	m->cap = cap;
	return 0;
}

static void insert_at(struct ffl_pagemap *m, size_t i,
		      const struct ffl_pgrange *v)
{
	memmove(&m->r[i + 1], &m->r[i], (m->n - i) * sizeof(*m->r));
	m->r[i] = *v;
	m->n++;
}

/* Make @addr a range boundary (capacity must have been reserved). */
static void split_at(struct ffl_pagemap *m, uintptr_t addr)
{
	size_t i = find(m, addr);
	struct ffl_pgrange hi;

	if (i == m->n || m->r[i].start >= addr)
		return;
	hi = m->r[i];
	hi.start = addr;
	m->r[i].end = addr;
	insert_at(m, i + 1, &hi);
}

/* Drop empty ranges and merge touching ranges with equal counts. */
static void normalise(struct ffl_pagemap *m)
{
	size_t i, o = 0;

	for (i = 0; i < m->n; i++) {
		if (!m->r[i].refs)
			continue;
		if (o && m->r[o - 1].end == m->r[i].start &&
		    m->r[o - 1].refs == m->r[i].refs) {
			m->r[o - 1].end = m->r[i].end;
			continue;
		}
		m->r[o++] = m->r[i];
	}
	m->n = o;
}

/*
 * Collect the holes of [start, end) into @gaps (at most the number of
 * overlapping ranges + 1 entries); returns how many.
 */
static size_t holes(const struct ffl_pagemap *m, uintptr_t start,
		    uintptr_t end, struct ffl_pgrange *gaps)
{
	size_t i, n = 0;
	uintptr_t cur = start;

	for (i = find(m, start); i < m->n && m->r[i].start < end; i++) {
		if (m->r[i].start > cur)
			gaps[n++] = (struct ffl_pgrange){ cur, m->r[i].start,
							  1 };
		cur = m->r[i].end;
	}
	if (cur < end)
		gaps[n++] = (struct ffl_pgrange){ cur, end, 1 };
	return n;
}

int ffl_pagemap_get(struct ffl_pagemap *m, uintptr_t start, uintptr_t end,
		    ffl_pagemap_fn first, ffl_pagemap_fn undo, void *arg)
{
	struct ffl_pgrange *gaps;
	size_t i, j, ngaps, over;
	int err;

	if (start >= end)
		return start == end ? 0 : EINVAL;

	over = 0;
	for (i = find(m, start); i < m->n && m->r[i].start < end; i++)
		over++;
	gaps = malloc((over + 1) * sizeof(*gaps));
	if (!gaps)
		return ENOMEM;
	ngaps = holes(m, start, end, gaps);

	err = reserve(m, ngaps + 2);
	if (err)
		goto out;

	for (i = 0; i < ngaps; i++) {
		err = first ? first(gaps[i].start, gaps[i].end, arg) : 0;
		if (err) {
			for (j = 0; j < i; j++)
				if (undo)
					undo(gaps[j].start, gaps[j].end, arg);
			goto out;
		}
	}

	split_at(m, start);
	split_at(m, end);
	for (i = find(m, start); i < m->n && m->r[i].start < end; i++)
		m->r[i].refs++;
	for (i = 0; i < ngaps; i++)
		insert_at(m, find(m, gaps[i].start), &gaps[i]);
	normalise(m);
out:
	free(gaps);
	return err;
}

int ffl_pagemap_put(struct ffl_pagemap *m, uintptr_t start, uintptr_t end,
		    ffl_pagemap_fn last, void *arg)
{
	uintptr_t cur = start, zs = 0, ze = 0;
	bool pending = false;
	size_t i;
	int err = 0, e;

	if (start >= end)
		return start == end ? 0 : EINVAL;

	for (i = find(m, start); i < m->n && m->r[i].start < end; i++) {
		if (m->r[i].start > cur)
			return EINVAL;
		cur = m->r[i].end;
	}
	if (cur < end)
		return EINVAL;
	if (reserve(m, 2))
		return ENOMEM;

	split_at(m, start);
	split_at(m, end);
	for (i = find(m, start); i < m->n && m->r[i].start < end; i++) {
		if (--m->r[i].refs)
			continue;
		/* coalesce touching ranges that reach zero together */
		if (pending && ze == m->r[i].start) {
			ze = m->r[i].end;
			continue;
		}
		if (pending && last) {
			e = last(zs, ze, arg);
			err = err ? err : e;
		}
		zs = m->r[i].start;
		ze = m->r[i].end;
		pending = true;
	}
	if (pending && last) {
		e = last(zs, ze, arg);
		err = err ? err : e;
	}
	normalise(m);
	return err;
}

int ffl_pagemap_for_each(const struct ffl_pagemap *m, ffl_pagemap_fn fn,
			 void *arg)
{
	size_t i;
	int err;

	for (i = 0; i < m->n; i++) {
		err = fn(m->r[i].start, m->r[i].end, arg);
		if (err)
			return err;
	}
	return 0;
}

void ffl_pagemap_clear(struct ffl_pagemap *m)
{
	free(m->r);
	*m = (struct ffl_pagemap){ 0 };
}
