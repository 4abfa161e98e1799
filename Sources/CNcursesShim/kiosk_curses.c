#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include "kiosk_curses.h"
#include "kiosk_crash.h"

#include <locale.h>
#include <ncursesw/curses.h>
#include <wchar.h>

static int active = 0;

int kiosk_curses_start(const char *terminal_name) {
    setlocale(LC_ALL, "");
    // Keep ESC responsive: curses otherwise waits up to a second for an escape sequence.
    set_escdelay(25);
    if (terminal_name != NULL) {
        if (newterm(terminal_name, stdout, stdin) == NULL) return -1;
    } else if (initscr() == NULL) {
        return -1;
    }
    active = 1;
    kiosk_crash_note_screen(1);
    raw();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    leaveok(stdscr, TRUE);
    if (!has_colors()) return 0;
    start_color();
    use_default_colors();
    return COLORS;
}

void kiosk_curses_stop(void) {
    if (!active) return;
    active = 0;
    curs_set(1);
    endwin();
    kiosk_crash_note_screen(0);
}

int kiosk_curses_active(void) { return active; }

void kiosk_curses_size(int *rows, int *columns) { getmaxyx(stdscr, *rows, *columns); }

int kiosk_curses_color_pairs(void) { return COLOR_PAIRS; }

int kiosk_curses_define_pair(int pair, int foreground, int background) {
    return init_extended_pair(pair, foreground, background);
}

int kiosk_curses_can_change_color(void) { return can_change_color(); }

void kiosk_curses_put(int row, int column, uint32_t scalar, int pair, int attributes) {
    wchar_t text[2] = {(wchar_t)scalar, 0};
    attr_t attrs = 0;
    if (attributes & 1) attrs |= A_BOLD;
    if (attributes & 2) attrs |= A_REVERSE;
    if (attributes & 4) attrs |= A_UNDERLINE;
    if (attributes & 8) attrs |= A_DIM;
    cchar_t cell;
    int extended = pair;
    setcchar(&cell, text, attrs, 0, &extended);
    mvadd_wch(row, column, &cell);
}

void kiosk_curses_refresh(void) { refresh(); }

void kiosk_curses_clear(void) { clearok(stdscr, TRUE); }

int kiosk_curses_read_key(int timeout_ms, uint32_t *value) {
    timeout(timeout_ms);
    wint_t key;
    int kind = get_wch(&key);
    if (kind == ERR) return -1;
    *value = (uint32_t)key;
    return kind == KEY_CODE_YES ? 1 : 0;
}

int kiosk_key_f(int n) { return KEY_F(n); }
const int KIOSK_KEY_RESIZE = KEY_RESIZE, KIOSK_KEY_UP = KEY_UP, KIOSK_KEY_DOWN = KEY_DOWN, KIOSK_KEY_LEFT = KEY_LEFT,
          KIOSK_KEY_RIGHT = KEY_RIGHT, KIOSK_KEY_BACKSPACE = KEY_BACKSPACE, KIOSK_KEY_ENTER = KEY_ENTER,
          KIOSK_KEY_BTAB = KEY_BTAB, KIOSK_KEY_DC = KEY_DC, KIOSK_KEY_HOME = KEY_HOME, KIOSK_KEY_END = KEY_END,
          KIOSK_KEY_NPAGE = KEY_NPAGE, KIOSK_KEY_PPAGE = KEY_PPAGE;
