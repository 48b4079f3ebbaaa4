# lint.clang_tidy: clang-tidy (.clang-tidy's checks) over the concurrent code, failing on any
# finding (scripts/lint says which files and why). Clang builds only, whose compile commands
# clang-tidy reads as they are: in practice the dev preset (tsan's test filter leaves it out).
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  add_test(NAME lint.clang_tidy COMMAND ${PROJECT_SOURCE_DIR}/scripts/lint ${CMAKE_BINARY_DIR})
  # Two clang-tidy processes: it has the machine's two cores to itself rather than slowing the
  # timing-sensitive tests beside it.
  set_tests_properties(lint.clang_tidy PROPERTIES LABELS lint TIMEOUT 600 PROCESSORS 2)
endif()
