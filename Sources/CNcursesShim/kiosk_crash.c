#define _GNU_SOURCE 1
#include "kiosk_crash.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

// Everything the handler touches is prepared at install time: after a crash the heap,
// curses and the Swift runtime may be the very things that are broken, and none of them
// may be called from a signal handler anyway. The handler uses only tcsetattr, write,
// open, close, clock_gettime and _exit, which POSIX lists as async-signal-safe.

// Leave the alternate screen, show the cursor, cursor keys and keypad back to normal
// mode (curses' keypad(TRUE) switched them), attributes off, then a fresh line.
static const char terminal_reset[] = "\033[?1049l\033[?25h\033[?1l\033>\033[0m\r\n";
// Starts with a carriage return, in the same write(2): a signal sent from outside can be
// handled on any thread while the UI thread is still writing a frame, and the message
// must start its line whatever that frame left the cursor at.
static const char crash_message[] = "\rkiosk: crashed; the desk will restart if it runs as a service\r\n";

static struct termios saved_termios;
static int termios_saved = 0;
static int terminal_fd = -1;
static volatile sig_atomic_t screen_active = 0;
static char log_path[4096];

static void write_all(int fd, const char *bytes, size_t count) {
    while (count > 0) {
        ssize_t written = write(fd, bytes, count);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return;
        bytes += written;
        count -= (size_t)written;
    }
}

static void write_text(int fd, const char *text) { write_all(fd, text, strlen(text)); }

// strlen is async-signal-safe since POSIX.1-2016; the names are string literals.
static const char *signal_name(int number) {
    switch (number) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    case SIGABRT: return "SIGABRT";
    case SIGTRAP: return "SIGTRAP";
    default: return "a signal";
    }
}

static void write_decimal(int fd, long long value) {
    char digits[24];
    size_t at = sizeof digits;
    int negative = value < 0;
    unsigned long long rest = negative ? 0ULL - (unsigned long long)value : (unsigned long long)value;
    do {
        digits[--at] = (char)('0' + rest % 10);
        rest /= 10;
    } while (rest > 0 && at > 1);
    if (negative) digits[--at] = '-';
    write_all(fd, digits + at, sizeof digits - at);
}

static void on_crash(int number) {
    if (screen_active) {
        if (termios_saved) tcsetattr(terminal_fd, TCSANOW, &saved_termios);
        if (terminal_fd >= 0) write_all(terminal_fd, terminal_reset, sizeof terminal_reset - 1);
    }
    write_all(2, crash_message, sizeof crash_message - 1);
    if (log_path[0] != 0) {
        int fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd >= 0) {
            // The log's other lines start with an ISO 8601 time; formatting one needs
            // gmtime_r, which is not async-signal-safe, so this line says Unix seconds.
            struct timespec now;
            clock_gettime(CLOCK_REALTIME, &now);
            write_text(fd, "@");
            write_decimal(fd, (long long)now.tv_sec);
            write_text(fd, " critical kiosk: crashed on ");
            write_text(fd, signal_name(number));
            write_text(fd, " (signal ");
            write_decimal(fd, number);
            write_text(fd, "); exit status 70\n");
            close(fd);
        }
    }
    // _exit rather than re-raising the signal with SIG_DFL: re-raising would dump core,
    // and this process holds every enrolled face template in memory (the gallery), which
    // a core file would copy to disk outside the 0700 data directory. Under systemd both
    // restart the desk (Restart=always); a fixed status also tells a crash apart from a
    // kill in `systemctl status` and in the tests.
    _exit(KIOSK_CRASH_EXIT_STATUS);
}

void kiosk_crash_note_screen(int curses_active) { screen_active = curses_active != 0; }

static __thread int thread_prepared = 0;

int kiosk_crash_prepare_thread(void) {
    if (thread_prepared) return 0;
    // Room for the handler's frame and the kernel's signal frame (which can be large with
    // AVX-512 state); mmap'ed, not on the heap, and never freed: a thread may crash late.
    size_t size = 64 * 1024;
    void *memory = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (memory == MAP_FAILED) return -1;
    stack_t stack = {.ss_sp = memory, .ss_flags = 0, .ss_size = size};
    if (sigaltstack(&stack, NULL) != 0) {
        munmap(memory, size);
        return -1;
    }
    thread_prepared = 1;
    return 0;
}

int kiosk_install_crash_handler(const char *log_path_or_null) {
    log_path[0] = 0;
    if (log_path_or_null != NULL && strlen(log_path_or_null) < sizeof log_path) {
        strcpy(log_path, log_path_or_null);
    }
    // The terminal curses draws on (stdout), as it is before curses changes its modes.
    terminal_fd = isatty(1) ? 1 : (isatty(2) ? 2 : -1);
    termios_saved = terminal_fd >= 0 && tcgetattr(terminal_fd, &saved_termios) == 0;
    kiosk_crash_prepare_thread();

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_crash;
    // Everything blocked while it runs; SA_RESETHAND: a fault inside the handler kills
    // the process with the default action instead of looping; SA_ONSTACK: on the thread's
    // alternate stack when it has one (a stack overflow leaves no room on the normal one).
    sigfillset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND | SA_ONSTACK;
    const int signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        if (sigaction(signals[i], &action, NULL) != 0) return -1;
    }
    return 0;
}
