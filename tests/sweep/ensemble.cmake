# Tests of the streaming ensemble statistics. Included from the sweep tests'
# CMakeLists.txt, so paths are relative to this file.
add_executable(test_sweep_ensemble ${CMAKE_CURRENT_LIST_DIR}/test_ensemble.cpp)
target_link_libraries(test_sweep_ensemble PRIVATE arcm_sweep_ensemble Catch2::Catch2WithMain arcm_warnings)
catch_discover_tests(test_sweep_ensemble TEST_PREFIX "sweep ensemble: ")
