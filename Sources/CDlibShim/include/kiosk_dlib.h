// Plain C interface to the dlib face pipeline. No dlib type crosses this header:
// Swift sees only opaque handles, plain structs and pointers to interleaved RGB bytes.
#ifndef KIOSK_DLIB_H
#define KIOSK_DLIB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A detection rectangle in dlib's inclusive pixel coordinates, with the detector's score.
typedef struct {
    long left, top, right, bottom;
    double score;
} kiosk_rect;

/// The five landmark points of dlib's 5-point shape predictor, in image pixels.
typedef struct {
    long x[5];
    long y[5];
} kiosk_landmarks;

/// Opaque handles. A handle is not thread-safe: use one from one thread at a time.
typedef struct kiosk_detector kiosk_detector;
typedef struct kiosk_cnn_detector kiosk_cnn_detector;
typedef struct kiosk_landmarker kiosk_landmarker;
typedef struct kiosk_encoder kiosk_encoder;

/// Every call that can fail returns NULL or a negative number and writes a
/// NUL-terminated reason into `error` (at most `error_size` bytes).

kiosk_detector *kiosk_detector_create(char *error, size_t error_size);
void kiosk_detector_destroy(kiosk_detector *detector);
/// HOG detection on an RGB image, as dlib's Python binding does it: the image is
/// upsampled `upsample` times with pyramid_up, detections mapped back.
/// Returns the number of faces found (all of them, even beyond `capacity`);
/// at most `capacity` are written to `out`.
int kiosk_detect(kiosk_detector *detector, const uint8_t *rgb, long width, long height,
                 int upsample, kiosk_rect *out, int capacity, char *error, size_t error_size);

/// The boxes `kiosk_detect` (same `upsample`) finds near `near` (a face box found another
/// way, e.g. on a half-size copy), for a fraction of its cost: only the pyramid levels whose
/// window is near `near`'s size (one smaller, two larger) are scanned, and of each only the
/// region holding the boxes within a quarter of `near`'s width of it. Those regions of the
/// levels are computed bit for bit as dlib computes the whole levels, so a box found is the
/// box the full search finds there, with its score (unless a stronger detection outside that
/// region would have suppressed it). Returns the number of boxes (all of them); at most
/// `capacity` are written to `out`.
int kiosk_detect_near(kiosk_detector *detector, const uint8_t *rgb, long width, long height, int upsample,
                      kiosk_rect near, kiosk_rect *out, int capacity, char *error, size_t error_size);

/// dlib's CNN (MMOD) face detector, loaded from mmod_human_face_detector.dat. Slower than
/// HOG but finds turned, tilted and partly hidden faces that HOG misses.
kiosk_cnn_detector *kiosk_cnn_detector_create(const char *model_path, char *error, size_t error_size);
void kiosk_cnn_detector_destroy(kiosk_cnn_detector *detector);
/// CNN detection on an RGB image, upsampled `upsample` times first as in dlib's Python
/// binding. Returns the number of faces (all of them); at most `capacity` are written.
int kiosk_cnn_detect(kiosk_cnn_detector *detector, const uint8_t *rgb, long width, long height,
                     int upsample, kiosk_rect *out, int capacity, char *error, size_t error_size);

kiosk_landmarker *kiosk_landmarker_create(const char *model_path, char *error, size_t error_size);
void kiosk_landmarker_destroy(kiosk_landmarker *landmarker);
int kiosk_landmarks_find(kiosk_landmarker *landmarker, const uint8_t *rgb, long width, long height,
                         kiosk_rect box, kiosk_landmarks *out, char *error, size_t error_size);

kiosk_encoder *kiosk_encoder_create(const char *model_path, char *error, size_t error_size);
void kiosk_encoder_destroy(kiosk_encoder *encoder);
/// The 128-D descriptor of the face chip (150 px, padding 0.25) aligned on the landmarks.
/// `jitters` > 1 averages the descriptors of that many randomly jittered copies of the chip
/// (dlib's num_jitters; deterministic, about `jitters` times slower); 0 or 1: the chip alone.
/// If `chip_rgb` is not NULL, the 150x150 RGB chip is copied into it (67500 bytes).
int kiosk_encode_face(kiosk_encoder *encoder, const uint8_t *rgb, long width, long height,
                      kiosk_rect box, const kiosk_landmarks *landmarks, int jitters, float *out128,
                      uint8_t *chip_rgb, char *error, size_t error_size);

/// Size in pixels of the aligned face chip.
#define KIOSK_CHIP_SIZE 150

#ifdef __cplusplus
}
#endif

#endif
