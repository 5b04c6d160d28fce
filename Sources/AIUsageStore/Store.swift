// Placeholder; replaced by the SQLite store.
import AIUsageCore
