// A read-only view of caller-owned interleaved RGB bytes that dlib's generic image
// interface accepts, so detection and chip extraction read Swift's buffer without a copy.
#pragma once
#include <dlib/image_processing/generic_image.h>
#include <dlib/pixel.h>

struct kiosk_rgb_view {
    const dlib::rgb_pixel *pixels;
    long rows;
    long columns;
};

namespace dlib {
template <> struct image_traits<kiosk_rgb_view> { typedef rgb_pixel pixel_type; };
template <> struct image_traits<const kiosk_rgb_view> { typedef rgb_pixel pixel_type; };
}

inline long num_rows(const kiosk_rgb_view &view) { return view.rows; }
inline long num_columns(const kiosk_rgb_view &view) { return view.columns; }
inline long width_step(const kiosk_rgb_view &view) { return view.columns * 3; }
inline const void *image_data(const kiosk_rgb_view &view) { return view.pixels; }
// dlib's const image access goes through non-const overloads in a few templates.
inline void *image_data(kiosk_rgb_view &view) { return const_cast<dlib::rgb_pixel *>(view.pixels); }

inline kiosk_rgb_view kiosk_make_view(const uint8_t *rgb, long width, long height) {
    static_assert(sizeof(dlib::rgb_pixel) == 3, "rgb_pixel must be 3 packed bytes");
    return kiosk_rgb_view{reinterpret_cast<const dlib::rgb_pixel *>(rgb), height, width};
}
