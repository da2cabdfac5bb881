#ifndef CMDB_TEST_SPAWN_H
#define CMDB_TEST_SPAWN_H

#include <sys/types.h>

/// Starts `path` with `argv` and `envp` (NULL-terminated), its standard streams dup'ed from `in`, `out` and `err`,
/// every other descriptor closed in the child (closefrom, at spawn time: descriptors another thread opens meanwhile
/// are not inherited either), in directory `dir` (NULL: this one) and in a process group of its own.
/// Returns 0 and sets `*pid`, or an errno value.
int cmdb_test_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], const char *dir,
                    int in, int out, int err);

#endif
