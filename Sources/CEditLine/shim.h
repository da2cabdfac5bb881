#ifndef CEDITLINE_SHIM_H
#define CEDITLINE_SHIM_H
// libedit's readline-compatible API (BSD licence; Debian: libedit-dev). Swift calls it directly.
#include <stdio.h>
#include <sys/ioctl.h>
#include <editline/readline.h>

// ioctl is variadic, which Swift cannot call: the terminal's size in rows and columns, 0 when unknown.
static inline int cmdb_terminal_size(int fd, unsigned short *rows, unsigned short *columns) {
    struct winsize size;
    if (ioctl(fd, TIOCGWINSZ, &size) != 0) return -1;
    *rows = size.ws_row;
    *columns = size.ws_col;
    return 0;
}
#endif
