#ifndef CNCURSESW_SHIM_H
#define CNCURSESW_SHIM_H

// The wide-character API (cchar_t, add_wch, wget_wch, ...) is only declared
// when NCURSES_WIDECHAR is set before curses.h is included.
#define NCURSES_WIDECHAR 1
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif

#include <locale.h>
#include <wchar.h>
#include <stdio.h>
#include <ncursesw/curses.h>
#include <sys/ioctl.h>

// glibc hides these behind _XOPEN_SOURCE; declare them for Swift.
extern int wcwidth(wchar_t c);
extern int wcswidth(const wchar_t *s, size_t n);

// Swift 6 rejects mutable C globals and cannot import function-like macros:
// expose what the backend needs through inline accessors.
static inline WINDOW *CNcursesw_stdscr(void) { return stdscr; }
static inline int CNcursesw_LINES(void) { return LINES; }
static inline int CNcursesw_COLS(void) { return COLS; }
static inline int CNcursesw_COLORS(void) { return COLORS; }
static inline int CNcursesw_COLOR_PAIRS(void) { return COLOR_PAIRS; }

static inline attr_t CNcursesw_A_NORMAL(void) { return A_NORMAL; }
static inline attr_t CNcursesw_A_BOLD(void) { return A_BOLD; }
static inline attr_t CNcursesw_A_DIM(void) { return A_DIM; }
static inline attr_t CNcursesw_A_UNDERLINE(void) { return A_UNDERLINE; }
static inline attr_t CNcursesw_A_REVERSE(void) { return A_REVERSE; }
static inline attr_t CNcursesw_A_ITALIC(void) { return A_ITALIC; }
static inline int CNcursesw_COLOR_PAIR(int n) { return (int)COLOR_PAIR(n); }

static inline int CNcursesw_KEY_CODE_YES(void) { return KEY_CODE_YES; }
static inline int CNcursesw_KEY_RESIZE(void) { return KEY_RESIZE; }

// Keys that wget_wch reports with KEY_CODE_YES (KEY_F is function-like).
static inline int CNcursesw_KEY_UP(void) { return KEY_UP; }
static inline int CNcursesw_KEY_DOWN(void) { return KEY_DOWN; }
static inline int CNcursesw_KEY_LEFT(void) { return KEY_LEFT; }
static inline int CNcursesw_KEY_RIGHT(void) { return KEY_RIGHT; }
static inline int CNcursesw_KEY_HOME(void) { return KEY_HOME; }
static inline int CNcursesw_KEY_END(void) { return KEY_END; }
static inline int CNcursesw_KEY_NPAGE(void) { return KEY_NPAGE; }
static inline int CNcursesw_KEY_PPAGE(void) { return KEY_PPAGE; }
static inline int CNcursesw_KEY_DC(void) { return KEY_DC; }
static inline int CNcursesw_KEY_IC(void) { return KEY_IC; }
static inline int CNcursesw_KEY_BACKSPACE(void) { return KEY_BACKSPACE; }
static inline int CNcursesw_KEY_ENTER(void) { return KEY_ENTER; }
static inline int CNcursesw_KEY_BTAB(void) { return KEY_BTAB; }
static inline int CNcursesw_KEY_F(int n) { return KEY_F(n); }
static inline int CNcursesw_OK(void) { return OK; }

// The mouse: which buttons are reported, and the last event's cell and buttons.
static inline int CNcursesw_KEY_MOUSE(void) { return KEY_MOUSE; }
static inline mmask_t CNcursesw_BUTTON1_RELEASED(void) { return BUTTON1_RELEASED; }
static inline mmask_t CNcursesw_BUTTON1_CLICKED(void) { return BUTTON1_CLICKED; }
static inline mmask_t CNcursesw_BUTTON4_PRESSED(void) { return BUTTON4_PRESSED; }
#ifdef BUTTON5_PRESSED
static inline mmask_t CNcursesw_BUTTON5_PRESSED(void) { return BUTTON5_PRESSED; }
#else
static inline mmask_t CNcursesw_BUTTON5_PRESSED(void) { return 0; }
#endif
// A click is the left button's release (one per click, whether its press was read apart or in the same
// read: ncurses reports the release then), with no wait to tell clicks apart (interval 0); the wheel
// is buttons 4 and 5. 0 when the terminal has no mouse.
static inline int CNcursesw_mouse_on(void) {
    mmask_t old = 0;
    mmask_t want = BUTTON1_RELEASED | BUTTON4_PRESSED | CNcursesw_BUTTON5_PRESSED();
    mouseinterval(0);
    return mousemask(want, &old) != 0;
}
static inline int CNcursesw_getmouse(int *x, int *y, mmask_t *bstate) {
    MEVENT e;
    if (getmouse(&e) != OK) return ERR;
    *x = e.x;
    *y = e.y;
    *bstate = e.bstate;
    return OK;
}
static inline int CNcursesw_ERR(void) { return ERR; }
static inline int CNcursesw_CCHARW_MAX(void) { return CCHARW_MAX; }
static inline attr_t CNcursesw_A_COLOR(void) { return A_COLOR; }

// The terminal's size from the kernel (ioctl is variadic: Swift cannot call it).
// -1 when fd is not a terminal.
static inline int CNcursesw_terminal_size(int fd, int *rows, int *cols) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0) return -1;
    *rows = ws.ws_row;
    *cols = ws.ws_col;
    return 0;
}

#endif
