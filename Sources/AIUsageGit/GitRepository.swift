// Placeholder; replaced by the libgit2 wrapper.
import AIUsageCore
