#ifndef CLMDB_SHIM_H
#define CLMDB_SHIM_H
// LMDB's C API. Swift calls it directly; nothing here needs a wrapper yet.
#include <lmdb.h>
#endif
