#include "io/h5_file.hpp"

#include <hdf5_hl.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "core/errors.hpp"

namespace arcm::h5 {

namespace {

// What fail() keeps from HDF5's error stack: the API-level description (what
// was attempted) and the innermost one (why it failed, often with errno).
struct ErrorSummary {
  std::string outermost;
  std::string innermost;
};

herr_t collect_error(unsigned position, const H5E_error2_t* error, void* data) {
  auto* summary = static_cast<ErrorSummary*>(data);
  std::string text = error->desc != nullptr ? error->desc : "";
  char minor[160] = {0};
  if (H5Eget_msg(error->min_num, nullptr, minor, sizeof minor) > 0 && minor[0] != '\0') {
    text += text.empty() ? minor : std::string(" [") + minor + "]";
  }
  if (position == 0) summary->outermost = text;
  summary->innermost = text; // walking downward, the last record is the innermost
  return 0;
}

std::string current_error_text() {
  ErrorSummary summary;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, &summary);
  H5Eclear2(H5E_DEFAULT);
  if (summary.innermost.empty()) return "no HDF5 error recorded";
  if (summary.outermost == summary.innermost) return summary.innermost;
  return summary.outermost + ": " + summary.innermost;
}

void check(herr_t status, const std::string& action, hid_t context, const std::string& object) {
  if (status < 0) fail(action, context, object);
}

Handle make_space(const std::vector<hsize_t>& dims, const std::vector<hsize_t>* max_dims, hid_t context,
                  const std::string& object) {
  if (dims.empty()) return Handle(H5Screate(H5S_SCALAR), H5Sclose, "create dataspace for", context, object);
  return Handle(H5Screate_simple(static_cast<int>(dims.size()), dims.data(),
                                 max_dims != nullptr ? max_dims->data() : nullptr),
                H5Sclose, "create dataspace for", context, object);
}

std::string object_name(hid_t id) {
  ssize_t length = H5Iget_name(id, nullptr, 0);
  if (length <= 0) return "?";
  std::string name(static_cast<std::size_t>(length), '\0');
  H5Iget_name(id, name.data(), static_cast<std::size_t>(length) + 1);
  return name;
}

} // namespace

// No HDF5 clean-up at exit: after a failed write (a full disk) HDF5's own exit
// handler closes the file again and crashes, turning a clear error with exit
// code 4 into a segfault. Every file is closed by its Handle before exit. It
// must be said before the library initialises, hence a static initialiser.
namespace {
const bool no_hdf5_atexit = [] {
  H5dont_atexit();
  return true;
}();
} // namespace

void silence_error_printing() {
  (void)no_hdf5_atexit;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  // HDF5 keeps freed internal blocks on its own free lists, by default without
  // a limit. A 1 MiB cap per kind of list (256 KiB per list) keeps the reuse
  // and bounds what a long sweep can hold there.
  static const bool limited = [] {
    H5set_free_list_limits(1 << 20, 256 << 10, 1 << 20, 256 << 10, 1 << 20, 256 << 10);
    return true;
  }();
  (void)limited;
}

void fail(const std::string& action, hid_t context, const std::string& object) {
  // Read the stack before anything else can push onto or clear it.
  const std::string reason = current_error_text();
  std::string where;
  if (context >= 0) where = file_name_of(context);
  H5Eclear2(H5E_DEFAULT);
  // Another process holds the file's lock (HDF5 locks files it opens for
  // writing): say so, rather than "unable to lock file, errno = 11".
  if (reason.find("unable to lock file") != std::string::npos)
    throw IoError((where.empty() ? object : where) +
                  " is in use by another process (it holds the file's lock): another ARCM may be writing it; "
                  "wait for it to finish, or stop it, and try again");
  std::string message = "HDF5: cannot " + action + " '" + object + "'";
  if (!where.empty()) message += " in " + where;
  throw IoError(message + ": " + reason);
}

// ---- Handle -----------------------------------------------------------------

