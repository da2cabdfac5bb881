// posix_spawn with the glibc extensions Swift's Glibc module does not show (closefrom, chdir, pipe2), for the
// helper programs the server runs (Graphviz's dot) and the tests' child processes. Foundation's Process closes the
// parent's descriptors in the child from a list it makes before spawning, and learns of the child's exit from a
// socket the child inherits: a descriptor opened by another thread in between leaks into the child, and a
// grandchild holding that socket keeps the process "running" after it exits.
#define _GNU_SOURCE
#include "cmdb_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

int cmdb_spawn(pid_t *pid, const char *path, char *const argv[], char *const envp[], const char *dir,
               int in, int out, int err) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) return rc;
    rc = posix_spawnattr_init(&attributes);
    if (rc != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return rc;
    }
    int streams[3] = {in, out, err};
    for (int target = 0; target < 3 && rc == 0; target++) {
        rc = posix_spawn_file_actions_adddup2(&actions, streams[target], target);
    }
    if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    if (rc == 0 && dir != NULL) rc = posix_spawn_file_actions_addchdir_np(&actions, dir);
    if (rc == 0) rc = posix_spawnattr_setpgroup(&attributes, 0);
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    if (rc == 0) rc = posix_spawnattr_setsigdefault(&attributes, &all);
    if (rc == 0) rc = posix_spawnattr_setsigmask(&attributes, &none);
    if (rc == 0) rc = posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    if (rc == 0) rc = posix_spawn(pid, path, &actions, &attributes, argv, envp);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return rc;
}

int cmdb_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }
