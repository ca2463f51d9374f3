// The only place in ARCM that talks to the HDF5 C API directly.
//
// Move-only handle wrappers close their hid_t in the destructor, a type map
// turns C++ element types into HDF5 memory types, and small helpers cover the
// few shapes of data the results format needs: VLEN UTF-8 text attributes,
// 1-D numeric attributes, chunked + compressed datasets with an unlimited
// leading axis, VLEN string datasets and dimension scales. Every failing call
// throws arcm::IoError naming the file, the object and HDF5's own reason;
// HDF5's automatic printing of its error stack is switched off.
//
// This header includes hdf5.h on purpose (it is the HDF5 module); the schema
// layer (io/results_file.hpp) keeps HDF5 out of its public header.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

namespace arcm::h5 {

//! Switches off HDF5's automatic error-stack printing for the calling thread.
//! The thread-safe HDF5 build keeps this setting per thread, so every public
//! entry point of the io layer calls it; it is cheap and idempotent.
void silence_error_printing();

//! Throws arcm::IoError "HDF5: <action> '<object>' in <file>: <HDF5 reason>".
//! `context` is any open id inside the file (or H5I_INVALID_HID), used to
//! name the file; `object` is the path or name the action was about.
[[noreturn]] void fail(const std::string& action, hid_t context, const std::string& object);

//! A move-only owner of one HDF5 identifier, closed with the matching
//! H5?close function when it goes out of scope.
class Handle {
public:
  using Closer = herr_t (*)(hid_t);

