internal import CGit2
import Foundation

// Owned libgit2 handles. Each class frees its pointer in `deinit`; a child keeps the
// handle it was made from (`owner`) alive, so a commit or diff can never outlive the
// repository whose memory it points into. None of these types is public.

class OwnedHandle {
    let pointer: OpaquePointer
    /// The parent handle this one borrows from; held only to keep it alive.
    private let owner: AnyObject?

    required init(_ pointer: OpaquePointer, owner: AnyObject?) {
        self.pointer = pointer
        self.owner = owner
    }
}

final class RepositoryHandle: OwnedHandle {
    deinit { git_repository_free(pointer) }
}

final class CommitHandle: OwnedHandle {
    deinit { git_commit_free(pointer) }
}

final class TreeHandle: OwnedHandle {
    deinit { git_tree_free(pointer) }
}

final class TreeEntryHandle: OwnedHandle {
    deinit { git_tree_entry_free(pointer) }
}

final class BlobHandle: OwnedHandle {
    deinit { git_blob_free(pointer) }
}

final class ObjectHandle: OwnedHandle {
    deinit { git_object_free(pointer) }
}

final class ReferenceHandle: OwnedHandle {
    deinit { git_reference_free(pointer) }
}

final class DiffHandle: OwnedHandle {
    deinit { git_diff_free(pointer) }
}

final class RevwalkHandle: OwnedHandle {
    deinit { git_revwalk_free(pointer) }
}

final class ConfigHandle: OwnedHandle {
    deinit { git_config_free(pointer) }
}

final class MailmapHandle: OwnedHandle {
    deinit { git_mailmap_free(pointer) }
}

final class ReferenceIteratorHandle: OwnedHandle {
    deinit { git_reference_iterator_free(pointer) }
}

final class WorktreeHandle: OwnedHandle {
    deinit { git_worktree_free(pointer) }
}

/// Creates a handle from a libgit2 constructor that fills an out-pointer, checking
/// the return code and refusing a null result.
func make<H: OwnedHandle>(
    _ type: H.Type, _ function: String, owner: AnyObject?,
    _ call: (UnsafeMutablePointer<OpaquePointer?>) -> Int32
) throws(GitError) -> H {
    var out: OpaquePointer?
    try check(function) { call(&out) }
    guard let pointer = out else {
        throw GitError(function: function, message: "returned no object")
    }
    return H(pointer, owner: owner)
}

/// As `make`, but `GIT_ENOTFOUND` (and any other listed code) yields nil.
func makeIfPresent<H: OwnedHandle>(
    _ type: H.Type, _ function: String, owner: AnyObject?,
    allowing: [git_error_code] = [GIT_ENOTFOUND],
    _ call: (UnsafeMutablePointer<OpaquePointer?>) -> Int32
) throws(GitError) -> H? {
    var out: OpaquePointer?
    let code = try check(function, allowing: allowing) { call(&out) }
    guard code >= 0, let pointer = out else { return nil }
    return H(pointer, owner: owner)
}

// MARK: - Small conversions

/// Decodes a C string that libgit2 owns; bad UTF-8 becomes U+FFFD, never a crash.
func decode(_ text: UnsafePointer<CChar>?) -> String? {
    guard let text else { return nil }
    let length = strlen(text)
    return text.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }
}

/// Hex form of an object id.
func hex(_ oid: UnsafePointer<git_oid>) -> String {
    var buffer = [CChar](repeating: 0, count: Int(GIT_OID_HEXSZ) + 1)
    git_oid_fmt(&buffer, oid)
    return String(decoding: buffer.prefix(Int(GIT_OID_HEXSZ)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
