# Precompiled headers for the heavy third-party headers (simdjson, gtest, spdlog, RapidJSON,
# cpp-httplib), which otherwise cost each translation unit seconds of parsing.
#
# Clang only: through a GCC 12 precompiled header libstdc++ stops counting as a system header,
# and the -O2 -Werror release build then fails on false -Warray-bounds/-Wstringop-overflow
# reports inside it. Clang keeps the system-header status, so its builds (dev, tsan, fuzz) use them.
option(GD2S_PRECOMPILED_HEADERS "Precompile the heavy third-party headers (clang builds)" ON)

function(gd2s_precompile_headers target)
  if(GD2S_PRECOMPILED_HEADERS AND CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    target_precompile_headers(${target} PRIVATE ${ARGN})
  endif()
endfunction()