  Handle() = default;
  //! Takes ownership of `id`; throws (via fail) when `id` is negative.
  Handle(hid_t id, Closer closer, const std::string& action, hid_t context, const std::string& object);
  ~Handle();
  Handle(Handle&& other) noexcept;
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t id() const { return id_; }
  bool valid() const { return id_ >= 0; }
  //! Closes now and reports a failure (destructors cannot).
  void close();

private:
  hid_t id_{H5I_INVALID_HID};
  Closer closer_{nullptr};
};

//! HDF5 native memory type of a C++ element type. Specialised in the .cpp for
//! the element types the io layer uses (double, float, int8, int32, int64,
//! uint64); any other type fails to link, which is the point.
template <class T> struct TypeMap { static hid_t native(); };

//! Text of a UTF-8 VLEN string type (a fresh handle each call).
Handle vlen_string_type();

// ---- files and groups -------------------------------------------------------

//! Creates (truncating) `path` with link and attribute creation order tracked
//! and indexed, which netCDF-C needs to append to or modify the file.
Handle create_file(const std::string& path);
//! Opens an existing file read-only or read-write.
Handle open_file(const std::string& path, bool writable);
//! Creates a group with creation order tracked (same reason as create_file).
Handle create_group(hid_t parent, const std::string& name);
Handle open_group(hid_t parent, const std::string& name);
bool link_exists(hid_t parent, const std::string& name);
//! Unlinks a group or dataset. HDF5 1.10 reuses the freed space while the
//! file stays open and shrinks the file when it lies at the end; otherwise
//! the bytes stay in the file, unused, after it is closed.
void delete_link(hid_t parent, const std::string& name);
//! Names of the direct children of a group, in creation order when tracked.
std::vector<std::string> child_names(hid_t group);
//! Flushes every buffer of the file that `any_id` lives in to disk.
void flush(hid_t any_id);
//! flush(), then fsync() the file descriptor, so what HDF5 has written is on
//! stable storage and not only in the page cache (H5Fflush alone does not
//! fsync with the default sec2 driver). Throws when the file is not sec2.
void sync(hid_t any_id);
//! "<file name>" of the file an id belongs to, "" when unknown.
std::string file_name_of(hid_t any_id);

// ---- attributes -------------------------------------------------------------

//! Scalar VLEN UTF-8 string attribute: reads as str in h5py and xarray, as
//! NC_STRING in netCDF. Replaces an attribute of the same name.
void write_attribute(hid_t object, const std::string& name, const std::string& text);
//! 1-D numeric attribute (netCDF-C writes numbers as 1-D arrays, never scalars).
template <class T> void write_attribute(hid_t object, const std::string& name, const std::vector<T>& values);
template <class T> void write_attribute(hid_t object, const std::string& name, T value) {
  write_attribute(object, name, std::vector<T>{value});
}
bool attribute_exists(hid_t object, const std::string& name);
//! Deletes an attribute if it exists.
void delete_attribute(hid_t object, const std::string& name);
//! Reads a string attribute, VLEN or fixed-length.
std::string read_string_attribute(hid_t object, const std::string& name);
//! Reads any numeric attribute, converted to T by HDF5.
template <class T> std::vector<T> read_numeric_attribute(hid_t object, const std::string& name);

// ---- datasets ---------------------------------------------------------------

//! How to lay out a new dataset.
struct DatasetOptions {
  std::vector<hsize_t> dims;        //!< current shape
  bool unlimited_first_axis{false}; //!< axis 0 can grow (H5S_UNLIMITED)
  std::vector<hsize_t> chunk;       //!< chunk shape; empty = contiguous (only when nothing grows)
  bool compress{false};             //!< shuffle + deflate (never for VLEN strings)
  int deflate_level{1};             //!< zlib level when compress
};

//! Creates a dataset of file type `file_type`. `fill` (nullable) points to a
//! value of the memory type `fill_type` written as the HDF5 fill value.
Handle create_dataset(hid_t parent, const std::string& name, hid_t file_type, const DatasetOptions& options,
                      hid_t fill_type = H5I_INVALID_HID, const void* fill = nullptr);
Handle open_dataset(hid_t parent, const std::string& name);
//! Current shape of a dataset.
std::vector<hsize_t> shape_of(hid_t dataset);
//! Grows axis 0 of a dataset created with unlimited_first_axis to `length`.
void extend_first_axis(hid_t dataset, hsize_t length);
//! Sets axis 0 of such a dataset to `length`, growing or shrinking it.
void resize_first_axis(hid_t dataset, hsize_t length);
//! Writes `buffer` (memory type `memory_type`, C order) into the hyperslab
//! starting at `start` with extent `count`.
void write_hyperslab(hid_t dataset, hid_t memory_type, const std::vector<hsize_t>& start,
                     const std::vector<hsize_t>& count, const void* buffer);
//! Writes a whole dataset from a buffer of its full shape.
void write_all(hid_t dataset, hid_t memory_type, const void* buffer);
//! Writes strings as VLEN UTF-8 into the hyperslab [start, start + size) of a 1-D dataset.
void write_strings(hid_t dataset, hsize_t start, const std::vector<std::string>& values);
//! Reads the hyperslab starting at `start` with extent `count` into `buffer`
//! (memory type `memory_type`, C order).
void read_hyperslab(hid_t dataset, hid_t memory_type, const std::vector<hsize_t>& start,
                    const std::vector<hsize_t>& count, void* buffer);
//! Chunk shape of a dataset; empty when it is not chunked.
std::vector<hsize_t> chunk_dims(hid_t dataset);
//! Whether the chunk whose first element is `offset` (a multiple of the
//! chunk shape) is allocated in the file with every filter applied. A chunk
//! missing from the chunk index reads as the fill value without any error,
//! so this is how a copy tells "never written" from "written".
bool chunk_written(hid_t dataset, const std::vector<hsize_t>& offset);
//! The native memory type matching a dataset's numeric file type, so that
//! raw copies keep every bit (NaN payloads included); a fresh handle.
Handle native_type_of(hid_t dataset);
//! Whether a dataset holds strings (VLEN or fixed-length).
bool holds_strings(hid_t dataset);
//! Reads `count` strings from a 1-D string dataset starting at `start`.
std::vector<std::string> read_strings(hid_t dataset, hsize_t start, hsize_t count);
//! Reads a whole dataset converted to T.
template <class T> std::vector<T> read_all(hid_t dataset);
//! Reads a whole 1-D VLEN (or fixed-length) string dataset.
std::vector<std::string> read_strings(hid_t dataset);

// ---- dimension scales -------------------------------------------------------

//! Marks a dataset as the dimension scale (netCDF dimension) called `dimension_name`.
void make_scale(hid_t dataset, const std::string& dimension_name);
//! Attaches `scale` to axis `axis` of `dataset` (H5DSattach_scale).
void attach_scale(hid_t dataset, hid_t scale, unsigned axis);
bool is_scale(hid_t dataset);
//! Dimension name (H5DSset_scale name) of the first scale attached to `axis`
//! of `dataset`; throws when none is attached.
std::string scale_name_on_axis(hid_t dataset, unsigned axis);
//! Size in bytes of one element of a dataset's file type.
std::size_t element_size(hid_t dataset);

} // namespace arcm::h5
