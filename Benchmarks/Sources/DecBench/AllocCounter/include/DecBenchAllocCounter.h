#ifndef DECBENCH_ALLOC_COUNTER_H
#define DECBENCH_ALLOC_COUNTER_H

#include <stdint.h>

/// Counts heap allocations made by the whole process (Swift runtime, GMP,
/// Foundation) while counting is on. counter.c defines malloc, calloc,
/// realloc, free and the aligned variants in the executable itself; the
/// dynamic linker binds every library's calls to them (glibc only), and they
/// forward to glibc's own allocator (__libc_malloc and friends).

/// Zeroes the counters and starts counting.
void decbench_alloc_start(void);
/// Stops counting; the counters keep their values.
void decbench_alloc_stop(void);
/// Allocation calls (malloc, calloc, realloc, memalign family) while counting.
int64_t decbench_alloc_count(void);
/// Bytes requested by those calls.
int64_t decbench_alloc_bytes(void);
/// free calls (with a non-null pointer) while counting.
int64_t decbench_free_count(void);

#endif
