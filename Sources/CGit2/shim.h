#ifndef AIUSAGE_CGIT2_SHIM_H
#define AIUSAGE_CGIT2_SHIM_H
// Only what Swift needs from libgit2; nothing is patched.
#include <git2.h>
#endif
