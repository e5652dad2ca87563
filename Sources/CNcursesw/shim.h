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

#endif