Handle::Handle(hid_t id, Closer closer, const std::string& action, hid_t context, const std::string& object)
    : id_(id), closer_(closer) {
  if (id_ < 0) fail(action, context, object);
}

Handle::~Handle() {
  if (valid() && closer_ != nullptr) closer_(id_); // a failure here cannot be reported
}

Handle::Handle(Handle&& other) noexcept
    : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    if (valid() && closer_ != nullptr) closer_(id_);
    id_ = std::exchange(other.id_, H5I_INVALID_HID);
    closer_ = other.closer_;
  }
  return *this;
}

void Handle::close() {
  if (!valid()) return;
  const hid_t id = std::exchange(id_, H5I_INVALID_HID);
  if (closer_ != nullptr && closer_(id) < 0) fail("close", H5I_INVALID_HID, "identifier");
}

// ---- type map ---------------------------------------------------------------

// H5T_NATIVE_* are macros that expand to library globals set up by H5open(),
// so they are looked up at call time rather than cached.
template <> hid_t TypeMap<double>::native() {
  return H5T_NATIVE_DOUBLE;
}
template <> hid_t TypeMap<float>::native() {
  return H5T_NATIVE_FLOAT;
}
template <> hid_t TypeMap<std::int8_t>::native() {
  return H5T_NATIVE_INT8;
}
template <> hid_t TypeMap<std::int32_t>::native() {
  return H5T_NATIVE_INT32;
}
template <> hid_t TypeMap<std::int64_t>::native() {
  return H5T_NATIVE_INT64;
}
template <> hid_t TypeMap<std::uint64_t>::native() {
  return H5T_NATIVE_UINT64;
}

Handle vlen_string_type() {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "copy", H5I_INVALID_HID, "string type");
  check(H5Tset_size(type.id(), H5T_VARIABLE), "size", H5I_INVALID_HID, "string type");
  check(H5Tset_cset(type.id(), H5T_CSET_UTF8), "set UTF-8 on", H5I_INVALID_HID, "string type");
  return type;
}

// ---- files and groups -------------------------------------------------------

namespace {

// File access with bounded memory: a sweep writes whole chunks once and never
// reads them back, so the per-dataset raw-data chunk cache (1 MiB each by
// default, ~100 datasets) would only grow the process with the file; and the
// metadata cache, which HDF5 lets grow adaptively to 32 MiB, is held at a
// fixed 256 KiB. Both keep a long sweep's memory flat (docs/performance.md).
Handle bounded_file_access(const std::string& path) {
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "create access property list for", H5I_INVALID_HID, path);
  check(H5Pset_cache(fapl.id(), 0, 521, 0, 0.75), "disable the chunk cache of", H5I_INVALID_HID, path);
  H5AC_cache_config_t config;
  config.version = H5AC__CURR_CACHE_CONFIG_VERSION;
  check(H5Pget_mdc_config(fapl.id(), &config), "read the metadata cache settings of", H5I_INVALID_HID, path);
  config.set_initial_size = true;
  // The cache's limit counts the entries' size on disk, but a chunk-index
  // B-tree node takes about six times more in memory than on disk (measured:
  // a 1 MiB cache held ~500 entries and ~6 MiB of heap). 256 KiB still holds
  // the path to the last chunk of every dataset a batch appends to.
  config.initial_size = 256 << 10;
  config.min_size = 256 << 10;
  config.max_size = 256 << 10; // fixed: no adaptive growth
  config.incr_mode = H5C_incr__off;
  config.flash_incr_mode = H5C_flash_incr__off;
  config.decr_mode = H5C_decr__off;
  check(H5Pset_mdc_config(fapl.id(), &config), "bound the metadata cache of", H5I_INVALID_HID, path);
  return fapl;
}

} // namespace

