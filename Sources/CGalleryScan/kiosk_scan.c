#include "kiosk_scan.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define KIOSK_X86 1
#endif

/// sum over i of rows[r][i] * query[i] (rows unsigned, query signed), per row.
static void dots_plain(const uint8_t *rows, size_t count, const int8_t *query, int32_t *dots) {
    for (size_t r = 0; r < count; ++r) {
        const uint8_t *row = rows + r * 128;
        int32_t sum = 0;
        for (int i = 0; i < 128; ++i) sum += (int32_t)row[i] * (int32_t)query[i];
        dots[r] = sum;
    }
}

#ifdef KIOSK_X86
// Compiled for AVX2 without making the whole binary require it: the CPU is checked at
// run time, so the kiosk still runs on older machines.
__attribute__((target("avx2")))
static void dots_avx2(const uint8_t *rows, size_t count, const int8_t *query, int32_t *dots) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i q[4];
    for (int k = 0; k < 4; ++k) q[k] = _mm256_loadu_si256((const __m256i *)(query + 32 * k));
    for (size_t r = 0; r < count; ++r) {
        const uint8_t *row = rows + r * 128;
        __m256i acc = _mm256_setzero_si256();
        for (int k = 0; k < 4; ++k) {
            // 32 unsigned x signed byte products, summed in pairs to int16, then to int32.
            __m256i products = _mm256_maddubs_epi16(_mm256_loadu_si256((const __m256i *)(row + 32 * k)), q[k]);
            acc = _mm256_add_epi32(acc, _mm256_madd_epi16(products, ones));
        }
        __m128i sum = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
        sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, _MM_SHUFFLE(1, 0, 3, 2)));
        sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, _MM_SHUFFLE(2, 3, 0, 1)));
        dots[r] = _mm_cvtsi128_si32(sum);
    }
}
#endif

int kiosk_scan_uses_avx2(void) {
#ifdef KIOSK_X86
    return __builtin_cpu_supports("avx2") ? 1 : 0;
#else
    return 0;
#endif
}

void kiosk_scan_bounds(const uint8_t *rows, size_t count, const int8_t *query, const float *scales,
                       const float *squared_norms, const float *code_l1, float query_scale, float query_norm,
                       float query_l1, int32_t query_sum, float *lower, float *upper) {
    const int avx2 = kiosk_scan_uses_avx2();
    // Blocks keep the dot products in cache between the scan and the bounds.
    enum { BLOCK = 1024 };
    int32_t dots[BLOCK];
    for (size_t start = 0; start < count; start += BLOCK) {
        const size_t n = count - start < BLOCK ? count - start : BLOCK;
#ifdef KIOSK_X86
        if (avx2) dots_avx2(rows + start * 128, n, query, dots);
        else
#endif
            dots_plain(rows + start * 128, n, query, dots);
        for (size_t i = 0; i < n; ++i) {
            const size_t r = start + i;
            const float s = query_scale * scales[r];
            // Codes are stored +128: remove 128 * sum(query) to get the signed dot product.
            const int32_t dot = dots[i] - 128 * query_sum;
            const float estimate = squared_norms[r] + query_norm - 2.0f * s * (float)dot;
            // |q.g - s D| <= s (|q|_1 + |g|_1 + 64) / 2 in codes; the squared distance has
            // -2 q.g; 1e-4 covers Float rounding in the estimate itself.
            const float slack = s * (query_l1 + code_l1[r] + 64.0f) + 1e-4f;
            lower[r] = estimate - slack;
            upper[r] = estimate + slack;
        }
    }
    (void)avx2;
}

int kiosk_scan_select(const uint8_t *rows, size_t count, const int8_t *query, const float *scales,
                      const float *squared_norms, const float *code_l1, const int32_t *keys, float query_scale,
                      float query_norm, float query_l1, int32_t query_sum, int limit, float *lower,
                      kiosk_key_bound *best) {
    enum { BLOCK = 1024 };
    float upper[BLOCK];
    int kept = 0;
    for (size_t start = 0; start < count; start += BLOCK) {
        const size_t n = count - start < BLOCK ? count - start : BLOCK;
        kiosk_scan_bounds(rows + start * 128, n, query, scales + start, squared_norms + start, code_l1 + start,
                          query_scale, query_norm, query_l1, query_sum, lower + start, upper);
        for (size_t i = 0; i < n; ++i) {
            const float bound = upper[i];
            if (kept == limit && bound >= best[limit - 1].upper) continue;
            const int32_t key = keys[start + i];
            int at = -1;
            for (int k = 0; k < kept; ++k) if (best[k].key == key) { at = k; break; }
            if (at >= 0) {
                if (bound >= best[at].upper) continue;
                best[at].upper = bound;
            } else {
                if (kept < limit) kept++;
                at = kept - 1;  // replaces the worst entry when full
                best[at].key = key;
                best[at].upper = bound;
            }
            // Restore the order by moving the improved entry up.
            while (at > 0 && best[at].upper < best[at - 1].upper) {
                kiosk_key_bound t = best[at]; best[at] = best[at - 1]; best[at - 1] = t; at--;
            }
        }
    }
    return kept;
}

size_t kiosk_rows_below(const float *lower, size_t count, float cutoff, int32_t *rows_out, size_t capacity) {
    size_t found = 0;
    for (size_t r = 0; r < count; ++r) {
        if (lower[r] <= cutoff) {
            if (found < capacity) rows_out[found] = (int32_t)r;
            found++;
        }
    }
    return found;
}
