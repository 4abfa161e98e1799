// The parts of the V4L2 API that Swift cannot import directly: ioctl request codes are
// function-like macros, ioctl itself is variadic, and v4l2_format is a union.
#ifndef KIOSK_V4L2_H
#define KIOSK_V4L2_H

#include <linux/videodev2.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

static const unsigned long KIOSK_VIDIOC_QUERYCAP = VIDIOC_QUERYCAP;
static const unsigned long KIOSK_VIDIOC_ENUM_FMT = VIDIOC_ENUM_FMT;
static const unsigned long KIOSK_VIDIOC_ENUM_FRAMESIZES = VIDIOC_ENUM_FRAMESIZES;
static const unsigned long KIOSK_VIDIOC_G_FMT = VIDIOC_G_FMT;
static const unsigned long KIOSK_VIDIOC_S_FMT = VIDIOC_S_FMT;
static const unsigned long KIOSK_VIDIOC_G_PARM = VIDIOC_G_PARM;
static const unsigned long KIOSK_VIDIOC_S_PARM = VIDIOC_S_PARM;
static const unsigned long KIOSK_VIDIOC_REQBUFS = VIDIOC_REQBUFS;
static const unsigned long KIOSK_VIDIOC_QUERYBUF = VIDIOC_QUERYBUF;
static const unsigned long KIOSK_VIDIOC_QBUF = VIDIOC_QBUF;
static const unsigned long KIOSK_VIDIOC_DQBUF = VIDIOC_DQBUF;
static const unsigned long KIOSK_VIDIOC_STREAMON = VIDIOC_STREAMON;
static const unsigned long KIOSK_VIDIOC_STREAMOFF = VIDIOC_STREAMOFF;

/// ioctl retried while interrupted by a signal (EINTR). Returns -1 with errno set on failure.
int kiosk_v4l2_ioctl(int fd, unsigned long request, void *argument);

/// Fills a capture v4l2_format asking for width x height in `fourcc`, progressive.
void kiosk_v4l2_format_request(struct v4l2_format *format, uint32_t width, uint32_t height, uint32_t fourcc);
/// The single-planar pixel format of a v4l2_format.
struct v4l2_pix_format kiosk_v4l2_format_pix(const struct v4l2_format *format);

/// Asks for `fps` frames per second with S_PARM. Returns the rate the driver chose
/// (frames per second), or 0 when the device does not support setting it.
double kiosk_v4l2_set_frame_rate(int fd, unsigned int fps);

/// Copies `size` bytes out of a mapped capture buffer. Returns 0, or -1 when the memory
/// vanished under the copy (SIGSEGV/SIGBUS): user-space V4L2 layers such as PipeWire's
/// unmap a buffer when the source goes away, even while the client reads it. The fault is
/// caught for this copy only; any other fault goes to the handler that was there before.
int kiosk_v4l2_copy_buffer(void *destination, const void *source, size_t size);

/// libv4lconvert, created with libc ioctl in its device operations: libv4l2's own
/// wrappers use raw syscalls, which bypass user-space V4L2 layers such as PipeWire's.
void *kiosk_v4lconvert_create(int fd);
void kiosk_v4lconvert_destroy(void *converter);
/// Converts one frame of `source_format` to packed RGB24 of the same size.
/// Returns the bytes written, or -1 (see kiosk_v4lconvert_error).
int kiosk_v4lconvert_to_rgb(void *converter, const struct v4l2_format *source_format, const uint8_t *source,
                            size_t source_size, uint8_t *rgb, size_t rgb_size);
const char *kiosk_v4lconvert_error(void *converter);

#ifdef __cplusplus
}
#endif
#endif
