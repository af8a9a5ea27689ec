/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reference counts of registered pages, kept as a sorted array of disjoint
 * [start, end) ranges; neighbouring ranges with equal counts are merged.
 * The callbacks let the caller back a range when its count leaves zero and
 * release it when its count returns to zero; the map itself does no I/O,
 * so it is unit-tested on its own.
 */
#ifndef FREEFLOW_PAGEMAP_H
#define FREEFLOW_PAGEMAP_H

#include <stddef.h>
#include <stdint.h>

#ifndef FF_HIDDEN
#define FF_HIDDEN __attribute__((visibility("hidden")))
#endif

struct ffl_pgrange {
	uintptr_t start;
	uintptr_t end;
	unsigned long refs;
};

struct ffl_pagemap {
	struct ffl_pgrange *r;
	size_t n;
	size_t cap;
};

/* Called for [start, end); returns 0 or a positive errno. */
typedef int (*ffl_pagemap_fn)(uintptr_t start, uintptr_t end, void *arg);

/*
 * Take a reference on every page of [start, end).  @first is called for
 * each maximal sub-range that had no reference; if one fails, @undo is
 * called for the sub-ranges already done, the map is unchanged and the
 * error is returned.  ENOMEM if the map cannot grow.
 */
FF_HIDDEN int ffl_pagemap_get(struct ffl_pagemap *m, uintptr_t start,
			      uintptr_t end, ffl_pagemap_fn first,
			      ffl_pagemap_fn undo, void *arg);

/*
 * Drop a reference on every page of [start, end), which must be fully
 * referenced (else EINVAL and nothing changes).  @last is called for each
 * maximal sub-range whose count reaches zero; its first error is returned,
 * but the references are dropped regardless.
 */
FF_HIDDEN int ffl_pagemap_put(struct ffl_pagemap *m, uintptr_t start,
			      uintptr_t end, ffl_pagemap_fn last, void *arg);

/* Call @fn for every referenced range, in address order. */
FF_HIDDEN int ffl_pagemap_for_each(const struct ffl_pagemap *m,
				   ffl_pagemap_fn fn, void *arg);

/* Forget every range (no callbacks) and free the array. */
FF_HIDDEN void ffl_pagemap_clear(struct ffl_pagemap *m);

#endif /* FREEFLOW_PAGEMAP_H */
