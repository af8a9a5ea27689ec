// SPDX-License-Identifier: Apache-2.0
/*
 * Unit tests of the page reference map (src/pagemap.c): which ranges get
 * backed and released, and what the map holds afterwards.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pagemap.h"
#include "test_util.h"

#define P(n) ((uintptr_t)(n) * 4096)

struct log {
	char buf[512];
	int fail_at;	/* fail the n-th callback (1-based); 0 never */
	int calls;
};

static int cb(char tag, uintptr_t s, uintptr_t e, struct log *l)
{
	char one[64];

	l->calls++;
	snprintf(one, sizeof(one), "%c[%lu,%lu)", tag,
		 (unsigned long)(s / 4096), (unsigned long)(e / 4096));
	strncat(l->buf, one, sizeof(l->buf) - strlen(l->buf) - 1);
	return l->fail_at && l->calls == l->fail_at ? EFAULT : 0;
}

static int on_first(uintptr_t s, uintptr_t e, void *arg)
{
	return cb('+', s, e, arg);
}

static int on_undo(uintptr_t s, uintptr_t e, void *arg)
{
	return cb('~', s, e, arg);
}

static int on_last(uintptr_t s, uintptr_t e, void *arg)
{
	return cb('-', s, e, arg);
}

/* "[s,e)xN" for every range of the map */
static const char *dump(const struct ffl_pagemap *m)
{
	static char buf[512];
	size_t i;

	buf[0] = 0;
	for (i = 0; i < m->n; i++) {
		char one[64];

		snprintf(one, sizeof(one), "[%lu,%lu)x%lu",
			 (unsigned long)(m->r[i].start / 4096),
			 (unsigned long)(m->r[i].end / 4096), m->r[i].refs);
		strncat(buf, one, sizeof(buf) - strlen(buf) - 1);
	}
	return buf;
}

static void reset(struct log *l)
{
	memset(l, 0, sizeof(*l));
}

static int get(struct ffl_pagemap *m, int s, int e, struct log *l)
{
	return ffl_pagemap_get(m, P(s), P(e), on_first, on_undo, l);
}

static int put(struct ffl_pagemap *m, int s, int e, struct log *l)
{
	return ffl_pagemap_put(m, P(s), P(e), on_last, l);
}

#define EXPECT_STR(got, want, name)                                            \
	CHECK(!strcmp((got), (want)), name, "got \"%s\", want \"%s\"", (got),  \
	      (want))

int main(void)
{
	struct ffl_pagemap m = { 0 };
	struct log l;
	int err;

	reset(&l);
	err = get(&m, 10, 14, &l);
	CHECK(!err, "get_first_ok", "err %d", err);
	EXPECT_STR(l.buf, "+[10,14)", "get_first_backs_range");
	EXPECT_STR(dump(&m), "[10,14)x1", "get_first_map");

	reset(&l);
	get(&m, 12, 18, &l);
	EXPECT_STR(l.buf, "+[14,18)", "overlap_backs_only_new_pages");
	EXPECT_STR(dump(&m), "[10,12)x1[12,14)x2[14,18)x1",
		   "overlap_counts");

	reset(&l);
	get(&m, 8, 20, &l);
	EXPECT_STR(l.buf, "+[8,10)+[18,20)", "cover_backs_both_holes");
	EXPECT_STR(dump(&m), "[8,10)x1[10,12)x2[12,14)x3[14,18)x2[18,20)x1",
		   "cover_counts");

	reset(&l);
	err = put(&m, 12, 18, &l);
	CHECK(!err && !l.calls, "put_shared_releases_nothing",
	      "err %d calls \"%s\"", err, l.buf);
	EXPECT_STR(dump(&m), "[8,10)x1[10,14)x2[14,20)x1",
		   "put_shared_counts_merged");

	reset(&l);
	put(&m, 8, 20, &l);
	EXPECT_STR(l.buf, "-[8,10)-[14,20)", "put_releases_coalesced");
	EXPECT_STR(dump(&m), "[10,14)x1", "put_leaves_first");

	reset(&l);
	err = put(&m, 9, 12, &l);
	CHECK(err == EINVAL && !l.calls, "put_unreferenced_einval",
	      "err %d calls %d", err, l.calls);
	EXPECT_STR(dump(&m), "[10,14)x1", "put_unreferenced_no_change");

	reset(&l);
	put(&m, 10, 14, &l);
	EXPECT_STR(l.buf, "-[10,14)", "put_last");
	CHECK(m.n == 0, "map_empty", "%zu ranges left", m.n);

	/* a failing back undoes the holes already backed, map unchanged */
	get(&m, 4, 6, &l);
	reset(&l);
	l.fail_at = 2;
	err = get(&m, 2, 8, &l);
	CHECK(err == EFAULT, "get_failure_reported", "err %d", err);
	EXPECT_STR(l.buf, "+[2,4)+[6,8)~[2,4)", "get_failure_undoes");
	EXPECT_STR(dump(&m), "[4,6)x1", "get_failure_map_unchanged");
	reset(&l);
	put(&m, 4, 6, &l);

	/* adjacent registrations merge when counts agree */
	reset(&l);
	get(&m, 0, 2, &l);
	get(&m, 2, 4, &l);
	EXPECT_STR(dump(&m), "[0,4)x1", "adjacent_merge");
	reset(&l);
	put(&m, 1, 3, &l);
	EXPECT_STR(l.buf, "-[1,3)", "put_middle_splits");
	EXPECT_STR(dump(&m), "[0,1)x1[3,4)x1", "put_middle_map");
	ffl_pagemap_clear(&m);

	/* many disjoint ranges exercise growth and ordering */
	for (int i = 0; i < 100; i++)
		get(&m, 200 - 2 * i, 201 - 2 * i, &l);
	CHECK(m.n == 100, "many_ranges", "%zu ranges", m.n);
	reset(&l);
	err = get(&m, 0, 300, &l);
	CHECK(!err && m.n == 201 && l.calls == 101, "fill_between",
	      "err %d n %zu calls %d", err, m.n, l.calls);
	for (size_t i = 1; i < m.n; i++)
		if (m.r[i - 1].end > m.r[i].start) {
			CHECK(0, "sorted", "range %zu overlaps", i);
			break;
		}
	reset(&l);
	put(&m, 0, 300, &l);
	CHECK(m.n == 100 && l.calls == 101, "put_fill", "n %zu calls %d",
	      m.n, l.calls);
	CHECK(!ffl_pagemap_get(&m, P(5), P(5), NULL, NULL, NULL) &&
		      ffl_pagemap_get(&m, P(6), P(5), NULL, NULL, NULL) ==
			      EINVAL,
	      "empty_and_inverted", "unexpected result");
	ffl_pagemap_clear(&m);
	return t_summary();
}
