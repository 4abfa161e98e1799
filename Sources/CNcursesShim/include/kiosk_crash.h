// The crash handler of `kiosk run`, in C because a signal handler may only call
// async-signal-safe functions: no curses, no malloc, no Swift runtime, no stdio.
#ifndef KIOSK_CRASH_H
#define KIOSK_CRASH_H

#ifdef __cplusplus
extern "C" {
#endif

/// Exit status of a crashed desk (EX_SOFTWARE from sysexits.h).
#define KIOSK_CRASH_EXIT_STATUS 70

/// Installs the handler for SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT and SIGTRAP:
/// while curses has the screen, it restores the terminal settings saved now (call before
/// curses starts) and writes a fixed terminal reset to fd 1; then a fixed message to fd 2, appends a fixed line to
/// `log_path_or_null` when given, and ends the process with _exit(70).
/// Also gives the calling thread an alternate signal stack (see below).
/// Returns 0, or -1 when sigaction failed (errno says why).
int kiosk_install_crash_handler(const char *log_path_or_null);

/// Tells the handler whether curses has the screen (called by kiosk_curses_start/stop):
/// the terminal reset is written only then, so a crash before curses starts or after it
/// gave the screen back does not move the cursor over what the shell shows.
void kiosk_crash_note_screen(int curses_active);

/// Gives the calling thread its own alternate signal stack, so a stack overflow on that
/// thread still reaches the handler (each thread needs its own: threads do not inherit
/// it). Idempotent per thread. Returns 0, or -1 when no memory could be had.
int kiosk_crash_prepare_thread(void);

#ifdef __cplusplus
}
#endif
#endif