Handle create_file(const std::string& path) {
  silence_error_printing();
  Handle fcpl(H5Pcreate(H5P_FILE_CREATE), H5Pclose, "create property list for", H5I_INVALID_HID, path);
  const unsigned order = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
  check(H5Pset_link_creation_order(fcpl.id(), order), "track link order of", H5I_INVALID_HID, path);
  check(H5Pset_attr_creation_order(fcpl.id(), order), "track attribute order of", H5I_INVALID_HID, path);
  const Handle fapl = bounded_file_access(path);
  return Handle(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.id(), fapl.id()), H5Fclose, "create file",
                H5I_INVALID_HID, path);
}

Handle open_file(const std::string& path, bool writable) {
  silence_error_printing();
  // A FIFO would block the open and a device never ends: only regular files.
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
    throw IoError(path + " is not a regular file (a directory, device, pipe or socket), not a results file");
  const Handle fapl = bounded_file_access(path);
  return Handle(H5Fopen(path.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, fapl.id()), H5Fclose,
                "open file", H5I_INVALID_HID, path);
}

Handle create_group(hid_t parent, const std::string& name) {
  Handle gcpl(H5Pcreate(H5P_GROUP_CREATE), H5Pclose, "create property list for", parent, name);
  const unsigned order = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
  check(H5Pset_link_creation_order(gcpl.id(), order), "track link order of", parent, name);
  check(H5Pset_attr_creation_order(gcpl.id(), order), "track attribute order of", parent, name);
  return Handle(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, gcpl.id(), H5P_DEFAULT), H5Gclose,
                "create group", parent, name);
}

Handle open_group(hid_t parent, const std::string& name) {
  return Handle(H5Gopen2(parent, name.c_str(), H5P_DEFAULT), H5Gclose, "open group", parent, name);
}

bool link_exists(hid_t parent, const std::string& name) {
  const htri_t exists = H5Lexists(parent, name.c_str(), H5P_DEFAULT);
  if (exists < 0) fail("look up", parent, name);
  return exists > 0;
}

void delete_link(hid_t parent, const std::string& name) {
  check(H5Ldelete(parent, name.c_str(), H5P_DEFAULT), "delete", parent, name);
}

std::vector<std::string> child_names(hid_t group) {
  std::vector<std::string> names;
  auto collect = [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
  };
  // Creation order is only available when the group tracks it; files written
  // by other tools may not, and then alphabetical order is the best there is.
  if (H5Literate(group, H5_INDEX_CRT_ORDER, H5_ITER_INC, nullptr, collect, &names) >= 0) return names;
  H5Eclear2(H5E_DEFAULT);
  names.clear();
  check(H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect, &names), "list members of", group,
        object_name(group));
  return names;
}

void flush(hid_t any_id) {
  check(H5Fflush(any_id, H5F_SCOPE_GLOBAL), "flush", any_id, "file");
}

void sync(hid_t any_id) {
  flush(any_id);
  const Handle file(H5Iget_file_id(any_id), H5Fclose, "find the file of", any_id, "object");
  const Handle fapl(H5Fget_access_plist(file.id()), H5Pclose, "get access properties of", any_id, "file");
  void* handle = nullptr;
  check(H5Fget_vfd_handle(file.id(), fapl.id(), &handle), "get the descriptor of", any_id, "file");
  // The sec2 driver (the default, and the only one the io layer uses) hands
  // out a pointer to its POSIX file descriptor.
  if (H5Pget_driver(fapl.id()) != H5FD_SEC2 || handle == nullptr)
    throw IoError("HDF5: cannot fsync " + file_name_of(any_id) + ": not opened with the sec2 driver");
  if (::fsync(*static_cast<int*>(handle)) != 0)
    throw IoError("cannot fsync " + file_name_of(any_id) + ": " + std::strerror(errno));
}

std::string file_name_of(hid_t any_id) {
  const ssize_t length = H5Fget_name(any_id, nullptr, 0);
  if (length <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return "";
  }
  std::string name(static_cast<std::size_t>(length), '\0');
  H5Fget_name(any_id, name.data(), static_cast<std::size_t>(length) + 1);
  return name;
}

// ---- attributes -------------------------------------------------------------

