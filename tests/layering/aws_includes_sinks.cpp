// Deliberately wrong, never part of the build: the aws layer reaching up into sinks/. Its test
// passes when the compiler cannot find the header, because gd2s_aws does not link gd2s_sinks.
#include "sinks/sink.h"
