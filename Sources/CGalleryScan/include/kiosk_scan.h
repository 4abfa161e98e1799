// The inner loop of gallery search: byte-coded templates against a byte-coded query.
#ifndef KIOSK_SCAN_H
#define KIOSK_SCAN_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Largest |query code|: keeps every pairwise sum of the AVX2 multiply-add
/// (255 * 63 * 2 = 32130) inside int16 without saturation.
#define KIOSK_QUERY_CODE_MAX 63

/// For each row r < count, [lower[r], upper[r]] surely holds the squared Euclidean
/// distance between template r and the query, where
///   template r ≈ scales[r] * (rows[r] - 128)   (rows: 128 unsigned bytes per template)
///   query      ≈ query_scale * query           (query: 128 signed bytes, |code| <= 63).
/// squared_norms and code_l1 (sum of |code|) are per row; query_norm is |query|²,
/// query_l1 the sum of |query code| and query_sum the sum of query codes.
/// Uses AVX2 when the CPU has it (checked at run time), plain C otherwise.
void kiosk_scan_bounds(const uint8_t *rows, size_t count, const int8_t *query, const float *scales,
                       const float *squared_norms, const float *code_l1, float query_scale, float query_norm,
                       float query_l1, int32_t query_sum, float *lower, float *upper);

/// The best (smallest) upper bound of a key, as found by kiosk_scan_select.
typedef struct {
    int32_t key;
    float upper;
} kiosk_key_bound;

/// kiosk_scan_bounds for rows [0, count), keeping only `lower` (in `lower`, count floats)
/// and, in `best` (capacity `limit`, sorted by upper), the `limit` distinct keys with the
/// smallest upper bounds; `keys[r]` is row r's key. Returns how many entries `best` holds.
int kiosk_scan_select(const uint8_t *rows, size_t count, const int8_t *query, const float *scales,
                      const float *squared_norms, const float *code_l1, const int32_t *keys, float query_scale,
                      float query_norm, float query_l1, int32_t query_sum, int limit, float *lower,
                      kiosk_key_bound *best);

/// Writes the rows whose lower bound is at most `cutoff` into `rows_out` (up to
/// `capacity`) and returns how many there are (possibly more than `capacity`).
size_t kiosk_rows_below(const float *lower, size_t count, float cutoff, int32_t *rows_out, size_t capacity);

/// 1 when the AVX2 path is in use.
int kiosk_scan_uses_avx2(void);

#ifdef __cplusplus
}
#endif
#endif
