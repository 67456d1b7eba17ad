#ifndef ORDERS_SUPPORT_H
#define ORDERS_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

// What Swift cannot say: a prefetch hint, the time-stamp counter and the SSE4.2 CRC32C
// instruction.

// Starts loading `address` into cache for writing (the batch path's lookahead).
static inline void orders_prefetch(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <x86intrin.h>

// 1 when the time-stamp counter ticks at one rate whatever the core's power state
// (CPUID 0x80000007, EDX bit 8): only then do its ticks convert to time by one ratio.
static inline int orders_invariant_tsc_available(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(0x80000007, &eax, &ebx, &ecx, &edx)) return 0;
    return (edx >> 8) & 1;
}

// The time-stamp counter, read without waiting for earlier instructions to finish
// (RDTSC, not RDTSCP or a fence): a clock read inside a stream of commands that does not
// stop the loads already in flight.
static inline uint64_t orders_ticks(void) { return __rdtsc(); }

// 1 when the CPU has SSE4.2 (CPUID leaf 1, ECX bit 20).
static inline int orders_crc32c_hardware_available(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    return (ecx >> 20) & 1;
}

// CRC-32C register update over `count` bytes (no pre/post inversion: the caller does it).
__attribute__((target("sse4.2")))
static inline uint32_t orders_crc32c_hardware(uint32_t crc, const uint8_t *bytes, size_t count) {
    uint64_t wide = crc;
    while (count >= 8) {
        uint64_t word;
        __builtin_memcpy(&word, bytes, 8);
        wide = __builtin_ia32_crc32di(wide, word);
        bytes += 8;
        count -= 8;
    }
    uint32_t narrow = (uint32_t)wide;
    while (count > 0) {
        narrow = __builtin_ia32_crc32qi(narrow, *bytes);
        bytes += 1;
        count -= 1;
    }
    return narrow;
}
#else
static inline int orders_invariant_tsc_available(void) { return 0; }
static inline uint64_t orders_ticks(void) { return 0; }
static inline int orders_crc32c_hardware_available(void) { return 0; }
static inline uint32_t orders_crc32c_hardware(uint32_t crc, const uint8_t *bytes, size_t count) {
    (void)bytes; (void)count; return crc;
}
#endif

#endif
