#include "kiosk_v4l2.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <libv4l-plugin.h>
#include <libv4lconvert.h>
#include <string.h>
#include <sys/ioctl.h>

int kiosk_v4l2_ioctl(int fd, unsigned long request, void *argument) {
    int result;
    do {
        result = ioctl(fd, request, argument);
    } while (result == -1 && errno == EINTR);
    return result;
}

void kiosk_v4l2_format_request(struct v4l2_format *format, uint32_t width, uint32_t height, uint32_t fourcc) {
    memset(format, 0, sizeof(*format));
    format->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    format->fmt.pix.width = width;
    format->fmt.pix.height = height;
    format->fmt.pix.pixelformat = fourcc;
    format->fmt.pix.field = V4L2_FIELD_ANY;
}

struct v4l2_pix_format kiosk_v4l2_format_pix(const struct v4l2_format *format) { return format->fmt.pix; }

double kiosk_v4l2_set_frame_rate(int fd, unsigned int fps) {
    struct v4l2_streamparm parm;
    memset(&parm, 0, sizeof(parm));
    parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (kiosk_v4l2_ioctl(fd, VIDIOC_G_PARM, &parm) != 0) return 0;
    if (!(parm.parm.capture.capability & V4L2_CAP_TIMEPERFRAME)) return 0;
    parm.parm.capture.timeperframe.numerator = 1;
    parm.parm.capture.timeperframe.denominator = fps;
    if (kiosk_v4l2_ioctl(fd, VIDIOC_S_PARM, &parm) != 0) return 0;
    const struct v4l2_fract chosen = parm.parm.capture.timeperframe;
    return chosen.numerator ? (double)chosen.denominator / chosen.numerator : 0;
}

static void *ops_init(int fd) { (void)fd; return NULL; }
static void ops_close(void *priv) { (void)priv; }
static int ops_ioctl(void *priv, int fd, unsigned long request, void *arg) {
    (void)priv;
    return kiosk_v4l2_ioctl(fd, request, arg);
}
static ssize_t ops_read(void *priv, int fd, void *buffer, size_t n) {
    (void)priv; (void)fd; (void)buffer; (void)n;
    errno = ENOSYS;
    return -1;
}
static ssize_t ops_write(void *priv, int fd, const void *buffer, size_t n) {
    (void)priv; (void)fd; (void)buffer; (void)n;
    errno = ENOSYS;
    return -1;
}

static const struct libv4l_dev_ops libc_ops = {
    .init = ops_init, .close = ops_close, .ioctl = ops_ioctl, .read = ops_read, .write = ops_write,
};

void *kiosk_v4lconvert_create(int fd) { return v4lconvert_create_with_dev_ops(fd, NULL, &libc_ops); }

void kiosk_v4lconvert_destroy(void *converter) {
    if (converter) v4lconvert_destroy((struct v4lconvert_data *)converter);
}

int kiosk_v4lconvert_to_rgb(void *converter, const struct v4l2_format *source_format, const uint8_t *source,
                            size_t source_size, uint8_t *rgb, size_t rgb_size) {
    struct v4l2_format destination = *source_format;
    destination.fmt.pix.pixelformat = V4L2_PIX_FMT_RGB24;
    destination.fmt.pix.bytesperline = destination.fmt.pix.width * 3;
    destination.fmt.pix.sizeimage = destination.fmt.pix.bytesperline * destination.fmt.pix.height;
    struct v4l2_format src = *source_format;
    return v4lconvert_convert((struct v4lconvert_data *)converter, &src, &destination, (unsigned char *)source,
                              (int)source_size, rgb, (int)rgb_size);
}

const char *kiosk_v4lconvert_error(void *converter) {
    return converter ? v4lconvert_get_error_message((struct v4lconvert_data *)converter) : "no converter";
}

// --- Copying out of buffers that may vanish -------------------------------------------

static __thread sigjmp_buf *copy_escape = NULL;
static struct sigaction previous_segv, previous_bus;
static pthread_once_t handlers_once = PTHREAD_ONCE_INIT;

static void chain(int signal_number, siginfo_t *info, void *context, const struct sigaction *previous) {
    if (previous->sa_flags & SA_SIGINFO) {
        if (previous->sa_sigaction) previous->sa_sigaction(signal_number, info, context);
        return;
    }
    if (previous->sa_handler == SIG_IGN) return;
    if (previous->sa_handler == SIG_DFL || previous->sa_handler == NULL) {
        signal(signal_number, SIG_DFL);
        raise(signal_number);
        return;
    }
    previous->sa_handler(signal_number);
}

static void on_fault(int signal_number, siginfo_t *info, void *context) {
    if (copy_escape != NULL) {
        sigjmp_buf *escape = copy_escape;
        copy_escape = NULL;
        siglongjmp(*escape, 1);
    }
    chain(signal_number, info, context, signal_number == SIGBUS ? &previous_bus : &previous_segv);
}

static void install_handlers(void) {
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, &previous_segv);
    sigaction(SIGBUS, &action, &previous_bus);
}

int kiosk_v4l2_copy_buffer(void *destination, const void *source, size_t size) {
    pthread_once(&handlers_once, install_handlers);
    sigjmp_buf escape;
    if (sigsetjmp(escape, 1) != 0) {
        return -1;  // the mapping disappeared during the copy
    }
    copy_escape = &escape;
    memcpy(destination, source, size);
    copy_escape = NULL;
    return 0;
}
