// ncursesw behind plain functions: its macros (getmaxyx, KEY_F, A_BOLD...) do not import
// into Swift, and its globals (stdscr) are not Sendable. The terminal is owned by one
// thread (the TUI's), which is the only caller.
#ifndef KIOSK_CURSES_H
#define KIOSK_CURSES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Starts curses: locale from the environment, raw keys (Ctrl-C arrives as a key),
/// no echo, keypad decoding, hidden cursor, colours when the terminal has them.
/// Returns the number of colours (0 without colour support).
/// `terminal_name`: a terminfo entry to use instead of $TERM (NULL: $TERM).
int kiosk_curses_start(const char *terminal_name);
/// Restores the terminal. Safe to call more than once.
void kiosk_curses_stop(void);
int kiosk_curses_active(void);

void kiosk_curses_size(int *rows, int *columns);
int kiosk_curses_color_pairs(void);

/// Defines colour pair `pair` (1...) as foreground/background colour numbers.
int kiosk_curses_define_pair(int pair, int foreground, int background);
/// Defines colour `color` from 0-1000 RGB components (when can_change_color).
int kiosk_curses_can_change_color(void);

/// Draws one character cell (a Unicode scalar, possibly wide) at row/column.
/// attributes: bit 0 bold, bit 1 reverse, bit 2 underline, bit 3 dim.
void kiosk_curses_put(int row, int column, uint32_t scalar, int pair, int attributes);
void kiosk_curses_refresh(void);
/// Forces a full repaint on the next refresh (after a resize).
void kiosk_curses_clear(void);

/// Waits up to `timeout_ms` for a key. Returns 0 for a character (in *value), 1 for a
/// function key (curses key code in *value), -1 when nothing came.
int kiosk_curses_read_key(int timeout_ms, uint32_t *value);

/// Curses key codes Swift cannot compute from the macros.
int kiosk_key_f(int n);
extern const int KIOSK_KEY_RESIZE, KIOSK_KEY_UP, KIOSK_KEY_DOWN, KIOSK_KEY_LEFT, KIOSK_KEY_RIGHT, KIOSK_KEY_BACKSPACE,
    KIOSK_KEY_ENTER, KIOSK_KEY_BTAB, KIOSK_KEY_DC, KIOSK_KEY_HOME, KIOSK_KEY_END, KIOSK_KEY_NPAGE, KIOSK_KEY_PPAGE;

#ifdef __cplusplus
}
#endif
#endif
