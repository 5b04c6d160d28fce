#ifndef AIUSAGE_CSQLITESETUP_SHIM_H
#define AIUSAGE_CSQLITESETUP_SHIM_H
// Process-wide SQLite settings that only `sqlite3_config` can make: a variadic
// function Swift cannot call, so these static inline wrappers call it. They must run
// before SQLite initialises (the first connection); later calls return SQLITE_MISUSE
// and change nothing.
#include <sqlite3.h>

/// Multi-thread mode: no mutex around every call on a connection. GRDB already uses
/// each connection from one serial queue at a time (it supports only this mode).
static inline int aiusage_sqlite_multithread(void) { return sqlite3_config(SQLITE_CONFIG_MULTITHREAD); }

/// No memory statistics: SQLite otherwise takes a global mutex on every allocation to
/// count bytes nobody reads.
static inline int aiusage_sqlite_no_memstatus(void) { return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

#include <stdlib.h>  // defines __GLIBC__ on glibc
#ifdef __GLIBC__
#include <malloc.h>
#endif

/// After SQLite freed a large page cache (`PRAGMA shrink_memory`): glibc keeps freed
/// memory in the arena of the thread that used it, where other threads do not reuse
/// it; `malloc_trim` hands it back to the system. Nothing elsewhere.
static inline void aiusage_return_freed_memory(void) {
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

#endif
