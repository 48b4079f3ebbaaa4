# Project-wide compile options, applied to our own targets through gd2s_options.
add_library(gd2s_options INTERFACE)
target_compile_options(gd2s_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
  -Wno-sign-conversion -Wnon-virtual-dtor -Woverloaded-virtual)
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  # Clang checks the GUARDED_BY/REQUIRES annotations (core/thread_annotations.h) at compile time;
  # an error with GD2S_WERROR, as in the clang presets (dev, tsan, fuzz). g++ has no such check.
  target_compile_options(gd2s_options INTERFACE -Wthread-safety)
endif()
if(GD2S_WERROR)
  target_compile_options(gd2s_options INTERFACE -Werror)
endif()
if(GD2S_SANITIZE)
  target_compile_options(gd2s_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  target_link_options(gd2s_options INTERFACE -fsanitize=address,undefined)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    target_compile_options(gd2s_options INTERFACE
      -fsanitize-ignorelist=${PROJECT_SOURCE_DIR}/cmake/ubsan-ignorelist.txt)
  endif()
endif()
if(GD2S_TSAN)
  target_compile_options(gd2s_options INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(gd2s_options INTERFACE -fsanitize=thread)
endif()
if(GD2S_FUZZ)
  # Coverage for libFuzzer in everything the fuzz targets link; only they link libFuzzer's main.
  target_compile_options(gd2s_options INTERFACE -fsanitize=fuzzer-no-link)
endif()
