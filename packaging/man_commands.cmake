# Writes the COMMANDS section of the man page (a help2man include file) from the binary itself:
# every command that `gd2sentinel --help` lists under "Subcommands:", and theirs in turn, each
# with its `--help` as a preformatted block. help2man makes the rest from the top-level --help.
#
#   cmake -DBINARY=build/dev/src/gd2sentinel -DOUTPUT=commands.h2m -P packaging/man_commands.cmake

if(NOT BINARY OR NOT OUTPUT)
  message(FATAL_ERROR "man_commands.cmake: set BINARY (gd2sentinel) and OUTPUT (the .h2m file)")
endif()

# The names listed under "Subcommands:" in a --help text ("  NAME   description" lines).
function(gd2s_subcommands help_text out_var)
  set(names)
  set(in_list FALSE)
  string(REPLACE "\n" ";" lines "${help_text}")
  foreach(line IN LISTS lines)
    if(line STREQUAL "Subcommands:")
      set(in_list TRUE)
    elseif(in_list AND line MATCHES "^  ([a-z][a-z0-9-]*)( |$)")
      list(APPEND names "${CMAKE_MATCH_1}")
    elseif(in_list AND NOT line MATCHES "^ ")
      set(in_list FALSE)
    endif()
  endforeach()
  set(${out_var} "${names}" PARENT_SCOPE)
endfunction()

function(gd2s_help out_var)
  execute_process(COMMAND "${BINARY}" ${ARGN} --help OUTPUT_VARIABLE text RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "man_commands.cmake: `gd2sentinel ${ARGN} --help` exited ${status}")
  endif()
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

# roff: a backslash is an escape, a hyphen is printed as a minus sign only as \-, and a line
# starting with . or ' would be a request.
function(gd2s_roff text out_var)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REPLACE "-" "\\-" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

set(section "[COMMANDS]\n")
set(pending "")
gd2s_help(top)
gd2s_subcommands("${top}" commands)
foreach(command IN LISTS commands)
  list(APPEND pending "${command}")
  gd2s_help(help ${command})
  gd2s_subcommands("${help}" nested)
  foreach(sub IN LISTS nested)
    list(APPEND pending "${command} ${sub}")
  endforeach()
endforeach()
if(NOT pending)
  message(FATAL_ERROR "man_commands.cmake: `gd2sentinel --help` lists no commands")
endif()

foreach(entry IN LISTS pending)
  string(REPLACE " " ";" words "${entry}")
  gd2s_help(help ${words})
  gd2s_roff("${help}" help)
  gd2s_roff("gd2sentinel ${entry}" title)
  string(APPEND section ".SS \"${title}\"\n.nf\n${help}.fi\n")
endforeach()
file(WRITE "${OUTPUT}" "${section}")
