// PNG decoding to 8-bit interleaved RGB through libpng's simplified API.
#ifndef KIOSK_PNG_H
#define KIOSK_PNG_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Reads the PNG header only. Returns 0 and fills width/height, or -1 with a reason.
int kiosk_png_size(const uint8_t *data, size_t size, long *width, long *height, char *error, size_t error_size);

/// Decodes into `rgb` (width * height * 3 bytes, as reported by kiosk_png_size).
/// An alpha channel is dropped, not blended, as PIL's convert("RGB") does, so
/// results match face_recognition on RGBA photos. Returns 0, or -1 with a reason.
int kiosk_png_decode_rgb(const uint8_t *data, size_t size, uint8_t *rgb, size_t rgb_size, char *error,
                         size_t error_size);

#ifdef __cplusplus
}
#endif
#endif
