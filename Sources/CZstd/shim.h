#ifndef AIUSAGE_CZSTD_SHIM_H
#define AIUSAGE_CZSTD_SHIM_H
// libzstd's streaming decompression API, as Debian's libzstd-dev installs it.
// Nothing is patched: `ZSTD_DCtx_setParameter` and the streaming calls are plain
// functions Swift can call directly.
#include <zstd.h>
#endif
