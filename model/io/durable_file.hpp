// Files that survive a crash or a power loss: fsync of a file and of its
// directory, an exclusive byte-for-byte copy, and a rename that says why it
// failed. The results writer builds its NAME.partial -> NAME protocol on these
// (docs/output-format.md, "Chunks and crash safety"). Internal to io/.
#pragma once

#include <string>

namespace arcm::io {

//! fsync of the directory holding `path`, so a rename() or a newly created
//! file in it survives a power loss. Throws IoError.
void sync_directory_of(const std::string& path);
//! fsync of the file at `path`. Throws IoError.
void sync_file_at(const std::string& path);
//! Copies `from` byte for byte into a new file `to` with the same permission
//! bits and fsyncs it. `to` is created with O_EXCL, so an existing `to` (an
//! unfinished sweep's or update's NAME.partial) is never truncated, even by a
//! racing process; on any other failure the half-written `to` is removed.
void copy_file_exclusive(const std::string& from, const std::string& to);
//! rename(), or an IoError naming both paths and the reason.
void rename_file(const std::string& from, const std::string& to);

} // namespace arcm::io
