#ifndef CMDB_SPAWN_H
#define CMDB_SPAWN_H

#include <sys/types.h>

/// Starts `path` with `argv` and `envp` (NULL-terminated), its standard streams dup'ed from `in`, `out` and `err`,
/// every other descriptor closed in the child (closefrom, at spawn time: descriptors another thread opens meanwhile
/// are not inherited either), in directory `dir` (NULL: this one), in a process group of its own (so the whole
/// group can be killed), with every signal at its default action and none blocked.
/// Returns 0 and sets `*pid`, or an errno value.
int cmdb_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], const char *dir,
               int in, int out, int err);

/// pipe2(fds, O_CLOEXEC): a pipe whose ends no child inherits unless it is given them. 0, or -1 with errno set.
int cmdb_pipe_cloexec(int fds[2]);

#endif
