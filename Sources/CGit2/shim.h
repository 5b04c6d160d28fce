#ifndef AIUSAGE_CGIT2_SHIM_H
#define AIUSAGE_CGIT2_SHIM_H
#include <git2.h>

// Swift cannot call C variadic functions, so the `git_libgit2_opts` forms the
// wrapper needs get fixed-argument entry points. Nothing else is patched.

/// `git_libgit2_opts(GIT_OPT_GET_SEARCH_PATH, level, out)`.
static inline int aiusage_git_get_search_path(int level, git_buf *out) {
    return git_libgit2_opts(GIT_OPT_GET_SEARCH_PATH, level, out);
}

/// `git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, path)`.
static inline int aiusage_git_set_search_path(int level, const char *path) {
    return git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, path);
}

/// `git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, bytes)`.
static inline int aiusage_git_set_cache_max_size(long long bytes) {
    return git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)bytes);
}

/// `git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, bytes)`.
static inline int aiusage_git_set_mwindow_mapped_limit(size_t bytes) {
    return git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, bytes);
}

/// `git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, enabled)`.
static inline int aiusage_git_set_strict_hash_verification(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, enabled);
}
#endif