namespace {

Handle replace_attribute(hid_t object, const std::string& name, hid_t type, hid_t space) {
  if (attribute_exists(object, name))
    check(H5Adelete(object, name.c_str()), "replace attribute", object, name);
  return Handle(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                "create attribute", object, name);
}

} // namespace

void write_attribute(hid_t object, const std::string& name, const std::string& text) {
  const Handle type = vlen_string_type();
  const Handle space = make_space({}, nullptr, object, name);
  const Handle attribute = replace_attribute(object, name, type.id(), space.id());
  const char* data = text.c_str();
  check(H5Awrite(attribute.id(), type.id(), &data), "write attribute", object, name);
}

template <class T> void write_attribute(hid_t object, const std::string& name, const std::vector<T>& values) {
  const Handle space = make_space({values.size()}, nullptr, object, name);
  const Handle attribute = replace_attribute(object, name, TypeMap<T>::native(), space.id());
  check(H5Awrite(attribute.id(), TypeMap<T>::native(), values.data()), "write attribute", object, name);
}

bool attribute_exists(hid_t object, const std::string& name) {
  const htri_t exists = H5Aexists(object, name.c_str());
  if (exists < 0) fail("look up attribute", object, name);
  return exists > 0;
}

void delete_attribute(hid_t object, const std::string& name) {
  if (attribute_exists(object, name))
    check(H5Adelete(object, name.c_str()), "delete attribute", object, name);
}

std::string read_string_attribute(hid_t object, const std::string& name) {
  const Handle attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose, "open attribute", object,
                         name);
  const Handle file_type(H5Aget_type(attribute.id()), H5Tclose, "get type of attribute", object, name);
  if (H5Tget_class(file_type.id()) != H5T_STRING) fail("read as text the attribute", object, name);
  const Handle space(H5Aget_space(attribute.id()), H5Sclose, "get dataspace of attribute", object, name);
  if (H5Sget_simple_extent_npoints(space.id()) != 1) fail("read as one string the attribute", object, name);

  if (H5Tis_variable_str(file_type.id()) > 0) {
    const Handle memory_type = vlen_string_type();
    char* data = nullptr;
    check(H5Aread(attribute.id(), memory_type.id(), &data), "read attribute", object, name);
    std::string text = data != nullptr ? data : "";
    H5Dvlen_reclaim(memory_type.id(), space.id(), H5P_DEFAULT, &data);
    return text;
  }
  // Fixed-length text (netCDF-C's NC_CHAR attributes): read the raw bytes
  // and drop the padding.
  const std::size_t size = H5Tget_size(file_type.id());
  std::string text(size, '\0');
  check(H5Aread(attribute.id(), file_type.id(), text.data()), "read attribute", object, name);
  const std::size_t end = text.find('\0');
  if (end != std::string::npos) text.resize(end);
  return text;
}

template <class T> std::vector<T> read_numeric_attribute(hid_t object, const std::string& name) {
  const Handle attribute(H5Aopen(object, name.c_str(), H5P_DEFAULT), H5Aclose, "open attribute", object,
                         name);
  const Handle file_type(H5Aget_type(attribute.id()), H5Tclose, "get type of attribute", object, name);
  const H5T_class_t type_class = H5Tget_class(file_type.id());
  if (type_class != H5T_INTEGER && type_class != H5T_FLOAT)
    fail("read as a number the attribute", object, name);
  const Handle space(H5Aget_space(attribute.id()), H5Sclose, "get dataspace of attribute", object, name);
  const hssize_t count = H5Sget_simple_extent_npoints(space.id());
  if (count < 0) fail("count elements of attribute", object, name);
  std::vector<T> values(static_cast<std::size_t>(count));
  check(H5Aread(attribute.id(), TypeMap<T>::native(), values.data()), "read attribute", object, name);
  return values;
}

// ---- datasets ---------------------------------------------------------------

