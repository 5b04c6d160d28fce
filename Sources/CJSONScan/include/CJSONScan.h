#ifndef AIUSAGE_CJSONSCAN_H
#define AIUSAGE_CJSONSCAN_H
// The one loop of the JSON readers that sees nearly every byte of a transcript: the
// run of plain bytes inside a string. Swift's SIMD types compile their compares to a
// byte loop on this toolchain, so the loop is written here with the compiler's vector
// intrinsics, static inline so that Swift inlines it at its one call site
// (`JSONStringScan.end`).
#include <stddef.h>
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// The index of the first byte of `p[i..<count]` that is a quote, a backslash or a
/// control byte (below 0x20): the bytes a JSON string scan must look at; `count` when
/// there is none. Sixteen bytes at a time where SSE2 is there (every x86-64 CPU), one
/// at a time elsewhere and for the last bytes.
static inline intptr_t aiusage_json_string_stop(const uint8_t *p, intptr_t i, intptr_t count) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8(0x22);
    const __m128i backslash = _mm_set1_epi8(0x5C);
    const __m128i lastControl = _mm_set1_epi8(0x1F);
    while (i + 16 <= count) {
        const __m128i bytes = _mm_loadu_si128((const __m128i *)(p + i));
        // A byte is a control byte when min(byte, 0x1F) is itself (unsigned).
        const __m128i stops = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash)),
            _mm_cmpeq_epi8(_mm_min_epu8(bytes, lastControl), bytes));
        const int mask = _mm_movemask_epi8(stops);
        if (mask != 0) return i + __builtin_ctz((unsigned)mask);
        i += 16;
    }
#endif
    for (; i < count; i++) {
        const uint8_t byte = p[i];
        if (byte == 0x22 || byte == 0x5C || byte < 0x20) return i;
    }
    return count;
}

#endif
