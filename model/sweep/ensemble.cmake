# Streaming ensemble statistics (mean, spread, quantiles across runs). Pure
# C++ on top of core: no files, no threads. Included from the sweep layer's
# CMakeLists.txt, so paths are relative to this file.
add_library(arcm_sweep_ensemble STATIC ${CMAKE_CURRENT_LIST_DIR}/ensemble.cpp)
target_link_libraries(arcm_sweep_ensemble PUBLIC arcm_core PRIVATE arcm_warnings)