Handle create_dataset(hid_t parent, const std::string& name, hid_t file_type, const DatasetOptions& options,
                      hid_t fill_type, const void* fill) {
  std::vector<hsize_t> max_dims = options.dims;
  if (options.unlimited_first_axis && !max_dims.empty()) max_dims[0] = H5S_UNLIMITED;
  const Handle space = make_space(options.dims, &max_dims, parent, name);

  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "create property list for", parent, name);
  const unsigned order = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
  check(H5Pset_attr_creation_order(dcpl.id(), order), "track attribute order of", parent, name);
  if (!options.chunk.empty()) {
    check(H5Pset_chunk(dcpl.id(), static_cast<int>(options.chunk.size()), options.chunk.data()), "chunk",
          parent, name);
    if (options.compress) {
      // Shuffle before deflate groups the bytes of each float by significance,
      // which is what makes smooth trajectories compress well.
      check(H5Pset_shuffle(dcpl.id()), "set shuffle filter on", parent, name);
      check(H5Pset_deflate(dcpl.id(), static_cast<unsigned>(options.deflate_level)), "set deflate filter on",
            parent, name);
    }
  }
  if (fill != nullptr)
    check(H5Pset_fill_value(dcpl.id(), fill_type, fill), "set fill value of", parent, name);

  return Handle(H5Dcreate2(parent, name.c_str(), file_type, space.id(), H5P_DEFAULT, dcpl.id(), H5P_DEFAULT),
                H5Dclose, "create dataset", parent, name);
}

Handle open_dataset(hid_t parent, const std::string& name) {
  return Handle(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose, "open dataset", parent, name);
}

std::vector<hsize_t> shape_of(hid_t dataset) {
  const Handle space(H5Dget_space(dataset), H5Sclose, "get dataspace of", dataset, object_name(dataset));
  const int rank = H5Sget_simple_extent_ndims(space.id());
  if (rank < 0) fail("get rank of", dataset, object_name(dataset));
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0)
    check(H5Sget_simple_extent_dims(space.id(), dims.data(), nullptr), "get shape of", dataset,
          object_name(dataset));
  return dims;
}

void extend_first_axis(hid_t dataset, hsize_t length) {
  std::vector<hsize_t> dims = shape_of(dataset);
  if (dims.empty()) fail("extend scalar dataset", dataset, object_name(dataset));
  if (dims[0] >= length) return;
  dims[0] = length;
  check(H5Dset_extent(dataset, dims.data()), "extend", dataset, object_name(dataset));
}

void resize_first_axis(hid_t dataset, hsize_t length) {
  std::vector<hsize_t> dims = shape_of(dataset);
  if (dims.empty()) fail("resize scalar dataset", dataset, object_name(dataset));
  if (dims[0] == length) return;
  dims[0] = length;
  check(H5Dset_extent(dataset, dims.data()), "resize", dataset, object_name(dataset));
}

void write_hyperslab(hid_t dataset, hid_t memory_type, const std::vector<hsize_t>& start,
                     const std::vector<hsize_t>& count, const void* buffer) {
  const std::string name = object_name(dataset);
  const Handle file_space(H5Dget_space(dataset), H5Sclose, "get dataspace of", dataset, name);
  check(H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
        "select hyperslab of", dataset, name);
  const Handle memory_space = make_space(count, nullptr, dataset, name);
  check(H5Dwrite(dataset, memory_type, memory_space.id(), file_space.id(), H5P_DEFAULT, buffer), "write",
        dataset, name);
}

void write_all(hid_t dataset, hid_t memory_type, const void* buffer) {
  check(H5Dwrite(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer), "write", dataset,
        object_name(dataset));
}

void write_strings(hid_t dataset, hsize_t start, const std::vector<std::string>& values) {
  if (values.empty()) return;
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (const std::string& value : values) pointers.push_back(value.c_str());
  const Handle type = vlen_string_type();
  write_hyperslab(dataset, type.id(), {start}, {values.size()}, pointers.data());
}

