// RunResults as bytes, for sending computed runs between MPI ranks. Every
// field round-trips bit for bit (doubles are copied, not printed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/results.hpp"

namespace arcm::hpc {

//! Appends `results` (with its run index) to `buffer`.
void encode_run(std::uint64_t run, const RunResults& results, std::vector<char>& buffer);

//! Decodes the run that starts at `buffer[offset]`, advancing `offset` past
//! it. Throws arcm::Error when the buffer ends early.
RunResults decode_run(const std::vector<char>& buffer, std::size_t& offset, std::uint64_t& run);

} // namespace arcm::hpc
