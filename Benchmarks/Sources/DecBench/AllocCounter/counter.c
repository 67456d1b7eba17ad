// A counting malloc for dec-bench (Linux/glibc). Defining these symbols in
// the executable overrides glibc's for every shared library too (ELF symbol
// interposition; glibc documents this as "replacing malloc"). Each forwards
// to glibc's allocator through its exported __libc_* entry points, so there
// is no dlsym bootstrap problem and memory from either side can be freed by
// the other.
#include "DecBenchAllocCounter.h"

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void *pointer);

static atomic_int counting;
static atomic_llong allocations;
static atomic_llong allocated_bytes;
static atomic_llong frees;

static inline void count_allocation(size_t size) {
    if (atomic_load_explicit(&counting, memory_order_relaxed)) {
        atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&allocated_bytes, (long long)size, memory_order_relaxed);
    }
}

void *malloc(size_t size) {
    count_allocation(size);
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
    count_allocation(count * size);
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    count_allocation(size);
    return __libc_realloc(pointer, size);
}

void free(void *pointer) {
    if (pointer && atomic_load_explicit(&counting, memory_order_relaxed)) {
        atomic_fetch_add_explicit(&frees, 1, memory_order_relaxed);
    }
    __libc_free(pointer);
}

void *memalign(size_t alignment, size_t size) {
    count_allocation(size);
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    count_allocation(size);
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
    count_allocation(size);
    void *pointer = __libc_memalign(alignment, size);
    if (!pointer) return ENOMEM;
    *result = pointer;
    return 0;
}

void decbench_alloc_start(void) {
    atomic_store(&allocations, 0);
    atomic_store(&allocated_bytes, 0);
    atomic_store(&frees, 0);
    atomic_store(&counting, 1);
}

void decbench_alloc_stop(void) { atomic_store(&counting, 0); }

int64_t decbench_alloc_count(void) { return atomic_load(&allocations); }
int64_t decbench_alloc_bytes(void) { return atomic_load(&allocated_bytes); }
int64_t decbench_free_count(void) { return atomic_load(&frees); }