void read_hyperslab(hid_t dataset, hid_t memory_type, const std::vector<hsize_t>& start,
                    const std::vector<hsize_t>& count, void* buffer) {
  const std::string name = object_name(dataset);
  const Handle file_space(H5Dget_space(dataset), H5Sclose, "get dataspace of", dataset, name);
  check(H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
        "select hyperslab of", dataset, name);
  const Handle memory_space = make_space(count, nullptr, dataset, name);
  check(H5Dread(dataset, memory_type, memory_space.id(), file_space.id(), H5P_DEFAULT, buffer), "read",
        dataset, name);
}

std::vector<hsize_t> chunk_dims(hid_t dataset) {
  const std::string name = object_name(dataset);
  const Handle dcpl(H5Dget_create_plist(dataset), H5Pclose, "get creation properties of", dataset, name);
  if (H5Pget_layout(dcpl.id()) != H5D_CHUNKED) return {};
  const int rank = H5Pget_chunk(dcpl.id(), 0, nullptr);
  if (rank < 0) fail("get chunk rank of", dataset, name);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0 && H5Pget_chunk(dcpl.id(), rank, dims.data()) < 0) fail("get chunk shape of", dataset, name);
  return dims;
}

bool chunk_written(hid_t dataset, const std::vector<hsize_t>& offset) {
  unsigned filter_mask = 0;
  haddr_t address = HADDR_UNDEF;
  hsize_t size = 0;
  check(H5Dget_chunk_info_by_coord(dataset, offset.data(), &filter_mask, &address, &size),
        "look up a chunk of", dataset, object_name(dataset));
  // A set bit in filter_mask means that filter was skipped for this chunk;
  // the writer never skips one, so such a chunk is as suspect as a missing one.
  return address != HADDR_UNDEF && size > 0 && filter_mask == 0;
}

Handle native_type_of(hid_t dataset) {
  const std::string name = object_name(dataset);
  const Handle file_type(H5Dget_type(dataset), H5Tclose, "get type of", dataset, name);
  return Handle(H5Tget_native_type(file_type.id(), H5T_DIR_ASCEND), H5Tclose, "get native type of", dataset,
                name);
}

bool holds_strings(hid_t dataset) {
  const Handle file_type(H5Dget_type(dataset), H5Tclose, "get type of", dataset, object_name(dataset));
  return H5Tget_class(file_type.id()) == H5T_STRING;
}

std::vector<std::string> read_strings(hid_t dataset, hsize_t start, hsize_t count) {
  std::vector<std::string> values;
  if (count == 0) return values;
  values.reserve(static_cast<std::size_t>(count));
  const std::string name = object_name(dataset);
  const Handle file_type(H5Dget_type(dataset), H5Tclose, "get type of", dataset, name);
  if (H5Tis_variable_str(file_type.id()) <= 0) fail("read as VLEN text", dataset, name);
  const Handle memory_type = vlen_string_type();
  const Handle memory_space = make_space({count}, nullptr, dataset, name);
  std::vector<char*> pointers(static_cast<std::size_t>(count), nullptr);
  read_hyperslab(dataset, memory_type.id(), {start}, {count}, pointers.data());
  for (const char* pointer : pointers) values.emplace_back(pointer != nullptr ? pointer : "");
  H5Dvlen_reclaim(memory_type.id(), memory_space.id(), H5P_DEFAULT, pointers.data());
  return values;
}

