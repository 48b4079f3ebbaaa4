# Project-wide compile options, applied to our own targets through gd2s_options.
add_library(gd2s_options INTERFACE)
target_compile_options(gd2s_options INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
  -Wno-sign-conversion -Wnon-virtual-dtor -Woverloaded-virtual)
if(GD2S_WERROR)
  target_compile_options(gd2s_options INTERFACE -Werror)
endif()
if(GD2S_SANITIZE)
  target_compile_options(gd2s_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  target_link_options(gd2s_options INTERFACE -fsanitize=address,undefined)
endif()