template <class T> std::vector<T> read_all(hid_t dataset) {
  std::size_t count = 1;
  for (hsize_t extent : shape_of(dataset)) count *= static_cast<std::size_t>(extent);
  std::vector<T> values(count);
  if (count > 0)
    check(H5Dread(dataset, TypeMap<T>::native(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "read",
          dataset, object_name(dataset));
  return values;
}

std::vector<std::string> read_strings(hid_t dataset) {
  const std::string name = object_name(dataset);
  const Handle file_type(H5Dget_type(dataset), H5Tclose, "get type of", dataset, name);
  if (H5Tget_class(file_type.id()) != H5T_STRING) fail("read as text", dataset, name);
  const Handle space(H5Dget_space(dataset), H5Sclose, "get dataspace of", dataset, name);
  const hssize_t count = H5Sget_simple_extent_npoints(space.id());
  if (count < 0) fail("count elements of", dataset, name);
  std::vector<std::string> values;
  values.reserve(static_cast<std::size_t>(count));
  if (count == 0) return values;

  if (H5Tis_variable_str(file_type.id()) > 0) {
    const Handle memory_type = vlen_string_type();
    std::vector<char*> pointers(static_cast<std::size_t>(count), nullptr);
    check(H5Dread(dataset, memory_type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()), "read", dataset,
          name);
    for (const char* pointer : pointers) values.emplace_back(pointer != nullptr ? pointer : "");
    H5Dvlen_reclaim(memory_type.id(), space.id(), H5P_DEFAULT, pointers.data());
    return values;
  }
  const std::size_t size = H5Tget_size(file_type.id());
  std::vector<char> buffer(size * static_cast<std::size_t>(count));
  check(H5Dread(dataset, file_type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()), "read", dataset,
        name);
  for (std::size_t i = 0; i < static_cast<std::size_t>(count); ++i) {
    std::string value(buffer.data() + i * size, size);
    const std::size_t end = value.find('\0');
    if (end != std::string::npos) value.resize(end);
    values.push_back(std::move(value));
  }
  return values;
}

// ---- dimension scales -------------------------------------------------------

void make_scale(hid_t dataset, const std::string& dimension_name) {
  check(H5DSset_scale(dataset, dimension_name.c_str()), "make a dimension scale of", dataset, dimension_name);
}

void attach_scale(hid_t dataset, hid_t scale, unsigned axis) {
  check(H5DSattach_scale(dataset, scale, axis), "attach dimension scale " + object_name(scale) + " to",
        dataset, object_name(dataset) + " axis " + std::to_string(axis));
}

bool is_scale(hid_t dataset) {
  const htri_t scale = H5DSis_scale(dataset);
  if (scale < 0) fail("check for a dimension scale", dataset, object_name(dataset));
  return scale > 0;
}

std::string scale_name_on_axis(hid_t dataset, unsigned axis) {
  // The scale id handed to the visitor is owned (and closed) by the
  // iteration, so its name is read inside the visitor.
  auto name_of_first = [](hid_t, unsigned, hid_t scale, void* data) -> herr_t {
    const ssize_t length = H5DSget_scale_name(scale, nullptr, 0);
    if (length <= 0) return -1;
    auto* name = static_cast<std::string*>(data);
    name->assign(static_cast<std::size_t>(length), '\0');
    H5DSget_scale_name(scale, name->data(), static_cast<std::size_t>(length) + 1);
    while (!name->empty() && name->back() == '\0') name->pop_back();
    return 1; // stop at the first scale
  };
  std::string name;
  if (H5DSiterate_scales(dataset, axis, nullptr, name_of_first, &name) < 0 || name.empty())
    fail("find the dimension scale of", dataset, object_name(dataset) + " axis " + std::to_string(axis));
  return name;
}

std::size_t element_size(hid_t dataset) {
  const Handle type(H5Dget_type(dataset), H5Tclose, "get type of", dataset, object_name(dataset));
  return H5Tget_size(type.id());
}

// Explicit instantiations for the element types of the type map.
#define ARCM_H5_INSTANTIATE(T)                                                                               \
  template void write_attribute<T>(hid_t, const std::string&, const std::vector<T>&);                        \
  template std::vector<T> read_numeric_attribute<T>(hid_t, const std::string&);                              \
  template std::vector<T> read_all<T>(hid_t);
ARCM_H5_INSTANTIATE(double)
ARCM_H5_INSTANTIATE(float)
ARCM_H5_INSTANTIATE(std::int8_t)
ARCM_H5_INSTANTIATE(std::int32_t)
ARCM_H5_INSTANTIATE(std::int64_t)
ARCM_H5_INSTANTIATE(std::uint64_t)
#undef ARCM_H5_INSTANTIATE

} // namespace arcm::h5
